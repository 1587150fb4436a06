"""Pairing measured on data nobody here wrote: the seeds, Clough-Stevenson, UCI headlines.

    python bench/eval_pairing.py [--uci-rows 6366]

Prints the seeds' relation table pair by pair; for Clough-Stevenson, each answer
against its task's source (accuracy of the relation mapped to cut/light/heavy/non,
Spearman's rho, and the mean signals per category that the thresholds were set
from); for UCI headlines, the adjusted Rand index of same-story clusters against
``STORY`` beside a plain word 5-gram MinHash baseline.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import itertools
import sys
import time
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reconcile.model import Document, PairScores  # noqa: E402
from reconcile.pairing.clusters import Member, UnionFind  # noqa: E402
from reconcile.pairing.clusters import clusters as cluster_documents  # noqa: E402
from reconcile.pairing.features import Thresholds, relation  # noqa: E402
from reconcile.pipeline import compare, load_documents, scan  # noqa: E402

SHARED = ROOT.parent / "shared"
DATA = SHARED / "data"
RANK = {"unrelated": 0, "related": 1, "same-story": 2, "near-duplicate": 3, "duplicate": 4}
LEVEL = {"non": 0, "heavy": 1, "light": 2, "cut": 3}
EXPECTED_FOR_LEVEL = {
    "cut": {"duplicate", "near-duplicate"},
    "light": {"near-duplicate"},
    "heavy": {"same-story"},
    "non": {"related", "unrelated"},
}
"""cut: pasted text; light: the same text lightly edited; heavy: rewritten in other
words (the same story); non: written independently on the same topic."""


def seeds() -> None:
    docs, _ = load_documents([str(SHARED / "seeds")])
    result = scan(docs)
    found = {(p.a[:3], p.b[:3]): p for p in result.pairs}
    print("## seeds (reconcile scan ../shared/seeds)")
    print("| pair | relation | expected | shingle J | content J | names | sentences | date gap |")
    print("|---|---|---|---|---|---|---|---|")
    ok = 0
    ids = sorted(d.id[:3] for d in docs)
    for a, b in itertools.combinations(ids, 2):
        pair = found.get((a, b))
        relation = pair.relation if pair else "unrelated"
        if (a, b) == ("000", "001"):
            expected = {"same-story"}
        elif (a, b) == ("002", "003") or "004" in (a, b):
            expected = {"related"}
        else:
            expected = {"related", "unrelated"}
        ok += relation in expected
        s = pair.scores if pair else None
        cells = (
            f"{s.shingle_jaccard:.3f} | {s.content_jaccard:.3f} | {s.name_overlap:.2f} | {s.sentence_match:.2f} | "
            f"{s.date_gap_days if s.date_gap_days is not None else '?'}"
            if s
            else "- | - | - | - | -"
        )
        print(f"| {a}–{b} | {relation} | {' or '.join(sorted(expected))} | {cells} |")
    print(f"{ok} of {len(ids) * (len(ids) - 1) // 2} pairs as the seeds' README says\n")


def clough_stevenson() -> None:
    folder = DATA / "clough_stevenson_plagiarised_short_answers"
    with open(folder / "file_information.csv", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["Category"] in LEVEL]
    predicted, levels = [], []
    scored: list[tuple[str, PairScores]] = []
    signals: dict[str, list[tuple[float, float, float, float]]] = defaultdict(list)
    confusion: Counter[tuple[str, str]] = Counter()
    for row in rows:
        docs, _ = load_documents([str(folder / row["File"]), str(folder / f"orig_task{row['Task']}.txt")])
        pair = compare(docs[0], docs[1]).pairs[0]
        category = row["Category"]
        predicted.append(RANK[pair.relation])
        levels.append(LEVEL[category])
        confusion[(category, pair.relation)] += 1
        s = pair.scores
        scored.append((category, s))
        signals[category].append((s.shingle_jaccard, s.containment, s.content_jaccard, s.sentence_match))
    correct = sum(n for (category, relation), n in confusion.items() if relation in EXPECTED_FOR_LEVEL[category])
    from scipy.stats import spearmanr

    rho = spearmanr(predicted, levels).statistic
    print("## Clough–Stevenson (95 answers against their task's source)")
    means_header = "mean shingle J | mean containment | mean content J | mean sentences"
    print("| category | n | " + " | ".join(RANK) + f" | {means_header} |")
    print("|---|---|" + "---|" * len(RANK) + "---|---|---|---|")
    for category in ("cut", "light", "heavy", "non"):
        n = sum(confusion[(category, r)] for r in RANK)
        means = np.mean(signals[category], axis=0)
        counts = " | ".join(str(confusion[(category, r)]) for r in RANK)
        print(f"| {category} | {n} | {counts} | " + " | ".join(f"{m:.3f}" for m in means) + " |")
    print(
        f"accuracy (cut→duplicate/near-duplicate, light→near-duplicate, heavy→same-story, non→related/unrelated): "
        f"{correct / len(rows):.3f} ({correct} of {len(rows)})"
    )
    print(f"Spearman's rho, relation rank vs cut > light > heavy > non: {rho:.3f}")
    print("threshold sweep (accuracy / Spearman's rho; the rest at their defaults):")
    for name, values in (("containment", (0.4, 0.5, 0.6, 0.7)), ("same_story_content", (0.15, 0.2, 0.25, 0.3))):
        cells = []
        for value in values:
            thresholds = replace(Thresholds(), **{name: value})
            relations = [relation(s, thresholds) for _, s in scored]
            hits = sum(r in EXPECTED_FOR_LEVEL[c] for (c, _), r in zip(scored, relations, strict=True))
            sweep_rho = spearmanr([RANK[r] for r in relations], levels).statistic
            cells.append(f"{value}: {hits / len(scored):.3f} / {sweep_rho:.3f}")
        print(f"  {name}: " + "; ".join(cells))
    print()


def uci_headlines(limit: int) -> None:
    path = DATA / "uci_news_aggregator_sample" / "uci-news-aggregator.first6366rows.csv"
    with open(path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))[:limit]
    docs = [
        Document(
            id=f"h{int(r['ID']):05d}",
            text=r["TITLE"],
            source=r["PUBLISHER"],
            published=dt.datetime.fromtimestamp(int(r["TIMESTAMP"]) / 1000, dt.UTC).date().isoformat(),
        )
        for r in rows
    ]
    truth = [r["STORY"] for r in rows]
    from sklearn.metrics import adjusted_rand_score

    t = time.perf_counter()
    result = scan(docs)
    ours_seconds = time.perf_counter() - t
    label = {d.id: d.id for d in docs}
    for cluster in result.clusters:
        for member in cluster.documents:
            label[member] = cluster.id
    ours = adjusted_rand_score(truth, [label[d.id] for d in docs])

    from datasketch import MinHash, MinHashLSH

    t = time.perf_counter()
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    sets = UnionFind(d.id for d in docs)
    for d in docs:
        words = d.text.lower().split()
        shingles = {" ".join(words[k : k + 5]) for k in range(max(1, len(words) - 4))}
        m = MinHash(num_perm=128, seed=1)
        m.update_batch([s.encode("utf-8") for s in shingles])
        for other in lsh.query(m):
            sets.union(d.id, other)
        lsh.insert(d.id, m)
    baseline = adjusted_rand_score(truth, [sets.root(d.id) for d in docs])
    baseline_seconds = time.perf_counter() - t
    stories = len(set(truth))
    print(f"## UCI News Aggregator headlines ({len(docs):,} headlines, {stories:,} stories)")
    print("| method | adjusted Rand index | clusters | seconds |")
    print("|---|---|---|---|")
    print(f"| reconcile scan (same-story or closer) | {ours:.3f} | {len(result.clusters):,} | {ours_seconds:.1f} |")
    baseline_clusters = sum(1 for n in Counter(sets.root(d.id) for d in docs).values() if n > 1)
    print(
        f"| word 5-gram MinHash LSH (datasketch, 0.5) | {baseline:.3f} | {baseline_clusters:,} "
        f"| {baseline_seconds:.1f} |"
    )
    members = [Member(d.id, d.published, len(d.text)) for d in docs]
    cells = []
    for floor in (0.3, 0.4, 0.5, 0.6):
        kept = [p for p in result.pairs if p.relation != "same-story" or p.scores.content_jaccard >= floor]
        labels = {d.id: d.id for d in docs}
        for c in cluster_documents(members, kept):
            for member in c.documents:
                labels[member] = c.id
        cells.append(f"{floor}: {adjusted_rand_score(truth, [labels[d.id] for d in docs]):.3f}")
    print("ARI when same-story pairs must also reach a content-word Jaccard of " + "; ".join(cells))
    sizes = sorted((len(c.documents) for c in result.clusters), reverse=True)
    truth_sizes = sorted(Counter(truth).values(), reverse=True)
    print(f"largest clusters: ours {sizes[:5]}, STORY {truth_sizes[:5]}")
    relations = Counter(p.relation for p in result.pairs)
    print(f"pairs by relation: {dict(sorted(relations.items()))}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uci-rows", type=int, default=6366)
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit("../shared/data is absent")
    seeds()
    clough_stevenson()
    uci_headlines(args.uci_rows)


if __name__ == "__main__":
    main()
