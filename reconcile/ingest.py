"""Read reports from files, folders, stdin, feeds, pages and tables, skipping what is broken.

Every input either becomes a ``Document`` or a ``Skipped`` with a one-line
reason naming the file (and line), so a bad file never hides good ones and
nothing disappears without a word.  The format is chosen by content first
(gzip and Parquet magic, markup, a JSON object) and by extension second, so a
saved page named ``.txt`` is still read as a page.  JSON Lines are read line by
line, so a large file is never held in memory whole.
"""

from __future__ import annotations

import codecs
import fnmatch
import gzip
import io
import json
import os
import re
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

from charset_normalizer import from_bytes

from reconcile.dates import dateline, parse_published
from reconcile.model import Document, Skipped
from reconcile.normalize import is_dateline, repair, strip_front_matter

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
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
SNIFF_BYTES = 4096

Loaded = Document | Skipped


@dataclass(frozen=True)
class InputOptions:
    """How to read inputs: which record fields hold what, which files a folder offers, the size limit.

    The field names apply to JSON Lines, CSV and Parquet records; ``glob``
    filters the files found in folders (matched against the name and the path
    below the folder); ``max_bytes`` caps each file, and each gzip's
    decompressed size.
    """

    id_field: str = "id"
    text_field: str = "text"
    title_field: str = "title"
    date_field: str = "published"
    source_field: str = "source"
    glob: str | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    workers: int = 1
    """Processes that parse a large JSON Lines file (``PARALLEL_BYTES`` or more) in batches of lines."""


DEFAULT_OPTIONS = InputOptions()


