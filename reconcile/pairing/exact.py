"""Exact set scores: shared members of sorted sets of distinct hashes, one pair or many at once."""

from __future__ import annotations

import numpy as np

from reconcile.pairing import minhash


def shared_count(a: np.ndarray, b: np.ndarray) -> int:
    """How many values two sets of distinct values share: equal neighbours once both are
    sorted together (``np.intersect1d`` without building the intersection; about 30%
    less time on 400-value sets)."""
    if len(a) == 0 or len(b) == 0:
        return 0
    merged = np.concatenate((a, b))
    merged.sort()
    return int(np.count_nonzero(merged[1:] == merged[:-1]))


def shared_counts(values: np.ndarray, a: np.ndarray, b: np.ndarray, block: int = 512) -> np.ndarray:
    """``shared_count`` of many pairs of sets held flat in one uint32 array: pair ``k`` compares
    ``values[a[k, 0]:a[k, 1]]`` with ``values[b[k, 0]:b[k, 1]]``, each a set of distinct values.

    A block of pairs is laid out as the rows of a padded array (``minhash.padded_rows``), a
    pair's two sets side by side, and the rows sorted at once; equal neighbours among a row's
    real values are the shared ones.  Sets stored sorted make each row two sorted runs, which
    a stable sort (timsort) merges in linear time.  Numpy calls a block, not a pair: the scale
    path's verification, 35,000 pairs of 400-shingle sets in 30% less time than
    ``shared_count`` a pair.
    """
    a, b = np.asarray(a, dtype=np.int64).reshape(-1, 2), np.asarray(b, dtype=np.int64).reshape(-1, 2)
    shared = np.zeros(len(a), dtype=np.int64)
    size_a, size_b = a[:, 1] - a[:, 0], b[:, 1] - b[:, 0]
    for start in range(0, len(a), block):
        rows = slice(start, start + block)
        width_a, width_b = int(size_a[rows].max(initial=0)), int(size_b[rows].max(initial=0))
        if width_a == 0 or width_b == 0:
            continue
        both = np.concatenate(
            (
                minhash.padded_rows(values, a[rows, 0], size_a[rows], width_a),
                minhash.padded_rows(values, b[rows, 0], size_b[rows], width_b),
            ),
            axis=1,
        )
        both.sort(axis=1, kind="stable")
        real = np.arange(1, both.shape[1]) < (size_a[rows] + size_b[rows])[:, None]
        shared[rows] = np.count_nonzero((both[:, 1:] == both[:, :-1]) & real, axis=1)
    return shared


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    shared = shared_count(a, b)
    union = len(a) + len(b) - shared
    return shared / union if union else 0.0


def overlap(a: np.ndarray, b: np.ndarray) -> float:
    """Share of the smaller set found in the other (containment of the shorter)."""
    smaller = min(len(a), len(b))
    return shared_count(a, b) / smaller if smaller else 0.0
