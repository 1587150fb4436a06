"""Formats: which one a file is (``sniff``), and the readers of pages, feeds and tables.

Pages go through trafilatura, which keeps the article and drops the page's
navigation, and gives title, author, date and site; feeds through feedparser,
one document per entry; CSV through the standard library, a record at a time;
Parquet through polars, in slices of rows.  Records go through the one field
mapping (``fields.record_document``).

A document's text from a page or feed is its title, a blank line, then its
paragraphs separated by blank lines: the shape of a plain-text report, so the
same article read from a page, a feed or a ``.txt`` file splits into the same
sentences.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from reconcile.io.decode import LineDecoder, decode_text
from reconcile.io.fields import InputOptions, Loaded, default_source, record_document, too_long
from reconcile.io.lines import Oversize, bounded_lines
from reconcile.model import Document, Skipped
from reconcile.text.dates import dateline, parse_published
from reconcile.text.normalize import repair

TEXT_SUFFIXES = (".txt", ".md", ".text", ".markdown")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
FEED_SUFFIXES = (".rss", ".atom", ".xml")
CSV_SUFFIXES = (".csv", ".tsv")
PARQUET_SUFFIXES = (".parquet", ".pq")
GZIP_SUFFIXES = (".gz",)
KNOWN_SUFFIXES = (
    TEXT_SUFFIXES + JSONL_SUFFIXES + HTML_SUFFIXES + FEED_SUFFIXES + CSV_SUFFIXES + PARQUET_SUFFIXES + GZIP_SUFFIXES
)
SNIFF_BYTES = 4096
STREAMED = frozenset({"jsonl", "csv"})
"""Formats read a record at a time, in bounded memory: ``--max-bytes`` does not apply to them."""
MIN_ARTICLE_WORDS = 12
"""Fewer extracted words than this is a menu, a cookie wall or an index page, not an article."""


def sniff(name: str, head: bytes) -> str:
    """The format of a file from its first bytes, else from its name.

    One of ``gzip``, ``parquet``, ``feed``, ``html``, ``jsonl``, ``csv``, ``text``.
    """
    if head[:2] == b"\x1f\x8b":
        return "gzip"
    if head[:4] == b"PAR1":
        return "parquet"
    lower = name.lower()
    markup = _markup_kind(head)
    if markup:
        return markup
    if lower.endswith(GZIP_SUFFIXES):
        return "gzip"
    if lower.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if lower.endswith(HTML_SUFFIXES):
        return "html"
    if lower.endswith(FEED_SUFFIXES):
        return "feed"
    if lower.endswith(CSV_SUFFIXES):
        return "csv"
    if lower.endswith((*JSONL_SUFFIXES, ".json")):
        return "jsonl"
    if not lower.endswith(TEXT_SUFFIXES) and head.lstrip(codecs.BOM_UTF8 + b" \t\r\n")[:1] == b"{":
        return "jsonl"
    return "text"


_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF)[\s>]", re.IGNORECASE)
_HTML_ROOT = re.compile(rb"<(?:!doctype\s+html|html)[\s>]", re.IGNORECASE)


def _markup_kind(head: bytes) -> str | None:
    """``feed`` or ``html`` when the file opens as one (after a BOM, blanks, an XML prolog, comments)."""
    start = head.lstrip(codecs.BOM_UTF8 + b" \t\r\n")
    if not start.startswith(b"<"):
        return None
    if _FEED_ROOT.search(head):
        return "feed"
    if _HTML_ROOT.search(head):
        return "html"
    return None


def compose(title: str | None, paragraphs: list[str]) -> str:
    """Title, blank line, paragraphs separated by blank lines; the title is not repeated."""
    body = [p.strip() for p in paragraphs if p.strip()]
    if title and body and body[0] == title.strip():
        body = body[1:]
    head = [title.strip()] if title and title.strip() else []
    return "\n\n".join(head + body) + "\n"


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None


def site_of(url: str) -> str | None:
    """``www.example.com`` of ``https://www.example.com/a.html``: a fetched page's source when it names none."""
    host = urlsplit(url).hostname
    return host or None


