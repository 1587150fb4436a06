"""Pairing at corpus scale: read -> shingle -> signatures -> LSH -> verification -> clusters.

Builds a corpus of ~400-word reports from real sentences in ../shared/data (STS
Benchmark, UCI headlines, Clough-Stevenson), shuffled and perturbed, with a known
share of exact copies, edited copies and rewrites (STS paraphrase pairs swapped in),
writes it as JSON Lines, and times the scale path of ``reconcile.pair`` on it.

    python bench/bench_pairing.py [--docs 100000] [--workers 2] [--keep corpus.jsonl]

Prints docs/s per stage (wall, and CPU seconds summed over the workers) and end to end,
peak memory, signatures beside datasketch's ``MinHash.update`` loop and rensa's
``RMinHash`` on the same shingles, and precision/recall of the copies found.
"""

from __future__ import annotations

import argparse
import csv
import ctypes
import functools
import itertools
import json
import mmap
import multiprocessing
import random
import re
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reconcile import minhash  # noqa: E402
from reconcile import pair as pair_module  # noqa: E402
from reconcile.cluster import UnionFind  # noqa: E402
from reconcile.pair import NUM_PERM, SHINGLE_SIZE, Thresholds, batch_sets  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
CHUNK = 1000
CHUNK_BYTES = 2_500_000
"""What a worker reads at a time: about 1,000 news-length documents."""


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


# Arrays in anonymous shared memory, made before the worker pool forks: workers write their
# chunk's rows in place and read everyone's in the later stages, so no large array is
# pickled between processes (sending 370 MB of results back was a serial second of the run).
_shared: dict[str, np.ndarray] = {}


def _shared_array(shape: tuple[int, ...], dtype: type) -> np.ndarray:
    count = int(np.prod(shape))
    buffer = mmap.mmap(-1, max(1, count * np.dtype(dtype).itemsize))
    return np.frombuffer(buffer, dtype=dtype, count=count).reshape(shape)


@dataclass(frozen=True)
class Chunk:
    """A byte range of whole lines of the corpus, its first document, and where its verification sets go."""

    path: str
    begin: int
    end: int
    first_doc: int
    store_at: int
    """Offset in the shared stores; a chunk of ``b`` bytes and ``k`` lines holds at most ``b // 2 + k``
    tokens, so no more set members."""


def chunk_plan(path: Path, size: int = CHUNK_BYTES) -> tuple[list[Chunk], int, int]:
    """Chunks of about ``size`` bytes ending at line ends, the document count and the store capacity.

    The file is mapped and cut by ``find`` from each ``size``-th byte; lines are counted per
    chunk, read into one reused buffer rather than from the mapping, whose 250 MB of pages
    would otherwise count in this process's peak RSS, so every chunk knows its first document
    before any worker starts.
    """
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        cuts = [0]
        while cuts[-1] < len(data):
            end = data.find(b"\n", cuts[-1] + size) if cuts[-1] + size < len(data) else -1
            cuts.append(len(data) if end < 0 else end + 1)
    buffer = bytearray(max((end - begin for begin, end in itertools.pairwise(cuts)), default=0))
    chunks, first_doc, store_at = [], 0, 0
    with open(path, "rb") as f:
        for begin, end in itertools.pairwise(cuts):
            if f.readinto(memoryview(buffer)[: end - begin]) != end - begin:
                raise OSError(f"{path}: changed while it was read")
            raw = np.frombuffer(buffer, dtype=np.uint8, count=end - begin)
            lines = int(np.count_nonzero(raw == ord("\n"))) + (raw[-1] != ord("\n"))
            chunks.append(Chunk(str(path), begin, end, first_doc, store_at))
            first_doc += lines
            store_at += (end - begin) // 2 + lines
    return chunks, first_doc, store_at


def allocate(n_docs: int, capacity: int, copy_bands: int, rare_bands: int) -> None:
    _shared.update(
        # both channels' 16-bit screen signatures side by side: one gather a candidate pair
        screen=_shared_array((n_docs, 2 * NUM_PERM), np.uint16),
        keys_copy=_shared_array((n_docs, copy_bands), np.uint64),
        keys_rare=_shared_array((n_docs, rare_bands), np.uint64),
        store_shingles=_shared_array((capacity,), np.uint32),
        store_rare=_shared_array((capacity,), np.uint32),
        bounds_shingles=_shared_array((n_docs, 2), np.int64),
        bounds_rare=_shared_array((n_docs, 2), np.int64),
    )


