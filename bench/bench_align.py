"""Time to align and diverge a 40-sentence pair, beside a difflib baseline in the same run.

The pair is made of real news sentences: 40 STS Benchmark news pairs (MSRpar),
side A their first sentences, side B their second, with three of B's
paragraphs moved and four sentences of B replaced by unrelated ones, so the
moved-sentence pass and the skips do work too.

The baseline is what one writes with the standard library alone: difflib's
ratio for every sentence pair, the best partner of each sentence above the same
threshold, and a difflib word diff of each pair.

"Sentences new" clears every cache the comparison keeps of a word, a sentence or a
text before each run (``WORD_CACHES``), as a first comparison of two new reports
meets them; "sentences seen" keeps them, as a scan that compares each report
with many partners does.

Run: ``python bench/bench_align.py [--repeat N]``.  Prints medians in ms.  With
``RECONCILE_NO_FLUENCY=1`` it times the default install (no language model reading
candidate slips, the ``fluency`` extra's separate cost).

``--old DIR`` times a checkout of older code (``git worktree add DIR REV``) against
this one instead: each in its own process, first on ``PYTHONPATH``, taking turns
``--rounds`` times with ``--repeat`` runs a turn, and checks that both find the
same alignments and divergences, both ways round.
"""

from __future__ import annotations

import argparse
import difflib
import functools
import hashlib
import importlib
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from reconcile.comparison.align import MIN_SIMILARITY, align
from reconcile.comparison.diverge import diverge
from reconcile.model import Document, Sentence

STS = Path(__file__).resolve().parents[2] / "shared" / "data" / "stsbenchmark" / "sts-test.csv"
SENTENCES = 40


def _document(doc_id: str, sentences: list[str]) -> Document:
    text = ""
    spans = []
    for i, s in enumerate(sentences):
        start = len(text)
        text += s + "\n\n"
        spans.append(Sentence(i, start, start + len(s), s))
    return Document(id=doc_id, text=text, published="2022-03-25", sentences=tuple(spans))


def make_pair(seed: int = 7) -> tuple[Document, Document]:
    rows = [line.split("\t") for line in STS.read_text(encoding="utf-8").splitlines()]
    news = [r for r in rows if len(r) >= 7 and r[1] == "MSRpar"]
    rng = random.Random(seed)
    chosen = rng.sample(news, SENTENCES + 4)
    a = [r[5] for r in chosen[:SENTENCES]]
    b = [r[6] for r in chosen[:SENTENCES]]
    for n, r in enumerate(chosen[SENTENCES:]):
        b[5 + 9 * n] = r[6]
    b = b[:10] + b[20:25] + b[10:20] + b[25:]  # two paragraphs swap places
    return _document("a", a), _document("b", b)


def baseline(a: Document, b: Document) -> int:
    """difflib only: ratio matrix, best partner above threshold, word diff of each pair."""
    a_words = [s.text.casefold().split() for s in a.sentences]
    b_words = [s.text.casefold().split() for s in b.sentences]
    changes = 0
    used: set[int] = set()
    for x in a_words:
        scores = [(difflib.SequenceMatcher(None, x, y).ratio(), j) for j, y in enumerate(b_words) if j not in used]
        best, j = max(scores, default=(0.0, -1))
        if best >= MIN_SIMILARITY:
            used.add(j)
            ops = difflib.SequenceMatcher(None, x, b_words[j], autojunk=False).get_opcodes()
            changes += sum(op != "equal" for op, *_ in ops)
    return changes


def ours(a: Document, b: Document) -> int:
    groups = align(a.sentences, b.sentences)
    return len(diverge(a, b, groups))


