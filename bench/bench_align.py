"""Time to align and diverge a 40-sentence pair, beside a difflib baseline in the same run.

The pair is made of real news sentences: 40 STS Benchmark news pairs (MSRpar),
side A their first sentences, side B their second, with three of B's
paragraphs moved and four sentences of B replaced by unrelated ones, so the
moved-sentence pass and the skips do work too.

The baseline is what one writes with the standard library alone: difflib's
ratio for every sentence pair, the best partner of each sentence above the same
threshold, and a difflib word diff of each pair.

Run: ``python bench/bench_align.py [--repeat N]``.  Prints medians in ms.
"""

from __future__ import annotations

import argparse
import difflib
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from reconcile.comparison.align import MIN_SIMILARITY, _sorted_words, align, content_bag
from reconcile.comparison.attribution import attributed_quotes
from reconcile.comparison.diverge import _folded, _quotes, _roots, _words_of, diverge
from reconcile.comparison.evidence import (
    americanised,
    detect_language,
    is_word,
    lemma,
    meaning_similarity,
    transliteration_key,
)
from reconcile.model import Document, Sentence
from reconcile.text.lexicon import joined, zipf
from reconcile.text.normalize import token_spans

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


def ours_cold(a: Document, b: Document) -> int:
    """As a first comparison of two new reports: no sentence seen before."""
    caches = (
        token_spans,
        _words_of,
        _quotes,
        attributed_quotes,
        _folded,
        americanised,
        _roots,
        content_bag,
        _sorted_words,
        # the evidence's word caches: a new pair brings new words (the lexicons stay loaded)
        zipf,
        is_word,
        joined,
        lemma,
        transliteration_key,
        meaning_similarity,
        detect_language,
    )
    for cache in caches:
        cache.cache_clear()
    return ours(a, b)


Method = Callable[[Document, Document], int]


def timed(methods: Sequence[Method], a: Document, b: Document, repeat: int) -> list[tuple[float, float, int]]:
    """Median wall and process-CPU ms and the output of each method, run in turns so that all of them
    meet the same load.  CPU time is what the process itself spent: on a shared machine it moves
    less than wall time with the neighbours' jobs."""
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
    return [(statistics.median(w), statistics.median(c), r) for w, c, r in zip(walls, cpus, results, strict=True)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    if not STS.is_file():
        print(f"{STS} is absent", file=sys.stderr)
        return 1
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
