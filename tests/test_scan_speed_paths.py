"""Fast paths of ``reconcile scan`` (issue 14) give what the plain paths give."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconcile.io.atomic import clear_stale_folder
from tests.conftest import SAMPLES


def _dead_pid() -> int:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


def test_a_folder_sweep_clears_dead_runs_temporaries_of_every_file_and_keeps_live_ones(tmp_path: Path) -> None:
    dead = _dead_pid()
    stale = [tmp_path / f".a.json.{dead}.x1y2z3ab.partial", tmp_path / f".b.c.html.{dead}.q_w.partial"]
    live = [tmp_path / f".a.json.{os.getpid()}.abc.partial", tmp_path / f".a.json.{os.getppid()}.abc.partial"]
    kept = [tmp_path / "a.json", tmp_path / f".{dead}.partial", tmp_path / f"x.{dead}.y.partial"]
    for path in stale + live + kept:
        path.write_text("half")
    clear_stale_folder(tmp_path)
    clear_stale_folder(tmp_path / "absent")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in live + kept)


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_report_files_written_by_workers_are_the_files_written_by_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reconcile import report
    from reconcile.pipeline import load_documents, scan

    docs, _ = load_documents([str(SAMPLES / "articles")])
    result = scan(docs)
    serial = report.write_reports(result, tmp_path / "serial", workers=1)
    monkeypatch.setattr(report, "PARALLEL_FILES", 1)
    monkeypatch.setattr(report, "FILES_TASK", 1)
    parallel = report.write_reports(result, tmp_path / "parallel", workers=2)
    assert [p.relative_to(tmp_path / "serial") for p in serial] == [
        p.relative_to(tmp_path / "parallel") for p in parallel
    ]
    files = _tree(tmp_path / "serial")
    assert sorted(files) == sorted(str(p.relative_to(tmp_path / "serial")) for p in serial)
    assert files == _tree(tmp_path / "parallel")
    assert len([name for name in files if name.startswith("pairs/")]) == 3 * len(result.pairs)


def test_json_on_stdout_with_an_output_folder_is_report_json(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from reconcile.cli import main
    from reconcile.pipeline import load_documents, scan
    from reconcile.report import to_json

    run = CliRunner().invoke(main, ["scan", str(SAMPLES / "articles"), "--format", "json", "-o", str(tmp_path)])
    assert run.exit_code == 0, run.output
    written = (tmp_path / "report.json").read_text(encoding="utf-8")
    assert run.stdout == written
    docs, _ = load_documents([str(SAMPLES / "articles")])
    assert json.loads(written)["pairs"] == json.loads(to_json(scan(docs)))["pairs"]


_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
)
_keys = st.text() | st.integers() | st.floats() | st.booleans() | st.none()
_json_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=5)
    | st.lists(inner, max_size=5).map(tuple)
    | st.dictionaries(_keys, inner, max_size=5),
    max_leaves=40,
)


@settings(max_examples=400, deadline=None)
@given(_json_values, st.integers(min_value=0, max_value=3))
def test_json_text_is_the_standard_librarys_indented_json(value: object, level: int) -> None:
    from reconcile.report import json_text

    expected = json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + "  " * level)
    assert json_text(value, level) == expected


def test_json_text_refuses_what_json_refuses() -> None:
    from reconcile.report import json_text

    with pytest.raises(TypeError):
        json_text({"a": {1, 2}})
    with pytest.raises(TypeError):
        json_text({(1, 2): 3})
