"""The index backends: one behaviour behind memory, SQLite and Redis."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reconcile.index import (
    Canonical,
    DryRunIndex,
    IndexMismatch,
    MemoryIndex,
    Params,
    Recorded,
    RedisIndex,
    SQLiteIndex,
    open_index,
)
from tests.redis_server import redis_url  # noqa: F401 - fixture

PARAMS = Params()


def canonical(cluster: str, origin: str, item_id: str = "a", date: str = "2022-03-25") -> Canonical:
    return Canonical(cluster, item_id, np.array([1, 5, 9], dtype=np.uint32), 3, date, "Wire", origin)


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


def test_claim_then_lookup_then_second_claim_fails(index) -> None:
    index.begin()
    first = canonical("c1", "run:0")
    assert index.claim(first, [11, 12], {})
    assert index.buckets([11, 12, 13]) == {11: ["c1"], 12: ["c1"]}
    stored = index.canonicals(["c1", "missing"])
    assert set(stored) == {"c1"}
    assert stored["c1"].id == "a" and list(stored["c1"].shingles) == [1, 5, 9]
    assert not index.claim(canonical("c1", "run:1"), [11], {11: 1})
    index.commit()


def test_replace_is_compare_and_set_on_the_canonical(index) -> None:
    index.begin()
    first = canonical("c1", "run:0")
    index.claim(first, [11], {})
    successor = canonical("c1", "run:5", item_id="b", date="2022-03-20")
    assert index.replace(first, successor, [21])
    assert index.canonicals(["c1"])["c1"].id == "b"
    # a worker still holding the old canonical loses
    assert not index.replace(first, canonical("c1", "run:6", item_id="c"), [31])
    assert index.canonicals(["c1"])["c1"].id == "b"
    assert index.buckets([21]) == {21: ["c1"]}
    index.commit()


def test_journal_round_trip(index) -> None:
    index.begin()
    index.record("r1", [Recorded(0, '{"x": 0}', b"\x00" * 4), Recorded(3, '{"x": 3}', b"\x01" * 4)])
    index.commit()
    assert index.recorded("r1", 0, 5) == {0: '{"x": 0}', 3: '{"x": 3}'}
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


def test_redis_claim_fails_when_a_bucket_changed_since_lookup(redis_url: str) -> None:  # noqa: F811
    worker_a, worker_b = RedisIndex(redis_url, PARAMS), RedisIndex(redis_url, PARAMS)
    # both look at bucket 7 and see it empty
    seen_a, seen_b = worker_a.buckets([7]), worker_b.buckets([7])
    assert seen_a == seen_b == {}
    assert worker_a.claim(canonical("ca", "a:0"), [7], {})
    # b's view is stale: its claim of another cluster for the same bucket must fail
    assert not worker_b.claim(canonical("cb", "b:0"), [7], {k: len(v) for k, v in seen_b.items()})
    fresh = worker_b.buckets([7])
    assert fresh == {7: ["ca"]}
    assert worker_b.claim(canonical("cb", "b:0"), [7, 8], {7: 1})
    worker_a.close()
    worker_b.close()


def test_dry_run_index_leaves_the_store_untouched(tmp_path: Path) -> None:
    store = SQLiteIndex(tmp_path / "i.sqlite", PARAMS)
    store.begin()
    store.claim(canonical("c1", "run:0"), [1], {})
    store.commit()
    dry = DryRunIndex(store)
    assert dry.buckets([1]) == {1: ["c1"]}
    assert not dry.claim(canonical("c1", "run:9"), [1], {})
    assert dry.claim(canonical("c2", "run:1"), [2], {})
    assert dry.buckets([2]) == {2: ["c2"]}
    assert store.buckets([2]) == {}
    assert store.canonicals(["c2"]) == {}
    store.close()
