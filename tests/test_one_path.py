"""One pairing path: ``scan``, ``dedup`` and the pairing benchmark share tokeniser, scores and canonicals."""

from __future__ import annotations

import ast
import importlib.util
import random
from pathlib import Path

import pytest

from reconcile import pipeline
from reconcile.dedup.feeds import FeedItem
from reconcile.dedup.index import MemoryIndex, Params
from reconcile.dedup.stream import Policy, decide_stream
from reconcile.model import Document
from reconcile.pairing import scale
from reconcile.pipeline import scan

ROOT = Path(__file__).resolve().parent.parent
WORDS = (
    "river dam spillway gate rain officials hospital crews residents valley levels metres hours "
    "province minister bridge council budget school harbour storm winds power lines homes roads "
    "Orvenna Kessel Tarn Dalmoor northern eastern overnight emergency directorate water café naïve"
).split()


def report(rng: random.Random, words: int = 120) -> str:
    sentences = []
    while sum(len(s.split()) for s in sentences) < words:
        sentences.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))).capitalize() + ".")
    return " ".join(sentences)


def edited(text: str, rng: random.Random) -> str:
    words = text.split()
    for _ in range(len(words) // 30):
        words[rng.randrange(len(words))] = rng.choice(WORDS)
    return " ".join(words[: int(len(words) * 0.95)])


def dedup_pair(first: Document, second: Document) -> tuple[str, float, float]:
    """What ``dedup`` keeps of two reports arriving in this order, and the score of the other with it."""
    items = [FeedItem("feed.jsonl", k + 1, d.id, d.text, date=d.published or "") for k, d in enumerate((first, second))]
    index = MemoryIndex(Params())
    decisions = [d for _, d in decide_stream(items, index, "run", Policy("earliest"))]
    index.close()
    removed = [d for d in decisions if d.decision == "removed"]
    replaced = [d for d in decisions if d.replaces]
    assert len(removed) + len(replaced) == 1, decisions
    decision = (removed or replaced)[0]
    kept = decision.canonical if removed else decision.id
    return kept, decision.score, decision.containment


def scan_pair(first: Document, second: Document) -> tuple[str, float, float]:
    result = scan([first, second])
    (pair,) = result.pairs
    (cluster,) = result.clusters
    return cluster.canonical, pair.scores.shingle_jaccard, pair.scores.containment


@pytest.mark.parametrize("seed", range(6))
def test_scan_and_dedup_give_one_score_and_one_canonical_for_a_pair(seed: int) -> None:
    """Edited copies, undated or dated, non-ASCII words included, in both arrival orders: ``dedup``
    scores the pair as ``scan`` does and keeps the report ``scan`` makes canonical."""
    rng = random.Random(seed)
    original = report(rng)
    copy = edited(original, rng) if seed % 2 else original + " " + report(rng, 20)
    dates = [None, None] if seed < 2 else (["2024-05-02", "2024-05-01"] if seed < 4 else ["2024-05-01"] * 2)
    a = Document("a-report", original, published=dates[0])
    b = Document("b-report", copy, published=dates[1])
    for first, second in ((a, b), (b, a)):
        canonical, jaccard, containment = scan_pair(first, second)
        assert jaccard >= 0.6  # a copied-text pair that dedup's LSH (16 bands of 3) finds 99.9% of the time
        assert dedup_pair(first, second) == (canonical, jaccard, containment)


def test_the_samples_wire_pair_scores_the_same_in_scan_and_dedup() -> None:
    """The sample wire copy and its original (site chrome around both, same date, as many shingles):
    one score, and one canonical in either order, the first read."""
    docs, skipped = pipeline.load_documents(
        [str(ROOT / "samples" / "articles" / name) for name in ("wire_copy.txt", "wire_original.txt")]
    )
    assert not skipped
    for first, second in (docs, reversed(docs)):
        assert scan_pair(first, second) == dedup_pair(first, second)
        assert scan_pair(first, second)[0] == first.id


def test_a_report_that_chrome_rules_would_empty_is_read_whole() -> None:
    """A one-line feed item starting "Read More:" matches a chrome pattern whole; it keeps its
    words (``tokens.without_chrome``), so ``dedup`` decides it rather than rejecting it, and
    ``scan`` scores its copy as ``dedup`` does."""
    text = "Read More: " + report(random.Random(11))
    original, copy = Document("a-report", text), Document("b-report", text + " An extra closing sentence.")
    index = MemoryIndex(Params())
    items = [FeedItem("feed.jsonl", k + 1, d.id, d.text) for k, d in enumerate((original, copy))]
    decisions = [d.decision for _, d in decide_stream(items, index, "run", Policy("earliest"))]
    index.close()
    assert "rejected" not in decisions
    assert scan_pair(original, copy) == dedup_pair(original, copy)


def _bench_module():
    spec = importlib.util.spec_from_file_location("bench_pairing", ROOT / "bench" / "bench_pairing.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PAIRING_STAGES = {
    "batch_sets", "flat_signatures", "band_keys", "band_codes", "candidate_pairs", "decode_pairs", "merge_pairs",
    "pair_equal_bins", "screen_signatures", "shared_counts", "sorted_unique_groups", "copy_relation",
}  # fmt: skip


def test_the_benchmark_times_the_pairing_path_scan_runs() -> None:
    """The bench imports ``pairing.scale.pair_corpus``, which ``scan`` calls; it defines no pairing
    stage of its own and calls none but to time signatures alone (labelled so)."""
    bench = _bench_module()
    assert bench.pair_corpus is scale.pair_corpus  # ``scan`` imports it from there when it needs it
    tree = ast.parse((ROOT / "bench" / "bench_pairing.py").read_text(encoding="utf-8"))
    defined = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.ClassDef)}
    assert not defined & (PAIRING_STAGES | {"verify", "process_chunk", "screened_band_pairs", "band_groups"})
    called = {
        node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
    }
    # signatures alone: the library's batch_sets and flat_signatures, timed beside rensa
    assert called & PAIRING_STAGES <= {"batch_sets", "flat_signatures"}
    assert "pair_corpus" in called and "run_scan" in called


def test_a_large_scan_pairs_through_the_scale_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Above ``EXACT_LIMIT`` documents ``scan`` finds its pairs with ``pairing.scale.pair_corpus``."""
    calls = []
    real = scale.pair_corpus

    def spy(*args: object, **kwargs: object) -> scale.Verified:
        result = real(*args, **kwargs)  # type: ignore[arg-type]
        calls.append(result)
        return result

    monkeypatch.setattr(scale, "pair_corpus", spy)
    rng = random.Random(3)
    docs = [Document(f"d{k:03d}", report(rng, 80)) for k in range(pipeline.EXACT_LIMIT + 5)]
    docs.append(Document("copy-of-d007", docs[7].text))
    result = scan(docs, workers=1)
    assert len(calls) == 1
    assert any({p.a, p.b} == {"d007", "copy-of-d007"} and p.relation == "duplicate" for p in result.pairs)