class InputError(ValueError):
    """An input that cannot be read, with the line where that is known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


# --- decoding ----------------------------------------------------------------


def decode(data: bytes) -> tuple[str, tuple[str, ...]]:
    """Bytes to text: UTF-8 when it is, else the charset charset-normalizer finds.

    UTF-8 text with a few stray invalid bytes stays UTF-8 (each bad byte becomes
    U+FFFD and the first one is noted with its line): guessing another charset
    for the whole file would garble every correct character around it.
    Raises ``ValueError`` for data that is not text at all.
    """
    if b"\x00" in data[:8192]:
        raise ValueError("binary file (NUL bytes), not text")
    try:
        return data.decode("utf-8-sig"), ()
    except UnicodeDecodeError as err:
        first_bad = err.start
    lenient = data.decode("utf-8-sig", errors="replace")
    bad = lenient.count("\ufffd") - data.decode("utf-8-sig", errors="ignore").count("\ufffd")
    multibyte = sum(1 for ch in lenient if ord(ch) > 127 and ch != "\ufffd")
    if multibyte and bad <= max(3, multibyte // 20):
        line = data.count(b"\n", 0, first_bad) + 1
        return lenient, (f"invalid UTF-8 byte 0x{data[first_bad]:02x} at line {line} replaced ({bad} in all)",)
    best = from_bytes(data).best()
    if best is None:
        raise ValueError("binary file or unknown encoding, not text")
    return str(best), (f"decoded as {best.encoding}",)


def _is_texty(text: str) -> bool:
    """Mostly printable: decoded binary garbage fails this."""
    sample = text[:4096]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    return controls <= len(sample) * 0.01


def decode_text(data: bytes) -> tuple[str, tuple[str, ...]]:
    """Decoded, checked to be text, and repaired; raises ``ValueError`` otherwise."""
    if not data.strip():
        raise ValueError("empty file")
    text, notes = decode(data)
    if not _is_texty(text):
        raise ValueError("binary file (control characters), not text")
    text, repaired = repair(text)
    if not text.strip():
        raise ValueError("empty file")
    return text, notes + repaired


# --- formats -----------------------------------------------------------------


def _text_document(doc_id: str, data: bytes, path: str) -> Loaded:
    try:
        text, notes = decode_text(data)
    except ValueError as err:
        return Skipped(path, str(err))
    lines = text.strip().splitlines()
    published = dateline(text)
    return Document(
        id=doc_id,
        text=text,
        path=path,
        title=next((strip_front_matter(line) for line in lines if line.strip() and not is_dateline(line)), None),
        published=published.isoformat() if published else None,
        notes=notes,
    )


def record_document(
    record: dict[str, object], path: str, fallback_id: str, options: InputOptions, line: int | None = None
) -> Loaded:
    """A document from one record (JSON Lines object, CSV or Parquet row) through the field mapping."""
    body = record.get(options.text_field)
    if not isinstance(body, str) or not body.strip():
        return Skipped(path, f"missing or empty '{options.text_field}'", line)
    text, notes = repair(body)
    if not text.strip():
        return Skipped(path, f"missing or empty '{options.text_field}'", line)
    raw_date = record.get(options.date_field)
    published = parse_published(str(raw_date)) if raw_date not in (None, "") else dateline(text)
    doc_id = record.get(options.id_field)
    return Document(
        id=str(doc_id) if doc_id not in (None, "") else fallback_id,
        text=text,
        path=path,
        source=_optional_str(record.get(options.source_field)),
        title=_optional_str(record.get(options.title_field)),
        published=published.isoformat() if published else None,
        notes=notes,
    )


def _decode_line(raw: bytes) -> tuple[str, tuple[str, ...]]:
    try:
        return raw.decode("utf-8-sig"), ()
    except UnicodeDecodeError:
        text, notes = decode(raw)
        return text, notes


def jsonl_documents(lines: Iterable[bytes], path: str, options: InputOptions = DEFAULT_OPTIONS) -> Iterator[Loaded]:
    """One document per JSON object line; a broken line is skipped with its number.

    ``lines`` is any iterable of byte lines (an open file, a gzip stream), read
    one at a time.  A stream that breaks off (truncated gzip) ends with a
    ``Skipped`` naming the line where it broke.
    """
    stem = _jsonl_stem(path)
    number = 0
    any_content = False
    try:
        for number, raw in enumerate(lines, start=1):
            if not raw.strip():
                continue
            any_content = True
            yield jsonl_line(raw, path, stem, number, options)
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as err:
        yield Skipped(path, f"{_gzip_reason(err)}; the lines before it were read", number + 1)
        return
    if not any_content:
        yield Skipped(path, "empty file")


def _jsonl_stem(path: str) -> str:
    return Path(path).stem.removesuffix(".jsonl").removesuffix(".ndjson")


def jsonl_line(raw: bytes, path: str, stem: str, number: int, options: InputOptions = DEFAULT_OPTIONS) -> Loaded:
    """The document on one non-blank JSON Lines line (line ``number`` of ``path``), or why not."""
    try:
        line, notes = _decode_line(raw)
    except ValueError as err:
        return Skipped(path, str(err), number)
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        return Skipped(path, f"invalid JSON ({err.msg})", number)
    if not isinstance(record, dict):
        return Skipped(path, "expected a JSON object", number)
    item = record_document(record, path, f"{stem}:{number}", options, number)
    if isinstance(item, Document) and notes:
        item = replace(item, notes=notes + item.notes)
    return item


PARALLEL_BYTES = 1 << 20
"""From this size on, a JSON Lines file is parsed by ``InputOptions.workers`` processes."""
BATCH_LINES = 500


def _jsonl_batch(task: tuple[str, InputOptions, list[tuple[int, bytes]]]) -> list[Loaded]:
    path, options, numbered = task
    stem = _jsonl_stem(path)
    return [jsonl_line(raw, path, stem, number, options) for number, raw in numbered]


def _batches(lines: Iterable[bytes], path: str, options: InputOptions) -> Iterator[tuple[str, InputOptions, list]]:
    batch: list[tuple[int, bytes]] = []
    for number, raw in enumerate(lines, start=1):
        if raw.strip():
            batch.append((number, raw))
            if len(batch) == BATCH_LINES:
                yield path, options, batch
                batch = []
    if batch:
        yield path, options, batch


def parallel_jsonl_documents(lines: Iterable[bytes], path: str, options: InputOptions) -> Iterator[Loaded]:
    """``jsonl_documents`` over ``options.workers`` processes, in order: decoding, repairing
    (ftfy) and finding datelines cost milliseconds a report, reading the lines does not."""
    import multiprocessing

    any_content = False
    with multiprocessing.get_context("fork").Pool(options.workers) as pool:
        for loaded in pool.imap(_jsonl_batch, _batches(lines, path, options)):
            any_content = True
            yield from loaded
    if not any_content:
        yield Skipped(path, "empty file")


def _optional_str(value: object) -> str | None:
    return None if value in (None, "") else str(value)


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
    if lower.endswith(JSONL_SUFFIXES):
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


def read_bytes_as(
    data: bytes, path: str, doc_id: str, options: InputOptions = DEFAULT_OPTIONS, kind: str | None = None
) -> list[Loaded]:
    """Documents from bytes whose format is ``kind``, or sniffed from content and name."""
    from reconcile import formats  # the heavy readers load only when a page, feed or table comes

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
        return list(jsonl_documents(data.splitlines(keepends=True), path, options))
    if kind == "html":
        return [formats.html_document(data, path, doc_id)]
    if kind == "feed":
        return formats.feed_documents(data, path)
    if kind == "csv":
        return formats.csv_documents(data, path, options)
    if kind == "parquet":
        return formats.parquet_documents(data, path, options)
    return [_text_document(doc_id, data, path)]


def _gzip_reason(err: BaseException) -> str:
    if isinstance(err, _OverLimit):
        return str(err)
    if isinstance(err, EOFError):
        return "truncated gzip"
    return f"corrupt gzip: {err}".rstrip(": ")


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
        raise InputError(_gzip_reason(err)) from err
    return bytes(out)


def _stem(path: Path) -> str:
    name = path.name
    for suffix in GZIP_SUFFIXES:
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return Path(name).stem


def _walk(folder: Path, glob: str | None) -> list[Path]:
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


def iter_load(
    paths: Sequence[str], stdin: bytes | None = None, options: InputOptions = DEFAULT_OPTIONS
) -> Iterator[Loaded]:
    """Documents and skipped inputs, in the order given (folders sorted), one at a time."""
    for given in paths:
        if given == "-":
            yield from read_bytes_as(stdin or b"", "<stdin>", "stdin", options)
            continue
        path = Path(given)
        if path.is_dir():
            files = _walk(path, options.glob)
            if not files:
                wanted = f"files matching {options.glob!r}" if options.glob else "files of a known format"
                yield Skipped(given, f"folder holds no {wanted}")
            for file in files:
                yield from load_file(file, options)
        else:
            yield from load_file(path, options)


def load(
    paths: Sequence[str],
    stdin: bytes | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    options: InputOptions | None = None,
) -> list[Loaded]:
    """Documents and skipped inputs, in the order given (folders sorted), ids made unique."""
    if options is None:
        options = InputOptions(max_bytes=max_bytes)
    return _unique_ids(iter_load(paths, stdin, options))


def load_file(path: Path, options: InputOptions = DEFAULT_OPTIONS) -> Iterator[Loaded]:
    """One file's documents; a file over the size limit or unreadable is one ``Skipped``."""
    shown = str(path)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise IsADirectoryError(21, "is a directory")
        if size > options.max_bytes:
            yield Skipped(shown, f"file is {size} bytes, over the {options.max_bytes}-byte limit (--max-bytes)")
            return
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
            kind = sniff(path.name, head)
            if kind == "jsonl":
                handle.seek(0)
                parallel = options.workers > 1 and size >= PARALLEL_BYTES
                yield from (parallel_jsonl_documents if parallel else jsonl_documents)(handle, shown, options)
                return
            if kind == "gzip" and _inner_is_jsonl(path):
                handle.seek(0)
                yield from _gzip_jsonl(handle, shown, options)
                return
            handle.seek(0)
            data = handle.read()
    except FileNotFoundError:
        yield Skipped(shown, "no such file")
        return
    except OSError as err:
        yield Skipped(shown, (err.strerror or str(err)).lower())
        return
    yield from read_bytes_as(data, shown, _stem(path), options, kind)


