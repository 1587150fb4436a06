"""The dedup index: what every earlier run has kept, behind one small interface chosen by URL.

* ``memory`` -- dicts, for one run;
* ``sqlite:///path`` or a plain path -- one SQLite file, the embedded default;
* ``redis://host:port/db`` -- a Redis server shared by several workers.

Nothing else is accepted (``parse_index_url``): a mistyped address must not
quietly become a local file, or workers meant to share one index each dedup alone.

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

import contextlib
import functools
import json
import re
import sqlite3
import time
import urllib.parse
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar, overload

import numpy as np

from reconcile.limits import MAX_NUM_PERM, MAX_SHINGLE_SIZE

FORMAT = 3
"""The store layout.  1: a journal row per item, text cluster ids, 48 affine permutations;
2: a journal entry per batch, integer cluster ids, one-permutation MinHash; 3: SQLite's
buckets as an append-only log read into memory."""


class IndexMismatch(Exception):
    """The index was built with other parameters (or by another version) than this run's."""


class IndexUnusable(Exception):
    """The index address is malformed, or the store behind it cannot be used: a damaged or
    foreign file, a folder, a server that does not answer.  The message names the index."""


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
        if self.num_perm > MAX_NUM_PERM:
            raise ValueError(f"num_perm must be at most {MAX_NUM_PERM}, not {self.num_perm}")
        if self.bands < 1 or self.rows < 1:
            raise ValueError(f"bands and rows must be at least 1, not {self.bands} and {self.rows}")
        if not 1 <= self.shingle_size <= MAX_SHINGLE_SIZE:
            raise ValueError(f"shingle_size must be from 1 to {MAX_SHINGLE_SIZE}, not {self.shingle_size}")
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


@dataclass(frozen=True, eq=False)
class View:
    """What one batch sees of the index, as numpy tables: a batch's buckets hold tens of
    thousands of rows, and most of the clusters they name are screened out unnamed.

    ``held``: the looked-up buckets' rows, (band key, index into ``names``) int64, sorted,
    no repeats (``buckets`` is the same as a dict, key -> sorted clusters, made when asked for);
    ``names``: the clusters those buckets hold, sorted;
    ``sketch_table``/``sketch_sizes``: row k is the ``sketch`` of cluster ``names[k]``'s
    canonical, zero-padded, and its length (0: none); ``sketches`` is the same as a dict
    (the canonicals themselves, large, are fetched by ``Index.canonicals`` for those that pass);
    ``existing``: which of the cluster ids the batch asked about already exist;
    ``keys``: the keys looked up (a compare-and-set store checks their buckets are unchanged).
    """

    held: np.ndarray = field(repr=False)
    names: Sequence[str]
    sketch_table: np.ndarray = field(repr=False)
    sketch_sizes: np.ndarray = field(repr=False)
    existing: frozenset[str] = frozenset()
    keys: tuple[int, ...] = ()

    @staticmethod
    def of(
        buckets: Mapping[int, Iterable[str]],
        sketches: Mapping[str, bytes],
        existing: frozenset[str] = frozenset(),
        keys: tuple[int, ...] = (),
    ) -> View:
        """A view from buckets and sketches as dicts (the stores that keep them so)."""
        names = tuple(sorted({c for members in buckets.values() for c in members}))
        number = {c: k for k, c in enumerate(names)}
        rows = sorted({(key, number[c]) for key, members in buckets.items() for c in members})
        found = [sketches.get(c, b"") for c in names]
        sizes = np.array([len(sketch) for sketch in found], dtype=np.int64)
        table = np.zeros((len(names), int(sizes.max(initial=0))), dtype=np.uint8)
        for k, sketch in enumerate(found):
            table[k, : len(sketch)] = np.frombuffer(sketch, dtype=np.uint8)
        return View(np.array(rows, dtype=np.int64).reshape(-1, 2), names, table, sizes, existing, keys)

    @functools.cached_property
    def buckets(self) -> dict[int, list[str]]:
        found: dict[int, list[str]] = {}
        for key, name in self.held.tolist():
            found.setdefault(key, []).append(self.names[name])
        return found

    @functools.cached_property
    def sketches(self) -> dict[str, bytes]:
        return {
            self.names[k]: self.sketch_table[k, :size].tobytes()
            for k, size in enumerate(self.sketch_sizes.tolist())
            if size
        }


