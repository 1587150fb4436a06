"""The one reader: files, folders, stdin, web addresses, pages, feeds, tables, gzip, any encoding.

``compare``, ``scan`` and ``dedup`` all read through ``iter_load``.  Every input
either becomes a ``Document`` or a ``Skipped`` with a one-line reason naming
the file (and line), so a bad file or record never hides good ones and nothing
disappears without a word.  The format is chosen by content first (gzip and
Parquet magic, markup, a JSON object) and by extension second, so a saved page
named ``.txt`` is still read as a page.

Streamed formats (JSON Lines, CSV, either inside gzip, Parquet files) are read a
record at a time whatever their size; ``--max-bytes`` caps only what is read
whole (pages, feeds, plain text, stdin, web addresses); ``--max-doc-bytes``
caps one document.
"""

from __future__ import annotations

import fnmatch
import gzip
import io
import os
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import IO, Any

from reconcile.io import formats
from reconcile.io.decode import decode_text
from reconcile.io.fields import (
    DEFAULT_MAX_BYTES,
    DEFAULT_OPTIONS,
    InputError,
    InputOptions,
    Loaded,
    default_source,
    too_long,
)
from reconcile.io.formats import GZIP_SUFFIXES, KNOWN_SUFFIXES, SNIFF_BYTES, sniff
from reconcile.io.lines import (
    PARALLEL_BYTES,
    bounded_lines,
    gzip_reason,
    jsonl_documents,
    parallel_jsonl_documents,
)
from reconcile.model import Document, Skipped
from reconcile.text.dates import dateline
from reconcile.text.normalize import is_dateline, strip_front_matter


def is_url(given: str) -> bool:
    return given.lower().startswith(("http://", "https://"))


def text_document(doc_id: str, data: bytes, path: str, options: InputOptions = DEFAULT_OPTIONS) -> Loaded:
    """A plain-text report: its first line that is not a dateline is its title."""
    try:
        text, notes = decode_text(data)
    except ValueError as err:
        return Skipped(path, str(err))
    if len(text) > options.max_doc_bytes:
        return too_long(path, len(data), options, what="text")
    published = dateline(text)
    title = None
    for line in text[:4096].strip().splitlines():
        if line.strip() and not is_dateline(line):
            title = strip_front_matter(line)  # "date 2022-03-25 Karen Donfried ...": the date is metadata
            break
    return Document(
        id=doc_id,
        text=text,
        path=path,
        source=default_source(path, options),
        title=title,
        published=published.isoformat() if published else None,
        notes=notes,
    )


def read_bytes_as(
    data: bytes, path: str, doc_id: str, options: InputOptions = DEFAULT_OPTIONS, kind: str | None = None
) -> list[Loaded]:
    """Documents from bytes held whole (stdin, a fetched page, a small gzip), whose format is
    ``kind``, or sniffed from content and name."""
    kind = kind or sniff(path, data[:SNIFF_BYTES])
    if kind == "gzip":
        try:
            inner = gunzip(data, options.max_bytes)
        except InputError as err:
            return [Skipped(path, str(err), err.line)]
        inner_kind = sniff(path[: -len(".gz")] if path.lower().endswith(".gz") else path, inner[:SNIFF_BYTES])
        if inner_kind == "gzip":
            return [Skipped(path, "gzip inside gzip, not read")]
        return read_bytes_as(inner, path, doc_id, options, inner_kind)
    if kind == "jsonl":
        return list(jsonl_documents(bounded_lines(io.BytesIO(data), options.max_doc_bytes), path, options))
    if kind == "csv":
        return list(formats.csv_documents(io.BytesIO(data), path, options))
    if kind == "html":
        return [formats.html_document(data, path, doc_id, options)]
    if kind == "feed":
        return formats.feed_documents(data, path, options)
    if kind == "parquet":
        return list(formats.parquet_documents(data, path, options))
    return [text_document(doc_id, data, path, options)]


