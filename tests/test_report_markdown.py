"""The Markdown report carries what the HTML shows: sources, dates, divergences with evidence, unique claims."""

from __future__ import annotations

import re

from reconcile.pipeline import load_documents, scan
from reconcile.report.files import pair_markdown
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


HOSTILE = (
    "The council met on Tuesday <script>alert(1)</script> in the old town hall. "
    "Read more [x](javascript:alert(1)) about the vote <img src=x onerror=alert(2)>. "
    "The mayor said the budget of 40 million would pass | or fail *soon* with `code` and AT&T watching. "
    "Officials expect the new bridge to open in the spring after two years of work. "
    "Residents asked about parking, schools and the river path during the long meeting."
)


def _hostile_result():
    from reconcile.model import Reconciliation
    from reconcile.pipeline import compare

    docs, _ = load_documents_from_records(
        [
            {
                "id": "a|<b>_x",
                "title": "<script>t()</script> [t](javascript:t())",
                "source": "Wire | <i>",
                "published": "2024-05-01",
                "text": HOSTILE,
            },
            {
                "id": "c|d",
                "title": "Copy",
                "source": "Paper",
                "published": "2024-05-02",
                "text": HOSTILE.replace("40 million", "45 million") + " A last line <b>only</b> [here](javascript:x).",
            },
        ]
    )
    result = compare(docs[0], docs[1])
    assert result.clusters and result.pairs[0].divergences and result.pairs[0].unique_b, "a hostile pair as planned"
    return Reconciliation(result.documents, result.pairs, result.clusters)


def load_documents_from_records(records: list[dict[str, str]]):
    import json
    import tempfile
    from pathlib import Path

    from reconcile.pipeline import load_documents

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "feed.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        return load_documents([str(path)])


def test_markdown_escapes_html_links_and_table_cells_from_articles() -> None:
    from markdown_it import MarkdownIt

    from reconcile.report.files import to_markdown

    result = _hostile_result()
    text = to_markdown(result)
    # a viewer that renders raw HTML (CommonMark does) and GFM tables
    html = MarkdownIt("commonmark").enable("table").render(text)
    for tag in ("<script", "<img", "<i>", "<b>", "<a "):
        assert tag not in html, tag
    assert re.search(r"(?<!\\)\]\(", text) is None, "a ](... that is not escaped makes a link"
    # what the articles say is shown, literally
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "[x](javascript:alert(1))" in html
    assert "AT&amp;T" in html and "*soon*" in html and "`code`" in html
    # an id with | stays one table cell: in the pair's header and the cluster's row
    assert "<th>a|&lt;b&gt;_x</th>" in html and "<th>c|d</th>" in html
    rows = [re.findall(r"<t[dh]>(.*?)</t[dh]>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", html, re.S)]
    (cluster_row,) = [cells for cells in rows if cells[0] == result.clusters[0].id]
    assert len(cluster_row) == 4 and cluster_row[3] in ("a|&lt;b&gt;_x, c|d", "c|d, a|&lt;b&gt;_x")


def test_markdown_counts_and_gaps_read_as_english() -> None:
    from reconcile.report.files import to_markdown

    result = _hostile_result()
    text = to_markdown(result)
    assert "2 documents, 1 pair, 1 cluster." in text
    assert "date gap 1 day." in text
    from dataclasses import replace

    pair = result.pairs[0]
    unknown = replace(pair, scores=replace(pair.scores, date_gap_days=None))
    by_id = {d.id: d for d in result.documents}
    assert "date gap unknown." in pair_markdown(unknown, by_id) and "unknown days" not in pair_markdown(unknown, by_id)