class HexNames(Sequence[str]):
    """Cluster ids held as integers, spelled as 16 hex digits only when read."""

    def __init__(self, ids: np.ndarray) -> None:
        self.ids = ids

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, k: int) -> str: ...

    @overload
    def __getitem__(self, k: slice) -> Sequence[str]: ...

    def __getitem__(self, k: int | slice) -> str | Sequence[str]:
        if isinstance(k, slice):
            return HexNames(self.ids[k])
        return _cluster_hex(int(self.ids[k]))


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
        return View.of(
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


def _cluster_ints(clusters: Sequence[str]) -> np.ndarray:
    """``_cluster_int`` of many ids: 16 hex digits each (as ``dedup.founder_id`` spells them) in one ``fromhex``."""
    try:
        raw = bytes.fromhex("".join(clusters))
    except ValueError:
        raw = b""
    if len(raw) == 8 * len(clusters):
        return np.frombuffer(raw, dtype=">u8").astype(np.uint64).view(np.int64)
    return np.array([_cluster_int(c) for c in clusters], dtype=np.int64)


def _cluster_hex(value: int) -> str:
    return format(value & _MASK64, "016x")


class KeyTable:
    """int64 keys to int32 values, several values to a key, looked up many keys at a time.

    Two sorted levels: added rows go into the small one (one ``np.insert`` a batch),
    which is merged into the big one once it outgrows a sixteenth of it, so a row is
    copied a bounded number of times on average.  A lookup finds each key's first row
    in a level through a sample of every ``stride``-th key, which stays in the CPU cache, then
    a binary search inside one stride: a few cache misses a key instead of one a level.
    Numpy arrays rather than a dict: 12 million rows take 140 MB, not several GB.
    """

    def __init__(self, small_rows: int = 1 << 16, stride: int = 64) -> None:
        empty = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int32))
        self._big, self._small = empty, empty
        self._samples: dict[int, np.ndarray] = {}
        """per level (0 big, 1 small): its keys[::stride], made when first needed"""
        self.small_rows = small_rows
        self.stride = stride
        """a power of two"""

    def __len__(self) -> int:
        return len(self._big[0]) + len(self._small[0])

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in (*self._big, *self._small))

    @staticmethod
    def _merged(
        level: tuple[np.ndarray, np.ndarray], keys: np.ndarray, values: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """``level`` with sorted ``keys`` (and their values) inserted in order."""
        at = np.searchsorted(level[0], keys, side="right")
        return np.insert(level[0], at, keys), np.insert(level[1], at, values)

    def add(self, keys: np.ndarray, values: np.ndarray) -> None:
        order = np.argsort(keys, kind="stable")
        keys, values = keys[order], values[order].astype(np.int32, copy=False)
        del order
        self._samples.clear()
        if not len(self._big[0]) and not len(self._small[0]) and len(keys) > self.small_rows:
            self._big = (keys, values)  # an index being opened: its whole log at once, no copy more
            return
        self._small = self._merged(self._small, keys, values)
        if len(self._small[0]) > max(self.small_rows, len(self._big[0]) // 16):
            self._big = self._merged(self._big, *self._small)
            self._small = (self._small[0][:0], self._small[1][:0])

    def _first_at_least(self, level: int, keys: np.ndarray, queries: np.ndarray) -> np.ndarray:
        """For each query, the index of the first key not below it (``searchsorted``, side left)."""
        if level not in self._samples:
            self._samples[level] = keys[:: self.stride]
        block = np.searchsorted(self._samples[level], queries, side="left")
        # keys[(block - 1) * stride] is below the query (block 0: none is), so the answer is in
        # ((block - 1) * stride, block * stride]: a branchless binary search of fixed steps
        below = np.maximum((block - 1) * self.stride, -1)
        last = len(keys) - 1
        step = self.stride // 2
        while step:
            probe = below + step
            below = np.where((probe <= last) & (keys[np.minimum(probe, last)] < queries), probe, below)
            step //= 2
        return below + 1

    def find(self, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every row held under one of ``queries``: the query's position and the row's value."""
        positions, values = [], []
        for level, (keys, held) in enumerate((self._big, self._small)):
            if not len(keys):
                continue
            row = self._first_at_least(level, keys, queries)
            # walk each hit's run of equal keys
            at = np.flatnonzero(keys[np.minimum(row, len(keys) - 1)] == queries)
            row = row[at]
            while len(at):
                positions.append(at)
                values.append(held[row])
                row = row + 1
                more = row < len(keys)
                at, row = at[more], row[more]
                more = keys[row] == queries[at]
                at, row = at[more], row[more]
        if not positions:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int32)
        return np.concatenate(positions), np.concatenate(values)


_SQLITE_TROUBLE = (
    ("file is not a database", "is not an index: not a SQLite database file"),
    ("malformed", "is damaged ({message}): restore it from a copy or start a new index"),
    ("readonly database", "cannot be written ({message}): give write access, or only read it with a dry run"),
    ("disk is full", "cannot grow: the disk is full ({message})"),
    ("unable to open database file", "cannot be opened ({message})"),
)
"""SQLite's words for what is wrong with a file, and ours."""

F = TypeVar("F", bound=Callable[..., Any])


def _unusable(path: Path, err: sqlite3.Error | OSError) -> IndexUnusable:
    """``err``, met using the index file ``path``, as one line naming the file."""
    if isinstance(err, OSError):
        return IndexUnusable(f"index {path} cannot be created: {err.strerror or err}")
    message = str(err)
    for words, reason in _SQLITE_TROUBLE:
        if words in message:
            return IndexUnusable(f"index {path} {reason.format(message=message)}")
    return IndexUnusable(f"index {path} cannot be used: {message}")


def _named_errors(method: F) -> F:
    """SQLite's errors from the file (damage, a full disk, a lost lock) raised as ``IndexUnusable``
    naming it; misuse by this code (``ProgrammingError``, ``IntegrityError``) stays a bug."""

    @functools.wraps(method)
    def named(self: SQLiteIndex, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except (sqlite3.ProgrammingError, sqlite3.IntegrityError):
            raise
        except sqlite3.DatabaseError as err:
            raise _unusable(self.path, err) from err

    return named  # type: ignore[return-value]


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """A connection that never writes the file: ``mode=ro``; when that cannot open the file
    (a write-ahead-log index whose folder cannot take the ``-shm`` file), ``immutable=1``,
    which is right as long as no ``-wal`` file holds commits not yet in the file."""
    uri = "file:" + urllib.parse.quote(str(path.resolve())) + "?mode=ro"
    db = sqlite3.connect(uri, uri=True, timeout=600, isolation_level=None)
    try:
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return db
    except sqlite3.OperationalError:
        db.close()
        wal = Path(f"{path}-wal")
        if wal.exists() and wal.stat().st_size:
            raise IndexUnusable(
                f"index {path} cannot be read without writing: {wal.name} holds commits not yet in the file, "
                "and its folder takes no -shm file; open it once with write access"
            ) from None
    db = sqlite3.connect(uri + "&immutable=1", uri=True, timeout=600, isolation_level=None)
    db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    return db


class SQLiteIndex:
    """One file, whose writes are all appends; the LSH buckets are held in memory.

    A B-tree of bucket rows keyed by random band keys cost a page rewrite per row
    once it outgrew the page cache (10 million rows: 222 µs an item, most of it
    SQLite).  So the file holds logs, and the lookups run in numpy:

    * ``canonicals``: a row per canonical, in arrival order (a replaced one is
      deleted, its successor appended);
    * ``bucket_log``: a row per batch write: the clusters it founded or took over,
      their canonicals' row numbers, sketches and band keys;
    * ``journal``: a row per batch of decisions.

    Opening reads ``bucket_log`` into ``KeyTable``s (band key -> cluster slot,
    cluster id -> slot) and per-slot arrays (cluster id, canonical row, sketch):
    about 300 bytes per cluster with 16 bands.  Several processes may share the
    file: writers queue on ``BEGIN IMMEDIATE``, and each, once it holds the lock,
    first reads the ``bucket_log`` rows others appended since it last looked.
    Batches are grouped into one transaction until ``commit_rows`` bucket rows or
    ``commit_seconds`` have gone by; a killed run loses the open group whole,
    journal included, so nothing is half-recorded.  WAL with
    ``synchronous=NORMAL``: a commit survives the process being killed; only a
    power cut can lose the last commits, never corrupt the file.
    """

    def __init__(
        self,
        path: Path,
        params: Params,
        commit_rows: int = 300_000,
        commit_seconds: float = 30.0,
        read_only: bool = False,
    ) -> None:
        """``read_only`` (a dry run): open the file without writing to it, not even its journal
        mode, so a file the user may only read works; nothing can then be committed."""
        self.params = params
        self.path = path
        self.read_only = read_only
        self.commit_rows, self.commit_seconds = commit_rows, commit_seconds
        self._rows = 0
        self._opened = 0.0
        self._buckets = KeyTable()
        """band key -> slot"""
        self._slots = KeyTable()
        """cluster id (signed 64-bit) -> slot"""
        self._size = 0
        self._clusters = np.empty(0, dtype=np.int64)
        self._rowids = np.empty(0, dtype=np.int64)
        self._sketches = np.empty((0, params.num_perm), dtype=np.uint8)
        """per slot (the first ``_size`` rows): the cluster id, its canonical's row in ``canonicals``
        and its sketch; grown by doubling"""
        self._log_seen = 0
        self._empty = False
        """a read-only index without tables yet: nothing to read"""
        if path.is_dir():
            raise IndexUnusable(f"index {path} is a folder, not an index file")
        try:
            if read_only:
                self.db = _connect_read_only(path)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                self.db = sqlite3.connect(path, timeout=600, isolation_level=None)
        except (sqlite3.DatabaseError, OSError) as err:
            raise _unusable(path, err) from err
        try:
            self._open()
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
            self.db.close()
            raise

    def _open(self) -> None:
        try:
            # read before anything is written: a file that is not an index is left as it was
            tables = {name for (name,) in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if tables and "meta" not in tables:
                raise IndexUnusable(
                    f"index {self.path} is a SQLite database but not a reconcile index "
                    f"(it holds {', '.join(sorted(tables))}): give another file"
                )
            if not self.read_only:
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=NORMAL")
                # room for a whole group commit's dirty pages (~30 MB), so none is spilled and written twice
                self.db.execute("PRAGMA cache_size=-65536")
            self.db.execute("BEGIN" if self.read_only else "BEGIN IMMEDIATE")
            if not self.read_only:
                tables = {name for (name,) in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if self.read_only and not {"meta", "bucket_log", "canonicals", "journal"} <= tables:
                self._empty = True
                self.db.execute("COMMIT")
                return
            if not self.read_only:
                self.db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            meta = dict(self.db.execute("SELECT key, value FROM meta").fetchall())
            _check(meta.get("params"), meta.get("format"), self.params, str(self.path))
            if not self.read_only:
                # one statement at a time: ``executescript`` would commit the open transaction first
                for table in (
                    """CREATE TABLE IF NOT EXISTS canonicals (
                        row INTEGER PRIMARY KEY, cluster INTEGER NOT NULL, id TEXT NOT NULL, shingles BLOB NOT NULL,
                        words INTEGER NOT NULL, date TEXT NOT NULL, source TEXT NOT NULL, origin TEXT NOT NULL,
                        sketch BLOB NOT NULL)""",
                    """CREATE TABLE IF NOT EXISTS bucket_log (seq INTEGER PRIMARY KEY, clusters BLOB NOT NULL,
                        rows BLOB NOT NULL, sizes BLOB NOT NULL, keys BLOB NOT NULL, sketches BLOB NOT NULL)""",
                    """CREATE TABLE IF NOT EXISTS journal (run TEXT NOT NULL, first INTEGER NOT NULL,
                        last INTEGER NOT NULL, rows TEXT NOT NULL, signatures BLOB NOT NULL,
                        PRIMARY KEY (run, first)) WITHOUT ROWID""",
                ):
                    self.db.execute(table)
                if "params" not in meta:
                    self.db.executemany(
                        "INSERT INTO meta VALUES (?, ?)",
                        [("params", _params_json(self.params)), ("format", str(FORMAT))],
                    )
            self._catch_up()
            self.db.execute("COMMIT")
        except (sqlite3.DatabaseError, OSError) as err:
            raise _unusable(self.path, err) from err

    @property
    def memory_bytes(self) -> int:
        """What the in-memory tables take: buckets, cluster ids and per-cluster columns (room to grow included)."""
        columns = self._clusters.nbytes + self._rowids.nbytes + self._sketches.nbytes
        return self._buckets.nbytes + self._slots.nbytes + columns

    @property
    def cluster_count(self) -> int:
        return self._size

    def _catch_up(self) -> None:
        """Read the ``bucket_log`` rows written since this process last looked (by it or by others)."""
        cursor = self.db.execute(
            "SELECT seq, clusters, rows, sizes, keys, sketches FROM bucket_log WHERE seq > ? ORDER BY seq",
            (self._log_seen,),
        )
        keys, slots = [], []
        for seq, clusters, rows, sizes, band_keys, sketches in cursor:
            counts = np.frombuffer(sizes, dtype="<i4").reshape(-1, 2)[:, 0]
            changed = np.frombuffer(clusters, dtype="<i8").astype(np.int64, copy=False)
            found = self._absorb(changed, np.frombuffer(rows, dtype="<i8"), np.frombuffer(sketches, np.uint8))
            keys.append(np.frombuffer(band_keys, dtype="<i8").astype(np.int64, copy=False))
            slots.append(np.repeat(found.astype(np.int32), counts))
            self._log_seen = seq
        if keys:
            all_keys, all_slots = np.concatenate(keys), np.concatenate(slots)
            del keys, slots
            self._buckets.add(all_keys, all_slots)

    def _absorb(self, clusters: np.ndarray, rows: np.ndarray, sketches: np.ndarray) -> np.ndarray:
        """Point ``clusters`` at their canonicals' rows and sketches (``num_perm`` bytes each,
        concatenated); return their slots, new clusters getting the next ones."""
        positions, known = self._slots.find(clusters)
        slots = np.full(len(clusters), -1, dtype=np.int64)
        slots[positions] = known
        new = np.flatnonzero(slots < 0)
        if len(new):
            fresh, which = np.unique(clusters[new], return_inverse=True)
            slots[new] = self._size + which
            size = self._size + len(fresh)
            if size > len(self._clusters):
                capacity = max(size, 2 * len(self._clusters), 1024)
                self._clusters = np.resize(self._clusters, capacity)
                self._rowids = np.resize(self._rowids, capacity)
                self._sketches = np.resize(self._sketches, (capacity, self._sketches.shape[1]))
            self._clusters[self._size : size] = fresh
            self._slots.add(fresh, np.arange(self._size, size))
            self._size = size
        # a cluster twice in one call: its last row and sketch win
        self._rowids[slots] = rows
        self._sketches[slots] = sketches.reshape(len(clusters), -1)
        return slots

    def _slots_of(self, clusters: Sequence[int]) -> dict[int, int]:
        positions, slots = self._slots.find(np.asarray(clusters, dtype=np.int64))
        return {clusters[p]: s for p, s in zip(positions.tolist(), slots.tolist(), strict=True)}

    @_named_errors
    def view(self, keys: Sequence[int], clusters: Sequence[str] = ()) -> View:
        """Take the write lock (unless the group holds it) and catch up; then all from memory."""
        if not self.db.in_transaction and not self._empty:
            self.db.execute("BEGIN" if self.read_only else "BEGIN IMMEDIATE")
            self._rows, self._opened = 0, time.monotonic()
            self._catch_up()
        keys = list(keys)
        queries = np.array(keys, dtype=np.int64)
        positions, slots = self._buckets.find(queries)
        # a cluster under a key twice (a successor sharing its predecessor's key) counts once
        named_slots, name_of = np.unique(slots, return_inverse=True)
        # names in hex order, which is the order of the ids as unsigned integers
        order = np.argsort(self._clusters[named_slots].view(np.uint64), kind="stable")
        named_slots = named_slots[order]
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        held = np.stack([queries[positions], rank[name_of]], axis=1).reshape(-1, 2)
        held = held[np.lexsort((held[:, 1], held[:, 0]))]
        held = held[np.r_[True, (held[1:] != held[:-1]).any(axis=1)]] if len(held) else held
        existing = frozenset(clusters[p] for p in self._slots.find(_cluster_ints(clusters))[0].tolist())
        table = self._sketches[named_slots]
        sizes = np.full(len(named_slots), table.shape[1], dtype=np.int64)
        return View(held, HexNames(self._clusters[named_slots]), table, sizes, existing, tuple(keys))

    @_named_errors
    def canonicals(self, clusters: Sequence[str]) -> dict[str, Canonical]:
        slots = self._slots_of(_cluster_ints(clusters).tolist()) if clusters else {}
        if not slots:
            return {}
        cursor = self.db.execute(
            "SELECT cluster, id, shingles, words, date, source, origin, sketch FROM canonicals "
            "WHERE row IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(self._rowids[list(slots.values())].tolist())),),
        )
        found = {}
        for row in cursor:
            cluster = _cluster_hex(row[0])
            found[cluster] = Canonical(
                cluster, row[1], np.frombuffer(row[2], dtype="<u4"), row[3], row[4], row[5], row[6], row[7]
            )
        return found

    @_named_errors
    def apply(self, changes: Sequence[Change], entry: Entry | None, view: View) -> bool:
        """The write lock has been held since ``view``, so its buckets still hold; the changes are
        checked against the stored canonicals all the same, so a wrong one writes nothing."""
        if changes:
            ids = _cluster_ints([c.canonical.cluster for c in changes]).tolist()
            slots = self._slots_of(ids)
            replaced = self._rowids[[slots[i] for i in ids if i in slots]].tolist()
            origins = dict(self.db.execute(
                "SELECT row, origin FROM canonicals WHERE row IN (SELECT value FROM json_each(?))",
                (json.dumps(replaced),),
            ).fetchall()) if replaced else {}
            for i, change in zip(ids, changes, strict=True):
                stored = origins.get(int(self._rowids[slots[i]]), "") if i in slots else ""
                if stored != change.expected:
                    return False
            if replaced:
                self.db.execute("DELETE FROM canonicals WHERE row IN (SELECT value FROM json_each(?))",
                                (json.dumps(replaced),))
            (last,) = self.db.execute("SELECT COALESCE(MAX(row), 0) FROM canonicals").fetchone()
            rows = list(range(last + 1, last + 1 + len(changes)))
            self.db.executemany(
                "INSERT INTO canonicals VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (row, i, c.id, c.shingles.astype("<u4").tobytes(), c.words, c.date, c.source, c.origin, c.sketch)
                    for row, i, c in zip(rows, ids, (change.canonical for change in changes), strict=True)
                ],
            )
            band_keys = [np.asarray(c.keys, dtype=np.int64) for c in changes]
            sketches = [c.canonical.sketch for c in changes]
            if any(len(sketch) != self.params.num_perm for sketch in sketches):
                raise ValueError(f"a SQLite index holds sketches of num_perm ({self.params.num_perm}) bytes")
            sizes = [(len(k), len(s)) for k, s in zip(band_keys, sketches, strict=True)]
            cursor = self.db.execute(
                "INSERT INTO bucket_log VALUES (NULL, ?, ?, ?, ?, ?)",
                (
                    np.array(ids, dtype="<i8").tobytes(),
                    np.array(rows, dtype="<i8").tobytes(),
                    np.array(sizes, dtype="<i4").tobytes(),
                    np.concatenate(band_keys).astype("<i8").tobytes(),
                    b"".join(sketches),
                ),
            )
            # this process holds the lock, so nobody appended since it caught up
            self._log_seen = cursor.lastrowid or self._log_seen
            counts = [len(k) for k in band_keys]
            joined = np.frombuffer(b"".join(sketches), np.uint8)
            slots_now = self._absorb(np.array(ids, dtype=np.int64), np.array(rows, dtype=np.int64), joined)
            self._buckets.add(np.concatenate(band_keys), np.repeat(slots_now, counts))
            self._rows += sum(counts)
        if entry is not None:
            self.db.execute(
                "INSERT OR REPLACE INTO journal VALUES (?, ?, ?, ?, ?)",
                (entry.run, entry.first, entry.last, entry.rows, entry.signatures),
            )
        return True

    @_named_errors
    def commit(self) -> None:
        """End of a batch: its writes join the group, which commits when big or old enough
        (read-only: the batch's read transaction ends, so a writer's checkpoint is not held up)."""
        if self.db.in_transaction and (
            self.read_only
            or self._rows >= self.commit_rows
            or time.monotonic() - self._opened >= self.commit_seconds
        ):
            self.db.execute("COMMIT")

    def close(self, keep: bool = True) -> None:
        """Commit the open group (``keep``) or roll it back, and close.  After a failure
        (``keep=False``) a rollback that fails too does not hide the first error."""
        try:
            if self.db.in_transaction:
                self.db.execute("COMMIT" if keep and not self.read_only else "ROLLBACK")
        except sqlite3.DatabaseError as err:
            if keep:
                raise _unusable(self.path, err) from err
        finally:
            self.db.close()

    @_named_errors
    def recorded(self, run: str, start: int, stop: int) -> dict[int, list[Any]]:
        if self._empty:
            return {}
        # entries are disjoint ranges: walking down from ``stop``, the first one ending before ``start`` ends
        # the search; their rows (large) are read only for the entries that overlap
        cursor = self.db.execute(
            "SELECT first, last FROM journal WHERE run = ? AND first < ? ORDER BY first DESC", (run, stop)
        )
        firsts = []
        for first, last in cursor:
            if last < start:
                break
            firsts.append(first)
        cursor.close()
        found: dict[int, list[Any]] = {}
        for first in firsts:
            (rows,) = self.db.execute("SELECT rows FROM journal WHERE run = ? AND first = ?", (run, first)).fetchone()
            _entry_rows(rows, start, stop, found)
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


def _redis_errors(method: F) -> F:
    """A server that goes away or refuses mid-run raised as ``IndexUnusable`` naming the index."""

    @functools.wraps(method)
    def named(self: RedisIndex, *args: Any, **kwargs: Any) -> Any:
        import redis

        try:
            return method(self, *args, **kwargs)
        except redis.RedisError as err:
            raise IndexUnusable(f"index {self.url} failed: {err.__class__.__name__}: {err}") from err

    return named  # type: ignore[return-value]


class RedisIndex:
    """A Redis server shared by workers: each batch reads in two round trips and writes in one
    compare-and-set script (see the module docstring)."""

    def __init__(self, url: str, params: Params, prefix: str = "reconcile:", read_only: bool = False) -> None:
        """``read_only`` (a dry run): do not record the parameters in a new index."""
        try:
            import redis
        except ImportError as err:
            raise IndexUnusable(
                f"index {url} needs the redis client: pip install 'reconcile[redis]'"
            ) from err

        self.params = params
        self.prefix = prefix
        self.url = url
        self.client = redis.Redis.from_url(url)
        try:
            self.client.ping()
        except redis.RedisError as err:
            raise IndexUnusable(f"index {url} cannot be reached: {err}") from err
        meta = f"{prefix}params"
        if not read_only and self.client.set(meta, _params_json(params), nx=True):
            self.client.set(f"{prefix}format", str(FORMAT))
        elif not read_only:
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

    @_redis_errors
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
        return View.of(buckets, sketches, existing, tuple(keys))

    @_redis_errors
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

    @_redis_errors
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

    @_redis_errors
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
        return View.of(buckets, sketches, below.existing | above.existing, tuple(keys))

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


INDEX_FORMS = "a file path, sqlite:///PATH, redis://HOST:PORT/DB (DB a number) or memory"
"""The index addresses ``open_index`` accepts, as an error message lists them."""

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]+):")
"""What starts a URL (two letters at least, so a Windows drive letter is a path)."""
SQLITE_OPTIONS = {"commit_rows": (int, 0, 100_000_000), "commit_seconds": (float, 0.0, 86_400.0)}
"""``sqlite:///PATH?name=value`` options: type and bounds."""


def _bad_address(url: str, why: str) -> IndexUnusable:
    return IndexUnusable(f"index address {url!r}: {why}; give {INDEX_FORMS}")


def _sqlite_options(url: str, query: str) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for part in query.split("&") if query else ():
        name, _, text = part.partition("=")
        if name not in SQLITE_OPTIONS:
            raise _bad_address(url, f"unknown sqlite option {name!r} (known: {', '.join(SQLITE_OPTIONS)})")
        kind, low, high = SQLITE_OPTIONS[name]
        try:
            value = kind(text)
        except ValueError:
            raise _bad_address(url, f"{name} must be a number, not {text!r}") from None
        if not low <= value <= high:
            raise _bad_address(url, f"{name} must be from {low} to {high}, not {text}")
        options[name] = value
    return options


def _redis_address(url: str) -> str:
    """``url`` if it is ``redis://HOST[:PORT]/DB`` (or ``rediss://``, TLS) with DB a number."""
    parts = urllib.parse.urlsplit(url)
    if not url.startswith(f"{parts.scheme}://"):
        raise _bad_address(url, f"{parts.scheme}: is followed by two slashes")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise _bad_address(url, "the port is not a number") from None
    if not parts.hostname:
        raise _bad_address(url, "no host")
    if not re.fullmatch(r"/\d+", parts.path):
        raise _bad_address(url, "the database after the host must be a number, as in redis://HOST:PORT/0")
    if parts.fragment:
        raise _bad_address(url, "a redis address has no #fragment")
    return url


def open_index(url: str | None, params: Params = Params(), read_only: bool = False) -> Index:
    """``None``/``memory`` → in memory; ``redis://…`` → Redis; ``sqlite:///path`` or a path → SQLite.

    ``read_only`` (a dry run): the store is only read; a SQLite file that does not exist is
    not created (the index is empty).  Raises ``IndexUnusable`` for an address of another
    form (naming it and the forms accepted) or a store that cannot be used, and
    ``IndexMismatch`` when the store holds other parameters.
    """
    if url is None or url == "memory":
        return MemoryIndex(params)
    if not url.strip():
        raise _bad_address(url, "it is empty")
    scheme = _SCHEME.match(url)
    path, options = Path(url), {}
    if scheme:
        name = scheme.group(1)
        if name in ("redis", "rediss"):
            return RedisIndex(_redis_address(url), params, read_only=read_only)
        if name != "sqlite":
            if name.lower() == "memory":
                raise _bad_address(url, "the in-memory index is spelled memory, without a colon")
            spelled = " (schemes are lower case)" if name.lower() in ("redis", "rediss", "sqlite") else ""
            raise _bad_address(url, f"unknown scheme {name}:{spelled}")
        if not url.startswith("sqlite:///"):
            raise _bad_address(url, "sqlite: is followed by three slashes and the path")
        # sqlite:///relative/path, sqlite:////absolute/path (as SQLAlchemy spells them);
        # ?commit_rows=N&commit_seconds=S tune the group commit
        text, _, query = url[len("sqlite:///") :].partition("?")
        if not text:
            raise _bad_address(url, "no path after sqlite:///")
        path, options = Path(text), _sqlite_options(url, query)
    if read_only and not path.exists():
        return MemoryIndex(params)
    return SQLiteIndex(path, params, read_only=read_only, **options)
