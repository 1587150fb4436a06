"""Pairing at corpus scale: read -> shingle -> signatures -> LSH -> verification -> clusters.

Builds a corpus of ~400-word reports from real sentences in ../shared/data (STS
Benchmark, UCI headlines, Clough-Stevenson), shuffled and perturbed, with a known
share of exact copies, edited copies and rewrites (STS paraphrase pairs swapped in),
writes it as JSON Lines, and times the scale path of ``reconcile.pair`` on it.

    python bench/bench_pairing.py [--docs 100000] [--workers 2] [--keep corpus.jsonl]

Prints docs/s per stage (one process, on a slice) and end to end (all workers),
peak memory, signatures beside datasketch's ``MinHash.update`` loop and rensa's
``RMinHash`` on the same shingles, and precision/recall of the copies found.
"""

from __future__ import annotations

import argparse
import csv
import functools
import itertools
import json
import multiprocessing
import random
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reconcile import minhash  # noqa: E402
from reconcile import pair as pair_module  # noqa: E402
from reconcile.cluster import UnionFind  # noqa: E402
from reconcile.pair import SHINGLE_SIZE, Thresholds, batch_sets  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
CHUNK = 1000


# ---------------------------------------------------------------- corpus


def sentence_pool() -> tuple[list[str], list[tuple[str, str]]]:
    """Real sentences, and STS paraphrase pairs (score >= 3.6) for rewrites."""
    sentences: list[str] = []
    paraphrases: list[tuple[str, str]] = []
    for name in ("sts-train", "sts-dev", "sts-test"):
        with open(DATA / "stsbenchmark" / f"{name}.csv", encoding="utf-8") as f:
            for row in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
                if len(row) < 7:
                    continue
                sentences += [row[5], row[6]]
                if float(row[4]) >= 3.6:
                    paraphrases.append((row[5], row[6]))
    with open(DATA / "uci_news_aggregator_sample" / "uci-news-aggregator.first6366rows.csv", encoding="utf-8") as f:
        sentences += [row["TITLE"] + "." for row in csv.DictReader(f)]
    for path in sorted((DATA / "clough_stevenson_plagiarised_short_answers").glob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        sentences += [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) > 4]
    return sentences, paraphrases


def perturb(sentence: str, vocab: list[str], rng: random.Random) -> str:
    """Swap one word for a random pool word: reused sentences stop being exact repeats."""
    words = sentence.split()
    if len(words) > 3:
        words[rng.randrange(len(words))] = rng.choice(vocab)
    return " ".join(words)


def build_corpus(n_docs: int, seed: int = 7) -> tuple[list[dict], dict[int, tuple[int, str]]]:
    """Documents and the truth: ``truth[copy] = (original, kind)``, kind copy / edited / rewrite."""
    rng = random.Random(seed)
    sentences, paraphrases = sentence_pool()
    vocab = [w for s in rng.sample(sentences, 5000) for w in s.split()]
    docs: list[dict] = []
    truth: dict[int, tuple[int, str]] = {}
    story_sentences: dict[int, list[int]] = {}
    n_copies, n_edited, n_rewrites = int(n_docs * 0.1), int(n_docs * 0.1), int(n_docs * 0.02)
    n_orig = n_docs - n_copies - n_edited - n_rewrites
    for i in range(n_orig):
        body: list[str] = []
        if i < n_rewrites:  # a story told in paraphrasable sentences
            picks = rng.sample(range(len(paraphrases)), 40)
            story_sentences[i] = picks
            body = [paraphrases[p][0] for p in picks]
        else:
            words = 0
            while words < 400:
                s = sentences[rng.randrange(len(sentences))]
                s = perturb(s, vocab, rng) if rng.random() < 0.7 else s
                body.append(s)
                words += len(s.split())
        docs.append({"id": f"d{i:06d}", "text": " ".join(body)})
    for kind, count in (("copy", n_copies), ("edited", n_edited), ("rewrite", n_rewrites)):
        for _ in range(count):
            if kind == "rewrite":
                original = len([t for t in truth.values() if t[1] == "rewrite"])
                picks = story_sentences[original][:]
                rng.shuffle(picks)
                text = " ".join(paraphrases[p][1] for p in picks[:36])
            else:
                original = rng.randrange(n_rewrites, n_orig)
                body = re.split(r"(?<=[.!?]) ", docs[original]["text"])
                if kind == "edited":
                    del body[rng.randrange(len(body))]
                    k = rng.randrange(len(body) - 1)
                    body[k], body[k + 1] = body[k + 1], body[k]
                    body = [perturb(s, vocab, rng) if rng.random() < 0.15 else s for s in body]
                text = " ".join(body)
            truth[len(docs)] = (original, kind)
            docs.append({"id": f"d{len(docs):06d}", "text": text})
    order = list(range(len(docs)))
    rng.shuffle(order)
    position = {old: new for new, old in enumerate(order)}
    shuffled = [docs[old] for old in order]
    return shuffled, {position[c]: (position[o], k) for c, (o, k) in truth.items()}


