"""Every JSON output validates against reconcile/report/schema/report.schema.json."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconcile.cli import main
from reconcile.report.files import SCHEMA_VERSION
from tests.conftest import ROOT, SAMPLES, seed

jsonschema = pytest.importorskip("jsonschema")

SCHEMA_PATH = ROOT / "reconcile" / "report" / "schema" / "report.schema.json"


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _errors(validator, report: dict) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(report)]


def test_schema_version_matches_the_code(validator) -> None:
    pattern = validator.schema["properties"]["schema_version"]["pattern"]
    assert re.fullmatch(pattern, SCHEMA_VERSION)
    assert re.fullmatch(pattern, "2.0") is None, "a major bump must come with a new schema"


def test_committed_sample_reports_validate(validator) -> None:
    files = [ROOT / "reports" / "report.json", *sorted((ROOT / "reports" / "pairs").glob("*.json"))]
    assert len(files) > 1
    for path in files:
        assert _errors(validator, json.loads(path.read_text(encoding="utf-8"))) == [], path


@pytest.mark.parametrize("inputs", [["samples/articles"], ["samples/feed.jsonl"]])
def test_fresh_sample_output_validates(validator, inputs, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.chdir(ROOT)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["scan", *inputs, "--format", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert _errors(validator, json.loads(result.stdout)) == []
    for path in out.rglob("*.json"):
        assert _errors(validator, json.loads(path.read_text(encoding="utf-8"))) == [], path


def test_skipped_inputs_validate(validator, tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    result = CliRunner().invoke(main, ["scan", str(SAMPLES / "articles"), str(tmp_path), "--format", "json"])
    report = json.loads(result.stdout)
    assert report["skipped"]
    assert _errors(validator, report) == []


def test_seeds_output_validates(validator, seeds: Path) -> None:
    compared = CliRunner().invoke(main, ["compare", str(seed("000")), str(seed("001")), "--format", "json"])
    assert compared.exit_code == 0, compared.output
    assert _errors(validator, json.loads(compared.stdout)) == []
    scanned = CliRunner().invoke(main, ["scan", str(seeds), "--format", "json"])
    assert _errors(validator, json.loads(scanned.stdout)) == []


def test_schema_rejects_a_broken_report(validator) -> None:
    report = json.loads((ROOT / "reports" / "report.json").read_text(encoding="utf-8"))
    pair = next(p for p in report["pairs"] if p["divergences"])
    broken = copy.deepcopy(report)
    broken["pairs"][report["pairs"].index(pair)]["divergences"][0]["severity"] = "catastrophic"
    assert _errors(validator, broken)
    missing = copy.deepcopy(report)
    del missing["documents"][0]["sentences"][0]["start"]
    assert _errors(validator, missing)
    extra = copy.deepcopy(report)
    extra["pairs"][0]["surprise"] = 1
    assert _errors(validator, extra), "new fields must be added to the schema with a minor version bump"
