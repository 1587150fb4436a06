"""The dedup index: what every earlier run has kept, behind one small interface chosen by URL.

* ``memory`` -- a dict, for one run;
* ``sqlite:///path`` or a plain path -- one SQLite file, the embedded default;
* ``redis://host:port/db`` -- a Redis server shared by several workers.

The index holds the canonical item of every cluster (its hashed shingles, for
exact verification, and its LSH bucket keys), and a journal of every item
decided, keyed by the run and the item's position in it, so a killed run that
is started again replays what it already decided instead of deciding twice.

Concurrency: SQLite serialises batches with ``BEGIN IMMEDIATE``.  Redis claims
a new cluster with a compare-and-set script: the claim succeeds only if none of
the item's buckets changed since the worker looked, so two workers holding the
same story cannot both found a cluster for it; the loser looks again and finds
the winner's copy.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np


class IndexMismatch(Exception):
    """The index was built with other parameters than this run's."""


@dataclass(frozen=True)
class Params:
    """What makes two runs' signatures comparable; stored in the index and checked on open.

    With ``bands`` b and ``rows`` r, two items of shingle Jaccard s share a bucket
    with probability 1 - (1 - s^r)^b: for b=16, r=3 that is 0.78 at s=0.45,
    0.98 at s=0.6 and 1.0 from s=0.8, and 0.016 at s=0.1.
    """

    num_perm: int = 48
    bands: int = 16
    rows: int = 3
    shingle_size: int = 5
    seed: int = 1

    def __post_init__(self) -> None:
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

    def encode(self) -> dict[str, bytes | str | int]:
        return {
            "cluster": self.cluster,
            "id": self.id,
            "shingles": self.shingles.astype("<u4").tobytes(),
            "words": self.words,
            "date": self.date,
            "source": self.source,
            "origin": self.origin,
        }

    @staticmethod
    def decode(values: dict[str, Any]) -> Canonical:
        text = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in values.items() if k != "shingles"}
        return Canonical(
            cluster=str(text["cluster"]),
            id=str(text["id"]),
            shingles=np.frombuffer(values["shingles"], dtype="<u4").astype(np.uint32),
            words=int(text["words"]),
            date=str(text["date"]),
            source=str(text["source"]),
            origin=str(text["origin"]),
        )


@dataclass(frozen=True)
class Recorded:
    """One decided item in the journal: its map row (JSON) and its MinHash signature."""

    position: int
    row: str
    signature: bytes


class Index(Protocol):
    """What the dedup stage needs from a store."""

    params: Params

    def begin(self, keys: Sequence[int] = ()) -> None:
        """Start a batch; ``keys`` are the band keys it will look up, for stores that fetch them at once."""
        ...

    def commit(self) -> None: ...
    def close(self, keep: bool = True) -> None:
        """Close; ``keep=False`` after a failure drops writes not yet committed, where the store can."""
        ...
    def buckets(self, keys: Sequence[int]) -> dict[int, list[str]]: ...
    def canonicals(self, clusters: Iterable[str]) -> dict[str, Canonical]: ...
    def claim(self, canonical: Canonical, keys: Sequence[int], seen: dict[int, int]) -> bool: ...
    def replace(self, previous: Canonical, canonical: Canonical, keys: Sequence[int]) -> bool: ...
    def recorded(self, run: str, start: int, stop: int) -> dict[int, str]: ...
    def record(self, run: str, rows: Sequence[Recorded]) -> None: ...


def _check(stored: str | None, params: Params, where: str) -> None:
    if stored is None:
        return
    theirs = Params(**json.loads(stored))
    if theirs != params:
        raise IndexMismatch(
            f"index {where} was built with {theirs.describe()}; this run uses {params.describe()}: "
            "use the same parameters or a new index"
        )


class MemoryIndex:
    """Dicts: for a single run, and as the writable top of a dry run."""

    def __init__(self, params: Params) -> None:
        self.params = params
        self._buckets: dict[int, list[str]] = {}
        self._canonicals: dict[str, Canonical] = {}
        self._journal: dict[tuple[str, int], str] = {}

    def begin(self, keys: Sequence[int] = ()) -> None:
        pass

    def commit(self) -> None:
        pass

    def close(self, keep: bool = True) -> None:
        pass

    def buckets(self, keys: Sequence[int]) -> dict[int, list[str]]:
        return {k: list(self._buckets[k]) for k in keys if k in self._buckets}

    def canonicals(self, clusters: Iterable[str]) -> dict[str, Canonical]:
        return {c: self._canonicals[c] for c in clusters if c in self._canonicals}

    def claim(self, canonical: Canonical, keys: Sequence[int], seen: dict[int, int]) -> bool:
        if canonical.cluster in self._canonicals:
            return False
        self._canonicals[canonical.cluster] = canonical
        for key in keys:
            self._buckets.setdefault(key, []).append(canonical.cluster)
        return True

    def replace(self, previous: Canonical, canonical: Canonical, keys: Sequence[int]) -> bool:
        current = self._canonicals.get(previous.cluster)
        if current is None or current.origin != previous.origin:
            return False
        self._canonicals[canonical.cluster] = canonical
        for key in keys:
            members = self._buckets.setdefault(key, [])
            if canonical.cluster not in members:
                members.append(canonical.cluster)
        return True

    def recorded(self, run: str, start: int, stop: int) -> dict[int, str]:
        return {p: self._journal[(run, p)] for p in range(start, stop) if (run, p) in self._journal}

    def record(self, run: str, rows: Sequence[Recorded]) -> None:
        for rec in rows:
            self._journal[(run, rec.position)] = rec.row


