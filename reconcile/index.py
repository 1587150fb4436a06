"""The dedup index: what every earlier run has kept, behind one small interface chosen by URL.

* ``memory`` -- dicts, for one run;
* ``sqlite:///path`` or a plain path -- one SQLite file, the embedded default;
* ``redis://host:port/db`` -- a Redis server shared by several workers.

The index holds the canonical item of every cluster (its hashed shingles, for
exact verification, and its LSH bucket keys), and a journal of every item
decided (its map row and MinHash signature), one entry per batch keyed by the
run and the batch's first position, so a killed run that is started again
replays what it already decided instead of deciding twice.

A batch talks to the index twice: ``view`` reads what its band keys' buckets
hold, and ``apply`` writes the batch's new and replaced canonicals, their
bucket rows and its journal entry at once.  ``apply`` is a compare-and-set on
the view: it fails, writing nothing, when another worker changed a bucket the
batch looked at, claimed one of its cluster ids or replaced one of the
canonicals it replaces; the batch is then decided again on a fresh view.  So
two workers holding the same story cannot both found a cluster for it.

Concurrency: SQLite holds its write lock (``BEGIN IMMEDIATE``) from ``view`` to
the group commit, so its views never go stale.  Redis checks and writes in one
Lua script per batch, one round trip.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

FORMAT = 2
"""The store layout.  1: a journal row per item, text cluster ids, 48 affine permutations;
2: a journal entry per batch, integer cluster ids, one-permutation MinHash."""


class IndexMismatch(Exception):
    """The index was built with other parameters (or by another version) than this run's."""


@dataclass(frozen=True)
class Params:
    """What makes two runs' signatures comparable; stored in the index and checked on open.

    Signatures are one-permutation MinHash (``minhash.flat_signatures``), so
    ``num_perm`` is a power of two; the first ``bands`` x ``rows`` bins make the
    band keys.  With ``bands`` b and ``rows`` r, two items of shingle Jaccard s
    share a bucket with probability 1 - (1 - s^r)^b: for b=16, r=3 that is 0.78
    at s=0.45, 0.98 at s=0.6 and 1.0 from s=0.8, and 0.016 at s=0.1.
    """

    num_perm: int = 64
    bands: int = 16
    rows: int = 3
    shingle_size: int = 5
    seed: int = 1

    def __post_init__(self) -> None:
        if self.num_perm < 1 or self.num_perm & (self.num_perm - 1):
            raise ValueError(f"num_perm must be a power of two (one-permutation MinHash), not {self.num_perm}")
        if self.bands * self.rows > self.num_perm:
            raise ValueError(f"bands x rows ({self.bands} x {self.rows}) exceeds num_perm {self.num_perm}")

    def describe(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in asdict(self).items())


@dataclass(frozen=True)
class Canonical:
    """The item a cluster keeps, with what later items are verified against."""

    cluster: str
    id: str
    shingles: np.ndarray = field(compare=False, repr=False)
    words: int
    date: str
    source: str
    origin: str
    """``run:position`` of the item, so a rerun recognises its own earlier claim."""
    sketch: bytes = field(default=b"", compare=False, repr=False)
    """The low byte of each MinHash bin: screens candidates before their shingles are fetched."""

    def encode(self) -> dict[str, bytes | str | int]:
        return {
            "cluster": self.cluster,
            "id": self.id,
            "shingles": self.shingles.astype("<u4").tobytes(),
            "words": self.words,
            "date": self.date,
            "source": self.source,
            "origin": self.origin,
            "sketch": self.sketch,
        }


@dataclass(frozen=True)
class View:
    """What one batch sees of the index.

    ``buckets``: the clusters in each looked-up band key's bucket (absent: empty);
    ``sketches``: the canonical's ``sketch`` of every cluster those buckets name (the
    canonicals themselves, large, are fetched by ``Index.canonicals`` for those that pass it);
    ``existing``: which of the cluster ids the batch asked about already exist;
    ``keys``: the keys looked up (a compare-and-set store checks their buckets are unchanged).
    """

    buckets: dict[int, list[str]]
    sketches: dict[str, bytes]
    existing: frozenset[str] = frozenset()
    keys: tuple[int, ...] = ()