# --- pages -------------------------------------------------------------------


def html_document(data: bytes, path: str, doc_id: str, options: InputOptions | None = None) -> Loaded:
    """The article of a saved or fetched page, with its metadata; a page with no article is skipped."""
    import trafilatura

    options = options or InputOptions()
    try:
        html, notes = decode_text(data)
    except ValueError as err:
        return Skipped(path, str(err))
    url = path if "://" in path else None
    extracted = trafilatura.extract(
        html,
        url=url,
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
    if len(text) > options.max_doc_bytes:
        return too_long(path, len(text.encode()), options, what="article")
    title = _clean(meta.get("title"))
    body, repaired = repair(compose(title, text.splitlines()))
    # The page's own date (meta tags, <time>, URL) first; a dateline in the text otherwise.
    published = (parse_published(meta["date"]) if meta.get("date") else None) or dateline(body)
    source = _clean(meta.get("sitename")) or _clean(meta.get("source-hostname")) or _clean(meta.get("hostname"))
    return Document(
        id=doc_id,
        text=body,
        path=path,
        source=source or (site_of(url) if url else None) or default_source(path, options),
        title=title,
        published=published.isoformat() if published else None,
        notes=(*notes, *repaired, *_author_note(meta.get("author")), "main text extracted from HTML (trafilatura)"),
    )


def _author_note(author: object) -> tuple[str, ...]:
    name = _clean(author)
    return (f"author: {name}",) if name else ()


_BLOCK_TAGS = frozenset(
    [
        *("address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure"),
        *("footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre"),
        *("section", "table", "td", "th", "tr", "ul"),
    ]
)


@functools.cache
def _html_text_parser() -> type[Any]:
    """``_TextOfHtml``, made on first use: ``html.parser`` (and its entity table) is imported only
    for a feed whose entries hold HTML, not by every ``compare``."""
    from html.parser import HTMLParser

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

    return _TextOfHtml


def fragment_paragraphs(fragment: str) -> list[str]:
    """Paragraphs of an HTML fragment (a feed entry's content), or of plain text split at blank lines."""
    if not re.search(r"<[A-Za-z!/]", fragment):
        return [" ".join(p.split()) for p in re.split(r"\n\s*\n", fragment) if p.strip()]
    parser = _html_text_parser()()
    parser.feed(fragment)
    parser.close()
    return parser.paragraphs


# --- feeds -------------------------------------------------------------------

_ENTRY_RE = re.compile(r"<((?:[\w.-]+:)?(?:item|entry))\b[^>]*?(?:/>|>.*?</\1\s*>)", re.DOTALL)
_CDATA_OR_COMMENT = re.compile(r"<!\[CDATA\[.*?\]\]>|<!--.*?-->", re.DOTALL)


def entry_spans(document: str) -> list[tuple[int, int]]:
    """Character spans of the ``<item>``/``<entry>`` elements, in document order, outside CDATA and comments."""
    masked = _CDATA_OR_COMMENT.sub(lambda m: " " * len(m.group()), document)
    return [(m.start(), m.end()) for m in _ENTRY_RE.finditer(masked)]


def feed_text(data: bytes, encoding: str | None) -> str:
    """The feed document as text, in the encoding feedparser found (spans index this text)."""
    return data.decode(encoding or "utf-8", "replace")


def feed_documents(data: bytes, path: str, options: InputOptions | None = None) -> list[Loaded]:
    """One document per feed entry; a feed with no items, or not a feed at all, is skipped.

    Each entry's line is that of its element in the document; with
    ``options.keep_raw`` its ``raw`` is the element's span there, which dedup's
    writer cuts out when the entry is removed.
    """
    import feedparser

    options = options or InputOptions()
    if not data.strip():
        return [Skipped(path, "empty file")]
    parsed = feedparser.parse(io.BytesIO(data), sanitize_html=False, resolve_relative_uris=False)
    if not parsed.entries:
        if parsed.get("bozo") and not parsed.get("version"):
            return [Skipped(path, f"not a readable feed ({_first_line(parsed.get('bozo_exception'))})")]
        return [Skipped(path, "feed has no items")]
    document = feed_text(data, parsed.get("encoding"))
    spans: list[tuple[int, int]] | None = entry_spans(document)
    if spans is not None and len(spans) != len(parsed.entries):
        if options.keep_raw:
            return [Skipped(path, f"found {len(spans)} entry elements but feedparser read {len(parsed.entries)}", 1)]
        spans = None
    feed_source = _clean(parsed.feed.get("title")) or default_source(path, options)
    stem = jsonl_free_stem(path)
    out: list[Loaded] = []
    for number, entry in enumerate(parsed.entries, start=1):
        span = spans[number - 1] if spans is not None else None
        line = document.count("\n", 0, span[0]) + 1 if span is not None else None
        source = _clean((entry.get("source") or {}).get("title")) or feed_source
        out.append(_entry_document(entry, path, f"{stem}:{number}", source, number, line, span, options))
    return out


def jsonl_free_stem(path: str) -> str:
    if "://" in path:
        return path.rstrip("/").rsplit("/", 1)[-1] or "page"
    name = Path(path).name
    for suffix in GZIP_SUFFIXES:
        name = name.removesuffix(suffix)
    return Path(name).stem


def _first_line(value: object) -> str:
    return str(value).splitlines()[0] if value else "unknown error"


def _entry_document(
    entry: Any,
    path: str,
    fallback_id: str,
    source: str | None,
    number: int,
    line: int | None,
    span: tuple[int, int] | None,
    options: InputOptions,
) -> Loaded:
    contents = entry.get("content") or []
    html = max((c.get("value", "") for c in contents), key=len, default="") or entry.get("summary", "")
    paragraphs = fragment_paragraphs(html)
    if not paragraphs:
        return Skipped(path, f"feed item {number} has no text", line)
    title = _clean(entry.get("title"))
    text, notes = repair(compose(title, paragraphs))
    if len(text) > options.max_doc_bytes:
        return too_long(path, len(text.encode()), options, line, what=f"feed item {number}")
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
        line=line,
        raw=span if options.keep_raw else None,
    )


