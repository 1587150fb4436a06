"""Reading a large JSON Lines file: time and peak memory of the one reader, which streams it.

Writes a JSON Lines file of about SIZE_MB megabytes into a temporary folder (a
third of the reports plain ASCII, a third with curly quotes and dashes, a sixth
with accented names, a sixth with mojibake) and iterates
``reconcile.io.read.iter_load`` over it with the default options, keeping only a
count, so the peak shows what reading costs apart from holding the documents.
Then, in the same run:

* the same with ftfy run on every text that is not ASCII (the code before the
  cheap pre-checks of ``normalize.repair``), and the ratio;
* the whole file read into memory first (``read_bytes_as``), for contrast;
* a file holding one record of HUGE_MB megabytes among normal ones: the
  per-document limit passes over it in chunks, so the peak stays near the limit.

    python bench/ingest_stream.py [SIZE_MB] [HUGE_MB]
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from reconcile.io.fields import InputOptions
from reconcile.io.read import iter_load, read_bytes_as
from reconcile.text import normalize

PARAGRAPHS = (
    "Floodwaters poured through the lower districts of Orvenna on Friday after a spillway gate at the "
    "Kessel Ridge dam gave way during heavy overnight rain, provincial officials said. ",
    "The minister’s office said “no decision” had been taken — residents were told to wait… ",
    "Mayor Zoë Hénault and engineer José Müller inspected the dam at Saint-Étienne-du-Lac. ",
    "The mayorâ€™s office said the cafÃ© on the quay would reopen. ",
)
KINDS = (0, 0, 1, 1, 2, 3)


def write_corpus(path: Path, size_mb: int) -> int:
    records = 0
    with path.open("w", encoding="utf-8") as out:
        while out.tell() < size_mb * 1024 * 1024:
            records += 1
            text = f"Report {records}\n\n" + PARAGRAPHS[0] * 3 + PARAGRAPHS[KINDS[records % len(KINDS)]] * 3
            out.write(json.dumps({"id": f"r{records}", "source": "Bench Wire", "text": text}) + "\n")
    return records


def measure(label: str, run: Callable[[], int]) -> None:
    """Peak memory (tracemalloc, which slows the run: its time is not a speed figure)."""
    tracemalloc.start()
    count = run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label:<40} {count:>8} documents  peak traced memory {peak / 2**20:7.1f} MiB")


def best_seconds(run: Callable[[], int]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


BEFORE = re.compile(r"[&\x00-\x08\x0b-\x1f\x7f]")
"""The check of the code before: ftfy ran on every text but ASCII without these."""


def ftfy_on_all_non_ascii() -> Callable[[str], bool]:
    """Swaps the cheap checks for the code before's; returns the original."""
    cheap_check = normalize.needs_ftfy
    normalize.needs_ftfy = lambda text: not text.isascii() or bool(BEFORE.search(text))
    return cheap_check


def main() -> None:
    size_mb = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    huge_mb = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.jsonl"
        records = write_corpus(path, size_mb)
        print(f"file: {path.stat().st_size / 2**20:.1f} MiB, {records} records")
        options = InputOptions()  # default options: --max-bytes does not apply to a streamed file

        def read() -> int:
            return sum(1 for _ in iter_load([str(path)], options=options))

        read()  # warm-up: imports, word lists, compiled patterns
        times: dict[str, list[float]] = {"new": [], "old": []}
        for _ in range(2):  # alternated, so both share the machine's state
            times["new"].append(best_seconds(read))
            cheap_check = ftfy_on_all_non_ascii()
            try:
                times["old"].append(best_seconds(read))
            finally:
                normalize.needs_ftfy = cheap_check
        new, old = min(times["new"]), min(times["old"])
        print(f"read, cheap checks first:        {records / new:8.0f} docs/s ({new:.2f} s, best of 2)")
        print(f"read, ftfy on all non-ASCII:     {records / old:8.0f} docs/s ({old:.2f} s, best of 2)")
        print(f"ratio: {old / new:.2f}x the speed of the code before")
        measure("streamed, default options", read)
        whole = InputOptions(max_bytes=10 * 2**30)
        measure("whole file (read_bytes_as)", lambda: len(read_bytes_as(path.read_bytes(), str(path), "big", whole)))
        path.unlink()
        huge = Path(folder) / "huge.jsonl"
        with huge.open("w", encoding="utf-8") as out:
            for n in range(12):
                if n == 6:
                    out.write('{"id": "huge", "text": "' + "word " * (huge_mb * 2**20 // 5) + '"}\n')
                out.write(json.dumps({"id": f"n{n}", "text": PARAGRAPHS[0] * 4}) + "\n")
        print(f"file: {huge.stat().st_size / 2**20:.1f} MiB, one record of {huge_mb} MiB among 12")
        measure("one huge record, default options", lambda: sum(1 for _ in iter_load([str(huge)], options=options)))


if __name__ == "__main__":
    main()