@dataclass(frozen=True)
class Change:
    """A cluster a batch founds (``expected`` empty) or whose canonical it replaces.

    ``expected`` is the replaced canonical's origin as the view showed it: the
    write holds only if the store still has it.  ``keys`` (int64) are the band
    keys whose buckets gain the cluster.
    """

    canonical: Canonical
    keys: np.ndarray = field(compare=False, repr=False)
    expected: str = ""


@dataclass(frozen=True)
class Entry:
    """One batch's journal entry: ``rows`` is a JSON list of ``[position, map fields...]``;
    ``signatures`` the items' MinHash signatures, in the same order, little-endian uint32."""

    run: str
    first: int
    last: int
    rows: str
    signatures: bytes


class Index(Protocol):
    """What the dedup stage needs from a store."""

    params: Params

    def view(self, keys: Sequence[int], clusters: Sequence[str] = ()) -> View:
        """The buckets of ``keys`` and their canonicals' sketches, and which of ``clusters`` exist."""
        ...

    def canonicals(self, clusters: Sequence[str]) -> dict[str, Canonical]:
        """The current canonicals of ``clusters`` (absent ones left out)."""
        ...

    def apply(self, changes: Sequence[Change], entry: Entry | None, view: View) -> bool:
        """Write a batch's changes and journal entry if ``view`` still holds; else write nothing, False."""
        ...

    def commit(self) -> None:
        """End of a batch; stores that group batches decide here whether to commit."""
        ...

    def close(self, keep: bool = True) -> None:
        """Close; ``keep=False`` after a failure drops writes not yet committed, where the store can."""
        ...

    def recorded(self, run: str, start: int, stop: int) -> dict[int, list[Any]]:
        """Journaled map fields of ``run``'s positions in [start, stop)."""
        ...


def _params_json(params: Params) -> str:
    return json.dumps(asdict(params), sort_keys=True)


def _check(stored: str | None, stored_format: str | None, params: Params, where: str) -> None:
    if stored is None:
        return
    if stored_format != str(FORMAT):
        raise IndexMismatch(
            f"index {where} was written in format {stored_format or 1} by an older reconcile; "
            f"this one writes format {FORMAT}: start a new index"
        )
    theirs = Params(**json.loads(stored))
    if theirs != params:
        raise IndexMismatch(
            f"index {where} was built with {theirs.describe()}; this run uses {params.describe()}: "
            "use the same parameters or a new index"
        )


def _entry_rows(rows: str, start: int, stop: int, found: dict[int, list[Any]]) -> None:
    for row in json.loads(rows):
        if start <= row[0] < stop:
            found[row[0]] = row[1:]


class MemoryIndex:
    """Dicts: for a single run, and as the writable top of a dry run."""

    def __init__(self, params: Params) -> None:
        self.params = params
        self._buckets: dict[int, list[str]] = {}
        self._canonicals: dict[str, Canonical] = {}
        self._journal: dict[str, list[Entry]] = {}

    def view(self, keys: Sequence[int], clusters: Sequence[str] = ()) -> View:
        buckets = {k: list(self._buckets[k]) for k in keys if k in self._buckets}
        named = {c for members in buckets.values() for c in members}
        return View(
            buckets,
            {c: self._canonicals[c].sketch for c in named},
            frozenset(c for c in clusters if c in self._canonicals),
            tuple(keys),
        )

    def canonicals(self, clusters: Sequence[str]) -> dict[str, Canonical]:
        return {c: self._canonicals[c] for c in clusters if c in self._canonicals}

    def apply(self, changes: Sequence[Change], entry: Entry | None, view: View) -> bool:
        for change in changes:
            current = self._canonicals.get(change.canonical.cluster)
            if (current.origin if current else "") != change.expected:
                return False
        for change in changes:
            cluster = change.canonical.cluster
            self._canonicals[cluster] = change.canonical
            for key in change.keys.tolist():
                members = self._buckets.setdefault(key, [])
                if cluster not in members:
                    members.append(cluster)
        if entry is not None:
            self._journal.setdefault(entry.run, []).append(entry)
        return True

    def commit(self) -> None:
        pass

    def close(self, keep: bool = True) -> None:
        pass

    def recorded(self, run: str, start: int, stop: int) -> dict[int, list[Any]]:
        found: dict[int, list[Any]] = {}
        for entry in self._journal.get(run, ()):
            if entry.first < stop and entry.last >= start:
                _entry_rows(entry.rows, start, stop, found)
        return found


