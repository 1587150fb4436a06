"""Wall time of a whole ``reconcile compare`` process on the two Donfried seeds, old code against new.

A user runs ``reconcile compare A B`` once and waits for the whole process: interpreter,
imports, the word tables, the comparison, the report.  This runs exactly that as a subprocess
(the ``reconcile`` console script, report to a pipe, so JSON), ``--runs`` times for each of two
checkouts, alternating them so both see the same load on a shared machine, and prints the median
and fastest wall times and the ratio.  The old code is a git worktree of ``--old-ref`` made for the
run (or ``--old DIR``), imported through ``PYTHONPATH`` in the same virtualenv.

The new code keeps its word tables in a cache dir (``reconcile.wordtables``): the runs use their own
cache dir, so the first run of the new code, which builds the tables, is timed apart ("first run
ever"), and the others read them as every later run on a machine does.  Both codes' reports must be
byte for byte the same, or the script says so and exits 1.

Run: ``python bench/bench_startup.py [--runs 20] [--old-ref bac0ef1] [--seeds ../shared/seeds]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
CACHE_ENV = "RECONCILE_CACHE_DIR"


def _command(seeds: Path) -> list[str]:
    script = Path(sys.executable).with_name("reconcile")
    a, b = (next(seeds.glob(f"{prefix}_*.txt")) for prefix in ("000", "001"))
    head = [str(script)] if script.exists() else [sys.executable, "-m", "reconcile.cli"]
    return [*head, "compare", str(a), str(b)]


def _run(command: list[str], code: Path, cache: Path) -> tuple[float, bytes]:
    env = {**os.environ, "PYTHONPATH": str(code), CACHE_ENV: str(cache)}
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, check=True)
    return (time.perf_counter() - start) * 1000, done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20, help="timed runs of each code (default 20)")
    parser.add_argument("--old-ref", default="bac0ef1", help="git revision of the old code (default bac0ef1)")
    parser.add_argument("--old", type=Path, help="a checkout of the old code, instead of a worktree of --old-ref")
    parser.add_argument("--seeds", type=Path, default=SEEDS, help="folder of the seeds (000_*.txt, 001_*.txt)")
    args = parser.parse_args()
    if not args.seeds.is_dir():
        print(f"no seeds at {args.seeds}", file=sys.stderr)
        return 2
    command = _command(args.seeds)
    work = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    old = args.old
    try:
        if old is None:
            old = work / "old"
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(old), args.old_ref],
                           check=True, capture_output=True)  # fmt: skip
        cache = work / "cache"
        first_ms, new_out = _run(command, ROOT, cache)
        _, old_out = _run(command, old, cache)  # warms the old code's imports as the new one's were
        times: dict[str, list[float]] = {"old": [], "new": []}
        for _ in range(args.runs):
            for name, code in (("old", old), ("new", ROOT)):
                ms, out = _run(command, code, cache)
                times[name].append(ms)
                if out != (old_out if name == "old" else new_out):
                    print(f"{name} code gave another report on a later run", file=sys.stderr)
                    return 1
        same = old_out == new_out
        print(f"reconcile compare of the two Donfried seeds, whole process, {args.runs} runs each, alternating")
        print(f"old: {old} ({args.old_ref if args.old is None else 'given'}); new: {ROOT}")
        print("| code | median ms | fastest ms | slowest ms |")
        print("|---|---|---|---|")
        for name in ("old", "new"):
            t = times[name]
            print(f"| {name} | {statistics.median(t):.0f} | {min(t):.0f} | {max(t):.0f} |")
        ratio = statistics.median(times["old"]) / statistics.median(times["new"])
        print(f"median old / new: {ratio:.2f}x")
        print(f"new code's first run ever (builds the word tables into an empty cache dir): {first_ms:.0f} ms")
        print(f"reports byte for byte the same: {'yes' if same else 'NO'}")
        return 0 if same else 1
    finally:
        if args.old is None and old is not None and old.exists():
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
