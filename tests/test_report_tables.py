"""``--tables DIR``: five tables as Parquet and CSV, matching the JSON report."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from click.testing import CliRunner

from reconcile.cli import main
from reconcile.report.tables import TABLES, to_tables
from tests.conftest import SAMPLES


def test_tables_match_the_json(tmp_path: Path) -> None:
    out = tmp_path / "tables"
    result = CliRunner().invoke(main, ["scan", str(SAMPLES / "articles"), "--format", "json", "--tables", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{t}{s}" for t in TABLES for s in (".csv", ".parquet"))
    frames = {t: pl.read_parquet(out / f"{t}.parquet") for t in TABLES}
    for t in TABLES:
        from_csv = pl.read_csv(out / f"{t}.csv", schema=frames[t].schema)
        assert from_csv.equals(frames[t], null_equal=True), t
    assert frames["documents"]["id"].to_list() == [d["id"] for d in report["documents"]]
    assert frames["pairs"].height == len(report["pairs"])
    assert frames["alignments"].height == sum(len(p["alignments"]) for p in report["pairs"])
    divergences = [(p["a"], p["b"], d) for p in report["pairs"] for d in p["divergences"]]
    assert frames["divergences"].height == len(divergences)
    for row, (a, b, d) in zip(frames["divergences"].iter_rows(named=True), divergences, strict=True):
        assert (row["a"], row["b"], row["kind"], row["a_words"], row["b_words"]) == (a, b, d["kind"], d["a"], d["b"])
        assert [row["a_start"], row["a_end"]] == (d["a_span"] or [None, None])
    assert frames["clusters"].height == sum(len(c["documents"]) for c in report["clusters"])
    canonical = frames["clusters"].filter(pl.col("is_canonical"))
    assert sorted(canonical["document"].to_list()) == sorted(c["canonical"] for c in report["clusters"])


def test_empty_tables_keep_their_columns() -> None:
    from reconcile.model import Reconciliation

    frames = to_tables(Reconciliation(documents=(), pairs=()))
    assert all(f.height == 0 and f.width > 0 for f in frames.values())
