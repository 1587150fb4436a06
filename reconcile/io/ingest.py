"""Compatibility names: the reader lives in ``reconcile.io`` (``reconcile.io.read``)."""

from reconcile.io.decode import decode, decode_text
from reconcile.io.fields import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_DOC_BYTES,
    DEFAULT_OPTIONS,
    InputError,
    InputOptions,
    Loaded,
    record_document,
)
from reconcile.io.formats import SNIFF_BYTES, sniff
from reconcile.io.lines import jsonl_documents, jsonl_line, parallel_jsonl_documents
from reconcile.io.read import gunzip, iter_load, load, load_file, read_bytes_as, split_loaded, unique_ids

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_DOC_BYTES",
    "DEFAULT_OPTIONS",
    "SNIFF_BYTES",
    "InputError",
    "InputOptions",
    "Loaded",
    "decode",
    "decode_text",
    "gunzip",
    "iter_load",
    "jsonl_documents",
    "jsonl_line",
    "load",
    "load_file",
    "parallel_jsonl_documents",
    "read_bytes_as",
    "record_document",
    "sniff",
    "split_loaded",
    "unique_ids",
]
