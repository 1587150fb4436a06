"""Text as the pipeline reads it: normalisation, tokens, sentences, dates, word lists."""
