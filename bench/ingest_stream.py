"""Reading a large JSON Lines file: time and peak memory of ingest, which reads line by line.

Writes a JSON Lines file of about SIZE_MB megabytes into a temporary folder and
iterates ``reconcile.ingest.iter_load`` over it, keeping only a count, so the
peak shows what reading costs apart from holding the documents.  Then the same
with the whole file read into memory first (``read_bytes_as``), for contrast.

    python bench/ingest_stream.py [SIZE_MB]
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from reconcile.ingest import InputOptions, iter_load, read_bytes_as

PARAGRAPH = (
    "Floodwaters poured through the lower districts of Orvenna on Friday after a spillway gate at the "
    "Kessel Ridge dam gave way during heavy overnight rain, provincial officials said. "
)


def write_corpus(path: Path, size_mb: int) -> int:
    records = 0
    with path.open("w", encoding="utf-8") as out:
        while out.tell() < size_mb * 1024 * 1024:
            records += 1
            text = f"Report {records}\n\n" + PARAGRAPH * 6
            out.write(json.dumps({"id": f"r{records}", "source": "Bench Wire", "text": text}) + "\n")
    return records


def measure(label: str, run) -> None:  # type: ignore[no-untyped-def]
    tracemalloc.start()
    started = time.perf_counter()
    count = run()
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label:<28} {count:>8} documents  {seconds:6.2f} s  peak traced memory {peak / 2**20:7.1f} MiB")


def main() -> None:
    size_mb = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.jsonl"
        records = write_corpus(path, size_mb)
        print(f"file: {path.stat().st_size / 2**20:.1f} MiB, {records} records")
        options = InputOptions(max_bytes=10 * 2**30)
        measure("streamed (iter_load)", lambda: sum(1 for _ in iter_load([str(path)], options=options)))
        measure("whole file (read_bytes_as)", lambda: len(read_bytes_as(path.read_bytes(), str(path), "big", options)))


if __name__ == "__main__":
    main()
