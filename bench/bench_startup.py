"""Wall time of a whole ``reconcile compare`` process on the two Donfried seeds, old code against new.

A user runs ``reconcile compare A B`` once and waits for the whole process: interpreter,
imports, the word tables, the comparison, the report.  This runs exactly that as a subprocess
(the ``reconcile`` console script, report to a pipe, so JSON), ``--runs`` times for each of two
checkouts, alternating them so both see the same load on a shared machine, and prints the median
and fastest wall times and the ratio.  The old code is a git worktree of ``--old-ref`` made for the
run (or ``--old DIR``), imported through ``PYTHONPATH`` in the same virtualenv.

The new code keeps its word tables in a cache dir (``reconcile.text.wordtables``): the runs use their own
cache dir, so the first run of the new code, which builds the tables, is timed apart ("first run
ever"), and the others read them as every later run on a machine does.  Both codes' reports must be
byte for byte the same, or the script says so and exits 1.

Run: ``python bench/bench_startup.py [--runs 20] [--old-ref bac0ef1] [--seeds ../shared/seeds]``.
"""

from __future__ import annotations

import argparse
import os
import resource
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


FLOORS = {
    "python -c pass": "pass",
    "python -c 'import numpy'": "import numpy",
    "the same, one BLAS thread as the CLI asks": "import os; os.environ['OPENBLAS_NUM_THREADS'] = '1'; import numpy",
    "import reconcile.cli (new code)": "import reconcile.cli",
}
"""What any run costs on this machine at this load: the interpreter; numpy's import, which the
comparison needs (pairing's features are numpy sets, rapidfuzz's ``cdist`` in alignment and
divergence gives numpy arrays), as a plain ``import numpy`` and with the one BLAS thread the command
line asks for (``reconcile/_process.py``); and the new code's imports without the comparison (the rest
of a run is reading, comparing and writing)."""


def _command(seeds: Path) -> list[str]:
    script = Path(sys.executable).with_name("reconcile")
    a, b = (next(seeds.glob(f"{prefix}_*.txt")) for prefix in ("000", "001"))
    head = [str(script)] if script.exists() else [sys.executable, "-m", "reconcile.cli"]
    return [*head, "compare", str(a), str(b)]


def _run(command: list[str], code: Path, cache: Path) -> tuple[float, float, bytes]:
    """Wall ms, CPU ms (user + system, the child's) and the report of one run."""
    env = {**os.environ, "PYTHONPATH": str(code), CACHE_ENV: str(cache)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: modules compiled once, then read from __pycache__
    env.pop("OPENBLAS_NUM_THREADS", None)  # each code and each floor sets it, or not, as for a user
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, check=True)
    wall = (time.perf_counter() - start) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    return wall, cpu, done.stdout


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
    load_before = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    old = args.old
    try:
        if old is None:
            old = work / "old"
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(old), args.old_ref],
                           check=True, capture_output=True)  # fmt: skip
        cache = work / "cache"
        first_ms, _, new_out = _run(command, ROOT, cache)
        _, _, old_out = _run(command, old, cache)  # compiles the old code's modules as the first run did the new
        times: dict[str, list[float]] = {"old": [], "new": []}
        cpus: dict[str, list[float]] = {"old": [], "new": []}
        floors: dict[str, list[float]] = {name: [] for name in FLOORS}
        for _ in range(args.runs):
            for name, code in (("old", old), ("new", ROOT)):
                ms, cpu, out = _run(command, code, cache)
                times[name].append(ms)
                cpus[name].append(cpu)
                if out != (old_out if name == "old" else new_out):
                    print(f"{name} code gave another report on a later run", file=sys.stderr)
                    return 1
            for name, floor in FLOORS.items():
                floors[name].append(_run([sys.executable, "-c", floor], ROOT, cache)[0])
        same = old_out == new_out
        print(f"reconcile compare of the two Donfried seeds, whole process, {args.runs} runs each, alternating")
        print(f"old: {old} ({args.old_ref if args.old is None else 'given'}); new: {ROOT}")
        load = os.getloadavg()
        print(f"load average before: {load_before[0]:.2f}, after: {load[0]:.2f} ({os.cpu_count()} cores)")
        print("| code | median wall ms | fastest wall ms | slowest wall ms | median CPU ms (user+sys) |")
        print("|---|---|---|---|---|")
        for name in ("old", "new"):
            t, cpu = times[name], statistics.median(cpus[name])
            print(f"| {name} | {statistics.median(t):.0f} | {min(t):.0f} | {max(t):.0f} | {cpu:.0f} |")
        ratio = statistics.median(times["old"]) / statistics.median(times["new"])
        cpu_ratio = statistics.median(cpus["old"]) / statistics.median(cpus["new"])
        print(f"median old / new: wall {ratio:.2f}x, CPU {cpu_ratio:.2f}x")
        shown = ", ".join(f"{name} {statistics.median(ms):.0f} ms" for name, ms in floors.items())
        print(f"the same interpreter in the same minutes, median wall: {shown}")
        print(f"new code's first run ever (builds the word tables into an empty cache dir): {first_ms:.0f} ms")
        print(f"reports byte for byte the same: {'yes' if same else 'NO'}")
        return 0 if same else 1
    finally:
        if args.old is None and old is not None and old.exists():
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
