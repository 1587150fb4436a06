"""MinHash signatures and LSH banding for corpora of hundreds of thousands of reports.

Why not datasketch's ``MinHash.update`` loop: it runs 128 affine permutations over
every shingle (about 300 documents/s here).  One-permutation hashing (Li, Owen and
Zhang 2012) hashes each shingle once: the top bits pick one of ``num_perm`` bins,
the low 32 bits are the value, and a bin keeps its minimum.  Empty bins are filled
by optimal densification (Shrivastava 2017): an empty bin copies the bin a fixed,
seeded sequence of probes lands on first, so two documents fill the same empty bin
from the same place and the collision probability stays their Jaccard similarity.
The whole batch is a handful of numpy calls, no Python loop per shingle.

Tokens are hashed once per distinct word (blake2b, cached), shingles are rolled
from token hashes with wrapping 64-bit arithmetic and mixed with splitmix64, so
hashing is stable across runs, processes and machines.

Signatures are 32-bit values in a ``(documents, num_perm)`` uint32 array.  Each
row wraps as a ``datasketch.LeanMinHash`` (``to_lean``), so datasketch's
``MinHashLSH`` and its storage backends take them; the values are not the ones
datasketch's permutations would give, so do not mix the two in one index.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

NUM_PERM = 128
SEED = 1
EMPTY = np.uint32(0xFFFFFFFF)
"""An empty bin (datasketch's ``_max_hash`` for 32-bit values)."""

_MASK64 = (1 << 64) - 1
_token_cache: dict[str, int] = {}


def token_hash(token: str) -> int:
    """A stable 64-bit hash of one token, cached because news vocabulary repeats."""
    value = _token_cache.get(token)
    if value is None:
        value = int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(), "little")
        if len(_token_cache) < 2_000_000:
            _token_cache[token] = value
    return value