WORD_CACHES = {
    "reconcile.text.normalize": ("token_spans", "_quote_spans"),
    "reconcile.text.lexicon": ("zipf", "joined"),
    "reconcile.text.fluency": ("window_fit", "_reading", "_first_token"),
    "reconcile.comparison.align": ("content_bag", "_sorted_words"),
    "reconcile.comparison.attribution": ("attributed_quotes",),
    "reconcile.comparison.diverge": (
        "_words_of",
        "_quotes",
        "_folded",
        "_written_words",
        "_writes",
        "_roots",
        "_prefix_negates",
    ),
    "reconcile.comparison.evidence": (
        "americanised",
        "is_word",
        "lemma",
        "foreign_word",
        "look_alike",
        "context_fit",
        "transliteration_key",
        "meaning_similarity",
        "written_capitalised",
        "detect_language",
    ),
}
"""Every cache the comparison keeps of a word, a sentence or a text: a new pair brings new ones.  The
word lists, counts and models stay loaded.  (Until 2026-12-07 the list left out ``foreign_word``,
``_writes``, ``context_fit``, ``look_alike``, ``_prefix_negates``, ``written_capitalised`` and
``_quote_spans``, whose answers then came from the warm-up run: a third of the time a new pair takes.)"""


@functools.cache
def word_caches() -> list[Callable[[], None]]:
    """The ``cache_clear`` of each of ``WORD_CACHES`` this version of the library has."""
    found = []
    for module, names in WORD_CACHES.items():
        loaded = importlib.import_module(module)
        found += [
            getattr(loaded, name).cache_clear for name in names if hasattr(getattr(loaded, name, None), "cache_clear")
        ]
    return found


def ours_cold(a: Document, b: Document) -> int:
    """As a first comparison of two new reports: no word, sentence or text seen before."""
    for clear in word_caches():
        clear()
    return ours(a, b)


Method = Callable[[Document, Document], int]


def timings(
    methods: Sequence[Method], a: Document, b: Document, repeat: int
) -> tuple[list[list[float]], list[list[float]], list[int]]:
    """Wall and process-CPU ms of every run of each method, and its output, the methods taking turns so
    that all of them meet the same load."""
    for fn in methods:
        fn(a, b)  # warm caches (wordfreq, codespell tables) outside the timing
    walls: list[list[float]] = [[] for _ in methods]
    cpus: list[list[float]] = [[] for _ in methods]
    results = [0] * len(methods)
    for _ in range(repeat):
        for n, fn in enumerate(methods):
            started, cpu_started = time.perf_counter(), time.process_time()
            results[n] = fn(a, b)
            cpus[n].append((time.process_time() - cpu_started) * 1000)
            walls[n].append((time.perf_counter() - started) * 1000)
    return walls, cpus, results


def timed(methods: Sequence[Method], a: Document, b: Document, repeat: int) -> list[tuple[float, float, int]]:
    """Median wall and process-CPU ms and the output of each method.  CPU time is what the process
    itself spent: on a shared machine it moves less than wall time with the neighbours' jobs."""
    walls, cpus, results = timings(methods, a, b, repeat)
    return [(statistics.median(w), statistics.median(c), r) for w, c, r in zip(walls, cpus, results, strict=True)]


def digest(a: Document, b: Document) -> str:
    """What the comparison found, as a hash: old and new code must find the same, byte for byte."""
    groups = align(a.sentences, b.sentences)
    found = diverge(a, b, groups)
    mirrored = diverge(b, a, align(b.sentences, a.sentences))
    return hashlib.sha256(repr((groups, found, mirrored)).encode()).hexdigest()[:16]


COMPARED = {"new sentences": ours_cold, "sentences seen": ours, "difflib": baseline}
"""What ``--old`` times in each version's process."""


def worker(repeat: int) -> int:
    """One version's figures for ``--old``, as JSON on stdout: its library is the first on ``PYTHONPATH``."""
    a, b = make_pair()
    walls, cpus, _ = timings(list(COMPARED.values()), a, b, repeat)
    import reconcile

    print(json.dumps({"walls": walls, "cpus": cpus, "digest": digest(a, b), "library": reconcile.__file__}))
    return 0