def gunzip(data: bytes, max_bytes: int) -> bytes:
    """Decompressed bytes, at most ``max_bytes`` of them; a truncated or corrupt gzip raises ``InputError``."""
    out = bytearray()
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            while chunk := stream.read(1 << 20):
                out += chunk
                if len(out) > max_bytes:
                    raise InputError(f"decompresses to over the {max_bytes}-byte limit (--max-bytes)")
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as err:
        raise InputError(gzip_reason(err)) from err
    return bytes(out)


def stem_of(path: Path) -> str:
    name = path.name
    for suffix in GZIP_SUFFIXES:
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return Path(name).stem


def walk(folder: Path, glob: str | None) -> list[Path]:
    """Files of a folder, recursively and sorted: those matching ``glob``, else those of a known format."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            file = Path(root) / name
            if glob is not None:
                below = file.relative_to(folder).as_posix()
                if fnmatch.fnmatch(name, glob) or fnmatch.fnmatch(below, glob):
                    found.append(file)
            elif name.lower().endswith(KNOWN_SUFFIXES) and name != "README.md":
                found.append(file)
    return found


def read_stream(handle: IO[bytes], path: str, doc_id: str, options: InputOptions = DEFAULT_OPTIONS) -> Iterator[Loaded]:
    """Documents from a stream (stdin): JSON Lines and CSV (gzipped or not) read a record at a
    time, like files; anything else read whole, up to ``max_bytes``."""
    stream: Any = handle if isinstance(handle, io.BufferedReader) else io.BufferedReader(handle)
    kind = sniff(path, stream.peek(SNIFF_BYTES)[:SNIFF_BYTES])
    if kind == "gzip":
        stream = io.BufferedReader(gzip.GzipFile(fileobj=stream))
        try:
            kind = sniff(path, stream.peek(SNIFF_BYTES)[:SNIFF_BYTES])
        except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as err:
            yield Skipped(path, gzip_reason(err))
            return
    if kind in formats.STREAMED:
        yield from _streamed(kind, stream, path, 0, options)
        return
    try:
        data = stream.read(options.max_bytes + 1)
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as err:
        yield Skipped(path, gzip_reason(err))
        return
    if len(data) > options.max_bytes:
        yield Skipped(path, f"over the {options.max_bytes}-byte limit (--max-bytes)")
        return
    yield from read_bytes_as(data, path, doc_id, options, kind)


def fetched_documents(url: str, options: InputOptions = DEFAULT_OPTIONS) -> Iterator[Loaded]:
    """The documents at a web address (a page's article, a feed's items), or one ``Skipped`` saying why not."""
    from reconcile.io.fetch import FetchError, fetch  # http.client and ssl: 25 ms, only for web addresses

    try:
        body, kind = fetch(url, options)
    except FetchError as err:
        yield Skipped(url, str(err))
        return
    doc_id = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0] or url
    yield from read_bytes_as(body, url, doc_id, options, kind)


def iter_load(
    paths: Sequence[str], stdin: bytes | IO[bytes] | None = None, options: InputOptions = DEFAULT_OPTIONS
) -> Iterator[Loaded]:
    """Documents and skipped inputs, in the order given (folders sorted), one at a time.

    ``stdin`` is what ``-`` reads: bytes, or a stream (read a record at a time when it holds
    JSON Lines or CSV)."""
    for given in paths:
        if given == "-":
            if stdin is None or isinstance(stdin, bytes):
                yield from read_bytes_as(stdin or b"", "<stdin>", "stdin", options)
            else:
                yield from read_stream(stdin, "<stdin>", "stdin", options)
            continue
        if is_url(given):
            yield from fetched_documents(given, options)
            continue
        path = Path(given)
        if path.is_dir():
            files = walk(path, options.glob)
            if not files:
                wanted = f"files matching {options.glob!r}" if options.glob else "files of a known format"
                yield Skipped(given, f"folder holds no {wanted}")
            for file in files:
                yield from load_file(file, options)
        else:
            yield from load_file(path, options)


def load(
    paths: Sequence[str],
    stdin: bytes | IO[bytes] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    options: InputOptions | None = None,
) -> list[Loaded]:
    """Documents and skipped inputs, in the order given (folders sorted), ids made unique."""
    if options is None:
        options = InputOptions(max_bytes=max_bytes)
    return list(unique_ids(iter_load(paths, stdin, options)))


def file_kind(path: Path) -> str:
    """The format of a file, looking inside a gzip: ``jsonl``, ``csv``, ``parquet``, ``feed``, ``html``,
    ``text``, or ``gzip`` for a gzip of a whole-file format."""
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
        kind = sniff(path.name, head)
        if kind != "gzip":
            return kind
        handle.seek(0)
        try:
            inner_head = gzip.GzipFile(fileobj=handle).read(SNIFF_BYTES)
        except (EOFError, gzip.BadGzipFile, zlib.error, OSError):
            return "gzip"
    inner = sniff(path.name[: -len(".gz")] if path.name.lower().endswith(".gz") else path.name, inner_head)
    return inner if inner in formats.STREAMED else "gzip"


def load_file(path: Path, options: InputOptions = DEFAULT_OPTIONS) -> Iterator[Loaded]:
    """One file's documents; a whole-file input over the size limit, or an unreadable file, is one ``Skipped``."""
    shown = str(path)
    try:
        if path.is_dir():
            raise IsADirectoryError(21, "is a directory")
        size = path.stat().st_size
        kind = file_kind(path)
        if kind == "parquet":
            yield from formats.parquet_documents(path, shown, options)
            return
        if kind in formats.STREAMED:
            with path.open("rb") as handle:
                stream: IO[bytes] = handle
                if handle.read(2) == b"\x1f\x8b":
                    handle.seek(0)
                    stream = gzip.GzipFile(fileobj=handle)  # type: ignore[assignment]
                else:
                    handle.seek(0)
                yield from _streamed(kind, stream, shown, size, options)
            return
        if size > options.max_bytes:
            yield Skipped(shown, f"file is {size} bytes, over the {options.max_bytes}-byte limit (--max-bytes)")
            return
        data = path.read_bytes()
    except FileNotFoundError:
        yield Skipped(shown, "no such file")
        return
    except OSError as err:
        yield Skipped(shown, (err.strerror or str(err)).lower())
        return
    yield from read_bytes_as(data, shown, stem_of(path), options, kind)


