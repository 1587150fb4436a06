"""Split a document into sentences with offsets into its original text.

syntok does the splitting.  Measured on the seeds (bench/segmenters.py): pysbd
keeps sentences that sit inside an open quotation together (three merged pairs
in 001) and is the slowest; blingfire splits like syntok and is faster but ships
an x86-only binary; syntok is pure Python, reports offsets itself, and splits
inside quotations, which the aligner needs for one-to-one pairs.

Paragraphs (lines) are split one at a time, so a headline without a full stop
never runs into the first sentence, and site chrome lines are skipped whole.
"""

from __future__ import annotations

from syntok import segmenter

from reconcile.model import Sentence, Span
from reconcile.normalize import line_spans


def split_paragraph(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence offsets within text[start:end], shifted to the whole text."""
    paragraph = text[start:end]
    bounds: list[tuple[int, int]] = []
    for para in segmenter.analyze(paragraph):
        for sentence in para:
            tokens = list(sentence)
            if not tokens:
                continue
            s = tokens[0].offset
            e = tokens[-1].offset + len(tokens[-1].value)
            if paragraph[s:e].strip():
                bounds.append((start + s, start + e))
    return bounds


def segment(text: str, chrome: tuple[Span, ...] = ()) -> tuple[Sentence, ...]:
    """Sentences of every non-chrome line, numbered in reading order."""
    chrome_starts = {span.start for span in chrome}
    sentences: list[Sentence] = []
    for start, end, _ in line_spans(text):
        if start in chrome_starts:
            continue
        for s, e in split_paragraph(text, start, end):
            if any(ch.isalnum() for ch in text[s:e]):
                sentences.append(Sentence(len(sentences), s, e, text[s:e]))
    return tuple(sentences)
