"""Streamed formats: JSON Lines (plain or inside gzip), read a line at a time in bounded memory.

A line is read with at most ``max_doc_bytes`` held: a longer one (a 200 MB
record) is passed over in chunks and becomes one ``Skipped`` naming its file
and line, and the records beside it are read as usual.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

from reconcile.io.decode import LineDecoder
from reconcile.io.fields import DEFAULT_OPTIONS, InputOptions, Loaded, record_document, too_long
from reconcile.model import Document, Skipped

PARALLEL_BYTES = 1 << 20
"""From this size on, a JSON Lines file is parsed by ``InputOptions.workers`` processes."""
BATCH_LINES = 500
CHUNK = 1 << 20
AHEAD_PER_WORKER = 4


@dataclass(frozen=True)
class Oversize:
    """A line longer than the per-document limit, passed over: only its size is kept."""

    size: int


def bounded_lines(handle: IO[bytes], limit: int) -> Iterator[bytes | Oversize]:
    """The lines of ``handle``; one longer than ``limit`` bytes is read past in chunks and
    given as its ``Oversize``, so memory holds at most ``limit`` bytes of one line."""
    readline = handle.readline
    while True:
        line = readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            size = len(line)
            while True:
                more = readline(CHUNK)
                size += len(more)
                if not more or more.endswith(b"\n"):
                    break
            yield Oversize(size)
        else:
            yield line


class StreamBroken(OSError):
    """A stream that breaks off midway: a truncated or corrupt gzip."""


def gzip_reason(err: BaseException) -> str:
    if isinstance(err, EOFError):
        return "truncated gzip"
    return f"corrupt gzip: {err}".rstrip(": ")


def jsonl_stem(path: str) -> str:
    name = Path(path).name if "://" not in path else path.rstrip("/").rsplit("/", 1)[-1] or "page"
    for suffix in (".gz", ".jsonl", ".ndjson", ".json"):
        name = name.removesuffix(suffix)
    return name


def jsonl_line(
    raw: bytes | Oversize, path: str, stem: str, number: int, options: InputOptions = DEFAULT_OPTIONS,
    decode: LineDecoder | None = None,
) -> Loaded:
    """The document on one non-blank JSON Lines line (line ``number`` of ``path``), or why not."""
    if isinstance(raw, Oversize):
        return too_long(path, raw.size, options, number)
    keep = raw if options.keep_raw else None
    try:
        line, notes = (decode or LineDecoder())(raw)
    except ValueError as err:
        return Skipped(path, str(err), number, raw=_shown(keep))
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        return Skipped(path, f"invalid JSON ({err.msg})", number, raw=_shown(keep))
    if not isinstance(record, dict):
        return Skipped(path, "expected a JSON object", number, raw=_shown(keep))
    if keep is not None and not keep.endswith(b"\n"):
        keep += b"\n"
    item = record_document(record, path, f"{stem}:{number}", options, number, keep)
    if isinstance(item, Document) and notes:
        item = replace(item, notes=notes + item.notes)
    return item


def _shown(raw: bytes | None) -> str:
    return raw.decode("utf-8", "replace").rstrip("\r\n") if raw is not None else ""


def jsonl_documents(
    lines: Iterable[bytes | Oversize], path: str, options: InputOptions = DEFAULT_OPTIONS
) -> Iterator[Loaded]:
    """One document per JSON object line; a broken line is skipped with its number.

    ``lines`` is any iterable of byte lines (``bounded_lines`` of an open file or
    a gzip stream), read one at a time.  A stream that breaks off (truncated
    gzip) ends with a ``Skipped`` naming the line where it broke.
    """
    stem = jsonl_stem(path)
    decode = LineDecoder()
    number = 0
    any_content = False
    try:
        for number, raw in enumerate(lines, start=1):
            if not isinstance(raw, Oversize) and not raw.strip():
                continue
            any_content = True
            yield jsonl_line(raw, path, stem, number, options, decode)
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as err:
        yield Skipped(path, f"{gzip_reason(err)}; the lines before it were read", number + 1)
        return
    if not any_content:
        yield Skipped(path, "empty file")


def _jsonl_batch(task: tuple[str, InputOptions, list[tuple[int, bytes | Oversize]]]) -> list[Loaded]:
    path, options, numbered = task
    stem = jsonl_stem(path)
    decode = LineDecoder()
    return [jsonl_line(raw, path, stem, number, options, decode) for number, raw in numbered]


def _batches(
    lines: Iterable[bytes | Oversize], path: str, options: InputOptions
) -> Iterator[tuple[str, InputOptions, list[tuple[int, bytes | Oversize]]]]:
    batch: list[tuple[int, bytes | Oversize]] = []
    for number, raw in enumerate(lines, start=1):
        if isinstance(raw, Oversize) or raw.strip():
            batch.append((number, raw))
            if len(batch) == BATCH_LINES:
                yield path, options, batch
                batch = []
    if batch:
        yield path, options, batch


def parallel_jsonl_documents(
    lines: Iterable[bytes | Oversize], path: str, options: InputOptions
) -> Iterator[Loaded]:
    """``jsonl_documents`` over ``options.workers`` processes, in order: decoding, repairing
    (ftfy) and finding datelines cost more than reading the lines.

    At most ``AHEAD_PER_WORKER`` batches a worker are in flight (``Pool.imap`` would read the
    whole file into its queue), so memory stays bounded whatever the file's size."""
    import multiprocessing
    from collections import deque

    any_content = False
    with multiprocessing.get_context("fork").Pool(options.workers) as pool:
        pending: deque[multiprocessing.pool.AsyncResult[list[Loaded]]] = deque()
        for task in _batches(lines, path, options):
            pending.append(pool.apply_async(_jsonl_batch, (task,)))
            if len(pending) >= AHEAD_PER_WORKER * options.workers:
                any_content = True
                yield from pending.popleft().get()
        while pending:
            any_content = True
            yield from pending.popleft().get()
    if not any_content:
        yield Skipped(path, "empty file")
