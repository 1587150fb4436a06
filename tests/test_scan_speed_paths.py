"""Fast paths of ``reconcile scan`` (issue 14) give what the plain paths give."""

from __future__ import annotations

import os
from pathlib import Path

from reconcile.io.atomic import clear_stale_folder


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
