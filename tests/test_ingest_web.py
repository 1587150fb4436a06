"""Saved web pages and feeds read as the same articles their plain text holds.

The pages and the feed are built here from ``samples/articles``: half the
articles as saved HTML pages (with navigation and a footer around the
article), the other half as items of one RSS file.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from email.utils import format_datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconcile.cli import main
from reconcile.io.ingest import InputOptions, load, split_loaded
from reconcile.text.dates import dateline
from tests.conftest import SAMPLES

pytest.importorskip("trafilatura")
pytest.importorskip("feedparser")

ARTICLES = sorted((SAMPLES / "articles").glob("*.txt"))


def _parts(path: Path) -> tuple[str, str, list[str], dt.date]:
    text = path.read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    published = dateline(text)
    assert published is not None
    return lines[0], lines[1], lines[2:], published


def saved_page(title: str, shown_date: str, paragraphs: list[str], published: dt.date, site: str) -> str:
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)} | {site}</title>
<meta property="og:title" content="{html.escape(title)}"><meta property="og:site_name" content="{site}">
<meta property="article:published_time" content="{published.isoformat()}">
<meta name="author" content="Staff reporter"></head>
<body><header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav></header>
<main><article><h1>{html.escape(title)}</h1>
<p class="date"><time datetime="{published.isoformat()}">{html.escape(shown_date)}</time></p>
{body}
</article></main>
<footer><p>Contact us</p><p>Privacy policy</p></footer></body></html>
"""


def rss(items: list[tuple[str, str, list[str], dt.date]]) -> str:
    entries = []
    for guid, title, paragraphs, published in items:
        stamp = format_datetime(dt.datetime(published.year, published.month, published.day, 12, tzinfo=dt.UTC))
        content = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
        entries.append(
            f'<item><title>{html.escape(title)}</title><guid isPermaLink="false">{guid}</guid>'
            f"<pubDate>{stamp}</pubDate><description>{html.escape(content)}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Example feed</title>'
        "<link>http://example.org/</link><description>Flood coverage</description>"
        + "\n".join(entries)
        + "</channel></rss>\n"
    )


def build_web_corpus(folder: Path) -> Path:
    folder.mkdir()
    items = []
    for n, path in enumerate(ARTICLES):
        title, shown_date, paragraphs, published = _parts(path)
        if n % 2 == 0:
            page = saved_page(title, shown_date, paragraphs, published, "Example News")
            (folder / f"{path.stem}.html").write_text(page, encoding="utf-8")
        else:
            items.append((path.stem, title, paragraphs, published))
    (folder / "feed.rss").write_text(rss(items), encoding="utf-8")
    return folder


def _scan(*args: str) -> dict:
    result = CliRunner().invoke(main, ["scan", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _pairs(report: dict) -> set[tuple[frozenset[str], str]]:
    return {(frozenset((p["a"], p["b"])), p["relation"]) for p in report["pairs"]}


def test_pages_and_feed_give_the_same_pairs_as_plain_text(tmp_path: Path) -> None:
    web = build_web_corpus(tmp_path / "web")
    assert {p.suffix for p in web.iterdir()} == {".html", ".rss"}
    from_web = _scan(str(web))
    from_text = _scan(str(SAMPLES / "articles"))
    assert len(from_web["documents"]) == len(ARTICLES)
    assert _pairs(from_web) == _pairs(from_text)
    assert (frozenset(("wire_original", "wire_copy")), "near-duplicate") in _pairs(from_web)
    # Not just the same relations: the same sentences, chrome kept out.
    sentences = {d["id"]: [s["text"] for s in d["sentences"]] for d in from_text["documents"]}
    for doc in from_web["documents"]:
        assert [s["text"] for s in doc["sentences"]] == sentences[doc["id"]], doc["id"]


def test_page_metadata_comes_from_the_page(tmp_path: Path) -> None:
    web = build_web_corpus(tmp_path / "web")
    docs, skipped = split_loaded(load([str(web)]))
    assert not skipped
    by_id = {d.id: d for d in docs}
    page = by_id["related_event"]
    assert page.published == "2021-03-19"
    assert page.source == "Example News"
    assert page.title == "Spring flood forces evacuations in Orvenna's Low Ferry district"
    assert "author: Staff reporter" in page.notes
    assert "Home" not in page.text and "Privacy policy" not in page.text
    item = by_id["statement_outlet_a"]
    assert item.source == "Example feed" and item.published == "2022-03-26"
    assert item.text.startswith("Emergency directorate sets out flood response in Orvenna\n\n")


def test_format_is_chosen_by_content_and_glob_selects_files(tmp_path: Path) -> None:
    web = build_web_corpus(tmp_path / "web")
    # A page saved under a misleading name is still read as a page.
    (web / "related_event.html").rename(web / "related_event_saved.txt")
    docs, skipped = split_loaded(load([str(web)]))
    assert not skipped
    saved = next(d for d in docs if d.id == "related_event_saved")
    assert "<p>" not in saved.text and saved.source == "Example News"
    only_pages = split_loaded(load([str(web)], options=InputOptions(glob="*.html")))[0]
    assert {d.id for d in only_pages} == {"statement_outlet_b", "wire_copy"}
    nothing = split_loaded(load([str(web)], options=InputOptions(glob="*.pdf")))[1]
    assert len(nothing) == 1 and "matching '*.pdf'" in nothing[0].error


def test_feed_entries_without_ids_are_numbered_and_atom_reads(tmp_path: Path) -> None:
    atom = tmp_path / "news.atom"
    atom.write_text(
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Atom wire</title>'
        "<entry><title>Bridge reopens</title><updated>2022-04-02T08:00:00Z</updated>"
        '<content type="html">&lt;p&gt;The bridge over the Tarn reopened on Saturday after repairs.&lt;/p&gt;</content>'
        "</entry></feed>",
        encoding="utf-8",
    )
    docs, skipped = split_loaded(load([str(atom)]))
    assert not skipped
    (doc,) = docs
    assert doc.id == "news:1" and doc.published == "2022-04-02" and doc.source == "Atom wire"
    assert doc.text == "Bridge reopens\n\nThe bridge over the Tarn reopened on Saturday after repairs.\n"
