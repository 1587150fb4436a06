"""Streaming feed deduplication against everything an index has seen.

Items arrive in batches.  A batch is sketched at once (hashed word 5-gram
shingles by ``pairing.tokens.batch_sets``, one-permutation MinHash, LSH band keys), its
band keys are looked up in the index at once, candidates are screened by their
MinHash sketches and verified against the cluster's canonical with exact shingle
Jaccard and containment, and each item, in input order, is decided:

* ``kept`` -- no earlier copy: it founds a cluster and is its canonical; or it
  is a copy that the canonical policy prefers, so it takes the cluster over
  (``replaces`` names the canonical it succeeds; the earlier one was already
  written and stays written: a stream cannot recall an item);
* ``removed`` -- a ``duplicate`` or ``near-duplicate`` of the cluster's canonical;
* ``rejected`` -- unparseable, kept aside with its line and reason.

Relations use ``pairing.relations.Thresholds``.  Only canonicals enter LSH buckets: an item
is removed for being close to something kept, which is what a reader sees.

An item meets the clusters in its buckets: those of the index, and those the
earlier items of its own batch founded or took over, so a batch decides as the
items would one at a time.  A batch's decisions are journaled in the index
(one entry per batch, every item under its position in the run) with the
batch's index writes, all or nothing, so a run killed midway and started again
replays what it decided and continues: same output, same map.
"""

from __future__ import annotations

import contextlib
import csv
import ctypes
import functools
import hashlib
import io
import itertools
import json
import multiprocessing
import os
import queue
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from multiprocessing.connection import Connection
from pathlib import Path

import numpy as np

from reconcile.dedup.feeds import BATCH_SIZE, FeedItem, Fields, KeptWriter, Read, Rejected, detect_format, read_feed
from reconcile.dedup.index import Canonical, Change, Entry, Index, Params, View, open_index
from reconcile.io.atomic import AtomicFile as _AtomicText
from reconcile.limits import MAX_BATCH_SIZE
from reconcile.pairing import minhash
from reconcile.pairing.relations import Thresholds, canonical_key, copy_relation, longest_key
from reconcile.pairing.tokens import batch_sets, shingle_keys, stream_body
from reconcile.text.dates import parse_published
from reconcile.text.normalize import fold

DEFAULT_THRESHOLDS = Thresholds()
DEFAULT_PARAMS = Params()
DEFAULT_FIELDS = Fields()

MAP_COLUMNS = (
    "input",
    "line",
    "id",
    "decision",
    "cluster",
    "canonical",
    "relation",
    "score",
    "containment",
    "replaces",
    "reason",
)


@dataclass(frozen=True)
class Decision:
    """One map row: what became of an input item, and why."""

    input: str
    line: int
    id: str
    decision: str
    """``kept``, ``removed`` or ``rejected``."""
    cluster: str = ""
    canonical: str = ""
    """The cluster's canonical item id when this item was decided (itself when kept)."""
    relation: str = ""
    """``canonical`` for a kept item, else ``duplicate`` or ``near-duplicate`` of the canonical."""
    score: float = 0.0
    """Shingle Jaccard with the canonical (with the one it replaced, for a takeover)."""
    containment: float = 0.0
    replaces: str = ""
    reason: str = ""

    def row(self) -> list[object]:
        """The map fields in ``MAP_COLUMNS`` order (what the journal stores)."""
        return [
            self.input,
            self.line,
            self.id,
            self.decision,
            self.cluster,
            self.canonical,
            self.relation,
            self.score,
            self.containment,
            self.replaces,
            self.reason,
        ]

    @staticmethod
    def from_row(fields: Sequence[object]) -> Decision:
        return Decision(*fields)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Policy:
    """Which copy a cluster keeps: ``earliest`` published, ``longest``, ``prefer`` (source list) or ``first`` seen.

    Ties keep the canonical already chosen, so arrival order decides only between equals, as
    input order does in ``scan`` (``better``).
    """

    kind: str = "earliest"
    prefer: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in ("earliest", "longest", "prefer", "first"):
            raise ValueError(f"unknown canonical policy {self.kind!r}")

    def _source_rank(self, source: str) -> int:
        folded = [fold(s) for s in self.prefer]
        key = fold(source)
        return folded.index(key) if key in folded else len(folded)

    def better(self, date: str, words: int, source: str, than: Canonical) -> bool:
        """Whether an item with these traits should replace canonical ``than``.

        ``earliest`` and ``longest`` order reports as ``scan`` orders a cluster's
        (``relations.canonical_key``, ``longest_key``: date, then distinct shingles, then the
        first to arrive), so both keep the same report of a pair."""
        if self.kind == "earliest":
            return canonical_key(date or None, words) < canonical_key(than.date or None, than.words)
        if self.kind == "longest":
            return longest_key(date or None, words) < longest_key(than.date or None, than.words)
        if self.kind == "prefer":
            return self._source_rank(source) < self._source_rank(than.source)
        return False


