"""The client's memory apart from the scheduler's: ``reconcile scan --engine dask://`` against a
``dask scheduler`` and two ``dask worker`` processes started here, on generated corpora of the
given sizes; wall time, docs/s and the peak RSS of the client, the scheduler and each worker
(process trees sampled every 0.2 s).  ``bench_distributed.py`` runs a local cluster, whose
scheduler lives in the client's process.

    python bench/bench_distributed_client.py 100000 250000
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from distributed_corpus import write_reports  # noqa: E402

BIN = Path(sys.executable).parent
PORT = "8799"
WORKER_FLAGS = ("--nthreads", "1", "--dashboard-address", ":0")


def peaks_while(processes: dict[str, psutil.Process], running: subprocess.Popen) -> dict[str, float]:
    """Peak RSS (MiB) of each process tree while ``running`` runs."""
    peaks = dict.fromkeys(processes, 0.0)
    while running.poll() is None:
        for name, process in processes.items():
            try:
                rss = sum(p.memory_info().rss for p in [process, *process.children(recursive=True)])
            except psutil.NoSuchProcess:
                continue
            peaks[name] = max(peaks[name], rss / 2**20)
        time.sleep(0.2)
    return peaks


def main() -> None:
    for n in map(int, sys.argv[1:] or ["100000", "250000"]):
        folder = Path(tempfile.mkdtemp(prefix="bench-client-"))
        corpus = write_reports(folder / "corpus.jsonl", n)
        scheduler = subprocess.Popen(
            [str(BIN / "dask"), "scheduler", "--port", PORT, "--dashboard-address", ":0"], stderr=subprocess.DEVNULL
        )
        time.sleep(4)
        workers = [
            subprocess.Popen(
                [str(BIN / "dask"), "worker", f"tcp://127.0.0.1:{PORT}", *WORKER_FLAGS],
                stderr=subprocess.DEVNULL,
            )
            for _ in range(2)
        ]
        time.sleep(6)
        try:
            start = time.perf_counter()
            client = subprocess.Popen(
                [sys.executable, "-m", "reconcile.cli", "scan", str(corpus), "--engine", f"dask://127.0.0.1:{PORT}",
                 "--tables", str(folder / "tables"), "--format", "json", "--max-bytes", "8G"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )  # fmt: skip
            processes = {"client": psutil.Process(client.pid), "scheduler": psutil.Process(scheduler.pid)}
            processes.update({f"worker {k}": psutil.Process(w.pid) for k, w in enumerate(workers, start=1)})
            peaks = peaks_while(processes, client)
            wall = time.perf_counter() - start
            status = "ok" if client.wait() == 0 else "FAILED"
            shown = ", ".join(f"{name} {peak:,.0f}" for name, peak in peaks.items())
            print(f"{n:>10,} documents: {wall:6.0f} s, {n / wall:5,.0f} docs/s, {status}; peak RSS MiB: {shown}")
        finally:
            for process in [*workers, scheduler]:
                process.terminate()
            for process in [*workers, scheduler]:
                process.wait()
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
