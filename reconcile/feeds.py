"""Read feed items in batches and write the kept ones back in the feed's own format.

Dedup must never rewrite what an operator publishes, so every reader keeps each
item's original bytes (a JSON line, a CSV record, a Parquet row, an RSS/Atom
element) and the writers copy those through untouched.  An item that cannot be
parsed becomes a ``Rejected`` with its line number and reason, never a silent gap.

Formats: JSON Lines (``.jsonl``/``.ndjson``/``.json``), CSV, Parquet (polars) and
RSS/Atom (feedparser; a feed document is small, so it is read whole).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from reconcile.formats import fragment_paragraphs

BATCH_SIZE = 2000


@dataclass(frozen=True)
class Fields:
    """Which input field holds what dedup needs."""

    id: str = "id"
    text: str = "text"
    title: str = "title"
    date: str = "published"
    source: str = "source"


@dataclass(frozen=True)
class FeedItem:
    """One parsed item; ``raw`` is what the writer copies through (bytes, or a row number)."""

    input: str
    line: int
    id: str
    text: str
    title: str = ""
    date: str = ""
    source: str = ""
    raw: Any = None


@dataclass(frozen=True)
class Rejected:
    """An item that could not be read, with where and why."""

    input: str
    line: int
    reason: str
    raw: str = ""

    def message(self) -> str:
        return f"{self.input}:{self.line}: {self.reason}"


Read = FeedItem | Rejected

FORMATS = ("jsonl", "csv", "parquet", "rss")


def detect_format(path: Path) -> str:
    """By extension, else by the first non-blank byte ('{' JSON Lines, '<' RSS/Atom, else CSV)."""
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix in (".csv", ".tsv"):
        return "csv"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix in (".xml", ".rss", ".atom"):
        return "rss"
    with path.open("rb") as handle:
        head = handle.read(4096).lstrip()
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"{"):
        return "jsonl"
    if head.startswith(b"<"):
        return "rss"
    return "csv"


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _item(input_name: str, line: int, record: dict[str, Any], fields: Fields, raw: Any) -> Read:
    if fields.id not in record or record[fields.id] in (None, ""):
        return Rejected(input_name, line, f"no {fields.id!r} field", _raw_text(raw))
    text = record.get(fields.text)
    if not isinstance(text, str):
        return Rejected(input_name, line, f"no text in {fields.text!r} field", _raw_text(raw))
    if not text.strip():
        return Rejected(input_name, line, f"empty {fields.text!r} field", _raw_text(raw))
    return FeedItem(
        input=input_name,
        line=line,
        id=_text(record[fields.id]),
        text=text,
        title=_text(record.get(fields.title)),
        date=_text(record.get(fields.date)),
        source=_text(record.get(fields.source)),
        raw=raw,
    )


def _raw_text(raw: Any) -> str:
    if isinstance(raw, bytes):
        return raw.decode("utf-8", "replace").rstrip("\r\n")
    return "" if raw is None or isinstance(raw, int) else str(raw)


def read_jsonl(path: Path, fields: Fields) -> Iterator[Read]:
    name = str(path)
    with path.open("rb") as handle:
        for line_no, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError) as err:
                yield Rejected(name, line_no, f"not JSON ({err.__class__.__name__}: {err})", _raw_text(raw))
                continue
            if not isinstance(record, dict):
                yield Rejected(name, line_no, "not a JSON object", _raw_text(raw))
                continue
            yield _item(name, line_no, record, fields, raw if raw.endswith(b"\n") else raw + b"\n")


class _LineTap:
    """Feeds ``csv.reader`` line by line and remembers the raw lines of the current record."""

    def __init__(self, handle: IO[str]) -> None:
        self.handle = handle
        self.taken: list[str] = []

    def __iter__(self) -> _LineTap:
        return self

    def __next__(self) -> str:
        line = next(self.handle)
        self.taken.append(line)
        return line


def read_csv(path: Path, fields: Fields) -> Iterator[Read]:
    name = str(path)
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        tap = _LineTap(handle)
        reader = csv.reader(tap, delimiter="\t" if path.suffix.lower() == ".tsv" else ",")
        try:
            header = next(reader)
        except StopIteration:
            return
        except (csv.Error, UnicodeDecodeError) as err:
            yield Rejected(name, 1, f"unreadable CSV header: {err}")
            return
        tap.taken.clear()
        line_no = reader.line_num
        while True:
            start = line_no + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except (csv.Error, UnicodeDecodeError) as err:
                yield Rejected(name, start, f"unreadable CSV record: {err}", "".join(tap.taken))
                tap.taken.clear()
                line_no = reader.line_num
                continue
            line_no = reader.line_num
            raw = "".join(tap.taken).encode("utf-8")
            tap.taken.clear()
            if not row:
                continue
            if len(row) != len(header):
                yield Rejected(name, start, f"{len(row)} fields where the header has {len(header)}", _raw_text(raw))
                continue
            yield _item(name, start, dict(zip(header, row, strict=True)), fields, raw)


def csv_header(path: Path) -> bytes:
    """The raw header record of a CSV file, copied to the output first."""
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        tap = _LineTap(handle)
        try:
            next(csv.reader(tap))
        except StopIteration:
            return b""
        return "".join(tap.taken).encode("utf-8")


def read_parquet(path: Path, fields: Fields, batch_size: int = BATCH_SIZE) -> Iterator[Read]:
    """Rows in slices, so a large file is never in memory at once; ``raw`` is the row number."""
    import polars as pl

    name = str(path)
    try:
        total = pl.scan_parquet(path).select(pl.len()).collect().item()
    except Exception as err:  # any polars failure means an unreadable file
        yield Rejected(name, 0, f"unreadable Parquet file: {err}")
        return
    for offset in range(0, total, batch_size):
        frame = pl.scan_parquet(path).slice(offset, batch_size).collect()
        for n, record in enumerate(frame.iter_rows(named=True)):
            row = offset + n
            yield _item(name, row + 1, record, fields, row)


_ENTRY_RE = re.compile(r"<((?:[\w.-]+:)?(?:item|entry))\b[^>]*?(?:/>|>.*?</\1\s*>)", re.DOTALL)
_CDATA_OR_COMMENT = re.compile(r"<!\[CDATA\[.*?\]\]>|<!--.*?-->", re.DOTALL)


def entry_spans(document: str) -> list[tuple[int, int]]:
    """Character spans of the ``<item>``/``<entry>`` elements, in document order, outside CDATA and comments."""
    masked = _CDATA_OR_COMMENT.sub(lambda m: " " * len(m.group()), document)
    return [(m.start(), m.end()) for m in _ENTRY_RE.finditer(masked)]


def read_rss(path: Path, fields: Fields) -> Iterator[Read]:
    """RSS/Atom entries via feedparser; ``raw`` is the entry's span in the document."""
    name = str(path)
    try:
        import feedparser
    except ImportError:
        yield Rejected(name, 0, "reading RSS/Atom needs feedparser: pip install 'reconcile[feeds]'")
        return

    data = path.read_bytes()
    parsed = feedparser.parse(data)
    entries = list(parsed.entries)
    if not entries:
        problem = parsed.get("bozo_exception")
        reason = f"not an RSS/Atom feed: {problem}" if parsed.get("bozo") else "feed has no entries"
        yield Rejected(name, 1, reason)
        return
    document = data.decode(parsed.get("encoding") or "utf-8", "replace")
    spans = entry_spans(document)
    if len(spans) != len(entries):
        yield Rejected(name, 1, f"found {len(spans)} entry elements but feedparser read {len(entries)}")
        return
    feed_title = _text(parsed.feed.get("title"))
    for entry, span in zip(entries, spans, strict=True):
        line_no = document.count("\n", 0, span[0]) + 1
        content = entry.get("content")
        text = content[0].get("value") if content else entry.get("summary")
        record = {
            "id": entry.get("id") or entry.get("link"),
            "text": "\n\n".join(fragment_paragraphs(text)) if isinstance(text, str) else None,
            "title": entry.get("title"),
            "published": entry.get("published") or entry.get("updated"),
            "source": (entry.get("source") or {}).get("title") or feed_title,
        }
        yield _item(name, line_no, record, Fields(), span)


