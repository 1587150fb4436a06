"""Sentences with offsets, over-long sentences cut, and non-English reports through every stage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconcile.cli import main
from reconcile.model import Span
from reconcile.text.segment import MAX_SENTENCE_CHARS, segment
from tests.conftest import ROOT

I18N = ROOT / "tests" / "data" / "i18n"
LANGUAGES = ["de", "ru", "hy", "az"]


def test_sentences_slice_the_text_and_skip_chrome_lines() -> None:
    text = "Headline without stop\n\nFirst sentence here. Second one follows!\nShare this article\n"
    chrome = (Span(text.index("Share"), len(text) - 1, "Share this article", "chrome pattern"),)
    sentences = segment(text, chrome)
    assert [s.text for s in sentences] == ["Headline without stop", "First sentence here.", "Second one follows!"]
    assert all(text[s.start : s.end] == s.text for s in sentences)
    assert [s.i for s in sentences] == [0, 1, 2]


def test_an_over_long_sentence_is_cut_at_spaces() -> None:
    text = " ".join(f"word{n}" for n in range(2000)) + "."
    sentences = segment(text)
    assert len(sentences) > 1
    assert all(len(s.text) <= MAX_SENTENCE_CHARS for s in sentences)
    assert all(text[s.start : s.end] == s.text for s in sentences)
    assert all(not s.text.startswith(" ") and not s.text.endswith(" ") for s in sentences)
    assert " ".join(s.text for s in sentences) == text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_non_english_report_goes_through_every_stage(lang: str, tmp_path: Path) -> None:
    original = I18N / f"{lang}.txt"
    text = original.read_text(encoding="utf-8")
    assert text.count("27") == 1
    copy = tmp_path / f"{lang}_copy.txt"
    copy.write_text(text.replace("27", "25"), encoding="utf-8")

    result = CliRunner().invoke(main, ["compare", str(original), str(copy), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    doc = report["documents"][0]
    assert doc["published"] == "2022-03-25"
    assert [c["text"] for c in doc["chrome"]] == ["2022-03-25"]
    assert len(doc["sentences"]) == 6  # headline and five paragraphs of one sentence
    assert all(text[s["start"] : s["end"]] == s["text"] for s in doc["sentences"])
    (pair,) = report["pairs"]
    assert pair["relation"] == "near-duplicate"
    assert len(pair["alignments"]) == 6
    assert [(d["kind"], d["a"], d["b"]) for d in pair["divergences"]] == [("number", "27", "25")]
    start, end = pair["divergences"][0]["a_span"]
    assert text[start:end] == "27"


def test_the_four_languages_together_are_read_and_none_is_a_copy_of_another() -> None:
    result = CliRunner().invoke(main, ["scan", str(I18N), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert sorted(d["id"] for d in report["documents"]) == sorted(LANGUAGES)
    assert all(p["relation"] not in {"duplicate", "near-duplicate"} for p in report["pairs"])
