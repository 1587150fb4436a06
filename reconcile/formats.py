"""Readers for saved web pages, RSS/Atom feeds and tables (CSV, Parquet).

Pages go through trafilatura, which keeps the article and drops the page's
navigation, and gives title, author, date and site; feeds through feedparser,
one document per entry; tables through polars with the field mapping of
``InputOptions``.  trafilatura and feedparser are the ``web`` extra: without
them a page or feed is skipped with a word saying what to install.

A document's text is its title, a blank line, then its paragraphs separated by
blank lines: the shape of a plain-text report, so the same article read from a
page, a feed or a ``.txt`` file splits into the same sentences.
"""

from __future__ import annotations

import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from reconcile.dates import dateline, parse_published
from reconcile.ingest import DEFAULT_OPTIONS, InputOptions, Loaded, decode_text, record_document
from reconcile.model import Document, Skipped
from reconcile.normalize import repair

_WEB_EXTRA = "install reconcile[web] to read it"
MIN_ARTICLE_WORDS = 12
"""Fewer extracted words than this is a menu, a cookie wall or an index page, not an article."""


def compose(title: str | None, paragraphs: list[str]) -> str:
    """Title, blank line, paragraphs separated by blank lines; the title is not repeated."""
    body = [p.strip() for p in paragraphs if p.strip()]
    if title and body and body[0] == title.strip():
        body = body[1:]
    head = [title.strip()] if title and title.strip() else []
    return "\n\n".join(head + body) + "\n"


# --- pages -------------------------------------------------------------------


def html_document(data: bytes, path: str, doc_id: str) -> Loaded:
    """The article of a saved page, with its metadata; a page with no article is skipped."""
    try:
        import trafilatura
    except ImportError:
        return Skipped(path, f"HTML page, but trafilatura is not installed; {_WEB_EXTRA}")
    try:
        html, notes = decode_text(data)
    except ValueError as err:
        return Skipped(path, str(err))
    extracted = trafilatura.extract(
        html,
        output_format="json",
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        deduplicate=False,
    )
    meta: dict[str, Any] = json.loads(extracted) if extracted else {}
    text = (meta.get("text") or meta.get("raw_text") or "").strip()
    if len(text.split()) < MIN_ARTICLE_WORDS:
        found = f" (only {len(text.split())} words of labels or navigation)" if text else ""
        return Skipped(path, f"HTML page with no article text{found}")
    title = _clean(meta.get("title"))
    body, repaired = repair(compose(title, text.splitlines()))
    # The page's own date (meta tags, <time>, URL) first; a dateline in the text otherwise.
    published = (parse_published(meta["date"]) if meta.get("date") else None) or dateline(body)
    return Document(
        id=doc_id,
        text=body,
        path=path,
        source=_clean(meta.get("sitename")) or _clean(meta.get("source-hostname")) or _clean(meta.get("hostname")),
        title=title,
        published=published.isoformat() if published else None,
        notes=(*notes, *repaired, *_author_note(meta.get("author")), "main text extracted from HTML (trafilatura)"),
    )


def _author_note(author: object) -> tuple[str, ...]:
    name = _clean(author)
    return (f"author: {name}",) if name else ()


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None


_BLOCK_TAGS = frozenset(
    [
        *("address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure"),
        *("footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre"),
        *("section", "table", "td", "th", "tr", "ul"),
    ]
)


