"""``reconcile scan --engine dask`` beside ``--engine local`` on the pairing bench's corpus, then larger.

In one run:

1. the 100,000-document corpus of ``bench/bench_pairing.py`` (``build_corpus``: real sentences
   from ../shared/data; or, with ``--generated`` or without that folder, the tests'
   word-edited corpus, ``tests/distributed_corpus.py``), as one JSON Lines file, through
   ``reconcile scan FILE -o DIR`` (``--engine local``) and ``--engine dask --workers 2``, each a
   subprocess as a user runs it: wall time, docs/s, relations and clusters of both, and peak
   RSS per process (sampled every 0.2 s with psutil over the process tree: the client, which
   holds the local cluster's scheduler too, and each worker);
2. larger generated corpora (``--large``, default 250,000 and 1,000,000; the tests' generator,
   streamed to disk) through the local cluster alone: docs/s and the same memory figures, so
   the client's peak can be read against the corpus size.

    python bench/bench_distributed.py [--docs 100000] [--large 250000 1000000] [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from distributed_corpus import write_reports  # noqa: E402

DATA = ROOT.parent / "shared" / "data"


def sampled_run(command: list[str]) -> tuple[float, dict[str, float], str]:
    """Run ``command``; its wall seconds, the peak RSS (MiB) of the client and of each Dask worker
    (``worker 1``, ``worker 2``, in order of appearance), and its stderr."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    root = psutil.Process(process.pid)
    peaks: dict[int, float] = {}
    roles: dict[int, str] = {}
    while process.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        for proc in tree:
            try:
                rss = proc.memory_info().rss / 2**20
                if proc.pid not in roles:
                    cmdline = " ".join(proc.cmdline())
                    roles[proc.pid] = (
                        "client"
                        if proc.pid == process.pid
                        else ("worker" if "spawn_main" in cmdline or "multiprocessing" in cmdline else "other")
                    )
            except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
                continue
            peaks[proc.pid] = max(peaks.get(proc.pid, 0.0), rss)
        time.sleep(0.2)
    stderr = process.stderr.read() if process.stderr else ""
    wall = time.perf_counter() - start
    if process.wait() != 0:
        raise SystemExit(f"{' '.join(command)} failed: {stderr[-2000:]}")
    named: dict[str, float] = {"client": peaks.get(process.pid, 0.0)}
    others = [pid for pid in peaks if pid != process.pid]
    for n, pid in enumerate(sorted(others, key=lambda p: -peaks[p])[:4], start=1):
        named[f"process {n} ({roles.get(pid, '?')})"] = peaks[pid]
    return wall, named, stderr


def scan_command(path: Path, out: Path, engine: str, workers: int) -> list[str]:
    return [
        sys.executable, "-m", "reconcile.cli", "scan", str(path), "-o", str(out), "--format", "json",
        "--max-bytes", "8G", "--workers", str(workers), "--engine", engine,
    ]  # fmt: skip


def run_local(path: Path, workers: int) -> dict:
    out = Path(tempfile.mkdtemp(prefix="bench-local-"))
    wall, peaks, _ = sampled_run(scan_command(path, out, "local", workers))
    with open(out / "report.json", encoding="utf-8") as f:
        report = json.load(f)
    result = {
        "wall": wall,
        "peaks": peaks,
        "relations": dict(sorted(Counter(p["relation"] for p in report["pairs"]).items())),
        "clusters": len(report["clusters"]),
        "documents": len(report["documents"]),
        "pairs": {(p["a"], p["b"], p["relation"]) for p in report["pairs"]},
        "cluster_sets": {(tuple(c["documents"]), c["canonical"]) for c in report["clusters"]},
    }
    del report
    shutil.rmtree(out)
    return result


