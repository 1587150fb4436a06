"""Streaming feed deduplication against everything an index has seen.

Items arrive in batches.  Each is sketched (hashed word 5-gram shingles, a
seeded MinHash, LSH band keys), looked up in the index, verified against the
candidate canonicals with exact shingle Jaccard and containment, and decided:

* ``kept`` -- no earlier copy: it founds a cluster and is its canonical; or it
  is a copy that the canonical policy prefers, so it takes the cluster over
  (``replaces`` names the canonical it succeeds; the earlier one was already
  written and stays written: a stream cannot recall an item);
* ``removed`` -- a ``duplicate`` or ``near-duplicate`` of the cluster's canonical;
* ``rejected`` -- unparseable, kept aside with its line and reason.

Relations use ``pair.Thresholds``.  Only canonicals enter LSH buckets: an item
is removed for being close to something kept, which is what a reader sees.

Every decision is journaled in the index under (run, position) in the same
transaction as its index writes, so a run killed midway and started again
replays what it decided and continues: same output, same map.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import numpy as np

from reconcile.dates import parse_published
from reconcile.feeds import BATCH_SIZE, FeedItem, Fields, KeptWriter, Read, Rejected, detect_format, read_feed
from reconcile.index import Canonical, Index, Params, Recorded, open_index
from reconcile.normalize import TOKEN_RE, fold
from reconcile.pair import Thresholds, copy_relation

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

    def to_json(self) -> str:
        return json.dumps({c: getattr(self, c) for c in MAP_COLUMNS}, ensure_ascii=False)

    @staticmethod
    def from_json(text: str) -> Decision:
        return Decision(**json.loads(text))


@dataclass(frozen=True)
class Policy:
    """Which copy a cluster keeps: ``earliest`` published, ``longest``, ``prefer`` (source list) or ``first`` seen.

    Ties keep the canonical already chosen, so arrival order decides only between equals.
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
        """Whether an item with these traits should replace canonical ``than``."""
        if self.kind == "earliest":
            return bool(date) and (not than.date or date < than.date)
        if self.kind == "longest":
            return words > than.words
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

_ASCII_TOKEN_RE = re.compile(TOKEN_RE.pattern, re.ASCII)
"""``normalize.TOKEN_RE`` for ASCII text: the same matches, faster."""


def _odd_constants(seed: int, n: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 1 << 63, size=n, dtype=np.uint64) * np.uint64(2) + np.uint64(1)


