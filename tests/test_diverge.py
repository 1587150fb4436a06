"""Divergence kinds, verdicts and order, on single aligned sentences and on the seeds."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconcile.comparison.diverge import diverge, sort_divergences
from reconcile.io.ingest import load, split_loaded
from reconcile.model import Alignment, Divergence, Document, Sentence
from reconcile.pipeline import compare
from tests.conftest import seed

FRIDAY = "2022-03-25"


def doc(doc_id: str, *sentences: str, published: str | None = FRIDAY) -> Document:
    text = ""
    spans = []
    for i, s in enumerate(sentences):
        start = len(text)
        text += s + "\n\n"
        spans.append(Sentence(i, start, start + len(s), s))
    return Document(id=doc_id, text=text, published=published, sentences=tuple(spans))


def found(a: str, b: str, *, published: str | None = FRIDAY, others: tuple[Document, ...] = ()) -> list[Divergence]:
    return list(
        diverge(
            doc("a", a, published=published), doc("b", b, published=published), [Alignment((0,), (0,), 1.0)], others
        )
    )


def kinds(a: str, b: str, **kw) -> set[tuple[str, str, str]]:
    return {(d.kind, d.a, d.b) for d in found(a, b, **kw) if d.kind != "wording"}


def test_spans_slice_the_original_text() -> None:
    a, b = doc("a", "Officials said 27 people were killed."), doc("b", "Officials said 25 people were killed.")
    (d,) = diverge(a, b, [Alignment((0,), (0,), 1.0)])
    assert d.kind == "number" and d.a_span and d.b_span
    assert a.text[slice(*d.a_span)] == "27" and b.text[slice(*d.b_span)] == "25"


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("Officials said 27 people were killed.", "Officials said 25 people were killed.", {("number", "27", "25")}),
        ("Police said two civilians died.", "Police said 2 civilians died.", set()),
        ("Rescuers said 27 people were killed.", "Rescuers said more than 25 people were killed.", set()),
        ("Rescuers said 26 people were killed.", "Rescuers said between 25 and 27 people were killed.", set()),
        ("Rescuers said at least 29 people died.", "Rescuers said at least 39 people died.", {("number", "29", "39")}),
        (
            "The deal is worth about $124 million.",
            "The deal is worth $127 million.",
            {("number", "about 124 million", "127 million")},
        ),
        (
            "The two Democrats on the panel objected.",
            "The three Democrats on the panel objected.",
            {("number", "two", "three")},
        ),
        ("It was founded in 1996 with 200 banks.", "It was founded in 1996 with 200 banks.", set()),
    ],
)
def test_numbers(a: str, b: str, expected: set) -> None:
    assert kinds(a, b) == expected


def test_weekday_agrees_with_the_date_it_names() -> None:
    a = "On Thursday, Azerbaijani troops crossed the line near the village."
    assert kinds(a, "On March 24, Azerbaijani troops crossed the line near the village.") == set()
    assert kinds(a, "On March 22, Azerbaijani troops crossed the line near the village.") == {
        ("date", "Thursday", "March 22")
    }
    # Without a publication date a weekday cannot be checked against a calendar date.
    assert kinds(a, "On March 22, Azerbaijani troops crossed the line near the village.", published=None) == set()


def test_negation_added_after_a_shared_auxiliary() -> None:
    assert kinds("United has paid the penalties.", "United has not paid the penalties.") == {("negation", "", "not")}
    assert kinds("The ministry did not confirm it.", "The ministry didn't confirm it.") == set()
    assert kinds("They would not leave anyone in need.", "They would not leave anyone in need without help.") == set()


def test_typo_real_word_and_spelling_variant() -> None:
    d = {x.kind: x for x in found("The provincial government has said so.", "The provincial goverment has said so.")}
    assert d["typo"].favours == "a" and "codespell" in d["typo"].evidence[0]
    assert kinds("a policy of ethnic cleansing", "a policy of ethnic cleaning") == {
        ("real-word", "cleansing", "cleaning")
    }
    assert kinds("They must deescalate now.", "They must de-escalate now.") == {
        ("spelling-variant", "deescalate", "de-escalate")
    }
    assert kinds("The colour of the flag.", "The color of the flag.") == {("spelling-variant", "colour", "color")}


def test_forms_of_one_word_are_not_slips() -> None:
    """Inflections, derivations, demonyms and title words: paraphrase, not a real-word or name."""
    pairs = [
        ("The Armenian side protested.", "The Armenia side protested."),
        ("He cited the violation of the deal.", "He cited violating the deal."),
        ("He hospitalised two people.", "He hospitalized two people."),
        ("The Foreign Ministry said so.", "The Foreign Minister said so."),
    ]
    for a, b in pairs:
        assert not {k for k, _, _ in kinds(a, b)} & {"real-word", "name", "typo"}, (a, b)


def test_names_respelt_or_swapped() -> None:
    """One person spelt two ways is a low-severity variant; another person in the same slot is a name conflict."""
    assert kinds("US Secretary of State Anthony Blinken called.", "US Secretary of State Antony Blinken called.") == {
        ("spelling-variant", "Anthony", "Antony")
    }
    assert kinds("The talks were led by Mirzoyan today.", "The talks were led by Pashinyan today.") == {
        ("name", "Mirzoyan", "Pashinyan")
    }


def test_name_swapped_in_a_rewritten_clause() -> None:
    """The diff cuts the clause around the swapped name, but it stands between the same words."""
    a = "A rocket fired from Gaza landed in Ashkelon on Monday, damaging a home; nobody was hurt."
    b = "Nobody was hurt when a rocket from Gaza damaged a home in Sderot on Monday."
    assert ("name", "Ashkelon", "Sderot") in kinds(a, b)


def test_forms_of_one_name_in_a_rewritten_clause_are_not_names() -> None:
    a = "Two NATO soldiers were killed in Afghanistan on Monday by a roadside bomb."
    b = "A roadside bomb killed two NATO soldiers in Afghan territory on Monday."
    assert not any(kind == "name" for kind, _, _ in kinds(a, b))


def test_quoted_words_are_marked_and_read_first() -> None:
    ds = found('He said "we will deescalate" and 27 people left.', 'He said "we will de-escalate" and 25 people left.')
    by_kind = {d.kind: d for d in ds}
    assert by_kind["spelling-variant"].in_quote and not by_kind["number"].in_quote
    assert ds[0].kind == "number"  # high before medium, whatever the quote


def test_severity_order() -> None:
    def make(kind: str, severity: str, in_quote: bool) -> Divergence:
        return Divergence(kind, severity, "x", "y", 0, 0, in_quote, (0, 1), (0, 1))

    ordered = sort_divergences(
        [
            make("wording", "low", False),
            make("typo", "medium", False),
            make("real-word", "high", False),
            make("number", "high", False),
            make("real-word", "high", True),
        ]
    )
    assert [(d.kind, d.in_quote) for d in ordered] == [
        ("real-word", True),
        ("number", False),
        ("real-word", False),
        ("typo", False),
        ("wording", False),
    ]


def test_every_divergence_has_a_verdict_and_the_cluster_majority_decides() -> None:
    a = "US Secretary of State Antony Blinken called Aliyev."
    b = "US Secretary of State Anthony Blinken called Aliyev."
    others = (doc("c", "Antony Blinken spoke."), doc("d", "Secretary Antony Blinken said."), doc("e", "Nothing here."))
    (d,) = [x for x in found(a, b, others=others) if x.kind == "spelling-variant"]
    assert d.favours == "a" and d.confidence >= 0.7
    assert "2 of 3 other sources" in d.evidence[0]
    (alone,) = [x for x in found(a, b) if x.kind == "spelling-variant"]
    assert alone.favours is None and alone.evidence
    for x in found("Officials said 27 people were killed in Lachin.", "Some said that 25 were killed near Lachin."):
        assert x.evidence and 0 < x.confidence <= 1


def test_own_usage_is_evidence_for_a_real_word_slip() -> None:
    a = doc("a", "Azerbaijan's policy of ethnic cleansing goes on.")
    b = doc("b", "Azerbaijan's policy of ethnic cleaning goes on.", "This is ethnic cleansing, the minister said.")
    (d,) = [x for x in diverge(a, b, [Alignment((0,), (0,), 1.0)]) if x.kind == "real-word"]
    assert d.favours == "a" and "b itself writes 'cleansing'" in d.evidence[0]


def _seed_pair(first: str, second: str):
    docs, _ = split_loaded(load([str(seed(first)), str(seed(second))]))
    return compare(docs[0], docs[1]).pairs[0]


def test_seeds_000_001_table(seeds: Path) -> None:
    pair = _seed_pair("000", "001")
    by_words = {(d.a.casefold(), d.b.casefold()): d for d in pair.divergences}
    assert by_words[("cleansing", "cleaning")].kind == "real-word"
    assert by_words[("cleansing", "cleaning")].favours == "a"
    assert by_words[("trilateral", "tai-lateral")].kind == "typo"
    assert by_words[("deescalate", "de-escalate")].kind == "spelling-variant"
    assert by_words[("deescalate", "de-escalate")].in_quote
    assert any(d.kind == "wording" and "manifestations" in d.a and "demonstrations" in d.b for d in pair.divergences)
    # "On Thursday" (dated Friday 25 March 2022) and "March 24" agree: no conflict of date or number.
    assert not [d for d in pair.divergences if d.kind in {"date", "number", "negation", "name"}]


def test_seeds_002_003_anthony_antony(seeds: Path) -> None:
    pair = _seed_pair("002", "003")
    names = {(d.a, d.b) for d in pair.divergences if d.kind == "name"}
    variants = {(d.a, d.b): d for d in pair.divergences if d.kind == "spelling-variant"}
    assert ("Anthony", "Antony") in variants and variants[("Anthony", "Antony")].severity == "low"
    assert "one name" in variants[("Anthony", "Antony")].reason
    assert not {("Armenian", "Armenia’s"), ("Armenian", "Armenia's")} & names


def test_scan_uses_the_cluster_majority(tmp_path: Path) -> None:
    from reconcile.pipeline import scan

    body = (
        "US Secretary of State {name} Blinken held telephone calls with President Ilham Aliyev and Prime Minister "
        "Nikol Pashinyan on Friday.\n\nThe State Department said the secretary urged both leaders to return to "
        "direct talks and to avoid any further escalation along the border.\n\nOfficials in Baku and Yerevan "
        "confirmed the calls and said the conversations covered the peace treaty and the release of detainees.\n"
    )
    docs = [
        Document(id=i, text=body.format(name=name), published="2022-08-05")
        for i, name in (("a", "Antony"), ("b", "Anthony"), ("c", "Antony"))
    ]
    result = scan(docs)
    assert [c.documents for c in result.clusters] == [("a", "b", "c")]
    pair = next(p for p in result.pairs if {p.a, p.b} == {"a", "b"})
    (d,) = [x for x in pair.divergences if x.kind == "spelling-variant"]
    right = "a" if pair.a == "a" else "b"
    assert d.favours == right and "1 of 1 other sources write 'Antony'" in d.evidence[0]