def run_dask(path: Path, workers: int, keep_tables: bool = False) -> dict:
    root = Path(tempfile.mkdtemp(prefix="bench-dask-"))
    out = root / "tables"  # scan -o DIR writes its tables under DIR/tables
    wall, peaks, _ = sampled_run(scan_command(path, root, "dask", workers))
    summary = json.loads((out / "summary.json").read_text())
    sizes = {
        name: sum(p.stat().st_size for p in (out / name).glob("*.parquet")) / 2**20
        for name in ("documents", "pairs", "clusters", "_signatures")
        if (out / name).exists()
    }
    result = {
        "wall": wall,
        "peaks": peaks,
        "relations": summary["relations"],
        "clusters": summary["clusters"],
        "documents": summary["documents"],
        "candidates": summary["candidate_pairs"],
        "shuffled": summary.get("shuffled", {}),
        "seconds": summary.get("seconds", {}),
        "table_mib": sizes,
    }
    if keep_tables:
        from reconcile.engine.dask import read_table

        pairs = read_table(out, "pairs")
        clusters = read_table(out, "clusters")
        result["pairs"] = set(zip(pairs["a"], pairs["b"], pairs["relation"], strict=True))
        result["cluster_sets"] = {
            (tuple(d), c) for d, c in zip(clusters["documents"], clusters["canonical"], strict=True)
        }
    shutil.rmtree(root)
    return result


def show(name: str, n: int, result: dict) -> None:
    peaks = ", ".join(f"{k} {v:,.0f}" for k, v in result["peaks"].items())
    print(f"  {name:<22} {result['wall']:7.1f} s  {n / result['wall']:8,.0f} docs/s  peak RSS MiB: {peaks}")
    print(f"  {'':<22} relations {result['relations']}, clusters {result['clusters']:,}")
    if "table_mib" in result:
        tables = ", ".join(f"{k} {v:,.1f}" for k, v in result["table_mib"].items())
        print(f"  {'':<22} candidates {result['candidates']:,}; tables on disk MiB: {tables}")
        print(f"  {'':<22} shuffled {result['shuffled']}; seconds by stage {result['seconds']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--generated", action="store_true", help="Use the tests' generated corpus for step 1 too.")
    parser.add_argument("--large", type=int, nargs="*", default=[250_000, 1_000_000])
    parser.add_argument("--no-local", action="store_true", help="Skip --engine local in step 1.")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-distributed-"))
    clients: list[tuple[int, float, float]] = []  # documents, client peak MiB, docs/s
    try:
        path = folder / "corpus.jsonl"
        t = time.perf_counter()
        if args.data.is_dir() and not args.generated:
            from bench_pairing import build_corpus

            docs, _ = build_corpus(args.docs, args.data)
            with open(path, "w", encoding="utf-8") as f:
                for d in docs:
                    f.write(json.dumps(d, ensure_ascii=False) + "\n")
            del docs
            kind = f"bench_pairing.build_corpus from {args.data}"
        else:
            write_reports(path, args.docs)
            kind = "tests/distributed_corpus.py (word-edited)"
        print(f"corpus: {args.docs:,} documents, {path.stat().st_size / 2**20:,.0f} MiB, {kind} "
              f"(built in {time.perf_counter() - t:.0f} s)")  # fmt: skip
        print(f"\n1. {args.docs:,} documents, {args.workers} processes each:")
        local = None
        if not args.no_local:
            local = run_local(path, args.workers)
            show("--engine local", args.docs, local)
        dask = run_dask(path, args.workers, keep_tables=local is not None)
        show("--engine dask", args.docs, dask)
        clients.append((args.docs, dask["peaks"]["client"], args.docs / dask["wall"]))
        if local is not None:
            print(
                f"  same pairs and relations: {local['pairs'] == dask['pairs']} "
                f"({len(local['pairs'] ^ dask['pairs'])} differ); "
                f"same clusters and canonicals: {local['cluster_sets'] == dask['cluster_sets']}"
            )
        path.unlink()
        for n in args.large:
            large = folder / f"large-{n}.jsonl"
            t = time.perf_counter()
            write_reports(large, n)
            print(f"\n2. {n:,} generated documents ({large.stat().st_size / 2**20:,.0f} MiB, "
                  f"written in {time.perf_counter() - t:.0f} s), local cluster of {args.workers} workers:")  # fmt: skip
            large_run = run_dask(large, args.workers)
            show("--engine dask", n, large_run)
            clients.append((n, large_run["peaks"]["client"], n / large_run["wall"]))
            large.unlink()
            print("\nclient peak RSS against the corpus (the client holds the scheduler too):")
            for docs, peak, rate in clients:
                print(f"  {docs:>10,} documents: client {peak:6,.0f} MiB, {rate:6,.0f} docs/s")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