_MASK64 = (1 << 64) - 1


def _signed(value: int) -> int:
    """SQLite integers are signed 64-bit."""
    return value - (1 << 64) if value >= 1 << 63 else value


def _cluster_int(cluster: str) -> int:
    return _signed(int(cluster, 16))


def _cluster_hex(value: int) -> str:
    return format(value & _MASK64, "016x")


class SQLiteIndex:
    """One file.  Writers queue on ``BEGIN IMMEDIATE``.

    Cluster ids (16 hex digits) are stored as integers, buckets as a
    ``(key, cluster)`` WITHOUT ROWID tree, so a bucket row is two integers.
    Batches are grouped into one transaction until ``commit_rows`` bucket rows or
    ``commit_seconds`` have gone by: bucket keys are random, so each commit
    rewrites pages all over the bucket tree, and a bigger commit rewrites each
    page for more rows.  A killed run loses the open group whole, journal
    included, so nothing is half-recorded.  WAL with ``synchronous=NORMAL``: a
    commit survives the process being killed (the WAL is in the OS's hands);
    only a power cut can lose the last commits, never corrupt the file.
    """

    def __init__(self, path: Path, params: Params, commit_rows: int = 300_000, commit_seconds: float = 30.0) -> None:
        self.params = params
        self.path = path
        self.commit_rows, self.commit_seconds = commit_rows, commit_seconds
        self._rows = 0
        self._opened = 0.0
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, timeout=600, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA cache_size=-262144")
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            meta = dict(self.db.execute("SELECT key, value FROM meta").fetchall())
            _check(meta.get("params"), meta.get("format"), params, str(path))
        except IndexMismatch:
            self.db.execute("ROLLBACK")
            self.db.close()
            raise
        # one statement at a time: ``executescript`` would commit the open transaction first
        for table in (
            """CREATE TABLE IF NOT EXISTS canonicals (
                cluster INTEGER PRIMARY KEY, id TEXT NOT NULL, shingles BLOB NOT NULL, words INTEGER NOT NULL,
                date TEXT NOT NULL, source TEXT NOT NULL, origin TEXT NOT NULL, sketch BLOB NOT NULL)""",
            # covering, so a view reads sketches from a small tree that stays in the page cache
            "CREATE INDEX IF NOT EXISTS canonical_sketches ON canonicals (cluster, sketch)",
            """CREATE TABLE IF NOT EXISTS buckets (key INTEGER NOT NULL, cluster INTEGER NOT NULL,
                PRIMARY KEY (key, cluster)) WITHOUT ROWID""",
            """CREATE TABLE IF NOT EXISTS journal (run TEXT NOT NULL, first INTEGER NOT NULL, last INTEGER NOT NULL,
                rows TEXT NOT NULL, signatures BLOB NOT NULL, PRIMARY KEY (run, first)) WITHOUT ROWID""",
        ):
            self.db.execute(table)
        if "params" not in meta:
            self.db.executemany(
                "INSERT INTO meta VALUES (?, ?)", [("params", _params_json(params)), ("format", str(FORMAT))]
            )
        self.db.execute("COMMIT")

    def view(self, keys: Sequence[int], clusters: Sequence[str] = ()) -> View:
        """Take the write lock (unless the group holds it), then three queries for the whole batch."""
        if not self.db.in_transaction:
            self.db.execute("BEGIN IMMEDIATE")
            self._rows, self._opened = 0, time.monotonic()
        buckets: dict[int, list[str]] = {}
        if len(keys):
            query = "SELECT key, cluster FROM buckets WHERE key IN (SELECT value FROM json_each(?))"
            for key, cluster in self.db.execute(query, (json.dumps(list(keys)),)):
                buckets.setdefault(key, []).append(_cluster_hex(cluster))
        named = sorted({c for members in buckets.values() for c in members})
        existing: frozenset[str] = frozenset()
        if clusters:
            query = "SELECT cluster FROM canonicals WHERE cluster IN (SELECT value FROM json_each(?))"
            wanted = json.dumps(sorted(_cluster_int(c) for c in clusters))
            existing = frozenset(_cluster_hex(c) for (c,) in self.db.execute(query, (wanted,)))
        sketches: dict[str, bytes] = {}
        if named:
            query = (
                "SELECT cluster, sketch FROM canonicals INDEXED BY canonical_sketches "
                "WHERE cluster IN (SELECT value FROM json_each(?))"
            )
            wanted = json.dumps(sorted(_cluster_int(c) for c in named))
            sketches = {_cluster_hex(c): sketch for c, sketch in self.db.execute(query, (wanted,))}
        return View(buckets, sketches, existing, tuple(keys))

    def canonicals(self, clusters: Sequence[str]) -> dict[str, Canonical]:
        if not clusters:
            return {}
        cursor = self.db.execute(
            "SELECT cluster, id, shingles, words, date, source, origin, sketch FROM canonicals "
            "WHERE cluster IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(_cluster_int(c) for c in clusters)),),
        )
        found = {}
        for row in cursor:
            cluster = _cluster_hex(row[0])
            found[cluster] = Canonical(
                cluster, row[1], np.frombuffer(row[2], dtype="<u4"), row[3], row[4], row[5], row[6], row[7]
            )
        return found

    def apply(self, changes: Sequence[Change], entry: Entry | None, view: View) -> bool:
        """The write lock has been held since ``view``, so its buckets still hold; the changes are
        checked against the stored canonicals all the same (one query), so a wrong one writes nothing."""
        if changes:
            ids = [_cluster_int(c.canonical.cluster) for c in changes]
            query = "SELECT cluster, origin FROM canonicals WHERE cluster IN (SELECT value FROM json_each(?))"
            stored = dict(self.db.execute(query, (json.dumps(ids),)).fetchall())
            if any(stored.get(i, "") != c.expected for i, c in zip(ids, changes, strict=True)):
                return False
            self.db.executemany(
                "INSERT OR REPLACE INTO canonicals VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (i, c.canonical.id, c.canonical.shingles.astype("<u4").tobytes(),
                     c.canonical.words, c.canonical.date, c.canonical.source, c.canonical.origin, c.canonical.sketch)
                    for i, c in zip(ids, changes, strict=True)
                ],
            )
            keys = np.concatenate([c.keys for c in changes])
            clusters = np.repeat(np.array(ids, dtype=np.int64), [len(c.keys) for c in changes])
            # in key order, so each page of the bucket tree is visited once
            order = np.lexsort((clusters, keys))
            pairs = np.stack([keys[order], clusters[order]], axis=1)
            pairs = pairs[np.r_[True, (pairs[1:] != pairs[:-1]).any(axis=1)]]
            self.db.executemany("INSERT OR IGNORE INTO buckets VALUES (?, ?)", pairs.tolist())
            self._rows += len(pairs)
        if entry is not None:
            self.db.execute(
                "INSERT OR REPLACE INTO journal VALUES (?, ?, ?, ?, ?)",
                (entry.run, entry.first, entry.last, entry.rows, entry.signatures),
            )
        return True

    def commit(self) -> None:
        """End of a batch: its writes join the group, which commits when big or old enough."""
        if self.db.in_transaction and (
            self._rows >= self.commit_rows or time.monotonic() - self._opened >= self.commit_seconds
        ):
            self.db.execute("COMMIT")

    def close(self, keep: bool = True) -> None:
        """Commit the open group (``keep``) or roll it back, and close."""
        if self.db.in_transaction:
            self.db.execute("COMMIT" if keep else "ROLLBACK")
        self.db.close()

    def recorded(self, run: str, start: int, stop: int) -> dict[int, list[Any]]:
        # entries are disjoint ranges: walking down from ``stop``, the first one ending before ``start`` ends the search
        cursor = self.db.execute(
            "SELECT last, rows FROM journal WHERE run = ? AND first < ? ORDER BY first DESC", (run, stop)
        )
        found: dict[int, list[Any]] = {}
        for last, rows in cursor:
            if last < start:
                break
            _entry_rows(rows, start, stop, found)
        cursor.close()
        return found