def old_against_new(old: Path, rounds: int, repeat: int) -> int:
    """The old code and this one, each in its own process, taking turns ``rounds`` times (which goes
    first alternates), ``repeat`` runs of each method a turn; medians over all turns, and ratios."""
    root = Path(__file__).resolve().parents[1]
    figures: dict[str, dict[str, list[list[float]]]] = {
        name: {"walls": [[] for _ in COMPARED], "cpus": [[] for _ in COMPARED]} for name in ("old", "new")
    }
    per_turn: list[float] = []
    digests = {}
    for turn in range(rounds):
        order = (("old", old), ("new", root)) if turn % 2 == 0 else (("new", root), ("old", old))
        medians = {}
        for name, code in order:
            env = {**os.environ, "PYTHONPATH": str(code)}
            done = subprocess.run(
                [sys.executable, __file__, "--worker", "--repeat", str(repeat)],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            found = json.loads(done.stdout.splitlines()[-1])
            if not found["library"].startswith(str(code)):
                raise SystemExit(f"{name}: imported {found['library']}, not the code in {code}")
            digests[name] = found["digest"]
            for key in ("walls", "cpus"):
                for n, runs in enumerate(found[key]):
                    figures[name][key][n] += runs
            medians[name] = statistics.median(found["cpus"][0])
        per_turn.append(medians["old"] / medians["new"])
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"old: {old}; new: {root}; load average at the end {load}")
    print(f"{rounds} turns of {repeat} runs each, old and new alternating; medians of all {rounds * repeat} runs.")
    print(
        f"Same results: {'yes' if digests['old'] == digests['new'] else 'NO'} ({digests['old']} / {digests['new']})\n"
    )
    print("| method | old: median ms | CPU ms | new: median ms | CPU ms | old / new (wall) | old / new (CPU) |")
    print("|---|---|---|---|---|---|---|")
    for n, name in enumerate(COMPARED):
        old_wall, old_cpu = (statistics.median(figures["old"][k][n]) for k in ("walls", "cpus"))
        new_wall, new_cpu = (statistics.median(figures["new"][k][n]) for k in ("walls", "cpus"))
        print(
            f"| {name} | {old_wall:.1f} | {old_cpu:.1f} | {new_wall:.1f} | {new_cpu:.1f} "
            f"| {old_wall / new_wall:.2f} | {old_cpu / new_cpu:.2f} |"
        )
    print(f"\nold / new CPU, new sentences, turn by turn: {' '.join(f'{r:.2f}' for r in per_turn)}")
    return 0 if digests["old"] == digests["new"] else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--old", type=Path, help="a checkout of older code to time against this one, turn by turn")
    parser.add_argument("--rounds", type=int, default=6, help="turns of each version with --old (default 6)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not STS.is_file():
        print(f"{STS} is absent", file=sys.stderr)
        return 1
    if args.worker:
        return worker(args.repeat)
    if args.old is not None:
        return old_against_new(args.old.resolve(), args.rounds, args.repeat)
    a, b = make_pair()
    groups = align(a.sentences, b.sentences)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"Machine: 2 cores shared with other engineers' jobs (load average {load}).")
    print(f"Medians of {args.repeat} runs; the methods take turns, so each meets the same load.")
    print(
        f"pair: {len(a.sentences)} x {len(b.sentences)} sentences; {len(groups)} aligned groups, "
        f"{sum(g.moved for g in groups)} moved\n"
    )
    print("| method | median ms | median CPU ms | / difflib (wall) | output |")
    print("|---|---|---|---|---|")
    methods: dict[str, Method] = {
        "reconcile align + diverge, sentences new": ours_cold,
        "reconcile align + diverge, sentences seen (a scan diffs each against many partners)": ours,
        "align only (sentences seen)": lambda x, y: len(align(x.sentences, y.sentences)),
        "difflib baseline (ratio matrix + word diff)": baseline,
    }
    figures = dict(zip(methods, timed(list(methods.values()), a, b, args.repeat), strict=True))
    difflib_ms = figures["difflib baseline (ratio matrix + word diff)"][0]
    for name, (ms, cpu_ms, out) in figures.items():
        print(f"| {name} | {ms:.1f} | {cpu_ms:.1f} | {ms / difflib_ms:.2f} | {out} |")
    cold_ms = figures["reconcile align + diverge, sentences new"][0]
    verdict = "met" if cold_ms < 20 else "not met"
    print(f"\ntarget: align + diverge under 20 ms median (sentences new): {cold_ms:.1f} ms, {verdict} at this load")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
