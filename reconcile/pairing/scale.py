"""Pairing at corpus scale: texts -> sets -> signatures -> LSH -> screen -> verification.

The path ``reconcile scan`` takes through a corpus larger than ``pair.EXACT_LIMIT`` and the
one ``bench/bench_pairing.py`` times: the same functions, not a copy.

* **sets and signatures** (``pairing.tokens.batch_sets``, ``minhash.flat_signatures``): worker
  processes take chunks of about a thousand texts from a ``Source`` (a JSON Lines file read by
  byte ranges, or texts the parent holds), and write each chunk's 16-bit screen signatures,
  band keys and 32-bit verification sets in place into arrays in anonymous shared memory made
  before the pool forks: no large array is pickled between processes (sending 370 MB of
  results back was a serial second of the run).
* **LSH** (``minhash.band_codes``): the (channel, band)s split over the workers by the pairs
  each lets through (``band_groups``); each worker expands its bands' buckets and screens the
  pairs by both channels' signature estimates (``Thresholds.screen_copy``/``screen_story``).
* **verification**: exact shared shingle and content-word counts of every screened pair, from
  the sets of the documents in screened pairs only, sorted then (``minhash.sorted_unique_groups``).

What the pairs are (``Verified.copy_relations``, ``content_jaccard``) is decided by the rules
in ``pairing.relations``; the work that only paired reports need (dates, names, sentences,
alignment) is the caller's, for those reports alone.
"""

from __future__ import annotations

import ctypes
import functools
import itertools
import json
import mmap
import multiprocessing
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from reconcile.pairing import minhash
from reconcile.pairing.exact import shared_counts
from reconcile.pairing.relations import DEFAULT_THRESHOLDS, Thresholds, copy_relation
from reconcile.pairing.tokens import batch_sets, shingle_keys, warm_up

NUM_PERM = minhash.NUM_PERM
CHUNK_BYTES = 2_500_000
"""What a worker reads of a JSON Lines file at a time: about 1,000 news-length documents."""
CHUNK_TEXTS = 1000
"""Texts a worker takes at a time from texts the parent holds."""


@dataclass(frozen=True)
class Chunk:
    """Documents ``first_doc .. first_doc + count`` of the corpus, and where a source finds them:
    ``begin:end`` is a byte range of whole lines (a JSON Lines file) or the same document range."""

    begin: int
    end: int
    first_doc: int
    count: int


class Source(Protocol):
    """Where the workers read texts: ``plan`` runs in the parent before the pool forks, ``read``
    in a worker, giving a chunk's texts and anything the parent should get back for them."""

    def plan(self) -> tuple[list[Chunk], int, int]:
        """The chunks, the document count, and a bound on the tokens of all texts."""
        ...

    def read(self, chunk: Chunk) -> tuple[list[str], Any]: ...


@dataclass(frozen=True)
class JsonLinesSource:
    """The ``text`` field of every line of a JSON Lines file, read by workers in byte ranges."""

    path: Path
    chunk_bytes: int = CHUNK_BYTES

    def plan(self) -> tuple[list[Chunk], int, int]:
        """Chunks of about ``chunk_bytes`` ending at line ends.

        The file is mapped and cut by ``find`` from each ``chunk_bytes``-th byte; lines are
        counted per chunk, read into one reused buffer rather than from the mapping, whose
        pages would otherwise count in this process's peak RSS, so every chunk knows its first
        document before any worker starts.  A text of ``b`` bytes holds at most ``b // 2 + 1``
        tokens, so the file's size and line count bound the tokens.
        """
        path = self.path
        with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
            cuts = [0]
            while cuts[-1] < len(data):
                start = cuts[-1] + self.chunk_bytes
                end = data.find(b"\n", start) if start < len(data) else -1
                cuts.append(len(data) if end < 0 else end + 1)
        buffer = bytearray(max((end - begin for begin, end in itertools.pairwise(cuts)), default=0))
        chunks, first_doc, bound = [], 0, 0
        with open(path, "rb") as f:
            for begin, end in itertools.pairwise(cuts):
                if f.readinto(memoryview(buffer)[: end - begin]) != end - begin:
                    raise OSError(f"{path}: changed while it was read")
                raw = np.frombuffer(buffer, dtype=np.uint8, count=end - begin)
                lines = int(np.count_nonzero(raw == ord("\n"))) + int(raw[-1] != ord("\n"))
                chunks.append(Chunk(begin, end, first_doc, lines))
                first_doc += lines
                bound += (end - begin) // 2 + lines
        return chunks, first_doc, bound

    def read(self, chunk: Chunk) -> tuple[list[str], Any]:
        with open(self.path, "rb") as f:
            f.seek(chunk.begin)
            return chunk_texts(f.read(chunk.end - chunk.begin)), None


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


