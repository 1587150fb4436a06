"""Stream a large generated feed through ``reconcile dedup`` and print speed, memory and accuracy.

Items are news-length (12 sentences, ~150 words) built from real sentences of
the STS Benchmark and headlines of the UCI News Aggregator in ../shared/data.
A share of them are known copies of an earlier item:

* exact copies (new id, new source, same text);
* near copies: one sentence dropped, one word changed in two sentences, a
  byline added (shingle Jaccard about 0.7-0.85 with the original).

Every item's id says what it is (``o…`` original, ``x…`` exact copy, ``n…``
near copy), so precision and recall of the removed items are counted exactly.

    python bench/bench_dedup.py                    # 1,000,000 items, SQLite; 50,000 through Redis
    python bench/bench_dedup.py --items 200000 --redis-items 20000
    python bench/bench_dedup.py --redis-items 0    # no Redis run
    python bench/bench_dedup.py --cli --redis-items 0   # as a user runs it: the ``reconcile dedup`` command
    python bench/bench_dedup.py --cli --old /tmp/prev --rounds 2   # old checkout and this one, alternating

``--cli`` runs ``reconcile dedup FEED -o KEPT --index INDEX --map MAP.csv`` as a subprocess, as a
user does, and counts precision and recall from the map file; the in-process run (the default)
calls ``dedup_files`` and tells the main process's CPU from the reader process's.  ``--feed``
reuses a feed made by an earlier run (``--workdir``) instead of generating one.

Figures depend on the machine; this one is shared with other jobs, so items/s
is a floor, not a ceiling: the load average is printed at the start and end of
each run, and CPU time per item beside the wall figure.  Peak memory is the
process's maximum RSS (the reader process's is printed apart: ``ru_maxrss`` of
the children).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))

from reconcile.dedup.feeds import Read  # noqa: E402
from reconcile.dedup.stream import Decision, dedup_files  # noqa: E402

SOURCES = ["Northline Wire", "Tarn Valley Herald", "Kestrel News", "Dalmoor Daily", "Circuitry Weekly"]


def sentences() -> list[str]:
    found: set[str] = set()
    for name in ("sts-train.csv", "sts-dev.csv", "sts-test.csv"):
        with (DATA / "stsbenchmark" / name).open(encoding="utf-8") as handle:
            for line in handle:
                cols = line.rstrip("\n").split("\t")
                for text in cols[5:7]:
                    if len(text.split()) >= 6:
                        found.add(text.strip())
    return sorted(found)


def headlines() -> list[str]:
    with (DATA / "uci_news_aggregator_sample" / "uci-news-aggregator.first6366rows.csv").open(encoding="utf-8") as f:
        return sorted({row["TITLE"] for row in csv.DictReader(f)})


def generate(path: Path, items: int, dup_share: float, seed: int = 7) -> dict[str, int]:
    """Write the feed; return how many of each kind it holds."""
    rng = random.Random(seed)
    pool, titles = sentences(), headlines()
    vocab = sorted({w for s in pool[:2000] for w in s.split() if w.isalpha() and len(w) > 3})
    recent: list[tuple[int, list[str], str]] = []
    kinds = {"o": 0, "x": 0, "n": 0}
    with path.open("w", encoding="utf-8") as out:
        for n in range(items):
            day = 1 + n * 28 // max(items, 1)
            if recent and rng.random() < dup_share:
                origin, body, title = rng.choice(recent)
                if rng.random() < 0.5:
                    kind, text = "x", body
                else:
                    kind = "n"
                    text = list(body)
                    del text[rng.randrange(len(text))]
                    for k in rng.sample(range(len(text)), 2):
                        words = text[k].split()
                        words[rng.randrange(len(words))] = rng.choice(vocab)
                        text[k] = " ".join(words)
                    text = [f"By {rng.choice(SOURCES)} staff.", *text]
                item_id = f"{kind}{n}-{origin}"
            else:
                kind, origin = "o", n
                text = rng.sample(pool, 12)
                title = rng.choice(titles)
                item_id = f"o{n}"
                recent.append((n, text, title))
                if len(recent) > 5000:
                    recent.pop(rng.randrange(len(recent)))
            kinds[kind] += 1
            record = {
                "id": item_id,
                "title": title,
                "text": " ".join(text),
                "source": rng.choice(SOURCES),
                "published": f"2022-03-{day:02d}",
            }
            out.write(json.dumps(record) + "\n")
    return kinds


def rss_mib() -> float:
    """Peak resident memory of this process so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds(who: int = resource.RUSAGE_SELF) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def load() -> str:
    return "load average " + " / ".join(f"{x:.1f}" for x in os.getloadavg())