def read_feed(path: Path, fields: Fields, fmt: str | None = None) -> Iterator[Read]:
    """Every item of one feed file, in order."""
    fmt = fmt or detect_format(path)
    if fmt == "jsonl":
        return read_jsonl(path, fields)
    if fmt == "csv":
        return read_csv(path, fields)
    if fmt == "parquet":
        return read_parquet(path, fields)
    if fmt == "rss":
        return read_rss(path, fields)
    raise ValueError(f"unknown feed format {fmt!r}")


class KeptWriter:
    """Writes kept items of one input to a temporary file; ``commit`` renames it into place.

    A killed run leaves only a temporary file, so the output is whole or absent.
    """

    def __init__(self, source: Path, target: Path, fmt: str) -> None:
        self.source, self.target, self.fmt = source, target, fmt
        target.parent.mkdir(parents=True, exist_ok=True)
        # a fixed name: a run killed midway leaves it behind, and the rerun clears it
        self.tmpdir = target.parent / f".{target.name}.partial"
        shutil.rmtree(self.tmpdir, ignore_errors=True)
        self.tmpdir.mkdir()
        self.handle: IO[bytes] | None = None
        self.rows: list[int] = []
        self.parts: list[Path] = []
        self.spans: list[tuple[int, int]] = []
        if fmt in ("jsonl", "csv"):
            self.handle = (self.tmpdir / "out").open("wb")
            if fmt == "csv":
                self.handle.write(csv_header(source))

    def write(self, item: FeedItem) -> None:
        if self.fmt in ("jsonl", "csv"):
            assert self.handle is not None
            self.handle.write(item.raw)
        elif self.fmt == "parquet":
            self.rows.append(item.raw)
        else:
            self.spans.append(item.raw)

    def flush(self) -> None:
        """End of a batch: Parquet rows go to a part file, so memory stays bounded."""
        if self.fmt == "parquet" and self.rows:
            import polars as pl

            first, last = min(self.rows), max(self.rows)
            wanted = pl.Series("row", [r - first for r in self.rows], dtype=pl.UInt32)
            frame = pl.scan_parquet(self.source).slice(first, last - first + 1).collect()
            part = self.tmpdir / f"part-{len(self.parts):06d}.parquet"
            frame[wanted].write_parquet(part)
            self.parts.append(part)
            self.rows = []
        elif self.handle is not None:
            self.handle.flush()

    def commit(self) -> None:
        self.flush()
        out = self.tmpdir / "out"
        if self.handle is not None:
            self.handle.close()
        elif self.fmt == "parquet":
            import polars as pl

            if self.parts:
                pl.scan_parquet(self.parts).sink_parquet(out)
            else:
                pl.scan_parquet(self.source).head(0).collect().write_parquet(out)
        else:
            out.write_bytes(_without_removed(self.source, self.spans))
        os.replace(out, self.target)
        shutil.rmtree(self.tmpdir, ignore_errors=True)

    def abort(self) -> None:
        if self.handle is not None:
            self.handle.close()
        shutil.rmtree(self.tmpdir, ignore_errors=True)


def _without_removed(source: Path, kept_spans: Sequence[tuple[int, int]]) -> bytes:
    """The feed document with every entry not kept cut out, the rest byte for byte."""
    import feedparser

    data = source.read_bytes()
    encoding = feedparser.parse(data).get("encoding") or "utf-8"
    document = data.decode(encoding, "replace")
    keep = set(kept_spans)
    out = io.StringIO()
    pos = 0
    for start, end in entry_spans(document):
        if (start, end) in keep:
            continue
        out.write(document[pos:start].rstrip(" \t"))
        pos = end
        # drop the removed element's own line break
        if document.startswith("\n", pos):
            pos += 1
    out.write(document[pos:])
    return out.getvalue().encode(encoding)
