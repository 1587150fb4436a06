"""Quotes attributed to a speaker, and two reports' quotes of one speaker compared as quotes."""

from __future__ import annotations

from reconcile.comparison.align import align
from reconcile.comparison.attribution import attributed_quotes
from reconcile.comparison.diverge import diverge
from reconcile.model import Document, Sentence


def _document(doc_id: str, sentences: list[str]) -> Document:
    text = ""
    spans = []
    for i, s in enumerate(sentences):
        start = len(text)
        text += s + " "
        spans.append(Sentence(i, start, start + len(s), s))
    return Document(id=doc_id, text=text, published="2022-03-25", sentences=tuple(spans))


def test_speaker_named_after_or_before_the_quote() -> None:
    text = (
        '"Two people died," said Chief Anna Smith. "We will not stop," Smith said.\n\n'
        'Smith told reporters: "It was awful."\n\n"No comment," the ministry said.'
    )
    quotes = attributed_quotes(text)
    assert [(q.speaker, text[q.start : q.end]) for q in quotes] == [
        ("smith", '"Two people died,"'),
        ("smith", '"We will not stop,"'),
        ("smith", '"It was awful."'),
    ]


def test_possessive_and_curly_quotes() -> None:
    text = "\u201cWe are ready,\u201d Pashinyan\u2019s said."
    assert [q.speaker for q in attributed_quotes(text)] == ["pashinyan"]


def test_one_speakers_quotes_are_compared_when_their_sentences_do_not_align() -> None:
    a = _document(
        "a",
        [
            "After a long meeting with the regional governors about the budget, the harvest and the roads, "
            'Smith said: "We will defend the 27 villages."'
        ],
    )
    b = _document(
        "b",
        ['"We will defend the 25 villages," Anna Smith told the parliament in Yerevan during a stormy session.'],
    )
    assert align(a.sentences, b.sentences) == ()
    (d,) = diverge(a, b, ())
    assert (d.kind, d.a, d.b, d.in_quote, d.severity) == ("number", "27", "25", True, "high")
    assert a.text[slice(*d.a_span)] == "27" and b.text[slice(*d.b_span)] == "25"


def test_quotes_of_different_speakers_are_not_compared() -> None:
    a = _document(
        "a", ['Long preamble about the budget, the harvest and roads, Smith said: "We will defend the 27 villages."']
    )
    b = _document(
        "b", ['"We will defend the 25 villages," Jones told the parliament in Yerevan during a stormy session.']
    )
    assert diverge(a, b, ()) == ()
