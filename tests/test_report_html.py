"""The HTML reports: fragments, escaping, the seeds' must-show rows, clusters and the index."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from reconcile.cli import main
from reconcile.model import Divergence, Document
from reconcile.pipeline import compare, load_documents, scan
from reconcile.report.files import write_reports
from reconcile.report.html import Item, build_view, fragments, html_pages, index_html, pair_html, summary_key
from tests.conftest import SAMPLES, seed


def _item(n: int, kind: str = "wording", severity: str = "low") -> Item:
    return Item(n, Divergence(kind, severity, "x", "y", 0, 0, False), "a", "b", None)


@given(
    st.text(min_size=1, max_size=40),
    st.lists(st.tuples(st.integers(0, 45), st.integers(0, 45)), max_size=6),
    st.data(),
)
def test_fragments_cover_the_text_and_each_mark_exactly(text: str, raw: list[tuple[int, int]], data) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    marks = [(min(s, e), max(s, e), _item(n)) for n, (s, e) in enumerate(raw, start=1)]
    pieces = fragments(text, start, end, marks)
    assert "".join(p["text"] for p in pieces) == text[start:end]
    pos = start
    for piece in pieces:
        for offset in range(pos, pos + len(piece["text"])):
            expected = {m.n for s, e, m in marks if s <= offset < e}
            got = {m.n for m in piece["items"]}
            # A space joined into a highlight is allowed to carry that highlight.
            assert got == expected or (not text[offset].strip() and expected <= got)
        pos += len(piece["text"])


def _hostile(tmp_path: Path) -> list[Document]:
    body = (
        "Council <script>window.__pwned = 1; alert('x')</script> meets on Monday.\n\n"
        'The mayor said <img src=x onerror="window.__pwned=2"> 12 people attended the meeting in the hall.\n'
    )
    (tmp_path / "a.txt").write_text("Hostile headline <b>bold</b>\n" + body, encoding="utf-8")
    (tmp_path / "b.txt").write_text(
        "Hostile headline <b>bold</b>\n" + body.replace("12 people", "15 people"), encoding="utf-8"
    )
    docs, _ = load_documents([str(tmp_path / "a.txt"), str(tmp_path / "b.txt")])
    return docs


def test_article_markup_is_escaped_never_run(tmp_path: Path) -> None:
    a, b = _hostile(tmp_path)
    result = compare(a, b)
    pages = html_pages(result)
    assert set(pages) >= {"index.html", "pairs/a__b.html"}
    for name, page in pages.items():
        assert "<script" not in page.lower(), name
        assert "<img" not in page.lower(), name
    pair_page = pages["pairs/a__b.html"]
    assert "&lt;script&gt;window.__pwned = 1;" in pair_page
    assert "&lt;b&gt;bold&lt;/b&gt;" in pair_page
    assert "default-src 'none'" in pair_page  # no script and no outside request, even if one slipped through
    numbers = re.findall(r'data-kind="number"[^>]*><span class="w">([^<]*)<', pair_page)
    assert sorted(numbers) == ["12", "15"]


def _rows(page: str) -> dict[int, str]:
    return {int(n): body for n, body in re.findall(r'<tr id="row-(\d+)"[^>]*>(.*?)</tr>', page, re.S)}


def _marked(row: str, kind: str) -> list[str]:
    return [w.casefold() for w in re.findall(rf'data-kind="{kind}"[^>]*><span class="w">([^<]*)<', row)]


def test_seeds_slips_are_highlighted_in_aligned_rows_and_lead_the_summary(seeds: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    ran = CliRunner().invoke(main, ["compare", str(seed("000")), str(seed("001")), "-o", str(out)])
    assert ran.exit_code == 0, ran.output
    (page_path,) = (out / "pairs").glob("*.html")
    assert (out / "index.html").is_file()
    page = page_path.read_text(encoding="utf-8")
    rows = _rows(page)
    for kind, words in (("real-word", {"cleansing", "cleaning"}), ("typo", {"trilateral", "tai-lateral"})):
        holding = [n for n, row in rows.items() if words <= set(_marked(row, kind))]
        assert len(holding) == 1, (kind, holding)
        # One word per column: each side's word sits in its own cell of that row.
        cells = re.findall(r"<td>(.*?)</td>", rows[holding[0]], re.S)
        per_cell = [set(_marked(c, kind)) & words for c in cells]
        assert len(per_cell) == 2 and all(len(found) == 1 for found in per_cell)
        assert per_cell[0] | per_cell[1] == words
    summary = re.search(r'<table class="summary">(.*?)</table>', page, re.S)
    assert summary
    kinds = re.findall(r'<tr id="d\d+">.*?<mark class="hl k-([a-z-]+)"', summary.group(1), re.S)
    # The summary lists what needs checking, most severe first; drift is counted and marked, not listed.
    assert kinds.index("real-word") < kinds.index("typo") and "wording" not in kinds
    assert re.search(r"\d+ wording differences? \(translation drift", page)
    assert "k-wording" in page.split('<section id="aligned"')[1]  # the side-by-side view still marks it
    links = re.findall(r'href="#row-(\d+)"', summary.group(1))
    assert links and all(int(n) in rows for n in links)


def test_summary_order_is_severity_then_kind() -> None:
    ds = [
        Divergence("wording", "medium", "a", "b", 0, 0, True),
        Divergence("typo", "medium", "a", "b", 0, 0, False),
        Divergence("real-word", "high", "a", "b", 0, 0, False),
        Divergence("number", "high", "a", "b", 0, 0, False),
        Divergence("wording", "low", "a", "b", 0, 0, False),
    ]
    ordered = [d.kind for d in sorted(ds, key=summary_key)]
    assert ordered == ["number", "real-word", "typo", "wording", "wording"]


def test_cluster_page_has_a_column_per_source(tmp_path: Path) -> None:
    original = (SAMPLES / "articles" / "wire_original.txt").read_text(encoding="utf-8")
    (tmp_path / "wire_original.txt").write_text(original, encoding="utf-8")
    (tmp_path / "wire_copy.txt").write_text(
        (SAMPLES / "articles" / "wire_copy.txt").read_text(encoding="utf-8"), encoding="utf-8"
    )
    third = original.replace("Kessel Ridge", "Kesel Ridge", 1)
    assert third != original
    (tmp_path / "wire_third.txt").write_text(third, encoding="utf-8")
    docs, _ = load_documents([str(tmp_path)])
    result = scan(docs)
    assert len(result.clusters) == 1 and len(result.clusters[0].documents) == 3
    pages = html_pages(result)
    page = pages[f"clusters/{result.clusters[0].id}.html"]
    side = re.search(r'<table class="side">(.*?)</table>', page, re.S)
    assert side
    header = re.search(r"<thead>(.*?)</thead>", side.group(1), re.S)
    assert header
    assert len(re.findall(r'<th scope="col">', header.group(1))) == 4  # row label + three sources
    full_rows = [r for r in _rows(page).values() if r.count("<td>") == 3 and "no counterpart" not in r]
    assert len(full_rows) >= 5


def test_index_lists_clusters_and_pairs_most_divergent_first() -> None:
    docs, _ = load_documents([str(SAMPLES / "articles")])
    result = scan(docs)
    page = index_html(result)
    listed = re.findall(r'<a href="pairs/([^"]+)\.html">', page)
    assert len(listed) == len(result.pairs)
    high = {f"{p.a}__{p.b}": sum(d.severity == "high" for d in p.divergences) for p in result.pairs}
    assert [high[name] for name in listed] == sorted(high.values(), reverse=True)
    clusters = re.findall(r'<a href="clusters/([^"]+)\.html">', page)
    assert sorted(clusters) == sorted(c.id for c in result.clusters)
    for d in result.documents:
        if any(d.id in c.documents for c in result.clusters):
            assert d.published and d.published in page


def test_unique_claims_and_chrome_sections(tmp_path: Path) -> None:
    docs, _ = load_documents([str(SAMPLES / "articles")])
    result = scan(docs)
    pair = next(p for p in result.pairs if {p.a, p.b} == {"wire_copy", "wire_original"})
    by_id = {d.id: d for d in result.documents}
    view = build_view(by_id[pair.a], [by_id[pair.b]], [pair])
    unique = {u["doc"].id: [s.i for s in u["sentences"]] for u in view["unique"]}
    assert unique == {pair.a: list(pair.unique_a), pair.b: list(pair.unique_b)}
    page = pair_html(pair, by_id)
    unique_section = page.split('id="unique"')[1].split('id="chrome"')[0]
    assert "Leave a Reply" not in unique_section and "Read Next" not in unique_section
    assert "Leave a Reply" in page.split('id="chrome"')[1]


def test_output_dir_holds_html_for_every_pair_and_cluster(tmp_path: Path) -> None:
    docs, _ = load_documents([str(SAMPLES / "articles")])
    result = scan(docs)
    write_reports(result, tmp_path)
    assert (tmp_path / "index.html").is_file()
    assert len(list((tmp_path / "pairs").glob("*.html"))) == len(result.pairs)
    assert len(list((tmp_path / "clusters").glob("*.html"))) == len(result.clusters)
    assert not [p for p in tmp_path.rglob(".*") if p.is_file()], "temporary files left behind"


def test_pair_page_gives_the_date_gap_in_english() -> None:
    from dataclasses import replace

    docs, _ = load_documents([str(SAMPLES / "articles" / name) for name in ("wire_copy.txt", "wire_original.txt")])
    result = compare(docs[0], docs[1])
    pair = result.pairs[0]
    by_id = {d.id: d for d in result.documents}
    for days, words in ((None, "date gap unknown."), (1, "date gap 1 day."), (3, "date gap 3 days.")):
        page = pair_html(replace(pair, scores=replace(pair.scores, date_gap_days=days)), by_id)
        assert words in page and "unknown days" not in page


def test_index_shows_titles_beside_ids() -> None:
    import html

    docs, skipped = load_documents([str(SAMPLES / "articles")])
    result = scan(docs, skipped=skipped)
    page = index_html(result)
    paired = {i for p in result.pairs for i in (p.a, p.b)}
    titled = [d for d in docs if d.title and d.id in paired]
    assert titled
    for doc in titled:
        assert f"“{html.escape(doc.title[:30])}" in page, doc.id