class _TextOfHtml(HTMLParser):
    """Text of an HTML fragment, one paragraph per block element; scripts and styles dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self._current: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._current.append(data)

    def _flush(self) -> None:
        text = " ".join("".join(self._current).split())
        if text:
            self.paragraphs.append(text)
        self._current = []

    def close(self) -> None:
        super().close()
        self._flush()


def fragment_paragraphs(fragment: str) -> list[str]:
    """Paragraphs of an HTML fragment (a feed entry's content), or of plain text split at blank lines."""
    if not re.search(r"<[A-Za-z!/]", fragment):
        return [" ".join(p.split()) for p in re.split(r"\n\s*\n", fragment) if p.strip()]
    parser = _TextOfHtml()
    parser.feed(fragment)
    parser.close()
    return parser.paragraphs


# --- feeds -------------------------------------------------------------------


def feed_documents(data: bytes, path: str) -> list[Loaded]:
    """One document per feed entry; a feed with no items, or not a feed at all, is skipped."""
    try:
        import feedparser
    except ImportError:
        return [Skipped(path, f"RSS/Atom feed, but feedparser is not installed; {_WEB_EXTRA}")]
    if not data.strip():
        return [Skipped(path, "empty file")]
    parsed = feedparser.parse(io.BytesIO(data), sanitize_html=False, resolve_relative_uris=False)
    if not parsed.entries:
        if parsed.get("bozo") and not parsed.get("version"):
            return [Skipped(path, f"not a readable feed ({_first_line(parsed.get('bozo_exception'))})")]
        return [Skipped(path, "feed has no items")]
    source = _clean(parsed.feed.get("title"))
    stem = Path(path).stem
    out: list[Loaded] = []
    for number, entry in enumerate(parsed.entries, start=1):
        out.append(_entry_document(entry, path, f"{stem}:{number}", source, number))
    return out


def _first_line(value: object) -> str:
    return str(value).splitlines()[0] if value else "unknown error"


def _entry_document(entry: Any, path: str, fallback_id: str, source: str | None, number: int) -> Loaded:
    contents = entry.get("content") or []
    html = max((c.get("value", "") for c in contents), key=len, default="") or entry.get("summary", "")
    paragraphs = fragment_paragraphs(html)
    if not paragraphs:
        return Skipped(path, f"feed item {number} has no text")
    title = _clean(entry.get("title"))
    text, notes = repair(compose(title, paragraphs))
    published = None
    for key in ("published", "updated", "created"):
        if entry.get(key):
            published = parse_published(entry[key])
            if published:
                break
    if published is None:
        for key in ("published_parsed", "updated_parsed"):
            stamp = entry.get(key)
            if stamp:
                published = parse_published(f"{stamp.tm_year:04d}-{stamp.tm_mon:02d}-{stamp.tm_mday:02d}")
                break
    return Document(
        id=_clean(entry.get("id")) or _clean(entry.get("link")) or fallback_id,
        text=text,
        path=path,
        source=source,
        title=title,
        published=published.isoformat() if published else None,
        notes=(*notes, *_author_note(entry.get("author")), f"feed item {number}"),
    )


# --- tables ------------------------------------------------------------------


def _missing_text_column(path: str, columns: list[str], options: InputOptions) -> Skipped:
    shown = ", ".join(columns[:12]) + (", ..." if len(columns) > 12 else "")
    return Skipped(path, f"no '{options.text_field}' column (columns: {shown}); choose one with --text-field", 1)


def csv_documents(data: bytes, path: str, options: InputOptions = DEFAULT_OPTIONS) -> list[Loaded]:
    """One document per row; the header names the fields.  Line numbers count the header as line 1."""
    import polars as pl

    try:
        text, notes = decode_text(data)
    except ValueError as err:
        return [Skipped(path, str(err))]
    separator = "\t" if path.lower().endswith(".tsv") else ","
    try:
        frame = pl.read_csv(
            io.BytesIO(text.encode("utf-8")), separator=separator, infer_schema=False, truncate_ragged_lines=True
        )
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException, ValueError) as err:
        return [Skipped(path, f"unreadable CSV ({_first_line(err)})")]
    if options.text_field not in frame.columns:
        return [_missing_text_column(path, frame.columns, options)]
    return _frame_documents(frame, path, options, first_line=2, notes=notes)


def parquet_documents(data: bytes, path: str, options: InputOptions = DEFAULT_OPTIONS) -> list[Loaded]:
    """One document per row of a Parquet file; rows are numbered from 1."""
    import polars as pl

    try:
        columns = pl.read_parquet_schema(io.BytesIO(data))
        if options.text_field not in columns:
            return [_missing_text_column(path, list(columns), options)]
        fields = (options.id_field, options.text_field, options.title_field, options.date_field, options.source_field)
        wanted = [f for f in fields if f in columns]
        frame = pl.read_parquet(io.BytesIO(data), columns=sorted(set(wanted), key=wanted.index))
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException, OSError, ValueError) as err:
        return [Skipped(path, f"unreadable Parquet ({_first_line(err)})")]
    return _frame_documents(frame, path, options, first_line=1)


def _frame_documents(
    frame: Any, path: str, options: InputOptions, first_line: int, notes: tuple[str, ...] = ()
) -> list[Loaded]:
    stem = Path(path).stem
    out: list[Loaded] = []
    for offset, row in enumerate(frame.iter_rows(named=True)):
        line = first_line + offset
        record: dict[str, object] = {k: (v if isinstance(v, str) or v is None else str(v)) for k, v in row.items()}
        item = record_document(record, path, f"{stem}:{line}", options, line)
        if isinstance(item, Document) and notes:
            item = Document(**{**item.__dict__, "notes": notes + item.notes})
        out.append(item)
    if not out:
        out.append(Skipped(path, "table has no rows"))
    return out