@dataclass(frozen=True)
class Sketcher:
    """Seeded, vectorised MinHash over 32-bit shingle hashes: the same text, the same keys, on any machine.

    Permutation i is multiply-shift hashing ``(a_i * x + b_i) mod 2^64 >> 32``
    with odd ``a_i``; a shingle hash combines its words' CRC32s with odd
    multipliers, so it is order-sensitive and deterministic.
    """

    params: Params = DEFAULT_PARAMS
    a: np.ndarray = field(init=False, repr=False, compare=False)
    b: np.ndarray = field(init=False, repr=False, compare=False)
    shingle_mult: np.ndarray = field(init=False, repr=False, compare=False)
    band_mult: np.ndarray = field(init=False, repr=False, compare=False)
    vocabulary: dict[str, int] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        p = self.params
        object.__setattr__(self, "a", _odd_constants(p.seed, p.num_perm))
        object.__setattr__(self, "b", _odd_constants(p.seed + 1, p.num_perm))
        object.__setattr__(self, "shingle_mult", _odd_constants(p.seed + 2, p.shingle_size))
        object.__setattr__(self, "band_mult", _odd_constants(p.seed + 3, p.rows + 1))

    def tokens(self, text: str) -> list[str]:
        """Folded words, as ``normalize.words`` gives them ("u.s." → "us").

        ASCII text skips NFKC and punctuation folding, which change nothing there.
        """
        found = _ASCII_TOKEN_RE.findall(text.lower()) if text.isascii() else TOKEN_RE.findall(fold(text))
        if "." not in "".join(found):
            return found
        return [t.replace(".", "") if t[-1:] == "." else t for t in found]

    def _word_hashes(self, tokens: list[str]) -> list[int]:
        vocab = self.vocabulary
        if len(vocab) > 2_000_000:
            vocab.clear()
        for token in set(tokens).difference(vocab):
            vocab[token] = zlib.crc32(token.encode("utf-8"))
        return list(map(vocab.__getitem__, tokens))

    def shingle_batch(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Sorted unique uint32 hashes of each text's word ``shingle_size``-grams (one shingle for a shorter text).

        Vectorised over the whole batch: one hash pass, one sort.
        """
        token_lists = [self.tokens(t) for t in texts]
        lengths = np.fromiter((len(t) for t in token_lists), dtype=np.int64, count=len(token_lists))
        total = int(lengths.sum())
        if total == 0:
            return [np.empty(0, dtype=np.uint32) for _ in texts]
        flat: list[str] = [w for tokens in token_lists for w in tokens]
        k = self.params.shingle_size
        words = np.zeros(total + k, dtype=np.uint64)
        words[:total] = self._word_hashes(flat)
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        owner = np.repeat(np.arange(len(texts), dtype=np.uint64), lengths)
        offset = np.arange(total, dtype=np.int64) - np.repeat(starts, lengths)
        span = np.repeat(np.minimum(lengths, k), lengths)
        with np.errstate(over="ignore"):
            acc = np.zeros(total, dtype=np.uint64)
            for j in range(k):
                # a short text's one shingle holds only its own words
                acc += np.where(j < span, words[j : j + total], np.uint64(0)) * self.shingle_mult[j]
        valid = offset <= np.repeat(lengths - np.minimum(lengths, k), lengths)
        keyed = (owner[valid] << np.uint64(32)) | (acc[valid] >> np.uint64(32))
        keyed.sort()
        keyed = keyed[np.concatenate(([True], keyed[1:] != keyed[:-1]))]
        bounds = np.searchsorted(keyed >> np.uint64(32), np.arange(len(texts) + 1, dtype=np.uint64))
        hashes = (keyed & np.uint64(0xFFFFFFFF)).astype(np.uint32)
        return [hashes[bounds[i] : bounds[i + 1]] for i in range(len(texts))]

    def shingles(self, text: str) -> np.ndarray:
        """One text's shingle hashes (see ``shingle_batch``)."""
        return self.shingle_batch([text])[0]

    def signatures(self, shingle_sets: Sequence[np.ndarray], perm_chunk: int = 8) -> np.ndarray:
        """MinHash signatures, shape (items, num_perm), uint32; all-ones rows for empty sets."""
        out = np.full((len(shingle_sets), self.params.num_perm), 0xFFFFFFFF, dtype=np.uint32)
        lengths = np.array([len(s) for s in shingle_sets], dtype=np.int64)
        nonempty = np.flatnonzero(lengths)
        if not len(nonempty):
            return out
        values = np.concatenate([shingle_sets[i] for i in nonempty.tolist()]).astype(np.uint64)
        offsets = np.concatenate(([0], np.cumsum(lengths[nonempty])[:-1]))
        hashed = np.empty((perm_chunk, len(values)), dtype=np.uint64)
        for first in range(0, self.params.num_perm, perm_chunk):
            a, b = self.a[first : first + perm_chunk], self.b[first : first + perm_chunk]
            buf = hashed[: len(a)]
            with np.errstate(over="ignore"):
                np.multiply(a[:, None], values[None, :], out=buf)
                buf += b[:, None]
            buf >>= np.uint64(32)
            out[nonempty, first : first + len(a)] = np.minimum.reduceat(buf, offsets, axis=1).T
        return out

    def band_keys(self, signatures: np.ndarray) -> np.ndarray:
        """One 64-bit key per band, shape (items, bands): the band's rows mixed with its number (splitmix64)."""
        p = self.params
        keys = np.empty((len(signatures), p.bands), dtype=np.uint64)
        sig = signatures.astype(np.uint64)
        with np.errstate(over="ignore"):
            for band in range(p.bands):
                rows = sig[:, band * p.rows : (band + 1) * p.rows]
                x = (rows * self.band_mult[: p.rows]).sum(axis=1, dtype=np.uint64)
                x += np.uint64(band) * self.band_mult[-1]
                x ^= x >> np.uint64(30)
                x *= np.uint64(0xBF58476D1CE4E5B9)
                x ^= x >> np.uint64(27)
                x *= np.uint64(0x94D049BB133111EB)
                x ^= x >> np.uint64(31)
                keys[:, band] = x
        return keys


def cluster_id(item: FeedItem, salt: str = "") -> str:
    digest = hashlib.blake2b(f"{item.id}\x00{item.text}\x00{salt}".encode(), digest_size=8)
    return digest.hexdigest()


def iso_date(value: str) -> str:
    published = parse_published(value) if value else None
    return published.isoformat() if published else ""


# --- deciding -----------------------------------------------------------------

MAX_ATTEMPTS = 50


def shared_with(shingles: np.ndarray, others: Sequence[np.ndarray]) -> list[int]:
    """How many of ``shingles`` (sorted, unique) each of ``others`` (unique) holds: exact, in one numpy pass.

    An item meets several false LSH candidates; scoring them all at once costs
    one search instead of two set intersections each.
    """
    if not others or not len(shingles):
        return [0] * len(others)
    lengths = np.fromiter(map(len, others), dtype=np.int64, count=len(others))
    pooled = np.concatenate(others)
    if not len(pooled):
        return [0] * len(others)
    at = np.searchsorted(shingles, pooled)
    at[at == len(shingles)] = 0
    hits = (shingles[at] == pooled).astype(np.int64)
    totals = np.concatenate(([0], np.cumsum(hits)))
    ends = np.cumsum(lengths)
    return (totals[ends] - totals[ends - lengths]).tolist()


def _decide(
    item: FeedItem,
    origin: str,
    shingles: np.ndarray,
    keys: Sequence[int],
    index: Index,
    policy: Policy,
    thresholds: Thresholds,
) -> Decision:
    words = len(shingles)
    date = iso_date(item.date)
    salt = ""
    for _ in range(MAX_ATTEMPTS):
        found = index.buckets(keys)
        clusters = sorted({c for members in found.values() for c in members})
        best: tuple[float, float, str, Canonical] | None = None
        if clusters:
            candidates = sorted(index.canonicals(clusters).items())
            for cluster, canonical in candidates:
                if canonical.origin == origin:
                    # our own claim from a run killed before its journal was written
                    return Decision(item.input, item.line, item.id, "kept", cluster, item.id, "canonical", 1.0, 1.0)
            shared_counts = shared_with(shingles, [c.shingles for _, c in candidates])
            for (_, canonical), shared in zip(candidates, shared_counts, strict=True):
                theirs = len(canonical.shingles)
                union, shorter = words + theirs - shared, min(words, theirs)
                jac, cont = (shared / union if union else 0.0), (shared / shorter if shorter else 0.0)
                relation = copy_relation(jac, cont, shorter, thresholds)
                if relation and (best is None or (jac, cont) > best[:2]):
                    best = (jac, cont, relation, canonical)
        if best is not None:
            jac, cont, relation, canonical = best
            if policy.better(date, words, item.source, canonical):
                successor = Canonical(canonical.cluster, item.id, shingles, words, date, item.source, origin)
                if index.replace(canonical, successor, keys):
                    return Decision(
                        item.input, item.line, item.id, "kept", canonical.cluster, item.id, "canonical",
                        round(jac, 4), round(cont, 4), replaces=canonical.id,
                    )
                continue
            return Decision(
                item.input, item.line, item.id, "removed", canonical.cluster, canonical.id, relation,
                round(jac, 4), round(cont, 4),
            )
        new = Canonical(cluster_id(item, salt), item.id, shingles, words, date, item.source, origin)
        if index.claim(new, keys, {k: len(v) for k, v in found.items()}):
            return Decision(item.input, item.line, item.id, "kept", new.cluster, item.id, "canonical", 1.0, 1.0)
        if index.canonicals([new.cluster]):
            salt = origin
    raise RuntimeError(f"{item.input}:{item.line}: no stable decision after {MAX_ATTEMPTS} attempts")


def decide_stream(
    reads: Iterable[Read],
    index: Index,
    run: str,
    policy: Policy = DEFAULT_POLICY,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    batch_size: int = BATCH_SIZE,
) -> Iterator[tuple[Read, Decision]]:
    """Each input read with its decision, in input order, a batch at a time.

    ``run`` names this run in the journal: the same run started again replays
    the decisions already made for its positions.
    """
    sketcher = Sketcher(index.params)
    stream = iter(reads)
    position = 0
    while True:
        batch = list(islice(stream, batch_size))
        if not batch:
            return
        start = position
        position += len(batch)
        # sketch outside the transaction, so other writers wait only for lookups and writes
        texts = {n: r.text for n, r in enumerate(batch) if isinstance(r, FeedItem)}
        shingle_sets = dict(zip(texts, sketcher.shingle_batch(list(texts.values())), strict=True))
        order = [n for n, shingles in shingle_sets.items() if len(shingles)]
        signatures = sketcher.signatures([shingle_sets[n] for n in order])
        keys = sketcher.band_keys(signatures)
        rows = {n: i for i, n in enumerate(order)}
        index.begin(np.unique(keys).tolist())
        done = index.recorded(run, start, position)
        decided: list[Decision] = []
        journal: list[Recorded] = []
        for n, read in enumerate(batch):
            if isinstance(read, Rejected):
                decided.append(Decision(read.input, read.line, "", "rejected", reason=read.reason))
            elif start + n in done:
                decided.append(Decision.from_json(done[start + n]))
            elif n not in rows:
                decided.append(Decision(read.input, read.line, read.id, "rejected", reason="no words in text"))
            else:
                i = rows[n]
                decision = _decide(
                    read, f"{run}:{start + n}", shingle_sets[n], [int(k) for k in keys[i]], index, policy,
                    thresholds,
                )
                decided.append(decision)
                journal.append(Recorded(start + n, decision.to_json(), signatures[i].astype("<u4").tobytes()))
        index.record(run, journal)
        index.commit()
        yield from zip(batch, decided, strict=True)


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


class _AtomicText:
    """A text file written through a temporary file, renamed into place by ``commit``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = path.with_name(f".{path.name}.tmp")
        self.handle = self.tmp.open("w", encoding="utf-8", newline="")

    def commit(self) -> None:
        self.handle.close()
        self.tmp.replace(self.path)

    def abort(self) -> None:
        self.handle.close()
        self.tmp.unlink(missing_ok=True)


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
) -> Counts:
    """Dedup feed files into ``out`` (kept items, input format), ``map_path`` and ``rejects_path``.

    Outputs appear whole at the end or not at all.  ``dry_run`` writes nothing
    and leaves the index untouched; ``on_decision`` sees every item.
    """
    from reconcile.index import DryRunIndex

    formats = {str(p): (detect_format(p) if p.is_file() else "jsonl") for p in paths}
    targets = output_targets(paths, out) if out is not None and not dry_run else {}
    index: Index = open_index(index_url, params)
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
        decisions = decide_stream(read_inputs(paths, fields), index, run, policy, thresholds, batch_size)
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
                map_writer.writerow([getattr(decision, c) for c in MAP_COLUMNS])
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
