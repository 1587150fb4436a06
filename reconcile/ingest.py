"""Read reports from files, folders, stdin and JSON Lines, skipping what is broken.

Every input either becomes a ``Document`` or a ``Skipped`` with a one-line
reason naming the file (and line), so a bad file never hides good ones and
nothing disappears without a word.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from charset_normalizer import from_bytes

from reconcile.dates import dateline, parse_published
from reconcile.model import Document, Skipped
from reconcile.normalize import repair

TEXT_SUFFIXES = (".txt", ".md", ".text", ".markdown")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
DEFAULT_MAX_BYTES = 50 * 1024 * 1024

Loaded = Document | Skipped


def decode(data: bytes) -> tuple[str, tuple[str, ...]]:
    """Bytes to text: UTF-8 when it is, else the charset charset-normalizer finds.

    Raises ``ValueError`` for data that is not text at all.
    """
    if b"\x00" in data[:8192]:
        raise ValueError("binary file (NUL bytes), not text")
    try:
        return data.decode("utf-8-sig"), ()
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise ValueError("binary file or unknown encoding, not text")
    return str(best), (f"decoded as {best.encoding}",)


def _is_texty(text: str) -> bool:
    """Mostly printable: decoded binary garbage fails this."""
    sample = text[:4096]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    return controls <= len(sample) * 0.01


def _text_document(doc_id: str, data: bytes, path: str) -> Loaded:
    if not data.strip():
        return Skipped(path, "empty file")
    try:
        text, notes = decode(data)
    except ValueError as err:
        return Skipped(path, str(err))
    if not _is_texty(text):
        return Skipped(path, "binary file (control characters), not text")
    text, repaired = repair(text)
    if not text.strip():
        return Skipped(path, "empty file")
    lines = text.strip().splitlines()
    published = dateline(text)
    return Document(
        id=doc_id,
        text=text,
        path=path,
        title=lines[0].strip() if lines else None,
        published=published.isoformat() if published else None,
        notes=notes + repaired,
    )


def _jsonl_documents(data: bytes, path: str) -> Iterator[Loaded]:
    """One document per JSON object line; a broken line is skipped with its number."""
    try:
        text, _ = decode(data)
    except ValueError as err:
        yield Skipped(path, str(err))
        return
    if not text.strip():
        yield Skipped(path, "empty file")
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            yield Skipped(path, f"invalid JSON ({err.msg})", number)
            continue
        if not isinstance(record, dict):
            yield Skipped(path, "expected a JSON object", number)
            continue
        body = record.get("text")
        if not isinstance(body, str) or not body.strip():
            yield Skipped(path, "missing or empty 'text'", number)
            continue
        doc_id = record.get("id")
        repaired_text, notes = repair(body)
        published = parse_published(str(record["published"])) if record.get("published") else dateline(repaired_text)
        yield Document(
            id=str(doc_id) if doc_id not in (None, "") else f"{Path(path).stem}:{number}",
            text=repaired_text,
            path=path,
            source=_optional_str(record.get("source")),
            title=_optional_str(record.get("title")),
            published=published.isoformat() if published else None,
            notes=notes,
        )


def _optional_str(value: object) -> str | None:
    return None if value in (None, "") else str(value)


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    size = path.stat().st_size
    if size > max_bytes:
        raise ValueError(f"file is {size} bytes, over the {max_bytes}-byte limit (--max-bytes)")
    return path.read_bytes()


def read_bytes_as(data: bytes, path: str, doc_id: str) -> list[Loaded]:
    """Documents from bytes: JSON Lines by suffix or when it opens with an object."""
    if path.endswith(JSONL_SUFFIXES) or (not path.endswith(TEXT_SUFFIXES) and data.lstrip()[:1] == b"{"):
        return list(_jsonl_documents(data, path))
    return [_text_document(doc_id, data, path)]


def _walk(folder: Path) -> list[Path]:
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.endswith(TEXT_SUFFIXES + JSONL_SUFFIXES) and not name.startswith(".") and name != "README.md":
                found.append(Path(root) / name)
    return found


def load(paths: Sequence[str], stdin: bytes | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Loaded]:
    """Documents and skipped inputs, in the order given (folders sorted)."""
    loaded: list[Loaded] = []
    for given in paths:
        if given == "-":
            loaded.extend(read_bytes_as(stdin or b"", "<stdin>", "stdin"))
            continue
        path = Path(given)
        if path.is_dir():
            files = _walk(path)
            if not files:
                loaded.append(Skipped(given, "folder holds no .txt, .md or .jsonl files"))
            for file in files:
                loaded.extend(_load_file(file, max_bytes))
        else:
            loaded.extend(_load_file(path, max_bytes))
    return _unique_ids(loaded)


def _load_file(path: Path, max_bytes: int) -> list[Loaded]:
    shown = str(path)
    try:
        data = _read_bytes(path, max_bytes)
    except FileNotFoundError:
        return [Skipped(shown, "no such file")]
    except (IsADirectoryError, PermissionError, OSError, ValueError) as err:
        return [Skipped(shown, str(err) if isinstance(err, ValueError) else (err.strerror or str(err)).lower())]
    return read_bytes_as(data, shown, path.stem)


def _unique_ids(loaded: Iterable[Loaded]) -> list[Loaded]:
    """Keep every document: a repeated id gets ``#2``, ``#3`` rather than replacing one."""
    seen: dict[str, int] = {}
    out: list[Loaded] = []
    for item in loaded:
        if isinstance(item, Document):
            n = seen.get(item.id, 0) + 1
            seen[item.id] = n
            if n > 1:
                item = replace(item, id=f"{item.id}#{n}")
        out.append(item)
    return out


def split_loaded(loaded: Iterable[Loaded]) -> tuple[list[Document], list[Skipped]]:
    documents: list[Document] = []
    skipped: list[Skipped] = []
    for item in loaded:
        (documents if isinstance(item, Document) else skipped).append(item)  # type: ignore[arg-type]
    return documents, skipped