def _inner_is_jsonl(path: Path) -> bool:
    inner = path.name[: -len(".gz")] if path.name.lower().endswith(".gz") else path.name
    return inner.lower().endswith(JSONL_SUFFIXES)


def _gzip_jsonl(handle: IO[bytes], path: str, options: InputOptions) -> Iterator[Loaded]:
    """JSON Lines inside gzip, streamed, with the decompressed size capped."""
    stream = gzip.GzipFile(fileobj=handle)
    yield from jsonl_documents(_capped_lines(stream, options.max_bytes), path, options)


class _OverLimit(OSError):
    pass


def _capped_lines(stream: Iterable[bytes], max_bytes: int) -> Iterator[bytes]:
    total = 0
    for line in stream:
        total += len(line)
        if total > max_bytes:
            raise _OverLimit(f"decompresses to over the {max_bytes}-byte limit (--max-bytes)")
        yield line


def _unique_ids(loaded: Iterable[Loaded]) -> list[Loaded]:
    """Keep every document: a repeated id gets ``#2``, ``#3`` rather than replacing one."""
    return list(unique_ids(loaded))


def unique_ids(loaded: Iterable[Loaded]) -> Iterator[Loaded]:
    """``_unique_ids`` one item at a time, for a caller that streams a large corpus through."""
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
