"""Properties of the MinHash signatures, LSH banding and union-find behind pairing."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from reconcile.pairing import minhash
from reconcile.pairing.clusters import UnionFind

hash_sets = st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=300, unique=True).map(
    lambda xs: np.array(sorted(xs), dtype=np.uint64)
)


@settings(max_examples=40, deadline=None)
@given(hash_sets)
def test_signature_is_deterministic_and_batch_independent(values: np.ndarray) -> None:
    mixed = minhash.splitmix64(values)
    alone = minhash.signatures([mixed])[0]
    batch = minhash.signatures([mixed[::-1], mixed, np.empty(0, dtype=np.uint64)])
    assert np.array_equal(alone, batch[0]) and np.array_equal(alone, batch[1])
    assert np.all(batch[2] == minhash.EMPTY)
    assert np.all(alone != minhash.EMPTY)


@settings(max_examples=30, deadline=None)
@given(st.integers(50, 600), st.floats(0.0, 1.0), st.integers(0, 2**32))
def test_estimate_tracks_jaccard(size: int, keep: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 2**63, size=size, dtype=np.uint64)
    kept = a[rng.random(size) < keep]
    b = np.concatenate([kept, rng.integers(0, 2**63, size=size - len(kept), dtype=np.uint64)])
    a, b = np.unique(minhash.splitmix64(a)), np.unique(minhash.splitmix64(b))
    truth = len(np.intersect1d(a, b)) / len(np.union1d(a, b))
    sig = minhash.signatures([a, b])
    # 128 bins: standard error at most 0.044; 5 of them is a failure, not noise.
    assert abs(minhash.estimate_jaccard(sig[0], sig[1]) - truth) < 0.23


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=2, max_size=40))
def test_candidate_pairs_are_exactly_the_rows_sharing_a_key(labels: list[int]) -> None:
    keys = np.array([[label, label % 2] for label in labels], dtype=np.uint64)
    keys[:, 1] += np.uint64(100)  # band 1 groups by parity
    found = {tuple(p) for p in minhash.candidate_pairs(keys).tolist()}
    expected = {
        (i, j)
        for i, j in itertools.combinations(range(len(labels)), 2)
        if labels[i] == labels[j] or labels[i] % 2 == labels[j] % 2
    }
    assert found == expected


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 15), st.integers(0, 15)), max_size=30))
def test_union_find_matches_connected_components(edges: list[tuple[int, int]]) -> None:
    sets = UnionFind(str(i) for i in range(16))
    for a, b in edges:
        sets.union(str(a), str(b))
    # reference: repeated relaxation of component labels
    label = list(range(16))
    changed = True
    while changed:
        changed = False
        for a, b in edges:
            low = min(label[a], label[b])
            if label[a] != low or label[b] != low:
                label[a] = label[b] = low
                changed = True
    for i, j in itertools.combinations(range(16), 2):
        assert (sets.root(str(i)) == sets.root(str(j))) == (label[i] == label[j])


def test_signatures_work_in_datasketch_lsh() -> None:
    from datasketch import MinHashLSH

    rng = np.random.default_rng(3)
    base = minhash.splitmix64(rng.integers(0, 2**63, size=400, dtype=np.uint64))
    near = np.concatenate([base[:380], minhash.splitmix64(rng.integers(0, 2**63, size=20, dtype=np.uint64))])
    other = minhash.splitmix64(rng.integers(0, 2**63, size=400, dtype=np.uint64))
    sig = minhash.signatures([base, near, other])
    lsh = MinHashLSH(threshold=0.5, num_perm=minhash.NUM_PERM)
    lsh.insert("base", minhash.to_lean(sig[0]))
    lsh.insert("other", minhash.to_lean(sig[2]))
    assert lsh.query(minhash.to_lean(sig[1])) == ["base"]


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 40), st.integers(1, 8), st.integers(1, 4), st.integers(0, 2**32))
def test_band_keys_chain_each_bands_rows(n: int, bands: int, rows: int, seed: int) -> None:
    """All bands at once give the key of hashing one band's rows one after another."""
    sig = np.random.default_rng(seed).integers(0, 2**32, size=(n, bands * rows + 3), dtype=np.uint32)
    keys = minhash.band_keys(sig, bands, rows)
    for doc, band in itertools.product(range(n), range(bands)):
        key = np.array([band], dtype=np.uint64)
        for column in range(band * rows, (band + 1) * rows):
            with np.errstate(over="ignore"):
                key = minhash.splitmix64(key * minhash._ROLL + np.uint64(sig[doc, column]))
        assert keys[doc, band] == key[0]


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 60), st.integers(0, 2**32))
def test_screen_signatures_never_estimate_lower(n: int, seed: int) -> None:
    """The 16-bit screen keeps every pair the 32-bit signatures would keep."""
    rng = np.random.default_rng(seed)
    sig = rng.integers(0, 2**32, size=(n, 128), dtype=np.uint32)
    sig[rng.random((n, 128)) < 0.4] = sig[0, 0]  # some equal bins
    sig[:, :64] |= rng.integers(0, 2, size=(n, 64), dtype=np.uint32) << 20  # equal in 16 bits only
    pairs = np.array(list(itertools.combinations(range(n), 2)), dtype=np.int64)
    full = minhash.pair_estimates(sig, pairs)
    screen = minhash.pair_estimates(minhash.screen_signatures(sig), pairs)
    assert np.all(screen >= full)