def _signed(key: int) -> int:
    """SQLite integers are signed 64-bit."""
    return key - (1 << 64) if key >= 1 << 63 else key


class SQLiteIndex:
    """One file.  Writers queue on ``BEGIN IMMEDIATE``.

    Batches are grouped into one transaction until ``commit_rows`` bucket rows or
    ``commit_seconds`` have gone by: bucket keys are random, so each commit rewrites
    pages all over the bucket tree, and a bigger commit rewrites each page for more
    rows (measured: 30-70 µs a row at 32,000 rows a commit, 5 µs at 320,000, with
    4 million rows in the tree).  A killed run loses the open group whole, journal
    included, so nothing is half-recorded.
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
        self.db.executescript(
            """
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS canonicals (
                cluster TEXT PRIMARY KEY, id TEXT NOT NULL, shingles BLOB NOT NULL, words INTEGER NOT NULL,
                date TEXT NOT NULL, source TEXT NOT NULL, origin TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS buckets (key INTEGER NOT NULL, cluster TEXT NOT NULL,
                PRIMARY KEY (key, cluster)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS items (run TEXT NOT NULL, position INTEGER NOT NULL, row TEXT NOT NULL,
                signature BLOB NOT NULL, PRIMARY KEY (run, position)) WITHOUT ROWID;
            """
        )
        self.db.execute("BEGIN IMMEDIATE")
        row = self.db.execute("SELECT value FROM meta WHERE key = 'params'").fetchone()
        try:
            _check(row[0] if row else None, params, str(path))
        except IndexMismatch:
            self.db.execute("ROLLBACK")
            self.db.close()
            raise
        if row is None:
            self.db.execute("INSERT INTO meta VALUES ('params', ?)", (json.dumps(asdict(params), sort_keys=True),))
        self.db.execute("COMMIT")
        self._pending: list[tuple[int, str]] = []
        self._cache: dict[int, list[str]] = {}
        self._known: set[int] = set()
        self._canonicals: dict[str, Canonical] = {}

    def begin(self, keys: Sequence[int] = ()) -> None:
        """Take the write lock (unless the group holds it) and read the batch's buckets in one query."""
        if not self.db.in_transaction:
            self.db.execute("BEGIN IMMEDIATE")
            self._rows, self._opened = 0, time.monotonic()
        self._pending = []
        self._known = set(keys)
        self._cache = {}
        if self._known:
            signed = json.dumps([_signed(k) for k in self._known])
            query = "SELECT key, cluster FROM buckets WHERE key IN (SELECT value FROM json_each(?))"
            for key, cluster in self.db.execute(query, (signed,)):
                self._cache.setdefault(key + (1 << 64) if key < 0 else key, []).append(cluster)
        # and the canonicals those buckets name, in one more query
        named = {c for members in self._cache.values() for c in members}
        self._canonicals = self._select(sorted(named)) if named else {}

    def commit(self) -> None:
        """End of a batch: its writes join the group, which commits when big or old enough."""
        self._rows += len(self._pending)
        self._flush()
        self._cache, self._known, self._canonicals = {}, set(), {}
        if self._rows >= self.commit_rows or time.monotonic() - self._opened >= self.commit_seconds:
            self.db.execute("COMMIT")

    def close(self, keep: bool = True) -> None:
        """Commit the open group (``keep``) or roll it back, and close."""
        if self.db.in_transaction:
            self.db.execute("COMMIT" if keep else "ROLLBACK")
        self.db.close()

    def buckets(self, keys: Sequence[int]) -> dict[int, list[str]]:
        cache = self._cache
        if self._known.issuperset(keys):
            return {k: list(cache[k]) for k in keys if k in cache}
        self._flush()
        found: dict[int, list[str]] = {}
        signed = {_signed(k): k for k in keys}
        marks = ",".join("?" * len(signed))
        for key, cluster in self.db.execute(f"SELECT key, cluster FROM buckets WHERE key IN ({marks})", list(signed)):
            found.setdefault(signed[key], []).append(cluster)
        return found

    def canonicals(self, clusters: Iterable[str]) -> dict[str, Canonical]:
        wanted = set(clusters)
        cached = self._canonicals
        found = {c: cached[c] for c in wanted if c in cached}
        missing = sorted(wanted - found.keys())
        if missing:
            found.update(self._select(missing))
        return found

    def _select(self, clusters: Sequence[str]) -> dict[str, Canonical]:
        cursor = self.db.execute(
            "SELECT cluster, id, shingles, words, date, source, origin FROM canonicals "
            "WHERE cluster IN (SELECT value FROM json_each(?))",
            (json.dumps(list(clusters)),),
        )
        return {
            row[0]: Canonical(row[0], row[1], np.frombuffer(row[2], dtype="<u4"), row[3], row[4], row[5], row[6])
            for row in cursor
        }

    def _put(self, canonical: Canonical, keys: Sequence[int], verb: str = "INSERT OR REPLACE") -> bool:
        cursor = self.db.execute(
            f"{verb} INTO canonicals VALUES (:cluster, :id, :shingles, :words, :date, :source, :origin)",
            canonical.encode(),
        )
        if cursor.rowcount != 1:
            return False
        self._canonicals[canonical.cluster] = canonical
        for key in keys:
            self._pending.append((_signed(key), canonical.cluster))
            if key in self._known:
                members = self._cache.setdefault(key, [])
                if canonical.cluster not in members:
                    members.append(canonical.cluster)
        return True

    def _flush(self) -> None:
        if self._pending:
            self.db.executemany("INSERT OR IGNORE INTO buckets VALUES (?, ?)", self._pending)
            self._pending = []

    def claim(self, canonical: Canonical, keys: Sequence[int], seen: dict[int, int]) -> bool:
        return self._put(canonical, keys, "INSERT OR IGNORE")

    def replace(self, previous: Canonical, canonical: Canonical, keys: Sequence[int]) -> bool:
        row = self.db.execute("SELECT origin FROM canonicals WHERE cluster = ?", (previous.cluster,)).fetchone()
        if row is None or row[0] != previous.origin:
            return False
        return self._put(canonical, keys)

    def recorded(self, run: str, start: int, stop: int) -> dict[int, str]:
        cursor = self.db.execute(
            "SELECT position, row FROM items WHERE run = ? AND position >= ? AND position < ?", (run, start, stop)
        )
        return dict(cursor.fetchall())

    def record(self, run: str, rows: Sequence[Recorded]) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO items VALUES (?, ?, ?, ?)", [(run, r.position, r.row, r.signature) for r in rows]
        )


_CLAIM = """
local n = tonumber(ARGV[1])
for i = 1, n do
  if redis.call('SCARD', KEYS[i + 1]) ~= tonumber(ARGV[i + 1]) then return 0 end
end
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local cluster = ARGV[n + 2]
for i = 1, n do redis.call('SADD', KEYS[i + 1], cluster) end
redis.call('HSET', KEYS[1], unpack(ARGV, n + 3))
return 1
"""

_REPLACE = """
if redis.call('HGET', KEYS[1], 'origin') ~= ARGV[1] then return 0 end
local cluster = ARGV[2]
local n = tonumber(ARGV[3])
for i = 1, n do redis.call('SADD', KEYS[i + 1], cluster) end
redis.call('HSET', KEYS[1], unpack(ARGV, 4))
return 1
"""


class RedisIndex:
    """A Redis server shared by workers; new clusters are claimed by compare-and-set (Lua)."""

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
        self.client.setnx(meta, json.dumps(asdict(params), sort_keys=True))
        stored: bytes | None = self.client.get(meta)  # type: ignore[assignment]
        _check(stored.decode() if stored else None, params, url)
        self._cache: dict[int, list[str]] = {}
        self._known: set[int] = set()
        self._claim = self.client.register_script(_CLAIM)
        self._replace = self.client.register_script(_REPLACE)

    def begin(self, keys: Sequence[int] = ()) -> None:
        """Read the batch's buckets in one round trip.  The view may go stale while the batch
        runs; that is safe, since a claim made on a stale view fails and is looked up afresh."""
        self._cache = self._lookup(keys)
        self._known = set(keys)

    def commit(self) -> None:
        self._cache, self._known = {}, set()

    def close(self, keep: bool = True) -> None:
        self.client.close()

    def _bucket(self, key: int) -> str:
        return f"{self.prefix}b:{key:016x}"

    def _canonical(self, cluster: str) -> str:
        return f"{self.prefix}c:{cluster}"

    def buckets(self, keys: Sequence[int]) -> dict[int, list[str]]:
        if self._known.issuperset(keys):
            return {k: list(self._cache[k]) for k in keys if k in self._cache}
        return self._lookup(keys)

    def _lookup(self, keys: Sequence[int]) -> dict[int, list[str]]:
        pipe = self.client.pipeline(transaction=False)
        for key in keys:
            pipe.smembers(self._bucket(key))
        found: dict[int, list[str]] = {}
        for key, members in zip(keys, pipe.execute(), strict=True):
            if members:
                found[key] = sorted(m.decode() for m in members)
        return found

    def canonicals(self, clusters: Iterable[str]) -> dict[str, Canonical]:
        wanted = sorted(set(clusters))
        pipe = self.client.pipeline(transaction=False)
        for cluster in wanted:
            pipe.hgetall(self._canonical(cluster))
        found = {}
        for cluster, values in zip(wanted, pipe.execute(), strict=True):
            if values:
                found[cluster] = Canonical.decode({k.decode(): v for k, v in values.items()})
        return found

    @staticmethod
    def _fields(canonical: Canonical) -> list[Any]:
        flat: list[Any] = []
        for name, value in canonical.encode().items():
            flat += [name, value]
        return flat

    def claim(self, canonical: Canonical, keys: Sequence[int], seen: dict[int, int]) -> bool:
        args = [len(keys), *(seen.get(k, 0) for k in keys), canonical.cluster, *self._fields(canonical)]
        redis_keys = [self._canonical(canonical.cluster), *(self._bucket(k) for k in keys)]
        return self._after(bool(self._claim(keys=redis_keys, args=args)), canonical.cluster, keys)

    def replace(self, previous: Canonical, canonical: Canonical, keys: Sequence[int]) -> bool:
        args = [previous.origin, canonical.cluster, len(keys), *self._fields(canonical)]
        redis_keys = [self._canonical(canonical.cluster), *(self._bucket(k) for k in keys)]
        return self._after(bool(self._replace(keys=redis_keys, args=args)), canonical.cluster, keys)

    def _after(self, won: bool, cluster: str, keys: Sequence[int]) -> bool:
        """Keep the batch's view in step: add our own claim, or forget what proved stale."""
        for key in keys:
            if not won:
                self._known.discard(key)
            elif key in self._known:
                members = self._cache.setdefault(key, [])
                if cluster not in members:
                    members.append(cluster)
        return won

    def recorded(self, run: str, start: int, stop: int) -> dict[int, str]:
        positions = list(range(start, stop))
        if not positions:
            return {}
        values: list[bytes | None] = self.client.hmget(f"{self.prefix}j:{run}", positions)  # type: ignore[assignment]
        return {p: v.decode() for p, v in zip(positions, values, strict=True) if v is not None}

    def record(self, run: str, rows: Sequence[Recorded]) -> None:
        if not rows:
            return
        pipe = self.client.pipeline(transaction=True)
        pipe.hset(f"{self.prefix}j:{run}", mapping={r.position: r.row for r in rows})
        pipe.hset(f"{self.prefix}s:{run}", mapping={r.position: r.signature for r in rows})
        pipe.execute()


class DryRunIndex:
    """Reads a store but writes only to memory, so ``--dry-run`` leaves the store untouched."""

    def __init__(self, base: Index) -> None:
        self.params = base.params
        self.base = base
        self.top = MemoryIndex(base.params)

    def begin(self, keys: Sequence[int] = ()) -> None:
        pass

    def commit(self) -> None:
        pass

    def close(self, keep: bool = True) -> None:
        self.base.close(keep=False)

    def buckets(self, keys: Sequence[int]) -> dict[int, list[str]]:
        found = self.base.buckets(keys)
        for key, members in self.top.buckets(keys).items():
            found[key] = sorted(set(found.get(key, [])) | set(members))
        return found

    def canonicals(self, clusters: Iterable[str]) -> dict[str, Canonical]:
        wanted = set(clusters)
        found = self.base.canonicals(wanted)
        found.update(self.top.canonicals(wanted))
        return found

    def claim(self, canonical: Canonical, keys: Sequence[int], seen: dict[int, int]) -> bool:
        if self.base.canonicals([canonical.cluster]):
            return False
        return self.top.claim(canonical, keys, seen)

    def replace(self, previous: Canonical, canonical: Canonical, keys: Sequence[int]) -> bool:
        self.top._canonicals.setdefault(previous.cluster, previous)
        return self.top.replace(previous, canonical, keys)

    def recorded(self, run: str, start: int, stop: int) -> dict[int, str]:
        found = self.base.recorded(run, start, stop)
        found.update(self.top.recorded(run, start, stop))
        return found

    def record(self, run: str, rows: Sequence[Recorded]) -> None:
        self.top.record(run, rows)


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