def token_hashes(tokens: Iterable[str]) -> np.ndarray:
    """Hashes of a token sequence, in order, as uint64."""
    return np.fromiter((token_hash(t) for t in tokens), dtype=np.uint64)


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values: sort and drop repeats (numpy 2's ``np.unique`` hashes, which is far slower here)."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    # The mask written in place: ``np.r_[True, ...]`` cost a third of this on a report's few
    # hundred values (called five times a paired report).
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def sorted_unique_groups(values: np.ndarray, spans: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``sorted_unique`` of each group ``values[start:end]`` of uint32 values, for each row
    ``(start, end)`` of ``spans``: the groups' distinct values one after the other, and each
    group's count of them.

    Groups of similar size (documents' shingles) are laid out as the rows of a padded array
    (``padded_rows``) and sorted along the rows: a few hundred values a row sort in a
    fraction of the time one sort of (group, value) keys over the whole batch takes.  Groups
    too uneven for padding (a row width more than twice the values) take the keyed sort.
    """
    spans = np.asarray(spans, dtype=np.int64).reshape(-1, 2)
    starts, counts = spans[:, 0], spans[:, 1] - spans[:, 0]
    total = int(counts.sum())
    if total == 0:
        return np.empty(0, dtype=np.uint32), np.zeros(len(counts), dtype=np.int64)
    width = int(counts.max())
    if len(counts) * width > 2 * total:
        group = np.repeat(np.arange(len(counts), dtype=np.uint64), counts)
        positions = np.arange(total) + np.repeat(starts - (np.cumsum(counts) - counts), counts)
        keys = sorted_unique((group << np.uint64(32)) | values[positions].astype(np.uint64))
        return (keys & np.uint64(0xFFFFFFFF)).astype(np.uint32), np.bincount(
            (keys >> np.uint64(32)).astype(np.int64), minlength=len(counts)
        )
    rows = padded_rows(values, starts, counts, width)
    rows.sort(axis=1)
    first = np.empty(rows.shape, dtype=bool)
    first[:, 0] = True
    np.not_equal(rows[:, 1:], rows[:, :-1], out=first[:, 1:])
    first &= np.arange(width) < counts[:, None]
    return rows[first], np.count_nonzero(first, axis=1)


def padded_rows(values: np.ndarray, starts: np.ndarray, sizes: np.ndarray, width: int) -> np.ndarray:
    """A new ``(len(starts), width)`` uint32 array: row ``k`` holds the ``sizes[k]`` values from
    ``starts[k]``, then the largest uint32 (``EMPTY``).

    Rows are copied out of a sliding-window view of ``values`` (one gather of whole rows).
    Sorted, a row keeps its own values first: the padding sorts to the end, and a real value
    equal to it sorts among it, so the first ``sizes[k]`` are still the row's own.
    """
    source = np.asarray(values, dtype=np.uint32)
    reach = int(starts.max(initial=0)) + width
    if reach > len(source):  # a row reads ``width`` values from its start, whatever its size
        source = np.concatenate((source, np.zeros(reach - len(source), dtype=np.uint32)))
    rows = np.lib.stride_tricks.sliding_window_view(source, width)[starts]
    rows[np.arange(width) >= sizes[:, None]] = EMPTY
    return rows


def splitmix64(values: np.ndarray) -> np.ndarray:
    """Bijective 64-bit mixer: spreads rolled shingle hashes over all bits."""
    with np.errstate(over="ignore"):
        z = values + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


_ROLL = np.uint64(0x100000001B3)


def shingle_hashes(tokens: np.ndarray, size: int = 5) -> np.ndarray:
    """Distinct hashes of the ``size``-token windows of a token-hash sequence (sorted, uint64).

    A text shorter than ``size`` tokens is one shingle of all its tokens.
    """
    n = len(tokens)
    if n == 0:
        return np.empty(0, dtype=np.uint64)
    width = min(size, n)
    count = n - width + 1
    with np.errstate(over="ignore"):
        rolled = tokens[:count].copy()
        for k in range(1, width):
            rolled = rolled * _ROLL + tokens[k : k + count]
    return sorted_unique(splitmix64(rolled))


def set_hashes(tokens: np.ndarray) -> np.ndarray:
    """Distinct mixed hashes of single tokens (sorted, uint64): the content channel's shingles."""
    return sorted_unique(splitmix64(tokens))


@functools.cache
def _probe_table(num_perm: int, rounds: int = 64, seed: int = SEED) -> np.ndarray:
    """For each bin, a fixed sequence of bins to copy from when it is empty (made once: a
    generator costs a quarter of a millisecond, and every batch of signatures asks)."""
    rng = np.random.default_rng(seed)
    table = rng.integers(0, num_perm, size=(rounds, num_perm), dtype=np.int64)
    table.flags.writeable = False
    return table


def signatures(sets: Sequence[np.ndarray], num_perm: int = NUM_PERM) -> np.ndarray:
    """One-permutation MinHash signatures of many hashed sets at once, ``(len(sets), num_perm)`` uint32.

    ``num_perm`` must be a power of two (bins come from the top bits).  An empty
    set gives a row of ``EMPTY``.
    """
    if num_perm & (num_perm - 1):
        raise ValueError(f"num_perm must be a power of two, got {num_perm}")
    n = len(sets)
    out = np.full((n, num_perm), EMPTY, dtype=np.uint32)
    if n == 0:
        return out
    lengths = np.fromiter((len(s) for s in sets), dtype=np.int64, count=n)
    if lengths.sum() == 0:
        return out
    flat = np.concatenate([np.asarray(s, dtype=np.uint64) for s in sets])
    return flat_signatures(np.repeat(np.arange(n, dtype=np.int32), lengths), flat, n, num_perm)


def flat_signatures(doc: np.ndarray, hashes: np.ndarray, count: int, num_perm: int = NUM_PERM) -> np.ndarray:
    """``signatures`` of sets given flat: ``hashes[k]`` belongs to set ``doc[k]`` (``0 <= doc < count``)."""
    if num_perm & (num_perm - 1):
        raise ValueError(f"num_perm must be a power of two, got {num_perm}")
    out = np.full((count, num_perm), EMPTY, dtype=np.uint32)
    flat = np.asarray(hashes, dtype=np.uint64)
    # Row offsets and bins in int32 (count * num_perm < 2**31 for any batch): half the traffic.
    slot = doc.astype(np.int32) * np.int32(num_perm)
    slot += (flat >> np.uint64(64 - int(num_perm).bit_length() + 1)).astype(np.int32)
    np.minimum.at(out.reshape(-1), slot, flat.astype(np.uint32))
    _densify(out, np.bincount(doc, minlength=count) > 0)
    return out


def _densify(sig: np.ndarray, nonempty: np.ndarray) -> None:
    """Fill empty bins of non-empty rows in place (optimal densification).

    Bins are addressed by flat position (row start + column): a flat gather a probe round,
    not a two-index one.  Each round reads all its sources before it fills anything.
    ``sig`` is C-contiguous (``flat_signatures`` made it), so the flat view writes through.
    """
    num_perm = sig.shape[1]
    table = _probe_table(num_perm)
    flat = sig.reshape(-1)
    empty = np.flatnonzero((sig == EMPTY) & nonempty[:, None])
    cols = empty % num_perm
    row_start = empty - cols
    for probe in table:
        if len(empty) == 0:
            return
        source = flat[row_start + probe[cols]]
        filled = source != EMPTY
        flat[empty[filled]] = source[filled]
        still = ~filled
        empty, cols, row_start = empty[still], cols[still], row_start[still]
    # Bins still empty after every probe (a set of one or two elements): copy the row minimum.
    if len(empty):
        masked = np.where(sig == EMPTY, np.iinfo(np.uint32).max, sig).min(axis=1)
        flat[empty] = masked[row_start // num_perm]


def estimate_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Share of equal bins: the MinHash estimate of Jaccard similarity."""
    return float(np.mean(a == b))


def to_lean(signature: np.ndarray, seed: int = SEED) -> Any:
    """One signature as a ``datasketch.LeanMinHash`` for datasketch's LSH and storage."""
    from datasketch import LeanMinHash

    try:
        return LeanMinHash(seed=seed, hashvalues=signature.astype(np.uint32), scheme="affine32")
    except TypeError:  # datasketch < 2.0 has no schemes
        return LeanMinHash(seed=seed, hashvalues=signature.astype(np.uint64))


@dataclass(frozen=True)
class LshParams:
    """Bands and rows for a target Jaccard threshold, with the error rates they imply.

    A pair with Jaccard ``s`` shares at least one band with probability
    ``1 - (1 - s**rows)**bands``.  ``false_positive`` integrates that over
    ``s < threshold`` and ``false_negative`` its complement over ``s >= threshold``
    (datasketch's definitions): areas, not per-pair probabilities.
    """

    threshold: float
    bands: int
    rows: int
    false_positive: float
    false_negative: float

    def probability(self, similarity: float) -> float:
        """Chance that a pair of this Jaccard similarity becomes a candidate."""
        return float(1 - (1 - similarity**self.rows) ** self.bands)


MAX_BUCKET = 256
"""A band bucket larger than this (boilerplate, an empty text) links its members to
its first member only, so one bad bucket cannot produce millions of pairs."""


def error_areas(threshold: float, bands: int, rows: int, points: int = 10_001) -> tuple[float, float]:
    """datasketch's false-positive and false-negative areas of a banding: the chance of becoming a
    candidate integrated over ``s < threshold``, and of not becoming one over ``s >= threshold``.

    By the trapezoid rule in numpy (within 1e-6 of datasketch's ``scipy.integrate.quad``), so
    choosing bands does not import datasketch and scipy, half a second of every run.
    """
    below, above = np.linspace(0.0, threshold, points), np.linspace(threshold, 1.0, points)
    false_positive = np.trapezoid(1 - (1 - below**rows) ** bands, below)
    false_negative = np.trapezoid((1 - above**rows) ** bands, above)
    return float(false_positive), float(false_negative)


def _with_rates(threshold: float, bands: int, rows: int) -> LshParams:
    """Bands and rows with the false-positive and false-negative areas they imply at ``threshold``."""
    false_positive, false_negative = error_areas(threshold, bands, rows)
    return LshParams(threshold, bands, rows, round(false_positive, 4), round(false_negative, 4))


def band_keys(sig: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One 64-bit key per document and band, ``(documents, bands)``: the LSH index.

    A band's key chains its ``rows`` values through splitmix64, seeded with the band number,
    for all bands at once.
    """
    n = sig.shape[0]
    block = sig[:, : bands * rows].reshape(n, bands, rows).astype(np.uint64)
    keys = np.broadcast_to(np.arange(bands, dtype=np.uint64), (n, bands))
    with np.errstate(over="ignore"):
        for column in range(rows):
            keys = splitmix64(keys * _ROLL + block[:, :, column])
    return np.ascontiguousarray(keys)


def candidate_pairs(
    keys: np.ndarray, usable: np.ndarray | None = None, max_bucket: int = MAX_BUCKET
) -> np.ndarray:
    """Pairs ``(i, j)``, ``i < j``, sharing a band key, as a sorted ``(pairs, 2)`` int64 array.

    ``usable`` masks out documents (empty texts) that must not pair.  Buckets of one
    size are expanded together, so the work is numpy calls per distinct bucket size.
    """
    n = keys.shape[0]
    ids = np.arange(n, dtype=np.int64)
    if usable is not None:
        ids = ids[usable]
    return decode_pairs([band_codes(keys[ids, band], ids, n, max_bucket) for band in range(keys.shape[1])], n)


def band_codes(column: np.ndarray, ids: np.ndarray, n: int, max_bucket: int = MAX_BUCKET) -> np.ndarray:
    """Pair codes (``_codes``) of the documents ``ids`` whose key in one band, ``column``, is equal.

    One band is independent of the others, so bands can be split over processes.  Every
    bucket up to ``max_bucket`` is expanded at once, whatever its size: each member is
    repeated once for every member after it in its bucket.
    """
    order, sorted_keys = bucket_order(column)
    members = ids[order]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    sizes = np.diff(np.r_[starts, len(sorted_keys)])
    found: list[np.ndarray] = []
    for size in np.unique(sizes[sizes > max_bucket]).tolist():
        # Link every member to the bucket's lowest id, whatever order the sort left them in.
        first = starts[sizes == size][:, None]
        block = first + np.arange(size)
        members[block] = np.sort(members[block], axis=1)
        left = np.repeat(first, size - 1, axis=1)
        right = first + np.arange(1, size)
        found.append(_codes(members[left.ravel()], members[right.ravel()], n))
    paired = (sizes > 1) & (sizes <= max_bucket)
    starts, sizes = starts[paired], sizes[paired]
    # Each member's rank in its bucket, and how many members follow it there.
    rank = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    later = np.repeat(sizes, sizes) - 1 - rank
    left = np.repeat(np.repeat(starts, sizes) + rank, later)
    right = left + 1 + np.arange(len(left)) - np.repeat(np.cumsum(later) - later, later)
    found.append(_codes(members[left], members[right], n))
    return np.concatenate(found)


def bucket_order(column: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """An order of ``column`` that puts equal values next to each other (``np.argsort``, not
    stable), and ``column`` in that order.

    For 64-bit keys, each key's low bits are replaced by its position and the packed values
    are sorted, which takes under half the time of ``argsort``.  Two different keys that agree
    in all other bits would be interleaved then; where any are, ``argsort`` decides instead.
    """
    if column.dtype != np.uint64 or len(column) < 2:
        order = np.argsort(column)
        return order, column[order]
    bits = np.uint64((len(column) - 1).bit_length())
    low = (np.uint64(1) << bits) - np.uint64(1)
    packed = (column & ~low) | np.arange(len(column), dtype=np.uint64)
    packed.sort()
    order = (packed & low).astype(np.int64)
    high = packed >> bits
    ordered = column[order]
    if np.any((high[1:] == high[:-1]) & (ordered[1:] != ordered[:-1])):
        order = np.argsort(column)
        return order, column[order]
    return order, ordered


def decode_pairs(codes: Sequence[np.ndarray], n: int) -> np.ndarray:
    """Pair codes from ``_codes`` (any number of arrays, repeats allowed) as sorted ``(pairs, 2)`` rows."""
    merged = sorted_unique(np.concatenate(codes)) if len(codes) else np.empty(0, dtype=np.int64)
    return np.stack([merged // n, merged % n], axis=1) if len(merged) else np.empty((0, 2), dtype=np.int64)


def merge_pairs(pair_arrays: Sequence[np.ndarray], n: int) -> np.ndarray:
    """The union of several ``(pairs, 2)`` arrays over ``n`` documents, sorted."""
    return decode_pairs([p[:, 0] * n + p[:, 1] for p in pair_arrays], n)


def pair_estimates(sig: np.ndarray, pairs: np.ndarray, chunk: int = 2048) -> np.ndarray:
    """Estimated Jaccard of each pair from its signatures (share of equal bins), float32."""
    return (pair_equal_bins(sig, pairs, 1, chunk)[:, 0] / np.float32(sig.shape[1])).astype(np.float32)


def pair_equal_bins(sig: np.ndarray, pairs: np.ndarray, parts: int = 1, chunk: int = 2048) -> np.ndarray:
    """Equal bins of each pair in each of ``parts`` equal column blocks of ``sig``, ``(pairs, parts)`` int32.

    Several channels' signatures side by side in one row cost one gather a pair, not one each.
    Equal bins are counted in blocks of pairs that stay in cache: where a block is a multiple
    of 64 bins, as bits packed into 64-bit words and counted by ``np.bitwise_count`` (15–25%
    less time than summing the comparison's bytes), else as bytes (``bool`` viewed as
    ``uint8``): a float mean over millions of rows was most of the LSH stage's time.
    """
    width = sig.shape[1] // parts
    packed = width % 64 == 0 and hasattr(np, "bitwise_count")
    equal_bins = np.empty((len(pairs), parts), dtype=np.int32)
    for start in range(0, len(pairs), chunk):
        block = pairs[start : start + chunk]
        equal = sig[block[:, 0]] == sig[block[:, 1]]
        if packed:
            ones = np.bitwise_count(np.packbits(equal, axis=1).view(np.uint64)).reshape(len(block), parts, -1)
            counts = ones[:, :, 0].astype(np.int32)
            for k in range(1, ones.shape[2]):  # numpy's sum over a short axis is slow
                counts += ones[:, :, k]
        else:
            counts = equal.view(np.uint8).reshape(len(block), parts, -1).sum(axis=2, dtype=np.int32)
        equal_bins[start : start + len(block)] = counts
    return equal_bins


def screen_signatures(sig: np.ndarray) -> np.ndarray:
    """The low 16 bits of each bin, for screening candidates at half the memory traffic.

    Bins equal in 32 bits are equal here, so a screen on these estimates never drops a
    pair the full signatures would keep; unequal bins agree by chance once in 65,536
    (b-bit minwise hashing, Li and König 2010), a bias of about 0.00002.
    """
    return (sig & np.uint32(0xFFFF)).astype(np.uint16)


def _codes(left: np.ndarray, right: np.ndarray, n: int) -> np.ndarray:
    """A pair as one int64, smaller index first, so pairs dedupe with ``np.unique``."""
    return np.minimum(left, right) * n + np.maximum(left, right)


def params_for_recall(threshold: float, recall: float, num_perm: int = NUM_PERM) -> LshParams:
    """The (bands, rows) that make a pair at ``threshold`` a candidate with probability at least
    ``recall``, choosing among them the smallest false-positive area below the threshold.

    datasketch's ``_optimal_param`` balances the two error areas, which leaves a
    pair right at the threshold with only about even odds; here recall at the
    threshold is the constraint, since exact scores remove false positives later.
    """
    best: tuple[float, int, int] | None = None
    for rows in range(1, num_perm + 1):
        bands = num_perm // rows
        if 1 - (1 - threshold**rows) ** bands < recall:
            continue
        fp, _ = error_areas(threshold, bands, rows)
        if best is None or fp < best[0]:
            best = (fp, bands, rows)
    if best is None:
        bands, rows = num_perm, 1
    else:
        _, bands, rows = best
    return _with_rates(threshold, bands, rows)
