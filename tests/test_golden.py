"""The committed reports/ are what README command 1 writes from samples/, byte for byte."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner

from reconcile.cli import main
from tests.conftest import ROOT


def test_reports_regenerate_byte_for_byte(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    out = tmp_path / "reports"
    result = CliRunner().invoke(main, ["scan", "samples/articles", "-o", str(out), "--format", "text"])
    assert result.exit_code == 0, result.output
    golden = ROOT / "reports"
    made = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(golden) for p in golden.rglob("*") if p.is_file())
    assert made == committed
    for rel in made:
        assert (out / rel).read_bytes() == (golden / rel).read_bytes(), f"{rel} differs; rerun README command 1"


def test_samples_expectations_hold(monkeypatch) -> None:
    """The relations samples/README.md states."""
    import json

    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["scan", "samples/articles", "--format", "json"])
    report = json.loads(result.stdout)
    relation = {frozenset((p["a"], p["b"])): p for p in report["pairs"]}
    wire = relation[frozenset(("wire_original", "wire_copy"))]
    assert wire["relation"] == "near-duplicate"
    kinds = {(d["kind"], d["a"], d["b"]) for d in wire["divergences"]}
    assert ("number", "25", "27") in kinds or ("number", "27", "25") in kinds
    assert any(k == "typo" and "goverment" in (a, b) for k, a, b in kinds)
    statements = relation[frozenset(("statement_outlet_a", "statement_outlet_b"))]
    assert statements["relation"] == "same-story"
    found = {d["kind"]: d for d in statements["divergences"] if d["kind"] != "wording"}
    assert {found["real-word"]["a"], found["real-word"]["b"]} == {"evaluation", "evacuation"}
    (katarina,) = [d for d in statements["divergences"] if {d["a"], d["b"]} == {"Katarina", "Katharina"}]
    assert katarina["kind"] == "spelling-variant" and katarina["severity"] == "low" and "one name" in katarina["reason"]
    assert any(d["kind"] == "wording" for d in statements["divergences"])
    assert relation[frozenset(("related_event", "statement_outlet_a"))]["relation"] == "related"
    assert not any("unrelated" in key for key in relation), "the unrelated report paired with something"
    assert os.path.isdir("reports")