def _store(channel: str, chunk: Chunk, doc: np.ndarray, hashes: np.ndarray, count: int) -> None:
    """Per-document 32-bit hashes into the shared store as they come (repeats included), with
    each document's bounds.

    Verification needs each set sorted and distinct, but only for the documents in screened
    pairs (under half of them): ``verify`` sorts those.
    """
    offsets = np.searchsorted(doc, np.arange(count + 1)) + chunk.store_at
    _shared[f"store_{channel}"][offsets[0] : offsets[-1]] = hashes  # their low 32 bits
    bounds = _shared[f"bounds_{channel}"][chunk.first_doc : chunk.first_doc + count]
    bounds[:, 0], bounds[:, 1] = offsets[:-1], offsets[1:]


def chunk_texts(data: bytes) -> list[str]:
    """The ``text`` of every JSON Lines record in ``data``.

    The lines are parsed as one JSON array, one ``json.loads`` call for the chunk (half the
    time of a call a line); a chunk that does not parse that way (a blank line, a bad
    record) is parsed a line at a time, which raises on the first bad one.
    """
    lines = data.rstrip(b"\n")
    try:
        return [record["text"] for record in json.loads(b"[" + lines.replace(b"\n", b",") + b"]")]
    except (json.JSONDecodeError, TypeError, KeyError):
        return [json.loads(line)["text"] for line in lines.split(b"\n")]


def process_chunk(chunk: Chunk) -> tuple[float, ...]:
    """Worker: parse, shingle, sign, band and store one chunk into the shared arrays; returns CPU seconds per stage."""
    t0 = time.process_time()
    with open(chunk.path, "rb") as f:
        f.seek(chunk.begin)
        texts = chunk_texts(f.read(chunk.end - chunk.begin))
    t1 = time.process_time()
    sets = batch_sets(texts)
    t2 = time.process_time()
    sig_copy = minhash.flat_signatures(sets.shingle_doc, sets.shingles, sets.count)
    sig_rare = minhash.flat_signatures(sets.rare_doc, sets.rare, sets.count)
    rows = slice(chunk.first_doc, chunk.first_doc + sets.count)
    _shared["screen"][rows, :NUM_PERM] = minhash.screen_signatures(sig_copy)
    _shared["screen"][rows, NUM_PERM:] = minhash.screen_signatures(sig_rare)
    t3 = time.process_time()
    _store("shingles", chunk, sets.shingle_doc, sets.shingles, sets.count)
    _store("rare", chunk, sets.rare_doc, sets.rare, sets.count)
    t4 = time.process_time()
    copy_params, rare_params = _params(Thresholds())
    _shared["keys_copy"][rows] = minhash.band_keys(sig_copy, copy_params.bands, copy_params.rows)
    _shared["keys_rare"][rows] = minhash.band_keys(sig_rare, rare_params.bands, rare_params.rows)
    t5 = time.process_time()
    return (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)


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


def screened_band_pairs(tasks: list[tuple[str, int]]) -> tuple[np.ndarray, int, tuple[float, float]]:
    """Worker: candidate pairs of some (channel, band)s, kept if either signature estimate passes
    the screen; with the CPU seconds of banding and of screening."""
    thresholds = Thresholds()
    t0 = time.process_time()
    n_docs = len(_shared["bounds_rare"])
    usable = {}  # per channel, the documents with a non-empty set: every one, as a rule
    for channel, store in (("copy", "shingles"), ("rare", "rare")):
        bounds = _shared[f"bounds_{store}"]
        ids = np.flatnonzero(bounds[:, 1] > bounds[:, 0])
        usable[channel] = (ids, None if len(ids) == n_docs else ids)
    codes = []
    for channel, band in tasks:
        ids, subset = usable[channel]
        keys = _shared[f"keys_{channel}"]
        codes.append(minhash.band_codes(keys[:, band] if subset is None else keys[subset, band], ids, n_docs))
    pairs = minhash.decode_pairs(codes, n_docs)
    t1 = time.process_time()
    estimates = minhash.pair_equal_bins(_shared["screen"], pairs, parts=2) / np.float32(NUM_PERM)
    keep = (estimates[:, 0] >= thresholds.screen_copy) | (estimates[:, 1] >= thresholds.screen_story)
    return pairs[keep], len(pairs), (t1 - t0, time.process_time() - t1)