_READ_BUCKETS = """
local out = {}
for i, key in ipairs(KEYS) do out[i] = redis.call('SMEMBERS', key) end
return out
"""

# KEYS: canonical hashes; ARGV: the fields to read, then (after the field count) keys to test for existence
_READ_CANONICALS = """
local fields = tonumber(ARGV[1])
local out = {}
for i, key in ipairs(KEYS) do out[i] = redis.call('HMGET', key, unpack(ARGV, 2, fields + 1)) end
local exists = {}
for i = fields + 2, #ARGV do exists[#exists + 1] = redis.call('EXISTS', ARGV[i]) end
out[#KEYS + 1] = exists
return out
"""
_FIELDS = ("cluster", "id", "shingles", "words", "date", "source", "origin", "sketch")

# ARGV: the number of looked-up buckets, then (bucket, count seen) pairs; the number of changes, then per
# change: canonical key, expected origin ('' = must not exist), the 16 field/value strings, the number of
# bucket keys and the bucket keys, then the journal: its three keys, first, member and rows/signatures.
_APPLY = """
local a = 1
local n = tonumber(ARGV[a]); a = a + 1
for i = 1, n do
  if redis.call('SCARD', ARGV[a]) ~= tonumber(ARGV[a + 1]) then return 0 end
  a = a + 2
end
local changes = tonumber(ARGV[a]); a = a + 1
local start = a
for i = 1, changes do
  local key, expected = ARGV[a], ARGV[a + 1]
  if expected == '' then
    if redis.call('EXISTS', key) == 1 then return 0 end
  elseif redis.call('HGET', key, 'origin') ~= expected then
    return 0
  end
  a = a + 18
  a = a + 1 + tonumber(ARGV[a])
end
a = start
for i = 1, changes do
  local key = ARGV[a]
  redis.call('HSET', key, unpack(ARGV, a + 2, a + 17))
  local cluster = ARGV[a + 3]
  a = a + 18
  local buckets = tonumber(ARGV[a])
  for b = 1, buckets do redis.call('SADD', ARGV[a + b], cluster) end
  a = a + 1 + buckets
end
if ARGV[a] ~= '' then
  redis.call('ZADD', ARGV[a], tonumber(ARGV[a + 3]), ARGV[a + 4])
  redis.call('HSET', ARGV[a + 1], ARGV[a + 3], ARGV[a + 5])
  redis.call('HSET', ARGV[a + 2], ARGV[a + 3], ARGV[a + 6])
end
return 1
"""


