"""``report.json`` and ``report.md`` written piece by piece are byte for byte ``to_json`` and ``to_markdown``."""

from __future__ import annotations

import io
from pathlib import Path

from reconcile.model import Reconciliation, Skipped
from reconcile.pipeline import load_documents, scan
from reconcile.report.files import to_json, to_markdown, write_json, write_markdown, write_reports
from tests.conftest import SAMPLES


def _streamed(result: Reconciliation, write=write_json) -> str:
    out = io.StringIO()
    write(result, out)
    return out.getvalue()


def test_streamed_json_is_to_json_for_samples_and_edge_cases(tmp_path: Path) -> None:
    docs, skipped = load_documents([str(SAMPLES / "articles")])
    result = scan(docs, skipped=[*skipped, Skipped("x.jsonl", 'bad "line"\n', 3)])
    assert result.pairs and result.clusters and result.skipped
    for case in (result, Reconciliation((), ()), Reconciliation(result.documents[:1], ())):
        assert _streamed(case) == to_json(case)
        assert _streamed(case, write_markdown) == to_markdown(case)
    write_reports(result, tmp_path, "none")
    assert (tmp_path / "report.json").read_text(encoding="utf-8") == to_json(result)
    assert (tmp_path / "report.md").read_text(encoding="utf-8") == to_markdown(result)
