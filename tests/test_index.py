"""The index backends: one behaviour behind memory, SQLite and Redis."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconcile.dedup.index import (
    INDEX_FORMS,
    MAX_NUM_PERM,
    Canonical,
    Change,
    DryRunIndex,
    Entry,
    IndexMismatch,
    IndexUnusable,
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


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("redis:/127.0.0.1:6399/0", "two slashes"),
        ("Redis://127.0.0.1:6399/0", "lower case"),
        ("postgres://x/y", "unknown scheme postgres"),
        ("memory:", "without a colon"),
        ("redis://127.0.0.1:6399/abc", "database after the host must be a number"),
        ("redis://127.0.0.1:6399", "database after the host must be a number"),
        ("redis://127.0.0.1:port/0", "port is not a number"),
        ("redis:///0", "no host"),
        ("sqlite://index.db", "three slashes"),
        ("sqlite:///", "no path"),
        ("sqlite:///i.db?commit_rows=abc", "commit_rows must be a number"),
        ("sqlite:///i.db?commit_rows=-1", "commit_rows must be from 0"),
        ("sqlite:///i.db?speed=9", "unknown sqlite option"),
        ("", "empty"),
    ],
)
def test_a_mistyped_index_address_is_one_line_naming_it_and_the_forms(
    url: str, why: str, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(IndexUnusable) as err:
        open_index(url)
    message = str(err.value)
    assert "\n" not in message and repr(url) in message and why in message and INDEX_FORMS in message
    assert list(tmp_path.iterdir()) == [], "nothing is created for a bad address"


def test_well_formed_addresses_still_open(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for url in ("plain.db", "sub/dir.db", "sqlite:///rel.db?commit_rows=5&commit_seconds=0.5"):
        store = open_index(url)
        assert isinstance(store, SQLiteIndex)
        store.close()
    tuned = open_index("sqlite:///rel.db?commit_rows=5")
    assert isinstance(tuned, SQLiteIndex) and tuned.commit_rows == 5
    tuned.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plain.db", "rel.db", "sub"]


def test_redis_address_with_a_numbered_database_is_accepted(redis_url: str) -> None:  # noqa: F811
    store = open_index(redis_url)
    assert isinstance(store, RedisIndex)
    store.close()


def test_a_redis_index_that_does_not_answer_is_named(redis_url: str) -> None:  # noqa: F811
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(IndexUnusable, match=f"^index redis://127.0.0.1:{port}/0 cannot be reached: "):
        open_index(f"redis://127.0.0.1:{port}/0")
    store = open_index(redis_url)
    assert isinstance(store, RedisIndex)
    store.client.shutdown(nosave=True)  # the server goes away mid-run
    with pytest.raises(IndexUnusable, match=f"^index {redis_url} failed: ConnectionError"):
        store.view([1, 2])
    store.close()


def test_index_that_is_a_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(IndexUnusable, match=f"^index {tmp_path} is a folder, not an index file$"):
        open_index(str(tmp_path))


def test_index_that_is_a_text_file_is_named_and_left_alone(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not an index\n" * 100)
    for read_only in (False, True):
        with pytest.raises(IndexUnusable, match=f"^index {text} is not an index: not a SQLite database file$"):
            open_index(str(text), read_only=read_only)
    assert text.read_text() == "not an index\n" * 100


def test_a_foreign_sqlite_database_is_refused_untouched(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "other.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE people (name TEXT)")
    before = path.read_bytes()
    with pytest.raises(IndexUnusable, match=r"is a SQLite database but not a reconcile index \(it holds people\)"):
        open_index(str(path))
    assert path.read_bytes() == before


def _filled_index(path: Path, clusters: int = 3000) -> None:
    store = SQLiteIndex(path, PARAMS)
    rng = np.random.default_rng(0)
    for start in range(0, clusters, 500):
        changes = [
            Change(canonical(format(n + 1, "016x"), f"r:{n}"), rng.integers(1, 1 << 62, 16, dtype=np.int64))
            for n in range(start, start + 500)
        ]
        assert store.apply(changes, Entry("r", start, start + 499, "[]", b""), store.view([]))
        store.commit()
    store.close()


@pytest.mark.parametrize("read_only", [False, True])
def test_a_truncated_index_says_which_file_is_damaged(tmp_path: Path, read_only: bool) -> None:
    path = tmp_path / "index.sqlite"
    _filled_index(path)
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size // 2)
    with pytest.raises(IndexUnusable) as err:
        store = open_index(str(path), PARAMS, read_only=read_only)
        store.view([1, 2, 3])
        store.canonicals([format(n, "016x") for n in range(1, 3001)])
        store.recorded("r", 0, 3000)
    message = str(err.value)
    assert message.startswith(f"index {path} is damaged (") and "start a new index" in message
    assert "\n" not in message


def test_read_only_open_writes_nothing_and_still_finds_what_is_stored(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite"
    _filled_index(path, 500)
    before = path.read_bytes()
    store = open_index(str(path), PARAMS, read_only=True)
    assert isinstance(store, SQLiteIndex) and store.cluster_count == 500
    assert store.canonicals(["0000000000000001"])["0000000000000001"].origin == "r:0"
    dry = DryRunIndex(store)
    assert dry.apply([Change(canonical(C2, "x:0"), keys(5))], None, dry.view([5], [C2]))
    dry.commit()
    dry.close()
    assert path.read_bytes() == before


def test_read_only_open_of_a_missing_file_creates_nothing(tmp_path: Path) -> None:
    store = open_index(str(tmp_path / "none" / "index.sqlite"), PARAMS, read_only=True)
    assert store.view([1]).buckets == {} and store.recorded("r", 0, 9) == {}
    store.close()
    assert list(tmp_path.iterdir()) == []


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
    assert not index.apply(
        [Change(canonical(C2, "run:1"), keys(-5)), Change(canonical(C1, "run:2"), keys(13))], None, view
    )
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
        db.execute(
            "INSERT INTO meta VALUES ('params', ?)",
            ('{"bands": 16, "num_perm": 48, "rows": 3, "seed": 1, "shingle_size": 5}',),
        )
    with pytest.raises(IndexMismatch, match=r"format 1 by an older reconcile.*start a new index"):
        SQLiteIndex(path, PARAMS)


def test_params_are_bounded_in_one_line() -> None:
    for kwargs, words in (
        ({"num_perm": 1 << 20}, f"num_perm must be at most {MAX_NUM_PERM}"),
        ({"bands": 0}, "at least 1"),
        ({"shingle_size": 0}, "shingle_size must be from 1"),
        ({"shingle_size": 1000}, "shingle_size must be from 1"),
    ):
        with pytest.raises(ValueError, match=words):
            Params(**kwargs)  # type: ignore[arg-type]


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
@given(
    st.lists(st.lists(st.tuples(st.integers(-20, 20), st.integers(0, 5)), max_size=40), max_size=12),
    st.lists(st.integers(-25, 25), max_size=30),
)
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
    from reconcile.dedup.index import _cluster_hex, _cluster_int, _cluster_ints

    ids = [_cluster_hex(v) for v in values]
    assert _cluster_ints(ids).tolist() == [_cluster_int(c) for c in ids]
    assert [_cluster_hex(v) for v in _cluster_ints(ids).tolist()] == ids
    assert _cluster_ints(["abc", "00000000000000ff"]).tolist() == [0xABC, 0xFF]  # other spellings one by one
