"""The Markdown report carries what the HTML shows: sources, dates, divergences with evidence, unique claims."""

from __future__ import annotations

from reconcile.pipeline import load_documents, scan
from reconcile.report import pair_markdown
from tests.conftest import SAMPLES


def test_pair_markdown_names_sources_dates_and_evidence() -> None:
    docs, _ = load_documents([str(SAMPLES / "feed.jsonl")])
    result = scan(docs)
    by_id = {d.id: d for d in result.documents}
    pair = next(p for p in result.pairs if {p.a, p.b} == {"wire_copy", "wire_original"})
    text = pair_markdown(pair, by_id)
    for side in (pair.a, pair.b):
        doc = by_id[side]
        assert doc.source and doc.published
        assert f"**{side}**, {doc.source}, {doc.published}" in text
    typo = next(d for d in pair.divergences if d.kind == "typo")
    assert typo.evidence and typo.favours
    row = next(line for line in text.splitlines() if line.startswith("| medium | typo |"))
    assert typo.evidence[0] in row and {"a": pair.a, "b": pair.b}[typo.favours] in row
    unique = [line for line in text.splitlines() if line.startswith("- [")]
    assert len(unique) == len(pair.unique_a) + len(pair.unique_b)
