"""The index backends: one behaviour behind memory, SQLite and Redis."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconcile.index import (
    Canonical,
    Change,
    DryRunIndex,
    Entry,
    IndexMismatch,
    KeyTable,
    MemoryIndex,
    Params,
    RedisIndex,
    SQLiteIndex,
    open_index,
)
from tests.redis_server import redis_url  # noqa: F401 - fixture

PARAMS = Params()
# cluster ids are 16 hex digits (a 64-bit hash)
C1, C2, CA, CB = "00000000000000c1", "00000000000000c2", "f0000000000000ca", "f0000000000000cb"


def canonical(cluster: str, origin: str, item_id: str = "a", date: str = "2022-03-25") -> Canonical:
    sketch = bytes(range(64)) if item_id == "a" else bytes(64)
    return Canonical(cluster, item_id, np.array([1, 5, 9], dtype=np.uint32), 3, date, "Wire", origin, sketch)


@pytest.fixture(params=["memory", "sqlite", "redis"])
def index(request, tmp_path: Path):
    if request.param == "memory":
        store = MemoryIndex(PARAMS)
    elif request.param == "sqlite":
        store = SQLiteIndex(tmp_path / "index.sqlite", PARAMS)
    else:
        store = RedisIndex(request.getfixturevalue("redis_url"), PARAMS)
    yield store
    store.close()


def test_open_index_picks_the_backend_by_url(tmp_path: Path) -> None:
    assert isinstance(open_index(None), MemoryIndex)
    assert isinstance(open_index("memory"), MemoryIndex)
    plain = open_index(str(tmp_path / "a.sqlite"))
    url = open_index(f"sqlite:///{tmp_path / 'b.sqlite'}")
    assert isinstance(plain, SQLiteIndex) and isinstance(url, SQLiteIndex)
    assert url.path == tmp_path / "b.sqlite"
    plain.close()
    url.close()


def keys(*values: int) -> np.ndarray:
    return np.array(values, dtype=np.int64)


def test_claim_then_lookup_then_second_claim_fails(index) -> None:
    view = index.view([11, 12], [C1])
    assert view.buckets == {} and view.existing == frozenset()
    first = canonical(C1, "run:0")
    assert index.apply([Change(first, keys(11, 12))], None, view)
    index.commit()
    view = index.view([11, 12, 13, -5], [C1, C2])
    assert view.buckets == {11: [C1], 12: [C1]}
    assert view.sketches == {C1: bytes(range(64))} and view.existing == {C1}
    stored = index.canonicals([C1, C2])
    assert set(stored) == {C1} and stored[C1].id == "a" and list(stored[C1].shingles) == [1, 5, 9]
    assert stored[C1].sketch == bytes(range(64)) and stored[C1].origin == "run:0"
    # founding c1 again fails, and writes nothing (not even the other change of the batch)
    assert not index.apply([Change(canonical(C2, "run:1"), keys(-5)), Change(canonical(C1, "run:2"), keys(13))],
                           None, view)
    assert index.view([13, -5]).buckets == {}
    index.commit()


def test_replace_is_compare_and_set_on_the_canonical(index) -> None:
    first = canonical(C1, "run:0")
    index.apply([Change(first, keys(11))], None, index.view([11]))
    view = index.view([21])
    successor = canonical(C1, "run:5", item_id="b", date="2022-03-20")
    assert index.apply([Change(successor, keys(21), expected="run:0")], None, view)
    # a worker still holding the old canonical loses
    stale = index.view([31])
    assert not index.apply([Change(canonical(C1, "run:6", item_id="c"), keys(31), expected="run:0")], None, stale)
    now = index.view([11, 21, 31])
    assert index.canonicals([C1])[C1].id == "b" and now.sketches == {C1: bytes(64)}
    assert now.buckets == {11: [C1], 21: [C1]}
    index.commit()


def test_journal_round_trip(index) -> None:
    view = index.view([])
    rows = '[[0, "x", 0], [3, "x", 3]]'
    assert index.apply([], Entry("r1", 0, 3, rows, b"\x00" * 8), view)
    assert index.apply([], Entry("r1", 4, 5, '[[4, "y"], [5, "z"]]', b"\x00" * 8), index.view([]))
    index.commit()
    assert index.recorded("r1", 0, 5) == {0: ["x", 0], 3: ["x", 3], 4: ["y"]}
    assert index.recorded("r1", 5, 9) == {5: ["z"]}
    assert index.recorded("r2", 0, 5) == {}


def test_sqlite_refuses_other_parameters_in_one_line(tmp_path: Path) -> None:
    SQLiteIndex(tmp_path / "i.sqlite", PARAMS).close()
    with pytest.raises(IndexMismatch) as err:
        SQLiteIndex(tmp_path / "i.sqlite", Params(num_perm=64, bands=16, rows=4))
    message = str(err.value)
    assert "\n" not in message
    assert "bands=16, rows=3" in message and "rows=4" in message
    # the same parameters still open it
    SQLiteIndex(tmp_path / "i.sqlite", PARAMS).close()


def test_redis_refuses_other_parameters(redis_url: str) -> None:  # noqa: F811
    RedisIndex(redis_url, PARAMS).close()
    with pytest.raises(IndexMismatch, match="shingle_size=4"):
        RedisIndex(redis_url, Params(shingle_size=4))


def test_sqlite_refuses_an_index_of_the_older_format(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("INSERT INTO meta VALUES ('params', ?)", ('{"bands": 16, "num_perm": 48, "rows": 3, "seed": 1, '
                                                             '"shingle_size": 5}',))
    with pytest.raises(IndexMismatch, match=r"format 1 by an older reconcile.*start a new index"):
        SQLiteIndex(path, PARAMS)


def test_params_need_a_power_of_two() -> None:
    with pytest.raises(ValueError, match="power of two"):
        Params(num_perm=48)


def test_redis_claim_fails_when_a_bucket_changed_since_lookup(redis_url: str) -> None:  # noqa: F811
    worker_a, worker_b = RedisIndex(redis_url, PARAMS), RedisIndex(redis_url, PARAMS)
    # both look at bucket 7 and see it empty
    seen_a, seen_b = worker_a.view([7], [CA]), worker_b.view([7], [CB])
    assert seen_a.buckets == seen_b.buckets == {}
    assert worker_a.apply([Change(canonical(CA, "a:0"), keys(7))], Entry("a", 0, 0, "[]", b""), seen_a)
    # b's view is stale: its claim of another cluster for the same bucket must fail, journal and all
    assert not worker_b.apply([Change(canonical(CB, "b:0"), keys(7))], Entry("b", 0, 0, '[[0, "x"]]', b""), seen_b)
    assert worker_b.recorded("b", 0, 1) == {}
    fresh = worker_b.view([7, 8], [CB])
    assert fresh.buckets == {7: [CA]}
    assert worker_b.apply([Change(canonical(CB, "b:0"), keys(7, 8))], None, fresh)
    assert worker_a.view([7]).buckets == {7: [CA, CB]}
    worker_a.close()
    worker_b.close()


def test_dry_run_index_leaves_the_store_untouched(tmp_path: Path) -> None:
    store = SQLiteIndex(tmp_path / "i.sqlite", PARAMS)
    store.apply([Change(canonical(C1, "run:0"), keys(1))], None, store.view([1]))
    store.commit()
    dry = DryRunIndex(store)
    view = dry.view([1, 2], [C1, C2])
    assert view.buckets == {1: [C1]} and view.existing == {C1}
    assert dry.apply([Change(canonical(C2, "run:1"), keys(2))], None, view)
    assert dry.apply([Change(canonical(C1, "run:2", item_id="b"), keys(3), expected="run:0")], None, view)
    after = dry.view([1, 2, 3])
    assert after.buckets == {1: [C1], 2: [C2], 3: [C1]} and dry.canonicals([C1, C2])[C1].id == "b"
    assert set(after.sketches) == {C1, C2}
    dry.commit()
    below = store.view([1, 2, 3], [C2])
    assert below.buckets == {1: [C1]} and store.canonicals([C1])[C1].id == "a" and not below.existing
    store.close()


def test_sqlite_writers_on_one_file_see_each_others_commits(tmp_path: Path) -> None:
    path = tmp_path / "i.sqlite"
    worker_a = SQLiteIndex(path, PARAMS, commit_rows=0)
    worker_b = SQLiteIndex(path, PARAMS, commit_rows=0)
    worker_a.view([7])
    assert worker_a.apply([Change(canonical(CA, "a:0"), keys(7, 8))], None, worker_a.view([7]))
    worker_a.commit()
    # b opened before a wrote: it reads a's log rows when it next takes the lock
    seen = worker_b.view([7, 8, 9], [CA])
    assert seen.buckets == {7: [CA], 8: [CA]} and seen.existing == {CA}
    assert not worker_b.apply([Change(canonical(CA, "b:0"), keys(9))], None, seen)
    assert worker_b.apply([Change(canonical(CA, "b:1", item_id="b"), keys(9), expected="a:0")], None, seen)
    worker_b.commit()
    assert worker_a.canonicals([CA])[CA].id == "b" and worker_a.view([9]).buckets == {9: [CA]}
    worker_a.close()
    worker_b.close()
    # and a fresh process rebuilds the same buckets and canonicals from the file alone
    reopened = SQLiteIndex(path, PARAMS)
    view = reopened.view([7, 8, 9], [CA, CB])
    assert view.buckets == {7: [CA], 8: [CA], 9: [CA]} and view.existing == {CA}
    assert view.sketches == {CA: bytes(64)} and reopened.canonicals([CA])[CA].origin == "b:1"
    reopened.close()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.tuples(st.integers(-20, 20), st.integers(0, 5)), max_size=40), max_size=12),
       st.lists(st.integers(-25, 25), max_size=30))
def test_key_table_finds_what_a_dict_of_lists_holds(batches: list[list[tuple[int, int]]], queries: list[int]) -> None:
    table, model = KeyTable(small_rows=8, stride=4), defaultdict(list)  # merges its levels often
    for rows in batches:
        if rows:
            table.add(*np.array(rows, dtype=np.int64).reshape(-1, 2).T)
        for key, value in rows:
            model[key].append(value)
        positions, values = table.find(np.array(queries, dtype=np.int64))
        found = sorted(zip(positions.tolist(), values.tolist(), strict=True))
        assert found == sorted((p, v) for p, q in enumerate(queries) for v in model.get(q, []))
    assert len(table) == sum(map(len, model.values()))


@given(st.lists(st.integers(0, 2**64 - 1), max_size=20))
def test_cluster_ids_parse_as_signed_integers_all_at_once(values: list[int]) -> None:
    from reconcile.index import _cluster_hex, _cluster_int, _cluster_ints

    ids = [_cluster_hex(v) for v in values]
    assert _cluster_ints(ids).tolist() == [_cluster_int(c) for c in ids]
    assert [_cluster_hex(v) for v in _cluster_ints(ids).tolist()] == ids
    assert _cluster_ints(["abc", "00000000000000ff"]).tolist() == [0xABC, 0xFF]  # other spellings one by one
