"""The reconciliation as five flat tables, for people who go on in a notebook or a warehouse.

``documents``, ``pairs``, ``alignments``, ``divergences`` and ``clusters`` are
polars frames with fixed, documented columns.  Every column is a scalar, so the
same frame writes to CSV and Parquet alike; sentence lists are space-separated
indices and evidence is joined with " | ".  Writes are atomic.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from reconcile.io.atomic import write_atomic_with
from reconcile.model import Reconciliation

TABLES = ("documents", "pairs", "alignments", "divergences", "clusters")

_SCHEMAS: dict[str, dict[str, type[pl.DataType] | pl.DataType]] = {
    "documents": {
        "id": pl.String,
        "path": pl.String,
        "source": pl.String,
        "title": pl.String,
        "published": pl.String,
        "characters": pl.Int64,
        "sentences": pl.Int64,
        "chrome_lines": pl.Int64,
    },
    "pairs": {
        "a": pl.String,
        "b": pl.String,
        "relation": pl.String,
        "overlap": pl.String,
        "shingle_jaccard": pl.Float64,
        "containment": pl.Float64,
        "word_jaccard": pl.Float64,
        "content_jaccard": pl.Float64,
        "name_overlap": pl.Float64,
        "sentence_match": pl.Float64,
        "date_gap_days": pl.Int64,
        "aligned_groups": pl.Int64,
        "divergences_high": pl.Int64,
        "divergences_medium": pl.Int64,
        "divergences_low": pl.Int64,
        "unique_a": pl.Int64,
        "unique_b": pl.Int64,
    },
    "alignments": {
        "a": pl.String,
        "b": pl.String,
        "group": pl.Int64,
        "a_sentences": pl.String,
        "b_sentences": pl.String,
        "a_text": pl.String,
        "b_text": pl.String,
        "score": pl.Float64,
        "moved": pl.Boolean,
    },
    "divergences": {
        "a": pl.String,
        "b": pl.String,
        "n": pl.Int64,
        "kind": pl.String,
        "severity": pl.String,
        "a_words": pl.String,
        "b_words": pl.String,
        "a_sentence": pl.Int64,
        "b_sentence": pl.Int64,
        "a_start": pl.Int64,
        "a_end": pl.Int64,
        "b_start": pl.Int64,
        "b_end": pl.Int64,
        "in_quote": pl.Boolean,
        "favours": pl.String,
        "confidence": pl.Float64,
        "evidence": pl.String,
        "reason": pl.String,
    },
    "clusters": {
        "cluster": pl.String,
        "relation": pl.String,
        "canonical": pl.String,
        "document": pl.String,
        "is_canonical": pl.Boolean,
    },
}
"""Column names and types of every table; a run with no rows still gets the columns."""


def _indices(ids: tuple[int, ...]) -> str:
    return " ".join(str(i) for i in ids)


def to_tables(result: Reconciliation) -> dict[str, pl.DataFrame]:
    """The five tables of one run, rows in the reconciliation's own stable order."""
    docs = {d.id: d for d in result.documents}
    rows: dict[str, list[dict[str, object]]] = {name: [] for name in TABLES}
    for d in result.documents:
        rows["documents"].append(
            {
                "id": d.id,
                "path": d.path,
                "source": d.source,
                "title": d.title,
                "published": d.published,
                "characters": len(d.text),
                "sentences": len(d.sentences),
                "chrome_lines": len(d.chrome),
            }
        )
    for p in result.pairs:
        s = p.scores
        by = {sev: sum(1 for d in p.divergences if d.severity == sev) for sev in ("high", "medium", "low")}
        rows["pairs"].append(
            {
                "a": p.a,
                "b": p.b,
                "relation": p.relation,
                "overlap": p.overlap,
                "shingle_jaccard": s.shingle_jaccard,
                "containment": s.containment,
                "word_jaccard": s.word_jaccard,
                "content_jaccard": s.content_jaccard,
                "name_overlap": s.name_overlap,
                "sentence_match": s.sentence_match,
                "date_gap_days": s.date_gap_days,
                "aligned_groups": len(p.alignments),
                "divergences_high": by["high"],
                "divergences_medium": by["medium"],
                "divergences_low": by["low"],
                "unique_a": len(p.unique_a),
                "unique_b": len(p.unique_b),
            }
        )
        a, b = docs[p.a], docs[p.b]
        for n, g in enumerate(p.alignments):
            rows["alignments"].append(
                {
                    "a": p.a,
                    "b": p.b,
                    "group": n,
                    "a_sentences": _indices(g.a),
                    "b_sentences": _indices(g.b),
                    "a_text": " ".join(a.sentences[i].text for i in g.a),
                    "b_text": " ".join(b.sentences[j].text for j in g.b),
                    "score": g.score,
                    "moved": g.moved,
                }
            )
        for n, dv in enumerate(p.divergences):
            rows["divergences"].append(
                {
                    "a": p.a,
                    "b": p.b,
                    "n": n,
                    "kind": dv.kind,
                    "severity": dv.severity,
                    "a_words": dv.a,
                    "b_words": dv.b,
                    "a_sentence": dv.a_sentence,
                    "b_sentence": dv.b_sentence,
                    "a_start": dv.a_span[0] if dv.a_span else None,
                    "a_end": dv.a_span[1] if dv.a_span else None,
                    "b_start": dv.b_span[0] if dv.b_span else None,
                    "b_end": dv.b_span[1] if dv.b_span else None,
                    "in_quote": dv.in_quote,
                    "favours": dv.favours,
                    "confidence": dv.confidence,
                    "evidence": " | ".join(dv.evidence),
                    "reason": dv.reason,
                }
            )
    for c in result.clusters:
        for doc_id in c.documents:
            rows["clusters"].append(
                {
                    "cluster": c.id,
                    "relation": c.relation,
                    "canonical": c.canonical,
                    "document": doc_id,
                    "is_canonical": doc_id == c.canonical,
                }
            )
    return {name: pl.DataFrame(rows[name], schema=_SCHEMAS[name]) for name in TABLES}


def write_tables(result: Reconciliation, out_dir: Path) -> list[Path]:
    """``<table>.parquet`` and ``<table>.csv`` for each of the five tables."""
    written = []
    for name, frame in to_tables(result).items():
        for suffix, writer in ((".parquet", frame.write_parquet), (".csv", frame.write_csv)):
            target = out_dir / f"{name}{suffix}"
            write_atomic_with(target, writer)
            written.append(target)
    return written
