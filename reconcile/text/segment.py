"""Split a document into sentences with offsets into its original text.

syntok does the splitting.  Measured on the seeds (bench/segmenters.py): pysbd
keeps sentences that sit inside an open quotation together (three merged pairs
in 001) and is the slowest; blingfire splits like syntok and is faster but ships
an x86-only binary; syntok is pure Python, reports offsets itself, and splits
inside quotations, which the aligner needs for one-to-one pairs.

Paragraphs (lines) are split one at a time, so a headline without a full stop
never runs into the first sentence, and site chrome lines are skipped whole.
A "sentence" longer than ``MAX_SENTENCE_CHARS`` (a table flattened into one
line, a transcript without punctuation) is cut into pieces at spaces: the
aligner and the word diff compare sentences pairwise, and one sentence of
40,000 words made a single comparison take minutes.
"""

from __future__ import annotations

from syntok import segmenter

from reconcile.model import Sentence, Span
from reconcile.text.normalize import line_spans

MAX_SENTENCE_CHARS = 1000


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
                bounds.extend(_pieces(text, start + s, start + e))
    return bounds


def _pieces(text: str, start: int, end: int, limit: int = MAX_SENTENCE_CHARS) -> list[tuple[int, int]]:
    """[start, end) cut at the last space before every ``limit`` characters (hard, where there is none)."""
    pieces = []
    while end - start > limit:
        cut = text.rfind(" ", start + limit // 2, start + limit)
        cut = cut if cut > start else start + limit
        pieces.append((start, cut))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        pieces.append((start, end))
    return pieces


def segment(text: str, chrome: tuple[Span, ...] = ()) -> tuple[Sentence, ...]:
    """Sentences of every non-chrome line, numbered in reading order."""
    chrome_ends = {span.start: span.end for span in chrome}
    sentences: list[Sentence] = []
    for start, end, _ in line_spans(text):
        if start in chrome_ends:
            if chrome_ends[start] >= end:
                continue
            start = chrome_ends[start]  # a dateline run into the first sentence: the rest is text
        for s, e in split_paragraph(text, start, end):
            if any(ch.isalnum() for ch in text[s:e]):
                sentences.append(Sentence(len(sentences), s, e, text[s:e]))
    return tuple(sentences)
