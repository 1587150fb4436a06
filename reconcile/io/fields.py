"""How to read inputs (``InputOptions``), the one field mapping from a record to a ``Document``,
and the one error type (``InputError``).

Every format that holds records (JSON Lines objects, CSV and Parquet rows) goes
through ``record_document``, so dedup and scan read the same record the same
way: a record without an id gets ``<file stem>:<line>``, a record without text
is skipped with its line.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from reconcile.model import Document, Skipped
from reconcile.text.dates import dateline, parse_published
from reconcile.text.normalize import repair

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
"""Whole-file formats (pages, feeds, plain text, Parquet from stdin or a URL) are read into
memory; this caps them.  Streamed formats (JSON Lines, CSV, gzip of either, Parquet files) are
read in bounded memory whatever their size and are not capped."""
DEFAULT_MAX_DOC_BYTES = 1024 * 1024
"""One document (a record, a page's text) larger than this is skipped by name and line.  A long
news report is tens of kilobytes; pairing and alignment work grows faster than a document's
length: measured on this machine, a scan of 12 short reports and one 3.9 MB record of the same
words took 88.7 s (315 MiB peak), and a 200 MB record ran past 10 minutes at 7 GB (issue 15)."""

Loaded = Document | Skipped


@dataclass(frozen=True)
class InputOptions:
    """How to read inputs: which record fields hold what, which files a folder offers, the limits.

    The field names apply to JSON Lines, CSV and Parquet records; ``glob``
    filters the files found in folders (matched against the name and the path
    below the folder); ``max_bytes`` caps each whole-file input (see
    ``DEFAULT_MAX_BYTES``), ``max_doc_bytes`` each document.  ``source`` names
    the outlet of documents whose input names none; ``source_from_folder``
    names it after the folder a file is in instead.  ``keep_raw`` keeps each
    record's original bytes on its document (``Document.raw``), for dedup's
    writers, which copy kept records through untouched.
    """

    id_field: str = "id"
    text_field: str = "text"
    title_field: str = "title"
    date_field: str = "published"
    source_field: str = "source"
    glob: str | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    max_doc_bytes: int = DEFAULT_MAX_DOC_BYTES
    workers: int = 1
    """Processes that parse a large JSON Lines file (``PARALLEL_BYTES`` or more) in batches of lines."""
    source: str | None = None
    source_from_folder: bool = False
    keep_raw: bool = False
    fetch_timeout: float = 20.0
    """Seconds to wait for a web address (``http://``, ``https://``) to answer."""


DEFAULT_OPTIONS = InputOptions()


class InputError(ValueError):
    """An input that cannot be read, with the line where that is known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def optional_str(value: object) -> str | None:
    """A record's field as text, ``None`` when absent or empty."""
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else str(value)


def too_long(path: str, size: int, options: InputOptions, line: int | None = None, what: str = "record") -> Skipped:
    return Skipped(
        path,
        f"{what} of {size} bytes is over the {options.max_doc_bytes}-byte per-document limit "
        "(--max-doc-bytes); skipped",
        line,
    )


def record_document(
    record: dict[str, object],
    path: str,
    fallback_id: str,
    options: InputOptions,
    line: int | None = None,
    raw: object = None,
) -> Loaded:
    """A document from one record (JSON Lines object, CSV or Parquet row) through the field mapping."""
    body = record.get(options.text_field)
    if not isinstance(body, str) or not body.strip():
        return Skipped(path, f"missing or empty '{options.text_field}'", line, raw=_raw_text(raw))
    if len(body) > options.max_doc_bytes:
        return too_long(path, len(body.encode("utf-8", "replace")), options, line)
    text, notes = repair(body)
    if not text.strip():
        return Skipped(path, f"missing or empty '{options.text_field}'", line, raw=_raw_text(raw))
    raw_date = record.get(options.date_field)
    published = parse_published(str(raw_date)) if raw_date not in (None, "") else dateline(text)
    doc_id = record.get(options.id_field)
    return Document(
        id=str(doc_id) if doc_id not in (None, "") else fallback_id,
        text=text,
        path=path,
        source=optional_str(record.get(options.source_field)) or default_source(path, options),
        title=optional_str(record.get(options.title_field)),
        published=published.isoformat() if published else None,
        notes=notes,
        line=line,
        raw=raw if options.keep_raw else None,
    )


def default_source(path: str, options: InputOptions) -> str | None:
    """The source of a document whose input names none: its folder's name when asked, else ``--source``."""
    if options.source_from_folder and "://" not in path and path != "<stdin>":
        folder = Path(path).resolve().parent.name
        if folder:
            return folder
    return options.source


def with_default_source(doc: Document, options: InputOptions) -> Document:
    if doc.source or not (options.source or options.source_from_folder):
        return doc
    source = default_source(doc.path or "", options)
    return replace(doc, source=source) if source else doc


def _raw_text(raw: object) -> str:
    """A rejected record's original text, for dedup's rejects file."""
    if isinstance(raw, bytes):
        return raw.decode("utf-8", "replace").rstrip("\r\n")
    return raw if isinstance(raw, str) else ""
