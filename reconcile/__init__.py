"""reconcile: find duplicate and overlapping news reports, line their sentences up, and say where
the accounts diverge.

The public library, importable as ``reconcile.compare`` and so on; each name loads its module on
first use, so ``import reconcile`` costs nothing a command line would not need.  The stages live in
one folder each: ``io`` (reading, the text store, atomic writes), ``text`` (normalisation,
sentences, dates, word lists), ``pairing`` (features, MinHash, LSH, relations, clusters),
``comparison`` (alignment, divergences and their evidence), ``report`` (JSON, Markdown, HTML,
tables), ``dedup`` (streaming dedup and its index), ``engine`` (Dask), with ``pipeline`` running
them and ``model`` holding the plain data they pass.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    # plain data
    "Alignment": "reconcile.model",
    "Cluster": "reconcile.model",
    "Divergence": "reconcile.model",
    "Document": "reconcile.model",
    "Pair": "reconcile.model",
    "Reconciliation": "reconcile.model",
    "Sentence": "reconcile.model",
    # the pipeline
    "compare": "reconcile.pipeline",
    "load_documents": "reconcile.pipeline",
    "reconcile_pair": "reconcile.pipeline",
    "scan": "reconcile.pipeline",
    "stream_documents": "reconcile.pipeline",
    # reports
    "to_json": "reconcile.report.files",
    "to_markdown": "reconcile.report.files",
    "to_text": "reconcile.report.files",
    "write_reports": "reconcile.report.files",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'reconcile' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