# --- tables ------------------------------------------------------------------


def _missing_text_column(path: str, columns: list[str], options: InputOptions) -> Skipped:
    shown = ", ".join(columns[:12]) + (", ..." if len(columns) > 12 else "")
    return Skipped(path, f"no '{options.text_field}' column (columns: {shown}); choose one with --text-field", 1)


class _RecordTooLong(Exception):
    def __init__(self, size: int) -> None:
        self.size = size


class _LineTap:
    """Feeds ``csv.reader`` decoded lines, counting them and keeping the raw bytes of the current record."""

    def __init__(self, lines: Iterator[bytes | Oversize], decode: LineDecoder) -> None:
        self.lines = lines
        self.decode = decode
        self.taken: list[bytes] = []
        self.count = 0
        self.notes: tuple[str, ...] = ()

    def __iter__(self) -> _LineTap:
        return self

    def __next__(self) -> str:
        raw = next(self.lines)
        self.count += 1
        if isinstance(raw, Oversize):
            raise _RecordTooLong(raw.size)
        self.taken.append(raw)
        text, notes = self.decode(raw)
        if notes and not self.notes:
            self.notes = notes
        return text


def csv_header(handle: IO[bytes], limit: int) -> bytes:
    """The raw header record of a CSV file, which dedup copies to its output first."""
    tap = _LineTap(bounded_lines(handle, limit), LineDecoder())
    try:
        next(csv.reader(tap))
    except (StopIteration, csv.Error, _RecordTooLong, ValueError):
        return b""
    return b"".join(tap.taken)