class RedisIndex:
    """A Redis server shared by workers: each batch reads in two round trips and writes in one
    compare-and-set script (see the module docstring)."""

    def __init__(self, url: str, params: Params, prefix: str = "reconcile:") -> None:
        try:
            import redis
        except ImportError as err:
            raise ValueError("a redis:// index needs the redis client: pip install 'reconcile[redis]'") from err

        self.params = params
        self.prefix = prefix
        self.client = redis.Redis.from_url(url)
        try:
            self.client.ping()
        except redis.RedisError as err:
            raise ValueError(f"cannot reach the index at {url}: {err}") from err
        meta = f"{prefix}params"
        if self.client.set(meta, _params_json(params), nx=True):
            self.client.set(f"{prefix}format", str(FORMAT))
        else:
            time.sleep(0.01)  # a worker that just created the index writes its format next
        stored: bytes | None = self.client.get(meta)  # type: ignore[assignment]
        stored_format: bytes | None = self.client.get(f"{prefix}format")  # type: ignore[assignment]
        _check(stored.decode() if stored else None, stored_format.decode() if stored_format else None, params, url)
        self._read_buckets = self.client.register_script(_READ_BUCKETS)
        self._read_canonicals = self.client.register_script(_READ_CANONICALS)
        self._apply = self.client.register_script(_APPLY)

    def _bucket(self, key: int) -> str:
        return f"{self.prefix}b:{key:x}"

    def _canonical(self, cluster: str) -> str:
        return f"{self.prefix}c:{cluster}"

    def view(self, keys: Sequence[int], clusters: Sequence[str] = ()) -> View:
        buckets: dict[int, list[str]] = {}
        keys = list(keys)
        if keys:
            members = self._read_buckets(keys=[self._bucket(k) for k in keys])
            for key, found in zip(keys, members, strict=True):
                if found:
                    buckets[key] = sorted(m.decode() for m in found)
        named = sorted({c for found in buckets.values() for c in found})
        reply = self._read_canonicals(
            keys=[self._canonical(c) for c in named], args=[1, "sketch", *(self._canonical(c) for c in clusters)]
        )
        sketches = {c: values[0] for c, values in zip(named, reply[:-1], strict=True) if values[0] is not None}
        existing = frozenset(c for c, flag in zip(clusters, reply[-1], strict=True) if flag)
        return View(buckets, sketches, existing, tuple(keys))

    def canonicals(self, clusters: Sequence[str]) -> dict[str, Canonical]:
        if not clusters:
            return {}
        reply = self._read_canonicals(keys=[self._canonical(c) for c in clusters], args=[len(_FIELDS), *_FIELDS])
        found = {}
        for cluster, values in zip(clusters, reply[:-1], strict=True):
            if values[0] is not None:
                found[cluster] = Canonical(
                    cluster, values[1].decode(), np.frombuffer(values[2], dtype="<u4"), int(values[3]),
                    values[4].decode(), values[5].decode(), values[6].decode(), values[7] or b"",
                )
        return found

    def apply(self, changes: Sequence[Change], entry: Entry | None, view: View) -> bool:
        """One script: every looked-up bucket still has the size the view saw (buckets only grow,
        so equal size means unchanged), every new cluster is still free, every replaced canonical
        is still the one the view saw; then all writes, else none."""
        args: list[Any] = [len(view.keys)]
        for key in view.keys:
            args += [self._bucket(key), len(view.buckets.get(key, ()))]
        args.append(len(changes))
        for change in changes:
            args += [self._canonical(change.canonical.cluster), change.expected]
            for name, value in change.canonical.encode().items():
                args += [name, value]
            keys = change.keys.tolist()
            args.append(len(keys))
            args += [self._bucket(k) for k in keys]
        if entry is None:
            args.append("")
        else:
            args += [f"{self.prefix}ji:{entry.run}", f"{self.prefix}j:{entry.run}", f"{self.prefix}s:{entry.run}",
                     entry.first, f"{entry.first}:{entry.last}", entry.rows, entry.signatures]
        return bool(self._apply(keys=[], args=args))

    def commit(self) -> None:
        pass

    def close(self, keep: bool = True) -> None:
        self.client.close()

    def recorded(self, run: str, start: int, stop: int) -> dict[int, list[Any]]:
        # entries are disjoint: at most stop - start of them overlap [start, stop), and they come first going down
        members: list[bytes] = self.client.zrevrangebyscore(  # type: ignore[assignment]
            f"{self.prefix}ji:{run}", f"({stop}", "-inf", start=0, num=stop - start
        )
        firsts = []
        for member in members:
            first, last = map(int, member.decode().split(":"))
            if last < start:
                break
            firsts.append(first)
        found: dict[int, list[Any]] = {}
        if firsts:
            rows: list[bytes] = self.client.hmget(f"{self.prefix}j:{run}", firsts)  # type: ignore[assignment]
            for text in rows:
                _entry_rows(text.decode(), start, stop, found)
        return found