def band_groups(workers: int, sample: int = 20_000) -> list[list[tuple[str, int]]]:
    """The (channel, band)s split into ``workers`` groups of about as many candidate pairs.

    Bands differ sevenfold in the pairs they let through (36,000 to 250,000 among the
    rare-word bands of the 100,000-document corpus), so every other band gave one worker 35%
    more pairs to screen than the other.  Each band's pairs among the first ``sample``
    documents estimate its share (within 3% here), and the bands go, largest first, to the
    group with the fewest so far.
    """
    estimates: list[tuple[float, str, int]] = []
    for channel, store in (("copy", "shingles"), ("rare", "rare")):
        bounds = _shared[f"bounds_{store}"][:sample]
        keys = _shared[f"keys_{channel}"][:sample][bounds[:, 1] > bounds[:, 0]]
        for band in range(keys.shape[1]):
            column = np.sort(keys[:, band])
            sizes = np.diff(np.flatnonzero(np.r_[True, column[1:] != column[:-1], True]))
            pairs = np.where(sizes > minhash.MAX_BUCKET, sizes - 1, sizes * (sizes - 1) // 2)
            estimates.append((float(pairs.sum()), channel, band))
    groups: list[list[tuple[str, int]]] = [[] for _ in range(workers)]
    loads = [0.0] * workers
    for estimate, channel, band in sorted(estimates, key=lambda e: -e[0]):
        lightest = loads.index(min(loads))
        groups[lightest].append((channel, band))
        loads[lightest] += estimate + 1.0
    return groups


def _sorted_sets(channel: str, pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The sorted distinct sets of the documents in ``pairs``, flat (``minhash.sorted_unique_groups``);
    each pair's two spans in them, and each pair's two set sizes."""
    docs, local = np.unique(pairs, return_inverse=True)
    values, sizes = minhash.sorted_unique_groups(_shared[f"store_{channel}"], _shared[f"bounds_{channel}"][docs])
    ends = np.cumsum(sizes)
    spans = np.stack([ends - sizes, ends], axis=1)
    local = local.reshape(pairs.shape)
    return values, spans[local], sizes[local]


def verify(pairs: np.ndarray) -> tuple[dict[str, list], float]:
    """Worker: exact shingle Jaccard/containment and rare-word Jaccard of each candidate, the
    relation class; with the CPU seconds it took.

    Shared counts come from ``pair.shared_counts`` for all the pairs at once; the rare words
    only for pairs whose shingles do not already make them copies.
    """
    t0 = time.process_time()
    thresholds = Thresholds()
    found: dict[str, list] = {"copied": [], "same-story": []}
    values, spans, sizes = _sorted_sets("shingles", pairs)
    shared = pair_module.shared_counts(values, spans[:, 0], spans[:, 1])
    story = []
    for (i, j), common, (size_i, size_j) in zip(pairs.tolist(), shared.tolist(), sizes.tolist(), strict=True):
        smaller = min(size_i, size_j)
        jaccard = common / (size_i + size_j - common) if smaller else 0.0
        contained = common / smaller if smaller >= thresholds.min_contained_shingles else 0.0
        if pair_module.copy_relation(jaccard, contained, smaller, thresholds):
            found["copied"].append((i, j))
        else:
            story.append((i, j))
    values, spans, sizes = _sorted_sets("rare", np.array(story, dtype=np.int64).reshape(-1, 2))
    shared = pair_module.shared_counts(values, spans[:, 0], spans[:, 1])
    for (i, j), common, (size_i, size_j) in zip(story, shared.tolist(), sizes.tolist(), strict=True):
        union = size_i + size_j - common
        if (common / union if union else 0.0) >= thresholds.same_story_content:
            found["same-story"].append((i, j))
    return found, time.process_time() - t0


def keep_freed_heap() -> bool:
    """Ask glibc's allocator to reuse freed memory instead of giving it back to the system.

    Every stage allocates and frees numpy temporaries of a few MB a chunk; above glibc's
    default thresholds each is a fresh ``mmap`` (or the heap top is trimmed), and its pages
    fault in again: about 1,800 page faults a chunk, 7% of the workers' CPU time.  Set in the
    parent before the pool forks, so the workers inherit it; their peak RSS grows by about
    80 MiB.  Returns False where the C library has no ``mallopt`` (not glibc).
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (AttributeError, OSError):
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3
    return bool(mallopt(m_mmap_threshold, 256 << 20)) and bool(mallopt(m_trim_threshold, 512 << 20))


def run_pipeline(path: Path, workers: int, thresholds: Thresholds, keep_heap: bool = True) -> dict:
    timings: dict[str, float] = {}
    start = time.perf_counter()
    # Loaded once here, inside the timing, and inherited by the forked workers.
    copy_params, rare_params = _params(thresholds)
    if keep_heap:
        keep_freed_heap()
    pair_module.warm_up()
    plan, n_docs, capacity = chunk_plan(path)
    allocate(n_docs, capacity, copy_params.bands, rare_params.bands)
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        stage_cpu = np.sum(pool.map(process_chunk, plan, chunksize=1), axis=0)
        timings["read+shingle+signatures+bands (workers)"] = time.perf_counter() - start
        t = time.perf_counter()
        # Bands split over the workers, each expanding and screening its own; a pair
        # found in two groups is screened twice and merged once.
        screened = pool.map(screened_band_pairs, band_groups(workers), chunksize=1)
        pairs = minhash.merge_pairs([p for p, _, _ in screened], n_docs)
        lsh_candidates = [count for _, count, _ in screened]
        lsh_cpu = np.sum([cpu for _, _, cpu in screened], axis=0)
        timings["LSH + signature screen (workers)"] = time.perf_counter() - t
        t = time.perf_counter()
        parts = pool.map(verify, np.array_split(pairs, 4 * workers), chunksize=1)
        found = {kind: [p for part, _ in parts for p in part[kind]] for kind in ("copied", "same-story")}
        verify_cpu = sum(cpu for _, cpu in parts)
        timings["verification (workers)"] = time.perf_counter() - t
    t = time.perf_counter()
    # Every union of two different sets is one cluster fewer: no root lookup for every document.
    sets = UnionFind(range(n_docs))
    merges = 0
    for i, j in found["copied"] + found["same-story"]:
        root_i, root_j = sets.root(i), sets.root(j)
        if root_i != root_j:
            sets.union(root_i, root_j)
            merges += 1
    clusters = n_docs - merges
    timings["clusters"] = time.perf_counter() - t
    timings["end to end"] = time.perf_counter() - start
    store_bytes = sum(
        int((_shared[f"bounds_{c}"][:, 1] - _shared[f"bounds_{c}"][:, 0]).sum()) * 4 + _shared[f"bounds_{c}"].nbytes
        for c in ("shingles", "rare")
    )
    result = {
        "timings": timings,
        "stage_cpu": dict(
            zip(
                (
                    "read",
                    "shingle",
                    "signatures",
                    "verification store (unsorted)",
                    "band keys",
                    "LSH banding",
                    "signature screen",
                    "verification (sorting paired sets included)",
                ),
                [*stage_cpu, *lsh_cpu, verify_cpu],
                strict=True,
            )
        ),
        "candidates": (lsh_candidates, len(pairs)),
        "found": found,
        "clusters": clusters,
        "params": (copy_params, rare_params),
        "index_bytes_per_doc": (_shared["keys_copy"].nbytes + _shared["keys_rare"].nbytes) / n_docs,
        "signature_bytes_per_doc": _shared["screen"].nbytes / n_docs,
        "store_bytes_per_doc": store_bytes / n_docs,
    }
    _shared.clear()
    return result


# ---------------------------------------------------------------- peers


def _best_of(runs: int, work: Callable[[], object]) -> float:
    """The fastest of several runs, in seconds: the figure least disturbed by other jobs on the machine."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


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
    ours = sample / _best_of(5, lambda: minhash.flat_signatures(sets.shingle_doc, sets.shingles, sets.count))

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

        def rensa_signatures() -> None:
            for shingle_list in shingle_strings:
                r = RMinHash(num_perm=128, seed=1)
                r.update(shingle_list)
                r.digest()

        rensa_rate = sample / _best_of(5, rensa_signatures)
    print(
        f"\nsignatures alone, 128 permutations, one core ({sample:,} docs, fastest of 5 runs for ours and rensa;"
        f" datasketch on {datasketch_sample:,}, one run):"
    )
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
    parser.add_argument(
        "--glibc-defaults", action="store_true", help="Leave glibc's malloc thresholds as they are (keep_freed_heap)."
    )
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
    result = run_pipeline(path, args.workers, thresholds, keep_heap=not args.glibc_defaults)
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
        f"candidates: {sum(lsh):,} from LSH (summed over the {args.workers} band groups: a pair in two groups counts"
        f" twice; {' / '.join(f'{c:,}' for c in lsh)} a group), {screened:,} after the signature screen"
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