def csv_documents(handle: IO[bytes], path: str, options: InputOptions) -> Iterator[Loaded]:
    """One document per record, read a record at a time; the header names the fields.

    Lines count from the header (line 1); a record spanning lines has the line
    it starts on.  A record whose field count differs from the header's is
    skipped with its line, as is one over the per-document limit.
    """
    if csv.field_size_limit() < options.max_doc_bytes:
        csv.field_size_limit(options.max_doc_bytes)
    delimiter = "\t" if path.lower().removesuffix(".gz").endswith(".tsv") else ","
    tap = _LineTap(bounded_lines(handle, options.max_doc_bytes), LineDecoder())
    reader = csv.reader(tap, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        yield Skipped(path, "empty file")
        return
    except (csv.Error, _RecordTooLong, ValueError) as err:
        yield Skipped(path, f"unreadable CSV header ({_first_line(err) if str(err) else 'too long'})", 1)
        return
    if header and header[0].startswith("\ufeff"):
        header[0] = header[0][1:]
    if options.text_field not in header:
        yield _missing_text_column(path, header, options)
        return
    stem = jsonl_free_stem(path)
    tap.taken.clear()
    rows = 0
    while True:
        start = tap.count + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except _RecordTooLong as err:
            yield too_long(path, err.size, options, start)
            tap.taken.clear()
            reader = csv.reader(tap, delimiter=delimiter)
            continue
        except (csv.Error, ValueError) as err:
            yield Skipped(path, f"unreadable CSV record ({_first_line(err)})", start, raw=_raw(tap, options))
            tap.taken.clear()
            continue
        raw = b"".join(tap.taken)
        tap.taken.clear()
        if not row:
            continue
        rows += 1
        if len(row) != len(header):
            shown = raw.decode("utf-8", "replace").rstrip("\r\n") if options.keep_raw else ""
            yield Skipped(path, f"{len(row)} fields where the header has {len(header)}", start, raw=shown)
            continue
        record: dict[str, object] = dict(zip(header, row, strict=True))
        item = record_document(record, path, f"{stem}:{start}", options, start, raw if options.keep_raw else None)
        if isinstance(item, Document) and tap.notes:
            item = Document(**{**item.__dict__, "notes": tap.notes + item.notes})
        yield item
    if not rows:
        yield Skipped(path, "table has no rows")


def _raw(tap: _LineTap, options: InputOptions) -> str:
    return b"".join(tap.taken).decode("utf-8", "replace").rstrip("\r\n") if options.keep_raw else ""


PARQUET_SLICE = 2000
"""Rows of a Parquet file read at a time: a large file is never in memory whole."""


def parquet_documents(source: Path | bytes, path: str, options: InputOptions) -> Iterator[Loaded]:
    """One document per row of a Parquet file, read in slices of ``PARQUET_SLICE`` rows; rows count from 1.

    ``raw`` (with ``keep_raw``) is the row's index, which dedup's writer copies the row by.
    """
    import polars as pl

    opened = source if isinstance(source, Path) else io.BytesIO(source)
    try:
        columns = list(pl.read_parquet_schema(opened))
        if options.text_field not in columns:
            yield _missing_text_column(path, columns, options)
            return
        fields = (options.id_field, options.text_field, options.title_field, options.date_field, options.source_field)
        wanted = sorted({f for f in fields if f in columns}, key=fields.index)
        if isinstance(source, Path):
            total = pl.scan_parquet(source).select(pl.len()).collect().item()
        else:
            whole = pl.read_parquet(io.BytesIO(source), columns=wanted)
            total = whole.height
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException, OSError, ValueError) as err:
        yield Skipped(path, f"unreadable Parquet ({_first_line(err)})")
        return
    if not total:
        yield Skipped(path, "table has no rows")
        return
    stem = jsonl_free_stem(path)
    for offset in range(0, total, PARQUET_SLICE):
        try:
            if isinstance(source, Path):
                frame = pl.scan_parquet(source).select(wanted).slice(offset, PARQUET_SLICE).collect()
            else:
                frame = whole.slice(offset, PARQUET_SLICE)
        except (pl.exceptions.PolarsError, pl.exceptions.PanicException, OSError, ValueError) as err:
            yield Skipped(path, f"unreadable Parquet from row {offset + 1} ({_first_line(err)})", offset + 1)
            return
        for n, row in enumerate(frame.iter_rows(named=True)):
            line = offset + n + 1
            record: dict[str, object] = {k: (v if isinstance(v, str) or v is None else str(v)) for k, v in row.items()}
            yield record_document(record, path, f"{stem}:{line}", options, line, line - 1 if options.keep_raw else None)
