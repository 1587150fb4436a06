"""Dedup's view of the one reader (``reconcile.io.read``), and its writer of kept items.

Dedup must never rewrite what an operator publishes, so the reader keeps each
item's original bytes (a JSON line, a CSV record, a Parquet row, an RSS/Atom
element; ``InputOptions.keep_raw``) and ``KeptWriter`` copies those through
untouched.  An item that cannot be read becomes a ``Rejected`` with its line
number and reason, never a silent gap.

Formats: JSON Lines (also ``.json``, gzip), CSV (also gzip), Parquet and
RSS/Atom: what the one reader reads, field mapping and all.
"""

from __future__ import annotations

import gzip
import io
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from reconcile.io.atomic import AtomicFile
from reconcile.io.fields import InputOptions
from reconcile.io.formats import csv_header, entry_spans, feed_text
from reconcile.io.read import file_kind, load_file
from reconcile.model import Document, Skipped

BATCH_SIZE = 2000


@dataclass(frozen=True)
class Fields:
    """Which input field holds what dedup needs."""

    id: str = "id"
    text: str = "text"
    title: str = "title"
    date: str = "published"
    source: str = "source"
    default_source: str | None = None
    """The source of items whose record names none (``--source``)."""

    def options(self) -> InputOptions:
        """The reader's options for these fields, keeping each record's original bytes."""
        return InputOptions(
            id_field=self.id, text_field=self.text, title_field=self.title, date_field=self.date,
            source_field=self.source, source=self.default_source, keep_raw=True,
        )


@dataclass(frozen=True)
class FeedItem:
    """One read item; ``raw`` is what the writer copies through (bytes, a row number, a feed span)."""

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
_KINDS = {"jsonl": "jsonl", "csv": "csv", "parquet": "parquet", "feed": "rss"}


def detect_format(path: Path) -> str:
    """One of ``FORMATS`` (by content first, as the reader sniffs), or what else the file is."""
    kind = file_kind(path)
    return _KINDS.get(kind, kind)


def as_read(loaded: Document | Skipped, options: InputOptions) -> Read:
    """A reader's document or skip as dedup's item or rejection."""
    if isinstance(loaded, Skipped):
        return Rejected(loaded.path, loaded.line or 0, loaded.error, loaded.raw)
    return FeedItem(
        input=loaded.path or "",
        line=loaded.line or 0,
        id=loaded.id,
        text=loaded.text,
        title=loaded.title or "",
        date=loaded.published or "",
        source=loaded.source or "",
        raw=loaded.raw,
    )


def read_feed(path: Path, fields: Fields, fmt: str | None = None) -> Iterator[Read]:
    """Every item of one feed file, in order, through the one reader."""
    fmt = fmt or detect_format(path)
    if fmt not in FORMATS:
        yield Rejected(str(path), 0, f"a {fmt} file, not a feed; dedup reads JSON Lines, CSV, Parquet and RSS/Atom")
        return
    options = fields.options()
    for loaded in load_file(path, options):
        yield as_read(loaded, options)


def _is_gzip(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(2) == b"\x1f\x8b"


def _open_source(path: Path) -> IO[bytes]:
    handle = path.open("rb")
    if handle.read(2) == b"\x1f\x8b":
        handle.seek(0)
        return gzip.GzipFile(fileobj=handle)  # type: ignore[return-value]
    handle.seek(0)
    return handle


class KeptWriter:
    """Writes kept items of one input to a temporary file; ``commit`` renames it into place.

    A killed run leaves only a temporary file, so the output is whole or absent.
    A gzip input gives a gzip output.
    """

    def __init__(self, source: Path, target: Path, fmt: str) -> None:
        self.source, self.target, self.fmt = source, target, fmt
        target.parent.mkdir(parents=True, exist_ok=True)
        # scratch for Parquet parts: a fixed name, so a run killed midway leaves it behind and the rerun clears it
        self.tmpdir = target.parent / f".{target.name}.parts"
        self.out = AtomicFile(target, "wb" if fmt in ("jsonl", "csv") else None)
        self.handle: IO[bytes] | None = self.out.handle
        if self.handle is not None and source.is_file() and _is_gzip(source):
            self.handle = gzip.GzipFile(filename="", mode="wb", fileobj=self.handle, mtime=0)  # type: ignore[assignment]
        self.rows: list[int] = []
        self.parts: list[Path] = []
        self.spans: list[tuple[int, int]] = []
        if fmt == "parquet":
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir.mkdir()
        if fmt == "csv" and self.handle is not None:
            with _open_source(source) as stream:
                self.handle.write(csv_header(stream, 1 << 24))

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
        if self.handle is not None:
            if self.handle is not self.out.handle:
                self.handle.close()  # the gzip stream: writes its trailer
        elif self.fmt == "parquet":
            import polars as pl

            if self.parts:
                pl.scan_parquet(self.parts).sink_parquet(self.out.tmp)
            else:
                pl.scan_parquet(self.source).head(0).collect().write_parquet(self.out.tmp)
        elif self.fmt == "rss":
            self.out.tmp.write_bytes(_without_removed(self.source, self.spans))
        self.out.commit()
        shutil.rmtree(self.tmpdir, ignore_errors=True)

    def abort(self) -> None:
        if self.handle is not None and self.handle is not self.out.handle:
            self.handle.close()
        self.out.abort()
        shutil.rmtree(self.tmpdir, ignore_errors=True)


def _without_removed(source: Path, kept_spans: Sequence[tuple[int, int]]) -> bytes:
    """The feed document with every entry not kept cut out, the rest byte for byte."""
    import feedparser

    data = source.read_bytes()
    encoding = feedparser.parse(data).get("encoding") or "utf-8"
    document = feed_text(data, encoding)
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