class DryRunIndex:
    """Reads a store but writes only to memory, so ``--dry-run`` leaves the store untouched."""

    def __init__(self, base: Index) -> None:
        self.params = base.params
        self.base = base
        self.top = MemoryIndex(base.params)

    def view(self, keys: Sequence[int], clusters: Sequence[str] = ()) -> View:
        below, above = self.base.view(keys, clusters), self.top.view(keys, clusters)
        buckets = dict(below.buckets)
        for key, members in above.buckets.items():
            buckets[key] = sorted(set(buckets.get(key, [])) | set(members))
        named = {c for members in buckets.values() for c in members}
        top = self.top._canonicals
        sketches = {
            c: top[c].sketch if c in top else below.sketches[c] for c in named if c in top or c in below.sketches
        }
        return View(buckets, sketches, below.existing | above.existing, tuple(keys))

    def canonicals(self, clusters: Sequence[str]) -> dict[str, Canonical]:
        found = self.base.canonicals([c for c in clusters if c not in self.top._canonicals])
        found.update(self.top.canonicals(clusters))
        return found

    def apply(self, changes: Sequence[Change], entry: Entry | None, view: View) -> bool:
        for change in changes:
            cluster = change.canonical.cluster
            if change.expected and cluster not in self.top._canonicals:
                # the replaced canonical lives in the store: copy it up, so the top's check sees it
                self.top._canonicals.update(self.base.canonicals([cluster]))
        return self.top.apply(changes, entry, view)

    def commit(self) -> None:
        self.base.commit()

    def close(self, keep: bool = True) -> None:
        self.base.close(keep=False)

    def recorded(self, run: str, start: int, stop: int) -> dict[int, list[Any]]:
        found = self.base.recorded(run, start, stop)
        found.update(self.top.recorded(run, start, stop))
        return found


def open_index(url: str | None, params: Params = Params()) -> Index:
    """``None``/``memory`` → in memory; ``redis://…`` → Redis; ``sqlite:///path`` or a path → SQLite.

    Raises ``IndexMismatch`` when the store holds other parameters.
    """
    if url is None or url in ("memory", "memory://", ":memory:"):
        return MemoryIndex(params)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisIndex(url, params)
    if url.startswith("sqlite:///"):
        # sqlite:///relative/path, sqlite:////absolute/path (as SQLAlchemy spells them);
        # ?commit_rows=N&commit_seconds=S tune the group commit
        path, _, query = url[len("sqlite:///") :].partition("?")
        options = dict(part.partition("=")[::2] for part in query.split("&") if part)
        unknown = set(options) - {"commit_rows", "commit_seconds"}
        if unknown:
            raise ValueError(f"unknown sqlite index option(s): {', '.join(sorted(unknown))}")
        return SQLiteIndex(
            Path(path),
            params,
            commit_rows=int(options.get("commit_rows", 300_000)),
            commit_seconds=float(options.get("commit_seconds", 30.0)),
        )
    return SQLiteIndex(Path(url), params)
