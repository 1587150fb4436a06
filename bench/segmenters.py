"""Compare sentence splitters on the seeds: time, sentence count, and where they disagree.

    python bench/segmenters.py

Prints, for pysbd, blingfire and syntok (each installed on demand: `pip install pysbd
blingfire`), the time to split the five seeds paragraph by paragraph and the number of
sentences, then every stretch where pysbd or blingfire splits differently from syntok, the
splitter `reconcile.text.segment` uses.  Reads ../shared/seeds; never copies it.
"""

from __future__ import annotations

import difflib
import time
from collections.abc import Callable
from pathlib import Path

from syntok import segmenter

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def paragraphs() -> list[str]:
    return [
        line
        for path in sorted(SEEDS.glob("0*.txt"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def split_syntok(paragraph: str) -> list[str]:
    out = []
    for para in segmenter.analyze(paragraph):
        for sentence in para:
            tokens = list(sentence)
            out.append(paragraph[tokens[0].offset : tokens[-1].offset + len(tokens[-1].value)].strip())
    return out


def splitters() -> dict[str, Callable[[str], list[str]]]:
    found: dict[str, Callable[[str], list[str]]] = {"syntok": split_syntok}
    try:
        import pysbd

        pysbd_segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
        found["pysbd"] = lambda p: [s.sent.strip() for s in pysbd_segmenter.segment(p)]
    except ImportError:
        print("pysbd not installed: skipped")
    try:
        import blingfire

        found["blingfire"] = lambda p: [p[a:b] for a, b in blingfire.text_to_sentences_and_offsets(p)[1]]
    except ImportError:
        print("blingfire not installed: skipped")
    return found


def main() -> None:
    paras = paragraphs()
    results = {}
    for name, split in splitters().items():
        start = time.perf_counter()
        results[name] = [s for p in paras for s in split(p)]
        print(f"{name:10} {len(results[name]):4} sentences  {1000 * (time.perf_counter() - start):7.1f} ms")
    for name, sentences in results.items():
        if name == "syntok":
            continue
        print(f"\n== {name} vs syntok")
        matcher = difflib.SequenceMatcher(None, sentences, results["syntok"], autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op != "equal":
                print(f"{op}: {sentences[i1:i2]}\n   vs {results['syntok'][j1:j2]}")


if __name__ == "__main__":
    main()