DEFAULT_POLICY = Policy()


@dataclass(frozen=True)
class Counts:
    read: int = 0
    kept: int = 0
    removed: int = 0
    rejected: int = 0

    def balanced(self) -> bool:
        return self.kept + self.removed + self.rejected == self.read

    def line(self) -> str:
        return f"read {self.read}, kept {self.kept}, removed {self.removed}, rejected {self.rejected}"


# --- sketching ---------------------------------------------------------------

_LOW32 = np.uint64(0xFFFFFFFF)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


@dataclass(frozen=True)
class Sketches:
    """A batch of texts sketched.

    ``keyed`` holds every text's distinct 32-bit shingle hashes as ``row << 32 | hash``,
    sorted, so text ``row``'s set is ``keyed[bounds[row]:bounds[row + 1]]`` and one
    ``searchsorted`` scores many (text, other set) pairs at once; ``signatures`` is
    (texts, num_perm) uint32, ``keys`` (texts, bands) LSH band keys as int64 (SQLite's integers).
    """

    keyed: np.ndarray
    bounds: np.ndarray
    signatures: np.ndarray
    keys: np.ndarray

    @functools.cached_property
    def hashes(self) -> np.ndarray:
        """``keyed`` without the rows: every text's hashes, uint32, one after the other."""
        return (self.keyed & _LOW32).astype(np.uint32)

    def shingles(self, row: int) -> np.ndarray:
        """Text ``row``'s distinct shingle hashes, sorted, uint32 (a view of ``hashes``)."""
        return self.hashes[self.bounds[row] : self.bounds[row + 1]]

    def sizes(self) -> np.ndarray:
        return np.diff(self.bounds)