# ---------------------------------------------------------------- pipeline


def _sorted_sets(doc: np.ndarray, hashes: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-document sorted distinct 32-bit hashes, flat, with offsets: the verification store."""
    keys = minhash.sorted_unique((doc.astype(np.uint64) << np.uint64(32)) | (hashes & np.uint64(0xFFFFFFFF)))
    owners = (keys >> np.uint64(32)).astype(np.int64)
    offsets = np.searchsorted(owners, np.arange(count + 1))
    return (keys & np.uint64(0xFFFFFFFF)).astype(np.uint32), offsets


def process_chunk(lines: list[str] | tuple[str, int, int]) -> dict:
    """Worker: parse, shingle, sign, band; returns signatures, band keys and the verification store.

    ``lines`` is the lines themselves or ``(path, start, end)``, a byte range of the file the
    worker reads itself, so the parent does not pickle the corpus to the workers.
    """
    t0 = time.process_time()
    if isinstance(lines, tuple):
        path, begin, end = lines
        with open(path, "rb") as f:
            f.seek(begin)
            lines = f.read(end - begin).decode("utf-8").splitlines()
    texts = [json.loads(line)["text"] for line in lines]
    t1 = time.process_time()
    sets = batch_sets(texts)
    t2 = time.process_time()
    sig_copy = minhash.flat_signatures(sets.shingle_doc, sets.shingles, sets.count)
    sig_rare = minhash.flat_signatures(sets.rare_doc, sets.rare, sets.count)
    t3 = time.process_time()
    shingles, shingle_offsets = _sorted_sets(sets.shingle_doc, sets.shingles, sets.count)
    rare, rare_offsets = _sorted_sets(sets.rare_doc, sets.rare, sets.count)
    t4 = time.process_time()
    copy_params, rare_params = _params(Thresholds())
    keys_copy = minhash.band_keys(sig_copy, copy_params.bands, copy_params.rows)
    keys_rare = minhash.band_keys(sig_rare, rare_params.bands, rare_params.rows)
    t5 = time.process_time()
    return {
        "sig_copy": sig_copy,
        "sig_rare": sig_rare,
        "keys_copy": keys_copy,
        "keys_rare": keys_rare,
        "shingles": shingles,
        "shingle_offsets": shingle_offsets,
        "rare": rare,
        "rare_offsets": rare_offsets,
        "times": (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4),
    }


@functools.cache
def _params(thresholds: Thresholds) -> tuple[minhash.LshParams, minhash.LshParams]:
    return (
        minhash.params_for_recall(thresholds.lsh_copy, thresholds.lsh_recall),
        minhash.params_for_recall(thresholds.lsh_story, thresholds.lsh_recall),
    )


def chunks(path: Path, size: int = CHUNK):
    with open(path, encoding="utf-8") as f:
        batch = []
        for line in f:
            batch.append(line)
            if len(batch) == size:
                yield batch
                batch = []
        if batch:
            yield batch


def byte_ranges(path: Path, size: int = CHUNK) -> list[tuple[str, int, int]]:
    """``(path, start, end)`` of every ``size`` lines: found by one pass over the raw bytes."""
    with open(path, "rb") as f:
        data = f.read()
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == ord("\n")) + 1
    if len(data) and (not len(ends) or ends[-1] != len(data)):
        ends = np.r_[ends, len(data)]
    cuts = [0, *ends[size - 1 :: size].tolist()]
    if cuts[-1] != len(data):
        cuts.append(len(data))
    return [(str(path), a, b) for a, b in itertools.pairwise(cuts)]


# Arrays the band workers inherit by fork (read-only), set just before the pool starts.
_shared: dict[str, np.ndarray] = {}


def screened_band_pairs(tasks: list[tuple[str, int]]) -> tuple[np.ndarray, int]:
    """Worker: candidate pairs of some (channel, band)s, kept if either signature estimate passes the screen."""
    thresholds = Thresholds()
    n = len(_shared["sig_copy"])
    codes = [
        minhash.band_codes(_shared[f"keys_{channel}"][_shared[f"ids_{channel}"], band], _shared[f"ids_{channel}"], n)
        for channel, band in tasks
    ]
    pairs = minhash.decode_pairs(codes, n)
    keep = (minhash.pair_estimates(_shared["sig_copy"], pairs) >= thresholds.screen_copy) | (
        minhash.pair_estimates(_shared["sig_rare"], pairs) >= thresholds.screen_story
    )
    return pairs[keep], len(pairs)


class Store:
    """Flat sorted sets with offsets, concatenated over chunks."""

    def __init__(self, parts: list[tuple[np.ndarray, np.ndarray]]) -> None:
        self.values = np.concatenate([p[0] for p in parts])
        offsets, base = [], 0
        for values, off in parts:
            offsets.append(off[:-1] + base)
            base += len(values)
        self.offsets = np.concatenate([*offsets, [base]])

    def get(self, i: int) -> np.ndarray:
        return self.values[self.offsets[i] : self.offsets[i + 1]]

    def nbytes(self) -> int:
        return self.values.nbytes + self.offsets.nbytes


def verify(pairs: np.ndarray, shingles: Store, rare: Store, thresholds: Thresholds) -> dict[str, list]:
    """Exact shingle Jaccard/containment and rare-word Jaccard of each candidate; the relation class."""
    found: dict[str, list] = {"copied": [], "same-story": []}
    for i, j in pairs.tolist():
        a, b = shingles.get(i), shingles.get(j)
        shared = np.intersect1d(a, b, assume_unique=True).size if len(a) and len(b) else 0
        union = len(a) + len(b) - shared
        jac = shared / union if union else 0.0
        smaller = min(len(a), len(b))
        contained = shared / smaller if smaller >= thresholds.min_contained_shingles else 0.0
        if jac >= thresholds.near_duplicate or contained >= thresholds.containment:
            found["copied"].append((i, j))
            continue
        ra, rb = rare.get(i), rare.get(j)
        rshared = np.intersect1d(ra, rb, assume_unique=True).size if len(ra) and len(rb) else 0
        runion = len(ra) + len(rb) - rshared
        if runion and rshared / runion >= thresholds.same_story_content:
            found["same-story"].append((i, j))
    return found


def run_pipeline(path: Path, n_docs: int, workers: int, thresholds: Thresholds) -> dict:
    timings: dict[str, float] = {}
    start = time.perf_counter()
    # Loaded once here, inside the timing, and inherited by the forked workers.
    copy_params, rare_params = _params(thresholds)
    pair_module.warm_up()
    context = multiprocessing.get_context("fork")
    with context.Pool(workers) as pool:
        results = list(pool.imap(process_chunk, byte_ranges(path), chunksize=1))
    timings["read+shingle+signatures+bands (workers)"] = time.perf_counter() - start
    t = time.perf_counter()
    stage_cpu = np.sum([r["times"] for r in results], axis=0)
    sig_copy = np.concatenate([r.pop("sig_copy") for r in results])
    sig_rare = np.concatenate([r.pop("sig_rare") for r in results])
    keys_copy = np.concatenate([r.pop("keys_copy") for r in results])
    keys_rare = np.concatenate([r.pop("keys_rare") for r in results])
    shingles = Store([(r.pop("shingles"), r.pop("shingle_offsets")) for r in results])
    rare = Store([(r.pop("rare"), r.pop("rare_offsets")) for r in results])
    every = np.arange(n_docs, dtype=np.int64)
    _shared.update(
        sig_copy=sig_copy,
        sig_rare=sig_rare,
        keys_copy=keys_copy,
        keys_rare=keys_rare,
        ids_copy=every[np.diff(shingles.offsets) > 0],
        ids_rare=every[np.diff(rare.offsets) > 0],
    )
    # Bands split over the workers, each expanding and screening its own; a pair
    # found in two groups is screened twice and merged once.
    bands = [("copy", b) for b in range(copy_params.bands)] + [("rare", b) for b in range(rare_params.bands)]
    groups = [bands[w::workers] for w in range(workers)]
    with context.Pool(workers) as pool:
        screened = pool.map(screened_band_pairs, groups, chunksize=1)
    _shared.clear()
    pairs = minhash.merge_pairs([p for p, _ in screened], n_docs)
    lsh_candidates = sum(count for _, count in screened)
    timings["LSH + signature screen (workers)"] = time.perf_counter() - t
    t = time.perf_counter()
    found = verify(pairs, shingles, rare, thresholds)
    timings["verification"] = time.perf_counter() - t
    t = time.perf_counter()
    sets = UnionFind(str(i) for i in range(n_docs))
    for i, j in found["copied"] + found["same-story"]:
        sets.union(str(i), str(j))
    clusters = len({sets.root(str(i)) for i in range(n_docs)})
    timings["clusters"] = time.perf_counter() - t
    timings["end to end"] = time.perf_counter() - start
    index_bytes = keys_copy.nbytes + keys_rare.nbytes
    return {
        "timings": timings,
        "stage_cpu": dict(
            zip(("read", "shingle", "signatures", "verification store", "band keys"), stage_cpu, strict=True)
        ),
        "candidates": (lsh_candidates, len(pairs)),
        "found": found,
        "clusters": clusters,
        "params": (copy_params, rare_params),
        "index_bytes_per_doc": index_bytes / n_docs,
        "signature_bytes_per_doc": (sig_copy.nbytes + sig_rare.nbytes) / n_docs,
        "store_bytes_per_doc": (shingles.nbytes() + rare.nbytes()) / n_docs,
    }


# ---------------------------------------------------------------- peers


def signature_peers(path: Path, sample: int, datasketch_sample: int) -> None:
    """Signatures alone, on the same prepared shingles: ours, datasketch's update loop, rensa."""
    texts = []
    for batch in chunks(path):
        texts += [json.loads(line)["text"] for line in batch]
        if len(texts) >= sample:
            break
    texts = texts[:sample]
    # Prepared shingles: the strings datasketch and rensa take, and the hashes ours takes.
    token_lists = [re.findall(r"[a-z0-9'\-]+", t.lower()) for t in texts]
    shingle_strings = [
        [" ".join(w[k : k + SHINGLE_SIZE]) for k in range(max(1, len(w) - SHINGLE_SIZE + 1))] for w in token_lists
    ]
    sets = batch_sets(texts)
    t = time.perf_counter()
    for _ in range(3):
        minhash.flat_signatures(sets.shingle_doc, sets.shingles, sets.count)
    ours = 3 * sample / (time.perf_counter() - t)

    from datasketch import MinHash

    t = time.perf_counter()
    for shingle_list in shingle_strings[:datasketch_sample]:
        m = MinHash(num_perm=128, seed=1)
        for s in shingle_list:
            m.update(s.encode("utf-8"))
    datasketch_rate = datasketch_sample / (time.perf_counter() - t)
    t = time.perf_counter()
    for shingle_list in shingle_strings[:datasketch_sample]:
        m = MinHash(num_perm=128, seed=1)
        m.update_batch([s.encode("utf-8") for s in shingle_list])
    datasketch_batch = datasketch_sample / (time.perf_counter() - t)
    try:
        from rensa import RMinHash
    except ImportError:
        rensa_rate = float("nan")
    else:
        t = time.perf_counter()
        for shingle_list in shingle_strings:
            r = RMinHash(num_perm=128, seed=1)
            r.update(shingle_list)
            r.digest()
        rensa_rate = sample / (time.perf_counter() - t)
    print(f"\nsignatures alone, 128 permutations, one core ({sample:,} docs; datasketch on {datasketch_sample:,}):")
    print(f"  reconcile one-permutation + densification (numpy, from shingle hashes): {ours:>10,.0f} docs/s")
    print(f"  rensa RMinHash (from shingle strings):                              {rensa_rate:>10,.0f} docs/s")
    print(f"  datasketch MinHash.update per shingle:                              {datasketch_rate:>10,.0f} docs/s")
    print(f"  datasketch MinHash.update_batch:                                    {datasketch_batch:>10,.0f} docs/s")
    print(f"  ours / rensa: {ours / rensa_rate:.2f}")


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", type=Path, default=None, help="Write the corpus here (JSON Lines) and keep it.")
    parser.add_argument("--peer-sample", type=int, default=5000)
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit("../shared/data is absent")
    t = time.perf_counter()
    docs, truth = build_corpus(args.docs)
    words = np.mean([len(d["text"].split()) for d in docs[:2000]])
    path = args.keep or Path(tempfile.mkstemp(suffix=".jsonl")[1])
    with open(path, "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
    kinds = {k: sum(1 for _, kk in truth.values() if kk == k) for k in ("copy", "edited", "rewrite")}
    built = time.perf_counter() - t
    print(f"corpus: {len(docs):,} docs, {words:.0f} words on average, {kinds} (built in {built:.1f} s)")
    del docs
    thresholds = Thresholds()
    result = run_pipeline(path, args.docs, args.workers, thresholds)
    n = args.docs
    copy_params, rare_params = result["params"]
    print(f"\nLSH copied text: {copy_params}")
    print(f"LSH rare content words: {rare_params}")
    print(f"\nend to end, {args.workers} worker processes on a shared 2-core machine:")
    for stage, seconds in result["timings"].items():
        print(f"  {stage:<36} {seconds:7.2f} s  {n / seconds:>10,.0f} docs/s")
    print("per stage, CPU seconds (process time) summed over workers, docs/s on one core:")
    for stage, seconds in result["stage_cpu"].items():
        print(f"  {stage:<36} {seconds:7.2f} s  {n / seconds:>10,.0f} docs/s")
    lsh, screened = result["candidates"]
    print(
        f"candidates: {lsh:,} from LSH (summed over the {args.workers} band groups: a pair in two groups counts"
        f" twice), {screened:,} after the signature screen"
    )
    print(f"clusters (singletons included): {result['clusters']:,}")
    print(
        f"memory per doc: LSH index {result['index_bytes_per_doc']:.0f} B, signatures "
        f"{result['signature_bytes_per_doc']:.0f} B, verification store {result['store_bytes_per_doc']:.0f} B"
    )
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"peak RSS of this script (corpus builder and the scale path: sets, signatures, LSH, verification,"
        f" clusters; not the CLI's reading, chrome, alignment or reports): main process {own:,.0f} MiB,"
        f" largest worker {children:,.0f} MiB"
    )

    def truth_pair(i: int, j: int) -> str | None:
        for a, b in ((i, j), (j, i)):
            if a in truth and truth[a][0] == b:
                return truth[a][1]
        if i in truth and j in truth and truth[i][0] == truth[j][0] and truth[i][1] != "rewrite":
            return "copy"  # two copies of one original
        return None

    copied = result["found"]["copied"]
    story = result["found"]["same-story"]
    true_copied = sum(1 for i, j in copied if truth_pair(i, j) in {"copy", "edited"})
    found_by_kind = {k: 0 for k in kinds}
    for i, j in copied + story:
        kind = truth_pair(i, j)
        if kind and ((i in truth and truth[i][0] == j) or (j in truth and truth[j][0] == i)):
            found_by_kind[kind] += 1
    print("\ncopies found (pair with its original):")
    for kind, total in kinds.items():
        print(f"  {kind:<8} recall {found_by_kind[kind] / total:.4f} ({found_by_kind[kind]:,} of {total:,})")
    print(f"  copied-text pairs: {len(copied):,}, precision {true_copied / max(1, len(copied)):.4f}")
    true_story = sum(1 for i, j in story if truth_pair(i, j) == "rewrite")
    print(f"  same-story (rare words) pairs: {len(story):,}, of them rewrites of each other {true_story:,}")
    signature_peers(path, args.peer_sample, min(300, args.peer_sample))
    if args.keep is None:
        path.unlink()


if __name__ == "__main__":
    main()