def current_mib() -> float:
    """Resident memory now (Linux), to show it stays flat as the feed grows."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except OSError:
        return float("nan")
    return pages * resource.getpagesize() / 2**20


def run(feed: Path, index: str, out: Path, total: int, label: str, batch_size: int) -> None:
    tally = {"tp": 0, "fp": 0, "fn": 0, "kept": 0, "removed": 0}
    checkpoints = {int(total * q) for q in (0.25, 0.5, 0.75)}
    memory: list[str] = []
    seen = 0

    def on_decision(_read: Read, decision: Decision) -> None:
        nonlocal seen
        seen += 1
        is_copy = decision.id[:1] in ("x", "n")
        if decision.decision == "removed":
            tally["removed"] += 1
            tally["tp" if is_copy else "fp"] += 1
        elif decision.decision == "kept":
            tally["kept"] += 1
            if is_copy:
                tally["fn"] += 1
        if seen in checkpoints:
            memory.append(f"{seen:,} items: {current_mib():.0f} MiB")

    for stale in (Path(index), Path(f"{index}-wal"), Path(f"{index}-shm"), out):
        stale.unlink(missing_ok=True)  # a rerun in the same --workdir would replay the journal
    print(f"[{label}] start: {load()}")
    start, cpu_start, child_start = time.perf_counter(), cpu_seconds(), cpu_seconds(resource.RUSAGE_CHILDREN)
    counts = dedup_files([feed], out, index, on_decision=on_decision, batch_size=batch_size)
    elapsed, cpu = time.perf_counter() - start, cpu_seconds() - cpu_start
    reader_cpu = cpu_seconds(resource.RUSAGE_CHILDREN) - child_start
    precision = tally["tp"] / max(tally["tp"] + tally["fp"], 1)
    recall = tally["tp"] / max(tally["tp"] + tally["fn"], 1)
    print(f"[{label}] {counts.line()}  (balanced: {counts.balanced()})")
    print(f"[{label}] end: {load()}")
    print(
        f"[{label}] {counts.read / elapsed:,.0f} items/s wall ({counts.read:,} items in {elapsed:.1f} s); "
        f"{counts.read / cpu:,.0f} items per CPU-second of this process ({cpu:.1f} s CPU, "
        f"{cpu / counts.read * 1e6:.0f} µs an item); reader process {reader_cpu:.1f} s CPU "
        f"({reader_cpu / counts.read * 1e6:.0f} µs an item)"
    )
    print(
        f"[{label}] peak memory (max RSS so far) {rss_mib():.0f} MiB, reader process "
        f"{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MiB; "
        f"resident along the run: {'; '.join(memory)}"
    )
    print(
        f"[{label}] removed-item precision {precision:.4f}, recall {recall:.4f} "
        f"(tp {tally['tp']:,}, fp {tally['fp']:,}, fn {tally['fn']:,})"
    )


def run_cli(
    feed: Path, workdir: Path, total: int, batch_size: int, code: Path = ROOT, label: str = "cli"
) -> dict[str, float]:
    """``reconcile dedup`` as a user runs it: a new process (the console script), map file and all,
    with the package imported from ``code`` (``PYTHONPATH``).  Returns the run's figures."""
    index, kept, map_path = workdir / "index.sqlite", workdir / "kept.jsonl", workdir / "map.csv"
    for stale in (index, Path(f"{index}-wal"), Path(f"{index}-shm"), kept, map_path):
        stale.unlink(missing_ok=True)
    script = Path(sys.executable).with_name("reconcile")
    head = [str(script)] if script.exists() else [sys.executable, "-m", "reconcile.cli"]
    command = [*head, "dedup", str(feed), "-o", str(kept), "--index", str(index), "--map", str(map_path),
               "--batch-size", str(batch_size)]  # fmt: skip
    print(f"[{label}] start: {load()}")
    print(f"[{label}] PYTHONPATH={code} {' '.join(command)}")
    env = {**os.environ, "PYTHONPATH": str(code)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: modules compiled once, then read from __pycache__
    start, child_start = time.perf_counter(), cpu_seconds(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    cpu = cpu_seconds(resource.RUSAGE_CHILDREN) - child_start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"[{label}] exit {done.returncode}: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ''}")
    tally = {"tp": 0, "fp": 0, "fn": 0}
    read = 0
    with map_path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            read += 1
            is_copy = row["id"][:1] in ("x", "n")
            if row["decision"] == "removed":
                tally["tp" if is_copy else "fp"] += 1
            elif row["decision"] == "kept" and is_copy:
                tally["fn"] += 1
    precision = tally["tp"] / max(tally["tp"] + tally["fp"], 1)
    recall = tally["tp"] / max(tally["tp"] + tally["fn"], 1)
    print(f"[{label}] end: {load()}")
    print(
        f"[{label}] {read / elapsed:,.0f} items/s wall ({read:,} of {total:,} items in {elapsed:.1f} s, the whole "
        f"command); CPU of the command's processes {cpu:.1f} s ({cpu / max(read, 1) * 1e6:.0f} µs an item, main "
        f"and reader together); peak RSS of the larger process {peak:.0f} MiB"
    )
    print(
        f"[{label}] removed-item precision {precision:.4f}, recall {recall:.4f} "
        f"(tp {tally['tp']:,}, fp {tally['fp']:,}, fn {tally['fn']:,})"
    )
    return {"rate": read / elapsed, "cpu_us": cpu / max(read, 1) * 1e6, "precision": precision, "recall": recall}


def old_against_new(feed: Path, workdir: Path, args: argparse.Namespace) -> None:
    """The command of the old checkout (``--old``) and of this one, ``--rounds`` times each, alternating,
    so both meet the same load on a shared machine; then the medians and their ratios."""
    runs: dict[str, list[dict[str, float]]] = {"old": [], "new": []}
    for _ in range(args.rounds):
        for name, code in (("old", args.old), ("new", ROOT)):
            runs[name].append(run_cli(feed, workdir, args.items, args.batch_size, code, name))
    print(f"reconcile dedup of {args.items:,} items, old ({args.old}) and new ({ROOT}), {args.rounds} round(s)")
    print("| code | median items/s wall | median CPU µs an item (all processes) | precision | recall |")
    print("|---|---|---|---|---|")
    median: dict[str, dict[str, float]] = {}
    for name in ("old", "new"):
        median[name] = {key: statistics.median(run[key] for run in runs[name]) for key in runs[name][0]}
        m = median[name]
        print(f"| {name} | {m['rate']:,.0f} | {m['cpu_us']:.0f} | {m['precision']:.4f} | {m['recall']:.4f} |")
    print(
        f"new / old: wall items/s {median['new']['rate'] / median['old']['rate']:.2f}x, "
        f"CPU an item {median['old']['cpu_us'] / median['new']['cpu_us']:.2f}x less"
    )


OPEN_INDEX = """
import resource, sys, time
from pathlib import Path
from reconcile.dedup.index import Params, SQLiteIndex
start = time.perf_counter()
index = SQLiteIndex(Path(sys.argv[1]), Params())
opened = time.perf_counter() - start
held, clusters = index.memory_bytes, index.cluster_count
print(f"tomorrow's run opening this index (a new process): {opened:.1f} s; its in-memory tables (buckets, "
      f"cluster ids, sketches) {held / 2**20:.0f} MiB for {clusters:,} clusters ({held / max(clusters, 1):.0f} B a "
      f"cluster); the process's peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
"""


def open_report(path: Path) -> str:
    """Open the finished index in a new process, as the next run would: what memory it holds, how fast."""
    done = subprocess.run(
        [sys.executable, "-c", OPEN_INDEX, str(path)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return done.stdout.strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_redis(feed: Path, workdir: Path, args: argparse.Namespace) -> None:
    """The first ``--redis-items`` items through a local ``redis-server`` started here."""
    server = shutil.which("redis-server")
    if server is None:
        print("[redis] skipped: redis-server is not installed")
        return
    small = workdir / "feed-redis.jsonl"
    with feed.open(encoding="utf-8") as src, small.open("w", encoding="utf-8") as dst:
        for n, line in enumerate(src):
            if n >= args.redis_items:
                break
            dst.write(line)
    port = free_port()
    proc = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        time.sleep(0.5)
        run(
            small,
            f"redis://127.0.0.1:{port}/0",
            workdir / "kept-redis.jsonl",
            min(args.redis_items, args.items),
            "redis",
            args.batch_size,
        )
    finally:
        proc.terminate()
        proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--redis-items", type=int, default=50_000)
    parser.add_argument("--dup-share", type=float, default=0.3)
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--workdir", type=Path, default=None, help="Where the feed and index go (default: a temp dir).")
    parser.add_argument("--cli", action="store_true", help="run the reconcile dedup command as a user does")
    parser.add_argument("--feed", type=Path, default=None, help="a feed made before (--items its size), not made anew")
    parser.add_argument(
        "--old",
        type=Path,
        default=None,
        help="with --cli: a checkout of the old code, run alternately with this one (ratios printed)",
    )
    parser.add_argument("--rounds", type=int, default=1, help="with --old: runs of each code (default 1)")
    args = parser.parse_args()
    if args.old is not None and not args.cli:
        parser.error("--old needs --cli")
    if not DATA.is_dir():
        sys.exit(f"bench_dedup: {DATA} is absent")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-dedup-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        feed = args.feed or workdir / "feed.jsonl"
        if args.feed is None:
            start = time.perf_counter()
            kinds = generate(feed, args.items, args.dup_share)
            print(
                f"generated {args.items:,} items ({feed.stat().st_size / 2**20:.0f} MiB): {kinds['o']:,} originals, "
                f"{kinds['x']:,} exact copies, {kinds['n']:,} near copies in {time.perf_counter() - start:.1f} s"
            )
        if args.cli and args.old is not None:
            old_against_new(feed, workdir, args)
            return
        if args.cli:
            run_cli(feed, workdir, args.items, args.batch_size)
            return
        run(feed, str(workdir / "index.sqlite"), workdir / "kept.jsonl", args.items, "sqlite", args.batch_size)
        print(f"[sqlite] index file {(workdir / 'index.sqlite').stat().st_size / 2**20:.0f} MiB")
        if args.redis_items:
            run_redis(feed, workdir, args)
        # last, so that its peak is not counted as the Redis run's reader process (RUSAGE_CHILDREN)
        print(f"[sqlite] {open_report(workdir / 'index.sqlite')}")
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