@settings(max_examples=60, deadline=None)
@given(st.sets(st.integers(0, 2**32 - 1), max_size=60), st.sets(st.integers(0, 2**32 - 1), max_size=60))
def test_shared_count_is_the_intersection_size(a: set[int], b: set[int]) -> None:
    from reconcile.pairing.features import shared_count

    arrays = [np.array(sorted(s), dtype=np.uint32) for s in (a, b)]
    assert shared_count(*arrays) == len(a & b)


def test_oversized_bucket_links_every_member_to_the_lowest_id() -> None:
    keys = np.zeros((10, 1), dtype=np.uint64)
    pairs = minhash.candidate_pairs(keys[::-1].copy(), max_bucket=4)
    assert pairs.tolist() == [[0, j] for j in range(1, 10)]


@settings(max_examples=25, deadline=None)
@given(st.floats(0.05, 0.95), st.integers(1, 64), st.integers(1, 8))
def test_error_areas_match_datasketch(threshold: float, bands: int, rows: int) -> None:
    from datasketch.lsh import _false_negative_probability, _false_positive_probability

    false_positive, false_negative = minhash.error_areas(threshold, bands, rows)
    assert abs(false_positive - _false_positive_probability(threshold, bands, rows)) < 1e-6
    assert abs(false_negative - _false_negative_probability(threshold, bands, rows)) < 1e-6


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 40), st.integers(0, 2**32))
def test_equal_bins_of_side_by_side_channels_are_each_channels_own(n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    channels = [rng.integers(0, 4, size=(n, 128), dtype=np.uint16) for _ in range(2)]
    pairs = np.array(list(itertools.combinations(range(n), 2)), dtype=np.int64)
    both = minhash.pair_equal_bins(np.concatenate(channels, axis=1), pairs, parts=2, chunk=7)
    for k, channel in enumerate(channels):
        assert np.allclose(both[:, k] / 128, minhash.pair_estimates(channel, pairs))


group_values = st.one_of(st.integers(0, 20), st.just(2**32 - 1), st.integers(0, 2**32 - 1))


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(group_values, max_size=30), max_size=12), st.integers(0, 5))
def test_sorted_unique_groups_is_each_groups_sorted_set(groups: list[list[int]], lead: int) -> None:
    """Padded rows (similar sizes) and keyed sort (uneven sizes) both give every group's sorted
    distinct values, including the largest value, which pads the rows."""
    values = np.array([7] * lead + [v for g in groups for v in g], dtype=np.uint32)
    ends = lead + np.cumsum([len(g) for g in groups], dtype=np.int64)
    spans = np.stack([ends - [len(g) for g in groups], ends], axis=1)
    order = np.arange(len(groups))[::-1]  # spans in any order, not only one after the other
    distinct_values, counts = minhash.sorted_unique_groups(values, spans[order])
    expected = [sorted(set(groups[k])) for k in order]
    assert counts.tolist() == [len(e) for e in expected]
    assert distinct_values.tolist() == [v for e in expected for v in e]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 40)), min_size=0, max_size=60))
def test_bucket_order_groups_equal_keys(parts: list[tuple[int, int]]) -> None:
    """Keys that differ only in the low bits the packed sort overwrites still end in separate runs."""
    column = np.array([(high << 40) | low for high, low in parts], dtype=np.uint64)
    order, ordered = minhash.bucket_order(column)
    assert sorted(order.tolist()) == list(range(len(column)))
    assert np.array_equal(ordered, column[order])
    runs = [key for k, key in enumerate(ordered.tolist()) if k == 0 or key != ordered[k - 1]]
    assert len(runs) == len(set(runs))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 4), min_size=0, max_size=40), st.integers(2, 6))