def _streamed(kind: str, stream: IO[bytes], shown: str, size: int, options: InputOptions) -> Iterator[Loaded]:
    if kind == "csv":
        try:
            yield from formats.csv_documents(stream, shown, options)
        except (EOFError, gzip.BadGzipFile, zlib.error) as err:
            yield Skipped(shown, f"{gzip_reason(err)}; the records before it were read")
        return
    lines = bounded_lines(stream, options.max_doc_bytes)
    parallel = options.workers > 1 and size >= PARALLEL_BYTES
    yield from (parallel_jsonl_documents if parallel else jsonl_documents)(lines, shown, options)


def unique_ids(loaded: Iterable[Loaded]) -> Iterator[Loaded]:
    """Keep every document: a repeated id gets ``#2``, ``#3`` rather than replacing one."""
    seen: dict[str, int] = {}
    for item in loaded:
        if isinstance(item, Document):
            n = seen.get(item.id, 0) + 1
            seen[item.id] = n
            if n > 1:
                item = replace(item, id=f"{item.id}#{n}")
        yield item


def split_loaded(loaded: Iterable[Loaded]) -> tuple[list[Document], list[Skipped]]:
    documents: list[Document] = []
    skipped: list[Skipped] = []
    for item in loaded:
        (documents if isinstance(item, Document) else skipped).append(item)  # type: ignore[arg-type]
    return documents, skipped