@dataclass(frozen=True)
class HeldSource:
    """Texts the parent holds (a sequence, or a function of a document range giving the texts and
    anything to send back), read by forked workers from the parent's memory."""

    count: int
    texts: Callable[[int, int], tuple[list[str], Any]]
    token_bound: int
    """At least the tokens of all texts (their characters and count: a token is one or more)."""
    chunk_texts: int = CHUNK_TEXTS

    def plan(self) -> tuple[list[Chunk], int, int]:
        chunks = [
            Chunk(start, min(start + self.chunk_texts, self.count), start, min(self.chunk_texts, self.count - start))
            for start in range(0, self.count, self.chunk_texts)
        ]
        return chunks, self.count, self.token_bound

    def read(self, chunk: Chunk) -> tuple[list[str], Any]:
        return self.texts(chunk.begin, chunk.end)


def held_texts(texts: Sequence[str]) -> HeldSource:
    """A ``HeldSource`` of a sequence of texts."""
    return HeldSource(len(texts), lambda start, end: (list(texts[start:end]), None), sum(map(len, texts)) + len(texts))


# ---------------------------------------------------------------- shared state

# Arrays in anonymous shared memory, made before the worker pool forks: workers write their
# chunk's rows in place and read everyone's in the later stages.
_shared: dict[str, np.ndarray] = {}
_state: dict[str, Any] = {}
"""The source, the thresholds and the store allocator the forked workers inherit."""


def _shared_array(shape: tuple[int, ...], dtype: type) -> np.ndarray:
    count = int(np.prod(shape))
    buffer = mmap.mmap(-1, max(1, count * np.dtype(dtype).itemsize))
    return np.frombuffer(buffer, dtype=dtype, count=count).reshape(shape)


STORES = ("shingles", "content")
"""The verification sets: shingle keys (copied text) and content words (same story, related)."""


def _allocate(n_docs: int, capacity: int, copy_bands: int, rare_bands: int) -> None:
    _shared.update(
        # both channels' 16-bit screen signatures side by side: one gather a candidate pair
        screen=_shared_array((n_docs, 2 * NUM_PERM), np.uint16),
        keys_copy=_shared_array((n_docs, copy_bands), np.uint64),
        keys_rare=_shared_array((n_docs, rare_bands), np.uint64),
        usable=_shared_array((n_docs, 2), np.bool_),
    )
    for store in STORES:
        # pages untouched stay unallocated: the capacity is a bound, not what is used
        _shared[f"store_{store}"] = _shared_array((capacity,), np.uint32)
        _shared[f"bounds_{store}"] = _shared_array((n_docs, 2), np.int64)
    _state["next_free"] = multiprocessing.get_context("fork").Value("q", 0)


def _reserve(size: int) -> int:
    """Where in the stores a chunk's ``size`` set members go (a bump allocator shared by the workers)."""
    counter = _state["next_free"]
    with counter.get_lock():
        at = int(counter.value)
        counter.value = at + size
    if at + size > len(_shared["store_shingles"]):
        raise RuntimeError(
            f"pairing stores overflow: {at + size} set members, room for {len(_shared['store_shingles'])}"
        )
    return at


def _store(store: str, chunk: Chunk, doc: np.ndarray, hashes: np.ndarray, at: int) -> None:
    """A chunk's per-document 32-bit hashes into the shared store as they come (repeats
    included), with each document's bounds.  Verification needs each set sorted and distinct,
    but only for the documents in screened pairs: ``verify`` sorts those."""
    offsets = np.searchsorted(doc, np.arange(chunk.count + 1)) + at
    _shared[f"store_{store}"][offsets[0] : offsets[-1]] = hashes
    bounds = _shared[f"bounds_{store}"][chunk.first_doc : chunk.first_doc + chunk.count]
    bounds[:, 0], bounds[:, 1] = offsets[:-1], offsets[1:]