def text_shingle_keys(texts: Sequence[str], size: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Owner and 32-bit key of every word ``size``-gram of many texts, repeats included: the
    tokeniser and keys ``scan`` verifies with (``pairing.tokens.batch_sets`` and ``shingle_keys``),
    so a pair scores the same here and there: of each text, its body without the chrome its own
    lines show (``tokens.stream_body``).  A text of fewer words has one shingle of them all."""
    sets = batch_sets([stream_body(text) for text in texts], size, shingles_only=True)
    return sets.shingle_doc, shingle_keys(sets.shingles)


def sketch(texts: Sequence[str], params: Params = DEFAULT_PARAMS) -> Sketches:
    """Shingle sets, one-permutation MinHash signatures (``minhash.flat_signatures``) and band keys
    of a batch of texts, all in numpy.  A text without words has an empty set (and meaningless keys)."""
    owner, hashes = text_shingle_keys(texts, params.shingle_size)
    keyed = minhash.sorted_unique((owner.astype(np.uint64) << np.uint64(32)) | hashes.astype(np.uint64))
    rows = (keyed >> np.uint64(32)).astype(np.int64)
    bounds = np.searchsorted(rows, np.arange(len(texts) + 1))
    with np.errstate(over="ignore"):
        mixed = minhash.splitmix64((keyed & _LOW32) + np.uint64(params.seed) * _GOLDEN)
    signatures = minhash.flat_signatures(rows, mixed, len(texts), params.num_perm)
    keys = minhash.band_keys(signatures, params.bands, params.rows).view(np.int64)
    return Sketches(keyed, bounds, signatures, keys)


def keys_found_in_rows(sketches: Sketches, rows: Sequence[int], others: Sequence[np.ndarray]) -> list[int]:
    """For each k, how many of ``others[k]`` (distinct uint32) are in text ``rows[k]``'s set: one
    ``searchsorted`` for every pair of a batch, instead of a set intersection each."""
    if not others:
        return []
    lengths = np.fromiter(map(len, others), dtype=np.int64, count=len(others))
    if not lengths.sum() or not len(sketches.keyed):
        return [0] * len(others)
    owners = np.repeat(np.asarray(rows, dtype=np.uint64), lengths) << np.uint64(32)
    queries = owners | np.concatenate(others).astype(np.uint64)
    at = np.searchsorted(sketches.keyed, queries)
    at[at == len(sketches.keyed)] = 0
    totals = np.concatenate(([0], np.cumsum(sketches.keyed[at] == queries)))
    ends = np.cumsum(lengths)
    return (totals[ends] - totals[ends - lengths]).tolist()


def shared_with(shingles: np.ndarray, others: Sequence[np.ndarray]) -> list[int]:
    """How many of ``shingles`` (sorted, unique) each of ``others`` (unique) holds."""
    if not others or not len(shingles):
        return [0] * len(others)
    alone = Sketches(shingles.astype(np.uint64), np.array([0, len(shingles)]), np.empty(0), np.empty(0))
    return keys_found_in_rows(alone, [0] * len(others), others)


def founder_id(item: FeedItem) -> str:
    """A cluster's id: a hash of the item that founds it."""
    return hashlib.blake2b(f"{item.id}\x00{item.text}".encode(), digest_size=8).hexdigest()


def salted_id(cluster: str, salt: str) -> str:
    """The id to use when ``cluster`` is taken (the same item founded a cluster before, which has
    since taken another text): salted with the item's ``run:position``."""
    return hashlib.blake2b(f"{cluster}\x00{salt}".encode(), digest_size=8).hexdigest()


@functools.lru_cache(maxsize=4096)
def iso_date(value: str) -> str:
    published = parse_published(value) if value else None
    return published.isoformat() if published else ""


# --- deciding -----------------------------------------------------------------

MAX_ATTEMPTS = 50


SCREEN_JACCARD = DEFAULT_THRESHOLDS.screen_sketch
"""A candidate whose sketch estimates a shingle Jaccard below this is dropped before exact scoring
(``pairing.relations.Thresholds.screen_sketch``, where the figures behind it are)."""


def _screened(mine: np.ndarray, theirs: np.ndarray) -> np.ndarray:
    """Which pairs of sketch rows (uint8, one row per pair) pass ``SCREEN_JACCARD``."""
    return (mine == theirs).sum(axis=1) >= SCREEN_JACCARD * mine.shape[1]


def low_bytes(sketches: Sketches, rows: Sequence[int] | np.ndarray) -> np.ndarray:
    """The sketches of ``rows``: the low byte of each MinHash bin (b-bit minwise hashing, b = 8)."""
    return sketches.signatures[rows].astype(np.uint8)


def within_batch(sketches: Sketches) -> tuple[dict[int, list[int]], dict[tuple[int, str | int], int]]:
    """For each row, the earlier rows of the batch sharing a band key with it and passing the
    screen, and the shared shingle counts of those pairs (keyed ``(row, earlier row)``): all from
    the batch alone, so the reader process computes them."""
    earlier: dict[int, list[int]] = {}
    rows: list[int] = []
    tags: list[str | int] = []
    others: list[np.ndarray] = []
    count = len(sketches.keys)
    if count > 1:
        usable = sketches.sizes() > 0
        pairs = minhash.candidate_pairs(sketches.keys, usable, max_bucket=count)
        pairs = pairs[_screened(low_bytes(sketches, pairs[:, 0]), low_bytes(sketches, pairs[:, 1]))]
        for first, later in pairs.tolist():
            earlier.setdefault(later, []).append(first)
            rows.append(later)
            tags.append(first)
            others.append(sketches.shingles(first))
    counts = keys_found_in_rows(sketches, rows, others)
    return earlier, dict(zip(zip(rows, tags, strict=True), counts, strict=True))


def stored_candidates(rows: Sequence[int], sketches: Sketches, view: View) -> list[list[str]]:
    """For each row, the stored clusters its buckets name whose sketches pass the screen, sorted.

    In numpy for the whole batch: each batch row's band keys looked up in the view's
    (band key, cluster) rows, the (row, cluster) pairs screened at once."""
    found: list[list[str]] = [[] for _ in rows]
    names, sizes = view.names, view.sketch_sizes
    table = view.held[sizes[view.held[:, 1]] > 0]  # a cluster without a sketch is not a candidate
    if not len(table):
        return found
    batch_keys = sketches.keys[list(rows)]
    queries = batch_keys.ravel()
    low = np.searchsorted(table[:, 0], queries, side="left")
    counts = np.searchsorted(table[:, 0], queries, side="right") - low
    hit = np.flatnonzero(counts)
    if not len(hit):
        return found
    counts = counts[hit]
    ends = np.cumsum(counts)
    members = table[np.arange(ends[-1]) + np.repeat(low[hit] - (ends - counts), counts), 1]
    pairs = minhash.sorted_unique(np.repeat(hit // batch_keys.shape[1], counts) * len(names) + members)
    row_of, cluster_of = pairs // len(names), pairs % len(names)
    width = sketches.signatures.shape[1]
    # a sketch of another width (none is written so) is never screened out
    passing = sizes[cluster_of] != width
    if view.sketch_table.shape[1] >= width:
        mine = low_bytes(sketches, np.asarray(rows, dtype=np.int64)[row_of])
        passing |= _screened(mine, view.sketch_table[cluster_of, :width])
    for row, cluster in zip(row_of[passing].tolist(), cluster_of[passing].tolist(), strict=True):
        found[row].append(names[cluster])
    return found


def _score_stored(
    rows: Sequence[int],
    sketches: Sketches,
    candidates: list[list[str]],
    canonicals: dict[str, Canonical],
    prescored: dict[tuple[int, str | int], int],
) -> None:
    """Shared shingle counts of each row with its stored candidates, in one numpy pass, into ``prescored``."""
    pair_rows: list[int] = []
    tags: list[str | int] = []
    others: list[np.ndarray] = []
    for row, clusters in zip(rows, candidates, strict=True):
        for cluster in clusters:
            if cluster in canonicals:
                pair_rows.append(row)
                tags.append(cluster)
                others.append(canonicals[cluster].shingles)
    prescored.update(
        zip(zip(pair_rows, tags, strict=True), keys_found_in_rows(sketches, pair_rows, others), strict=True)
    )


def decide_batch(
    items: Sequence[FeedItem],
    rows: Sequence[int],
    origins: Sequence[str],
    prepared: Prepared,
    view: View,
    screened: list[list[str]],
    canonicals: dict[str, Canonical],
    policy: Policy = DEFAULT_POLICY,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> tuple[list[Decision], list[Change]]:
    """Decide a batch's items in input order against ``view`` and the batch's own earlier items.

    Item k is row ``rows[k]`` of the prepared batch.  An item's candidates are the
    clusters in its buckets that pass the sketch screen: ``screened[k]`` from the
    view (whose ``canonicals`` were fetched), and those an earlier item of the batch
    founded or took over with a band key they share.  Pure: the caller writes the
    returned changes to the index if the view still holds.
    """
    sketches, earlier = prepared.sketches, prepared.earlier
    prescored = dict(prepared.shared)
    stored = [[c for c in clusters if c in canonicals] for clusters in screened]
    _score_stored(rows, sketches, stored, canonicals, prescored)
    keys = sketches.keys
    sizes = sketches.sizes().tolist()
    current: dict[str, tuple[Canonical, str | int]] = {c: (canon, c) for c, canon in canonicals.items()}
    changes: dict[str, Change] = {}
    made: dict[int, str] = {}
    """The cluster each item of the batch founded or took over, by row."""
    taken = set(view.existing)
    decisions: list[Decision] = []
    sketch_of = dict(zip(rows, map(bytes, low_bytes(sketches, list(rows))), strict=True))
    for k, (item, row, origin) in enumerate(zip(items, rows, origins, strict=True)):
        candidates = stored[k]
        if row in earlier:
            found = set(candidates)
            found.update(made[j] for j in earlier[row] if j in made)
            candidates = sorted(found)
        own = next((c for c in candidates if current[c][0].origin == origin), None) if candidates else None
        if own is not None:
            # our own claim from a run killed before its journal was written
            decisions.append(Decision(item.input, item.line, item.id, "kept", own, item.id, "canonical", 1.0, 1.0))
            continue
        words = sizes[row]
        best: tuple[float, float, str, str] | None = None
        for cluster in candidates:
            canonical, tag = current[cluster]
            shared = prescored.get((row, tag))
            if shared is None:
                shared = shared_with(sketches.shingles(row), [canonical.shingles])[0]
            theirs = len(canonical.shingles)
            union, shorter = words + theirs - shared, min(words, theirs)
            jac, cont = (shared / union if union else 0.0), (shared / shorter if shorter else 0.0)
            relation = copy_relation(jac, cont, shorter, thresholds)
            if relation and (best is None or (jac, cont) > best[:2]):
                best = (jac, cont, relation, cluster)
        date = iso_date(item.date)
        if best is not None:
            jac, cont, relation, cluster = best
            canonical = current[cluster][0]
            if policy.better(date, words, item.source, canonical):
                successor = Canonical(
                    cluster, item.id, sketches.shingles(row), words, date, item.source, origin, sketch_of[row]
                )
                current[cluster] = (successor, row)
                made[row] = cluster
                earlier_change = changes.get(cluster)
                if earlier_change is None:
                    changes[cluster] = Change(successor, keys[row], canonical.origin)
                else:
                    both = np.concatenate([earlier_change.keys, keys[row]])
                    changes[cluster] = Change(successor, both, earlier_change.expected)
                decisions.append(
                    Decision(
                        item.input,
                        item.line,
                        item.id,
                        "kept",
                        cluster,
                        item.id,
                        "canonical",
                        round(jac, 4),
                        round(cont, 4),
                        replaces=canonical.id,
                    )
                )
            else:
                decisions.append(
                    Decision(
                        item.input,
                        item.line,
                        item.id,
                        "removed",
                        cluster,
                        canonical.id,
                        relation,
                        round(jac, 4),
                        round(cont, 4),
                    )
                )
            continue
        cluster = prepared.ids[row]
        if cluster in taken or cluster in current:
            cluster = prepared.salted[row]
            if cluster in taken or cluster in current:
                raise RuntimeError(f"{item.input}:{item.line}: cluster id {cluster} is taken")
        new = Canonical(cluster, item.id, sketches.shingles(row), words, date, item.source, origin, sketch_of[row])
        current[cluster] = (new, row)
        made[row] = cluster
        taken.add(cluster)
        changes[cluster] = Change(new, keys[row])
        decisions.append(Decision(item.input, item.line, item.id, "kept", cluster, item.id, "canonical", 1.0, 1.0))
    return decisions, list(changes.values())


@dataclass(frozen=True)
class Prepared:
    """A batch of reads with all that deciding needs from the batch alone: the sketches of its
    items (row k: the batch's k-th ``FeedItem``), each item's would-be cluster id and the salted
    one, the band keys to look up, and the within-batch candidates (``within_batch``)."""

    reads: list[Read]
    sketches: Sketches
    ids: list[str]
    salted: list[str]
    keys: list[int]
    earlier: dict[int, list[int]]
    shared: dict[tuple[int, str | int], int]


@dataclass(frozen=True)
class Sketched:
    """A batch of reads at positions ``start``, ``start + 1``... with its sketches: what the reader
    process sends.  The rest of ``Prepared`` (cluster ids, band keys, within-batch candidates, ~10 µs
    an item) is worked out where the batch is decided (``finish``): the reader process, which also
    parses and repairs the text, is the slower of the two (101 against 61 µs of CPU an item on
    100,000 items), and those parts pickle larger than they take to make."""

    reads: list[Read]
    sketches: Sketches
    start: int


def sketch_reads(batch: list[Read], params: Params, start: int) -> Sketched:
    """``batch`` holds the reads at positions ``start``, ``start + 1``..."""
    return Sketched(batch, sketch([read.text for read in batch if isinstance(read, FeedItem)], params), start)


def finish(sketched: Sketched, run: str) -> Prepared:
    """The rest of ``Prepared`` from a ``Sketched`` batch of ``run``."""
    batch, sketches, start = sketched.reads, sketched.sketches, sketched.start
    items = [(start + n, read) for n, read in enumerate(batch) if isinstance(read, FeedItem)]
    ids = [founder_id(item) for _, item in items]
    salted = [salted_id(c, f"{run}:{position}") for c, (position, _) in zip(ids, items, strict=True)]
    usable = sketches.sizes() > 0
    keys = minhash.sorted_unique(sketches.keys[usable].ravel()).tolist()  # numpy 2's np.unique hashes: 14 times slower
    earlier, shared = within_batch(sketches)
    return Prepared(batch, sketches, ids, salted, keys, earlier, shared)


def prepare_batch(batch: list[Read], params: Params, run: str, start: int) -> Prepared:
    """``batch`` holds the reads at positions ``start``, ``start + 1``... of ``run``."""
    return finish(sketch_reads(batch, params, start), run)


def sketched_batches(reads: Iterable[Read], params: Params, batch_size: int = BATCH_SIZE) -> Iterator[Sketched]:
    stream = iter(reads)
    start = 0
    while batch := list(islice(stream, batch_size)):
        yield sketch_reads(batch, params, start)
        start += len(batch)


def prepared_batches(
    reads: Iterable[Read], params: Params, run: str, batch_size: int = BATCH_SIZE
) -> Iterator[Prepared]:
    return (finish(sketched, run) for sketched in sketched_batches(reads, params, batch_size))


PR_SET_PDEATHSIG = 1
"""Linux's ``prctl`` option: the signal a process gets when the thread that forked it ends."""


def die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (``prctl(PR_SET_PDEATHSIG, SIGKILL)``).

    Without it a reader whose parent was killed (``kill -9``) could outlive it, blocked on a pipe,
    holding memory and the parent's files open.  Elsewhere (or if ``prctl`` cannot be called)
    the reader still ends by the pipe (``_reader``)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _reader(
    paths: Sequence[Path],
    fields: Fields,
    params: Params,
    batch_size: int,
    conn: Connection,
    parent_end: Connection,
    parent: int,
) -> None:
    """The reader process: parse and sketch batches (``Sketched``) and send them down ``conn``.

    The parent's receiving thread holds at most ``READ_AHEAD`` batches and a pipe less than one,
    so the reader stays a few batches ahead (memory stays bounded).  It ends with its parent
    however the parent ends: by ``die_with_parent``; and, should that be missing, by the pipe
    (it closes its inherited copy of the parent's end, ``parent_end``, so once the parent is
    gone a send fails with ``BrokenPipeError``) and by checking its parent between batches.
    """
    die_with_parent()
    parent_end.close()
    if os.getppid() != parent:  # the parent died before the request above was made
        return
    try:
        for sketched in sketched_batches(read_inputs(paths, fields), params, batch_size):
            if os.getppid() != parent:
                return
            conn.send(sketched)
        conn.send(None)
    except BrokenPipeError:
        pass
    except BaseException as err:  # any failure is reported to the parent, which raises it
        with contextlib.suppress(BrokenPipeError):
            conn.send(RuntimeError(f"reader process: {err.__class__.__name__}: {err}"))
    finally:
        conn.close()


READER_PROCESS_BYTES = 32 << 20
READ_AHEAD = 3
"""Batches the reader process may have ready beyond the one being decided: a pipe holds less than
one, so without a buffer the reader waits for each handover and the two processes take turns."""


def _receive(conn: Connection, ahead: queue.Queue[object]) -> None:
    """A thread of this process: move the reader's messages from the pipe into ``ahead``."""
    try:
        while True:
            message = conn.recv()
            ahead.put(message)
            if message is None or isinstance(message, BaseException):
                return
    except (EOFError, OSError):
        ahead.put(RuntimeError("the reader process ended without finishing"))


def read_in_process(
    paths: Sequence[Path], fields: Fields, params: Params, run: str, batch_size: int = BATCH_SIZE
) -> Iterator[Prepared]:
    """``prepared_batches`` of ``read_inputs``, parsed and sketched in a second process (``Sketched``,
    about 60% of an item's CPU) beside the index work of this one, up to ``READ_AHEAD`` batches
    ahead, and ``finish``ed here."""
    # fork: no re-import of the caller's main module (a script without a main guard works), and the
    # child starts at once; nothing in this process holds threads or locks the child needs
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(
        target=_reader, args=(list(paths), fields, params, batch_size, send, receive, os.getpid()), daemon=True
    )
    process.start()
    send.close()
    ahead: queue.Queue[object] = queue.Queue(maxsize=READ_AHEAD)
    receiver = threading.Thread(target=_receive, args=(receive, ahead), daemon=True)
    receiver.start()
    try:
        while True:
            message = ahead.get()
            if message is None:
                return
            if isinstance(message, BaseException):
                raise message
            yield finish(message, run)  # type: ignore[arg-type]
    finally:
        if process.is_alive():
            process.terminate()  # stopped early: the reader may be waiting to send
        while receiver.is_alive():  # it ends at the reader's end, once it can put its last message
            with contextlib.suppress(queue.Empty):
                ahead.get(timeout=0.1)
        receive.close()
        process.join()


def decide_stream(
    reads: Iterable[Read] | Iterable[Prepared],
    index: Index,
    run: str,
    policy: Policy = DEFAULT_POLICY,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    batch_size: int = BATCH_SIZE,
) -> Iterator[tuple[Read, Decision]]:
    """Each input read with its decision, in input order, a batch at a time.

    ``reads`` are reads, or batches prepared already (``prepare_batch``) (by ``read_in_process``).
    ``run`` names this run in the journal: the same run started again replays
    the decisions already made for its positions.
    """
    stream = iter(reads)
    first = next(stream, None)
    if first is None:
        return
    stream = itertools.chain([first], stream)
    batches: Iterator[Prepared] = (
        stream if isinstance(first, Prepared) else prepared_batches(stream, index.params, run, batch_size)  # type: ignore[assignment,arg-type]
    )
    position = 0
    for prepared in batches:
        batch = prepared.reads
        start = position
        position += len(batch)
        done = index.recorded(run, start, position)
        decided: list[Decision | None] = [None] * len(batch)
        sizes = prepared.sketches.sizes().tolist()
        live: list[tuple[int, int, FeedItem]] = []
        row = 0
        for n, read in enumerate(batch):
            if isinstance(read, Rejected):
                decided[n] = Decision(read.input, read.line, "", "rejected", reason=read.reason)
                continue
            if start + n in done:
                decided[n] = Decision.from_row(done[start + n])
            elif not sizes[row]:
                decided[n] = Decision(read.input, read.line, read.id, "rejected", reason="no words in text")
            else:
                live.append((n, row, read))
            row += 1
        if live:
            _decide_live(live, start, run, prepared, index, policy, thresholds, decided)
        index.commit()
        for read, decision in zip(batch, decided, strict=True):
            assert decision is not None
            yield read, decision


def _decide_live(
    live: Sequence[tuple[int, int, FeedItem]],
    start: int,
    run: str,
    prepared: Prepared,
    index: Index,
    policy: Policy,
    thresholds: Thresholds,
    decided: list[Decision | None],
) -> None:
    items = [item for _, _, item in live]
    rows = [row for _, row, _ in live]
    origins = [f"{run}:{start + n}" for n, _, _ in live]
    sketches = prepared.sketches
    clusters = [prepared.ids[row] for row in rows] + [prepared.salted[row] for row in rows]
    signatures = sketches.signatures[rows].astype("<u4").tobytes()
    for _ in range(MAX_ATTEMPTS):
        view = index.view(prepared.keys, clusters)
        candidates = stored_candidates(rows, sketches, view)
        canonicals = index.canonicals(sorted({c for found in candidates for c in found}))
        decisions, changes = decide_batch(
            items, rows, origins, prepared, view, candidates, canonicals, policy, thresholds
        )
        journal = [[start + n, *d.row()] for (n, _, _), d in zip(live, decisions, strict=True)]
        entry = Entry(run, start + live[0][0], start + live[-1][0], json.dumps(journal, ensure_ascii=False), signatures)
        if index.apply(changes, entry, view):
            break
    else:
        raise RuntimeError(f"{items[0].input}:{items[0].line}: no stable decision after {MAX_ATTEMPTS} attempts")
    for (n, _, _), decision in zip(live, decisions, strict=True):
        decided[n] = decision


def run_key(paths: Sequence[Path], *parts: object) -> str:
    """Names a run by its inputs' bytes and settings, so only the same run replays the journal."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path.name).encode() + b"\x00")
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
        except OSError:
            digest.update(b"<unreadable>")
    digest.update(json.dumps([repr(p) for p in parts]).encode())
    return digest.hexdigest()[:16]


def read_inputs(paths: Sequence[Path], fields: Fields, fmt: str | None = None) -> Iterator[Read]:
    """Every item of every input in order; a file that cannot be read is one ``Rejected`` (line 0)."""
    for path in paths:
        try:
            yield from read_feed(path, fields, fmt or detect_format(path))
        except (OSError, UnicodeDecodeError) as err:
            yield Rejected(str(path), 0, f"cannot read: {err.__class__.__name__}: {err}")


def output_targets(paths: Sequence[Path], out: Path) -> dict[str, Path]:
    """One input: ``out`` is the file.  Several: ``out`` is a folder with one file per input, same name."""
    if len(paths) == 1 and not out.is_dir():
        return {str(paths[0]): out}
    names = [p.name for p in paths]
    if len(set(names)) != len(names):
        raise ValueError("several inputs share a file name; give them distinct names or dedup them one at a time")
    return {str(p): out / p.name for p in paths}


def dedup_files(
    paths: Sequence[Path],
    out: Path | None,
    index_url: str | None = None,
    map_path: Path | None = None,
    rejects_path: Path | None = None,
    fields: Fields = DEFAULT_FIELDS,
    policy: Policy = DEFAULT_POLICY,
    params: Params = DEFAULT_PARAMS,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    on_decision: Callable[[Read, Decision], None] | None = None,
    reader_process: bool | None = None,
) -> Counts:
    """Dedup feed files into ``out`` (kept items, input format), ``map_path`` and ``rejects_path``.

    Outputs appear whole at the end or not at all.  ``dry_run`` writes nothing and only reads
    the index; ``on_decision`` sees every item.  ``batch_size``: 1 to ``MAX_BATCH_SIZE``.
    ``reader_process``: parse and sketch in a second process (``read_in_process``);
    by default when the inputs hold more than ``READER_PROCESS_BYTES``, since
    starting one costs about a second.
    """
    from reconcile.dedup.index import DryRunIndex

    if not 1 <= batch_size <= MAX_BATCH_SIZE:
        raise ValueError(f"batch size must be from 1 to {MAX_BATCH_SIZE:,}, not {batch_size}")
    formats = {str(p): (detect_format(p) if p.is_file() else "jsonl") for p in paths}
    targets = output_targets(paths, out) if out is not None and not dry_run else {}
    index: Index = open_index(index_url, params, read_only=dry_run)
    if dry_run:
        index = DryRunIndex(index)
    run = run_key(paths, fields, policy, thresholds, params)
    writers = {name: KeptWriter(Path(name), target, formats[name]) for name, target in targets.items()}
    map_file = _AtomicText(map_path) if map_path is not None and not dry_run else None
    rejects_file = _AtomicText(rejects_path) if rejects_path is not None and not dry_run else None
    map_writer = csv.writer(map_file.handle, lineterminator="\n") if map_file else None
    if map_writer:
        map_writer.writerow(MAP_COLUMNS)
    read = kept = removed = rejected = 0
    batch_end = batch_size
    closed = False
    try:
        if reader_process is None:
            reader_process = sum(p.stat().st_size for p in paths if p.is_file()) > READER_PROCESS_BYTES
        reads = (
            read_in_process(paths, fields, params, run, batch_size) if reader_process else read_inputs(paths, fields)
        )
        decisions = decide_stream(reads, index, run, policy, thresholds, batch_size)
        for read_item, decision in decisions:
            read += 1
            if decision.decision == "kept":
                kept += 1
                if read_item.input in writers and isinstance(read_item, FeedItem):
                    writers[read_item.input].write(read_item)
            elif decision.decision == "removed":
                removed += 1
            else:
                rejected += 1
                if rejects_file is not None:
                    raw = read_item.raw if isinstance(read_item, Rejected) else ""
                    record = {"input": decision.input, "line": decision.line, "reason": decision.reason, "raw": raw}
                    rejects_file.handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            if map_writer:
                map_writer.writerow(decision.row())
            if on_decision:
                on_decision(read_item, decision)
            if read == batch_end:
                for writer in writers.values():
                    writer.flush()
                batch_end += batch_size
        counts = Counts(read, kept, removed, rejected)
        if not counts.balanced():
            raise RuntimeError(f"counts do not balance: {counts.line()}")
        index.close()  # the journal is durable before any output appears
        closed = True
        for writer in writers.values():
            writer.commit()
        if map_file:
            map_file.commit()
        if rejects_file:
            rejects_file.commit()
    except BaseException:
        if not closed:
            index.close(keep=False)
        for writer in writers.values():
            writer.abort()
        for text_file in (map_file, rejects_file):
            if text_file:
                text_file.abort()
        raise
    return counts


def map_rows(text: str) -> list[dict[str, str]]:
    """A map file's rows, for tests and tools."""
    return list(csv.DictReader(io.StringIO(text)))
