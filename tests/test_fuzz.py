"""Hypothesis against the readers and the whole pipeline: nothing crashes, nothing hangs, offsets hold.

Arbitrary bytes go through every reader; arbitrary Unicode (combining marks,
right-to-left scripts, zero-width characters, emoji, quotes, line breaks) goes
through ingest, prepare, compare and the JSON report, and every offset in the
JSON must slice the document's text to exactly what the report says is there.
"""

from __future__ import annotations

import json
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconcile.io.ingest import read_bytes_as
from reconcile.model import Document, Reconciliation, Skipped
from reconcile.pipeline import compare, scan
from reconcile.report.files import to_json

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

HOSTILE_CHARS = [
    "\u0301",  # combining acute
    "\u0308",  # combining diaeresis
    "\u05e9",  # Hebrew shin (RTL)
    "\u0627",  # Arabic alef (RTL)
    "\u200f",  # right-to-left mark
    "\u202e",  # right-to-left override
    "\u200b",  # zero-width space
    "\u200d",  # zero-width joiner
    "\ufeff",  # BOM inside text
    "\U0001f600",  # emoji
    "\U0001f469\u200d\U0001f469\u200d\U0001f467",  # family emoji sequence
    "\u0131",  # dotless i
    "\u0130",  # dotted capital I (casefold changes length)
    "\u00df",  # sharp s (casefold changes length)
    "\ufb01",  # fi ligature (NFKC changes length)
    "\u0561",  # Armenian
    "\u0589",  # Armenian full stop
    "\u0416",  # Cyrillic
    "\u201c",
    "\u201d",
    "\u00ab",
    "\u00bb",
    '"',
    "'",
    ".",
    "!",
    "?",
    " ",
    "\n",
    "\n\n",
    "\r\n",
    "\t",
    "\u2028",  # line separator
    "\u0085",  # next line
    "27",
    "1,400",
    "Read more",
    "Share this article",
]

hostile_text = st.lists(
    st.one_of(st.sampled_from(HOSTILE_CHARS), st.text(min_size=1, max_size=8), st.sampled_from(["The", "dam", "said"])),
    max_size=120,
).map("".join)

READER_NAMES = ["a.txt", "a.jsonl", "a.html", "a.rss", "a.csv", "a.parquet", "a.txt.gz", "a.bin"]


def assert_offsets_hold(result: Reconciliation) -> None:
    """Every offset in the JSON slices the document's original text to the reported text."""
    report = json.loads(to_json(result))
    texts = {doc.id: doc.text for doc in result.documents}
    for doc in report["documents"]:
        text = texts[doc["id"]]
        for sentence in doc["sentences"]:
            assert text[sentence["start"] : sentence["end"]] == sentence["text"]
        for span in doc["chrome"]:
            assert text[span["start"] : span["end"]] == span["text"]
    for pair in report["pairs"]:
        for divergence in pair["divergences"]:
            for side in ("a", "b"):
                span = divergence[f"{side}_span"]
                if span is not None:
                    start, end = span
                    assert 0 <= start <= end <= len(texts[pair[side]])


MAGIC = [
    b"",
    b"PAR1",
    b"\x1f\x8b\x08\x00",
    b"<?xml version='1.0'?><rss>",
    b"<!DOCTYPE html><html>",
    b'{"text": "',
    b"id,text\n",
]


@FUZZ
@given(magic=st.sampled_from(MAGIC), data=st.binary(max_size=3000), name=st.sampled_from(READER_NAMES))
def test_any_bytes_through_any_reader_give_documents_or_skips(magic: bytes, data: bytes, name: str) -> None:
    loaded = read_bytes_as(magic + data + (b"PAR1" if magic == b"PAR1" else b""), name, "fuzz")
    assert loaded and all(isinstance(item, Document | Skipped) for item in loaded)
    for item in loaded:
        if isinstance(item, Skipped):
            assert item.error and "\n" not in item.message()
        else:
            assert item.text.strip()


@FUZZ
@given(a=hostile_text, b=hostile_text)
def test_any_unicode_through_compare_keeps_offsets(a: str, b: str) -> None:
    docs = [
        item for item in read_bytes_as(a.encode("utf-8", "surrogatepass"), "a.txt", "a") if isinstance(item, Document)
    ]
    docs += [
        item for item in read_bytes_as(b.encode("utf-8", "surrogatepass"), "b.txt", "b") if isinstance(item, Document)
    ]
    if len(docs) == 2:
        assert_offsets_hold(compare(docs[0], docs[1]))
    elif docs:
        assert_offsets_hold(scan(docs))


@FUZZ
@given(text=hostile_text)
def test_a_document_and_its_edited_copy_keep_offsets(text: str) -> None:
    """Raw strings, not read from bytes: the pipeline itself must cope with what ingest would repair."""
    base = "The dam gave way on Friday, officials said.\n\n" + text
    assert_offsets_hold(compare(Document("a", base), Document("b", base.replace("a", "\u0301a", 3) + "\n27 people.")))


def _long_line(rng: random.Random, words: int) -> str:
    vocabulary = [
        "flood",
        "Orvenna",
        "\u05e9\u05dc\u05d5\u05dd",
        "d\u0301am",
        "27",
        "\U0001f600",
        "said",
        "«quote»",
        "Tarn",
    ]
    return " ".join(rng.choice(vocabulary) for _ in range(words))


def test_very_long_lines_finish_and_keep_offsets() -> None:
    rng = random.Random(3)
    line = _long_line(rng, 3000)
    no_spaces = "x" * 30000
    result = compare(
        Document("a", line + "\n" + no_spaces), Document("b", line[: len(line) // 2] + " 25\n" + no_spaces)
    )
    assert_offsets_hold(result)
    assert len(result.documents[0].sentences) > 3  # cut into pieces, not one 30,000-character sentence
    assert result.pairs[0].relation != "unrelated"