def test_band_codes_pair_every_bucket_member(labels: list[int], max_bucket: int) -> None:
    """Buckets up to ``max_bucket`` give all their pairs, larger ones link every member to their lowest id."""
    column = np.array(labels, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    ids = np.arange(len(labels), dtype=np.int64) * 3 + 1
    n = 3 * len(labels) + 1
    found = minhash.decode_pairs([minhash.band_codes(column, ids, n, max_bucket)], n).tolist()
    expected = set()
    for label in set(labels):
        bucket = [int(ids[k]) for k, x in enumerate(labels) if x == label]
        if len(bucket) > max_bucket:
            expected |= {(bucket[0], other) for other in bucket[1:]}
        else:
            expected |= set(itertools.combinations(bucket, 2))
    assert sorted(expected) == [tuple(p) for p in found]


def _densify_reference(sig: np.ndarray, nonempty: np.ndarray) -> None:
    """Optimal densification a bin at a time: copy from the first non-empty probe (as read
    before the round), else the row's minimum."""
    table = minhash._probe_table(sig.shape[1])
    pending = [
        (r, c) for r in range(sig.shape[0]) for c in range(sig.shape[1]) if nonempty[r] and sig[r, c] == minhash.EMPTY
    ]
    for probe in table:
        before = sig.copy()
        still = []
        for r, c in pending:
            if before[r, probe[c]] != minhash.EMPTY:
                sig[r, c] = before[r, probe[c]]
            else:
                still.append((r, c))
        pending = still
    for r, c in pending:
        # a row whose every value is the sentinel itself (a hash ending in 32 one-bits) stays empty
        sig[r, c] = min((int(v) for v in sig[r] if v != minhash.EMPTY), default=minhash.EMPTY)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(0, 2**64 - 1), max_size=12), min_size=1, max_size=6))
def test_densified_signatures_match_a_bin_at_a_time(sets: list[list[int]]) -> None:
    """Small sets leave most bins empty (and sets of one or two elements exhaust the probes)."""
    doc = np.repeat(np.arange(len(sets)), [len(s) for s in sets])
    hashes = np.array([v for s in sets for v in s], dtype=np.uint64)
    sig = minhash.flat_signatures(doc, hashes, len(sets), num_perm=16)
    raw = np.full((len(sets), 16), minhash.EMPTY, dtype=np.uint32)
    for d, v in zip(doc.tolist(), hashes.tolist(), strict=True):
        raw[d, v >> 60] = min(int(raw[d, v >> 60]), v & 0xFFFFFFFF)
    _densify_reference(raw, np.array([len(s) > 0 for s in sets]))
    assert np.array_equal(sig, raw)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 30), st.sampled_from([(1, 64), (2, 128), (2, 40), (3, 8)]), st.integers(0, 2**32))
def test_equal_bins_count_every_equal_column(n: int, shape: tuple[int, int], seed: int) -> None:
    """Packed bits (blocks of 64 bins) and bytes (other widths) count the same equal columns."""
    parts, width = shape
    sig = np.random.default_rng(seed).integers(0, 3, size=(n, parts * width), dtype=np.uint16)
    pairs = np.array(list(itertools.combinations(range(n), 2)), dtype=np.int64)
    counted = minhash.pair_equal_bins(sig, pairs, parts=parts, chunk=5)
    expected = (sig[pairs[:, 0]] == sig[pairs[:, 1]]).reshape(len(pairs), parts, width).sum(axis=2)
    assert np.array_equal(counted, expected)


uint32_sets = st.sets(st.one_of(st.integers(0, 30), st.just(2**32 - 1), st.integers(0, 2**32 - 1)), max_size=25)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(uint32_sets, min_size=1, max_size=8),
    st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7)), max_size=20),
)
def test_shared_counts_are_each_pairs_intersection(sets: list[set[int]], picks: list[tuple[int, int]]) -> None:
    """Sets stored flat and sorted (the last one ends the array, so rows reach past it)."""
    from reconcile.pairing.features import shared_counts

    flat = np.array([v for s in sets for v in sorted(s)], dtype=np.uint32)
    ends = np.cumsum([len(s) for s in sets])
    bounds = np.stack([ends - [len(s) for s in sets], ends], axis=1)
    pairs = [(i % len(sets), j % len(sets)) for i, j in picks]
    counts = shared_counts(flat, bounds[[i for i, _ in pairs]], bounds[[j for _, j in pairs]], block=3)
    assert counts.tolist() == [len(sets[i] & sets[j]) for i, j in pairs]


words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789'-", min_size=1, max_size=14)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(words, max_size=40), min_size=1, max_size=6))
def test_token_table_gives_one_index_a_token_as_it_grows(batches: list[list[str]]) -> None:
    """A table that starts with 16 slots doubles many times over a few batches; every token keeps
    the index it got first, and different tokens never share one."""
    from reconcile.pairing.tokens import _SEPARATOR, _LeanVocab

    vocab = _LeanVocab(bits=4)
    seen: dict[bytes, int] = {}
    for batch in batches:
        tokens = [w.encode() for w in batch] + [_SEPARATOR]
        ids = vocab.lookup(b" " + b" ".join(tokens) + b" ").tolist()
        assert len(ids) == len(tokens) and ids[-1] == 0
        for token, index in zip(tokens[:-1], ids[:-1], strict=True):
            assert seen.setdefault(token, index) == index
    assert len(set(seen.values())) == len(seen)
    assert 4 * np.count_nonzero(vocab.slot_keys) <= (1 << vocab.bits)  # at most a quarter full