@functools.cache
def lsh_params(thresholds: Thresholds) -> tuple[minhash.LshParams, minhash.LshParams]:
    """Bands and rows of the copied-text and the rare-word channel."""
    return (
        minhash.params_for_recall(thresholds.lsh_copy, thresholds.lsh_recall),
        minhash.params_for_recall(thresholds.lsh_story, thresholds.lsh_recall),
    )


@dataclass(frozen=True)
class Signed:
    """A batch of texts signed (``sign_texts``): what LSH, the screen and verification read of them."""

    count: int
    screen: np.ndarray
    """``(count, 2 * NUM_PERM)`` uint16: the copied-text and the rare-word screen signatures side by side."""
    keys_copy: np.ndarray
    """``(count, bands)`` uint64 band keys of the copied-text channel."""
    keys_rare: np.ndarray
    usable: np.ndarray
    """``(count, 2)``: whether each text has any shingles, any rare words (LSH bands only those)."""
    shingle_doc: np.ndarray
    shingles: np.ndarray
    """32-bit verification keys of the shingles (``shingle_keys``), repeats kept, by text."""
    content_doc: np.ndarray
    content: np.ndarray
    cpu: tuple[float, float, float]
    """CPU seconds of tokenising, signatures and band keys."""


def sign_texts(texts: Sequence[str], thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Signed:
    """Tokenise (``batch_sets``), sign (``minhash.flat_signatures``) and band a batch of texts: the
    per-document work of the scale path, wherever it runs (a forked worker writing shared
    arrays, or a partition of a distributed engine)."""
    t0 = time.process_time()
    sets = batch_sets(texts)
    t1 = time.process_time()
    sig_copy = minhash.flat_signatures(sets.shingle_doc, sets.shingles, sets.count)
    sig_rare = minhash.flat_signatures(sets.rare_doc, sets.rare, sets.count)
    screen = np.empty((sets.count, 2 * NUM_PERM), dtype=np.uint16)
    screen[:, :NUM_PERM] = minhash.screen_signatures(sig_copy)
    screen[:, NUM_PERM:] = minhash.screen_signatures(sig_rare)
    t2 = time.process_time()
    copy_params, rare_params = lsh_params(thresholds)
    usable = np.stack(
        [
            np.bincount(sets.shingle_doc, minlength=sets.count) > 0,
            np.bincount(sets.rare_doc, minlength=sets.count) > 0,
        ],
        axis=1,
    ).reshape(sets.count, 2)
    keys_copy = minhash.band_keys(sig_copy, copy_params.bands, copy_params.rows)
    keys_rare = minhash.band_keys(sig_rare, rare_params.bands, rare_params.rows)
    t3 = time.process_time()
    return Signed(
        sets.count,
        screen,
        keys_copy,
        keys_rare,
        usable,
        sets.shingle_doc,
        shingle_keys(sets.shingles),
        sets.content_doc,
        shingle_keys(sets.content),
        (t1 - t0, t2 - t1, t3 - t2),
    )


def process_chunk(chunk: Chunk) -> tuple[tuple[float, ...], Any]:
    """Worker: read, tokenise, sign, band and store one chunk into the shared arrays; returns CPU
    seconds per stage and what the source sends back for the chunk."""
    t0 = time.process_time()
    texts, extra = _state["source"].read(chunk)
    if len(texts) != chunk.count:
        raise RuntimeError(f"a chunk of {chunk.count} documents read as {len(texts)} texts")
    t1 = time.process_time()
    signed = sign_texts(texts, _state["thresholds"])
    tokenise, signatures, bands = signed.cpu
    t3 = time.process_time()
    rows = slice(chunk.first_doc, chunk.first_doc + signed.count)
    _shared["screen"][rows] = signed.screen
    at = _reserve(len(signed.shingles) + len(signed.content))
    _store("shingles", chunk, signed.shingle_doc, signed.shingles, at)
    _store("content", chunk, signed.content_doc, signed.content, at + len(signed.shingles))
    _shared["usable"][rows] = signed.usable
    _shared["keys_copy"][rows] = signed.keys_copy
    _shared["keys_rare"][rows] = signed.keys_rare
    t4 = time.process_time()
    return (t1 - t0, tokenise, signatures, t4 - t3, bands), extra


def screen_keep(screen: np.ndarray, pairs: np.ndarray, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> np.ndarray:
    """Which candidate ``pairs`` (rows of ``screen``, ``Signed.screen``'s layout) pass the signature
    screen: either channel's estimate at or above its screen threshold."""
    estimates = minhash.pair_equal_bins(screen, pairs, parts=2) / np.float32(NUM_PERM)
    return np.asarray((estimates[:, 0] >= thresholds.screen_copy) | (estimates[:, 1] >= thresholds.screen_story))


CHANNELS = (("copy", 0), ("rare", 1))


def screened_band_pairs(tasks: list[tuple[str, int]]) -> tuple[np.ndarray, int, tuple[float, float]]:
    """Worker: candidate pairs of some (channel, band)s, kept if either signature estimate passes
    the screen; with the count before the screen and the CPU seconds of banding and of screening."""
    thresholds: Thresholds = _state["thresholds"]
    t0 = time.process_time()
    n_docs = len(_shared["usable"])
    usable = {}  # per channel, the documents with a non-empty set: every one, as a rule
    for channel, column in CHANNELS:
        ids = np.flatnonzero(_shared["usable"][:, column])
        usable[channel] = (ids, None if len(ids) == n_docs else ids)
    codes = []
    for channel, band in tasks:
        ids, subset = usable[channel]
        keys = _shared[f"keys_{channel}"]
        codes.append(minhash.band_codes(keys[:, band] if subset is None else keys[subset, band], ids, n_docs))
    pairs = minhash.decode_pairs(codes, n_docs)
    t1 = time.process_time()
    keep = screen_keep(_shared["screen"], pairs, thresholds)
    return pairs[keep], len(pairs), (t1 - t0, time.process_time() - t1)


def band_groups(workers: int, sample: int = 20_000) -> list[list[tuple[str, int]]]:
    """The (channel, band)s split into ``workers`` groups of about as many candidate pairs.

    Bands differ sevenfold in the pairs they let through (36,000 to 250,000 among the
    rare-word bands of the benchmark's 100,000-document corpus).  Each band's pairs among the
    first ``sample`` documents estimate its share (within 3% there), and the bands go,
    largest first, to the group with the fewest so far.
    """
    estimates: list[tuple[float, str, int]] = []
    for channel, column in CHANNELS:
        keys = _shared[f"keys_{channel}"][:sample][_shared["usable"][:sample, column]]
        for band in range(keys.shape[1]):
            ordered = np.sort(keys[:, band])
            sizes = np.diff(np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1], True]))
            pairs = np.where(sizes > minhash.MAX_BUCKET, sizes - 1, sizes * (sizes - 1) // 2)
            estimates.append((float(pairs.sum()), channel, band))
    groups: list[list[tuple[str, int]]] = [[] for _ in range(max(1, workers))]
    loads = [0.0] * len(groups)
    for estimate, channel, band in sorted(estimates, key=lambda e: -e[0]):
        lightest = loads.index(min(loads))
        groups[lightest].append((channel, band))
        loads[lightest] += estimate + 1.0
    return [g for g in groups if g]


def _sorted_sets(
    values: np.ndarray, bounds: np.ndarray, pairs: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The sorted distinct sets of the documents in ``pairs`` (their members ``values[begin:end]``
    by ``bounds`` rows), flat; each pair's two spans in them, and each pair's two set sizes."""
    docs, local = np.unique(pairs, return_inverse=True)
    flat, sizes = minhash.sorted_unique_groups(values, bounds[docs])
    ends = np.cumsum(sizes)
    spans = np.stack([ends - sizes, ends], axis=1)
    local = local.reshape(pairs.shape)
    return flat, spans[local], sizes[local]


def verify_counts(
    shingles: tuple[np.ndarray, np.ndarray], content: tuple[np.ndarray, np.ndarray], pairs: np.ndarray
) -> np.ndarray:
    """Exact shared counts and set sizes of each pair, ``(pairs, 6)`` int64: shingles shared, the
    two shingle set sizes, content words shared, the two content set sizes.  ``shingles`` and
    ``content`` are each a flat array of 32-bit keys with a ``(documents, 2)`` array of every
    document's ``begin, end`` in it (repeats allowed); ``pairs`` index those documents."""
    out = np.zeros((len(pairs), 6), dtype=np.int64)
    for column, (values, bounds) in ((0, shingles), (3, content)):
        flat, spans, sizes = _sorted_sets(values, bounds, pairs)
        out[:, column] = shared_counts(flat, spans[:, 0], spans[:, 1])
        out[:, column + 1 : column + 3] = sizes
    return out


def verify(pairs: np.ndarray) -> tuple[np.ndarray, float]:
    """Worker: ``verify_counts`` of screened pairs from the shared stores, with the CPU seconds it took."""
    t0 = time.process_time()
    out = verify_counts(
        (_shared["store_shingles"], _shared["bounds_shingles"]),
        (_shared["store_content"], _shared["bounds_content"]),
        pairs,
    )
    return out, time.process_time() - t0


def keep_freed_heap() -> bool:
    """Ask glibc's allocator to reuse freed memory instead of giving it back to the system.

    Every stage allocates and frees numpy temporaries of a few MB a chunk; above glibc's
    default thresholds each is a fresh ``mmap`` (or the heap top is trimmed), and its pages
    fault in again: about 1,800 page faults a chunk, 7% of the workers' CPU time.  Set in the
    parent before the pool forks, so the workers inherit it (and keep it: the parent's own
    later allocations are few); their peak RSS grows by about 80 MiB.  Returns False where the
    C library has no ``mallopt`` (not glibc).
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (AttributeError, OSError):
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3
    return bool(mallopt(m_mmap_threshold, 256 << 20)) and bool(mallopt(m_trim_threshold, 512 << 20))


STAGES = (
    "read",
    "tokenise",
    "signatures",
    "verification store (unsorted)",
    "band keys",
    "LSH banding",
    "signature screen",
    "verification (sorting paired sets included)",
)


@dataclass(frozen=True)
class Verified:
    """Every screened candidate pair of a corpus with its exact counts (``verify``)."""

    count: int
    """Documents in the corpus."""
    pairs: np.ndarray
    """``(pairs, 2)`` document indices, ``i < j``, sorted."""
    counts: np.ndarray
    """``(pairs, 6)``: shingles shared, shingle set sizes, content words shared, content set sizes."""
    extras: list[Any]
    """What the source sent back, a chunk at a time, in document order."""
    lsh_candidates: list[int]
    """Pairs each band group let through before the screen (a pair in two groups counts in both)."""
    timings: dict[str, float] = field(default_factory=dict)
    stage_cpu: dict[str, float] = field(default_factory=dict)
    params: tuple[minhash.LshParams, minhash.LshParams] | None = None
    usable: np.ndarray | None = None
    """``(documents, 2)``: whether each document has any shingles, any rare words."""

    def shingle_jaccard(self) -> np.ndarray:
        shared, a, b = self.counts[:, 0], self.counts[:, 1], self.counts[:, 2]
        union = a + b - shared
        return np.divide(shared, union, out=np.zeros(len(shared)), where=union > 0)

    def containment(self) -> np.ndarray:
        shared, smaller = self.counts[:, 0], np.minimum(self.counts[:, 1], self.counts[:, 2])
        return np.divide(shared, smaller, out=np.zeros(len(shared)), where=smaller > 0)

    def content_jaccard(self) -> np.ndarray:
        shared, a, b = self.counts[:, 3], self.counts[:, 4], self.counts[:, 5]
        union = a + b - shared
        return np.divide(shared, union, out=np.zeros(len(shared)), where=union > 0)

    def copy_relations(self, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> list[str | None]:
        """Each pair's copied-text relation (``relations.copy_relation``) on scores rounded as reported."""
        jaccards = np.round(self.shingle_jaccard(), 4).tolist()
        contained = np.round(self.containment(), 4).tolist()
        shorter = np.minimum(self.counts[:, 1], self.counts[:, 2]).tolist()
        return [copy_relation(j, c, s, thresholds) for j, c, s in zip(jaccards, contained, shorter, strict=True)]

    def related(self, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> np.ndarray:
        """Which pairs can hold any relation but ``unrelated``: copied text, or content words
        shared up to ``related_content`` (rounded as reported)."""
        copied = np.array([r is not None for r in self.copy_relations(thresholds)], dtype=bool)
        return copied | (np.round(self.content_jaccard(), 4) >= thresholds.related_content)


LOAD_TABLES_FROM_DOCS = 2000
"""From this many documents on, ``pair_corpus`` over several workers reads wordfreq's table whole
before forking them (``tokens.warm_up``): every worker would otherwise read it for itself."""


def pair_corpus(
    source: Source, workers: int = 2, thresholds: Thresholds = DEFAULT_THRESHOLDS, keep_heap: bool = True
) -> Verified:
    """Every candidate pair of a corpus, screened and verified: the scale path.

    ``workers`` processes (forked; one runs it in this process) read the ``source``.
    """
    timings: dict[str, float] = {}
    start = time.perf_counter()
    copy_params, rare_params = lsh_params(thresholds)
    if keep_heap and workers > 1:
        keep_freed_heap()
    plan, n_docs, capacity = source.plan()
    # The word lists, loaded once here and inherited by the forked workers.
    warm_up(whole=workers > 1 and n_docs >= LOAD_TABLES_FROM_DOCS)
    _allocate(n_docs, max(1, capacity), copy_params.bands, rare_params.bands)
    _state.update(source=source, thresholds=thresholds)
    try:
        pool = multiprocessing.get_context("fork").Pool(workers) if workers > 1 else None
        run: Callable[..., list[Any]] = pool.map if pool is not None else lambda f, xs, chunksize=1: list(map(f, xs))
        try:
            done = run(process_chunk, plan, chunksize=1)
            stage_cpu = np.sum([cpu for cpu, _ in done], axis=0) if done else np.zeros(5)
            extras = [extra for _, extra in done]
            timings["read+tokenise+signatures+bands"] = time.perf_counter() - start
            t = time.perf_counter()
            # Bands split over the workers, each expanding and screening its own; a pair
            # found in two groups is screened twice and merged once.
            screened = run(screened_band_pairs, band_groups(workers), chunksize=1) if n_docs else []
            pairs = (
                minhash.merge_pairs([p for p, _, _ in screened], max(1, n_docs))
                if screened
                else np.empty((0, 2), np.int64)
            )
            lsh_candidates = [count for _, count, _ in screened]
            lsh_cpu = np.sum([cpu for _, _, cpu in screened], axis=0) if screened else np.zeros(2)
            timings["LSH + signature screen"] = time.perf_counter() - t
            t = time.perf_counter()
            parts = run(verify, np.array_split(pairs, 4 * workers), chunksize=1) if len(pairs) else []
            counts = np.concatenate([c for c, _ in parts]) if parts else np.zeros((0, 6), dtype=np.int64)
            verify_cpu = sum(cpu for _, cpu in parts)
            timings["verification"] = time.perf_counter() - t
        finally:
            if pool is not None:
                pool.close()
                pool.join()
        timings["end to end"] = time.perf_counter() - start
        return Verified(
            n_docs,
            pairs,
            counts,
            extras,
            lsh_candidates,
            timings,
            dict(zip(STAGES, [*stage_cpu.tolist(), *lsh_cpu.tolist(), verify_cpu], strict=True)),
            (copy_params, rare_params),
            np.array(_shared["usable"]),
        )
    finally:
        _shared.clear()
        _state.clear()


def clusters_of(pairs: Sequence[tuple[int, int]], count: int) -> int:
    """How many clusters ``pairs`` make of ``count`` documents (singletons included): every
    union of two different sets is one cluster fewer."""
    from reconcile.pairing.clusters import UnionFind

    sets = UnionFind(range(count))
    merges = 0
    for i, j in pairs:
        root_i, root_j = sets.root(i), sets.root(j)
        if root_i != root_j:
            sets.union(root_i, root_j)
            merges += 1
    return count - merges
