"""Big word tables in a compact form, built once from the installed packages' own files.

A comparison looks up a few thousand words in tables of 100,000s of entries:
wordfreq's frequencies, symspellpy's word and bigram counts, codespell's
misspellings, simplemma's lemmas.  Parsing those files into dicts took about
0.8 s of a 1.5 s ``reconcile compare``.  Here each table is written once into
an SQLite file in the user's cache dir (``platformdirs``; ``RECONCILE_CACHE_DIR``
overrides it), read back on demand: opening one costs about a millisecond and a
lookup a few microseconds, so a process pays only for the words it asks about.

- **From the package, never downloaded**: a builder reads the installed
  package's files (the same parsing the tool did before); nothing else goes in.
- **Keyed by the files it was built from**: the file name carries a hash of the
  source files' paths, sizes and modification times (a new version of the
  package, or a reinstall, builds a new table) and ``FORMAT``.
- **Atomic, and built once**: a table is written to a temporary file and renamed
  into place (``reconcile.io.atomic``).  A process builds it holding a lock file
  beside it, so that a scan's workers starting together on a fresh install wait
  for the first one's table instead of each building their own (before the lock,
  the first scan of 20,000 reports took about 98 CPU seconds against 60 once the
  tables were there, py-spy over all processes).  Where no lock can be taken,
  processes racing to build each write their own copy, and the last rename wins.
- **Self-checking**: a file that is missing, truncated, not a database or built
  for another key is built again; so is one that fails a query.
- **Never in the way**: where the cache dir cannot be written the table is
  built in memory for this process alone.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Generic, TypeVar

V = TypeVar("V")

FORMAT = 1
"""Bump when the layout of the files, or what a builder puts in them, changes."""
CACHE_ENV = "RECONCILE_CACHE_DIR"
BULK_AFTER = 5_000
"""Distinct keys a process looks up one by one before it reads the whole table into memory: a
comparison asks about a few hundred words (a lookup costs microseconds), a scan of thousands of
reports about hundreds of thousands (reading the table whole, ~0.2 s, is then cheaper)."""
BATCH = 500
"""Keys per query of ``Table.get_many`` (SQLite allows 999 parameters in its oldest builds)."""

Rows = Iterable[tuple[str, Any]]
Builder = Callable[[], tuple[Rows, Mapping[str, str]]]
"""Makes a table's rows (key, value) and its metadata (name -> text)."""


def cache_dir() -> Path:
    """Where the tables live: ``$RECONCILE_CACHE_DIR``, else the user's cache dir for "reconcile"."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("reconcile"))


def source_key(files: Sequence[Path]) -> str:
    """A short hash of the files a table is built from: path, size and modification time of each."""
    digest = hashlib.blake2b(f"format {FORMAT}".encode(), digest_size=8)
    for path in files:
        try:
            stat = path.stat()
            digest.update(f"\0{path}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
        except OSError:
            digest.update(f"\0{path}\0missing".encode())
    return digest.hexdigest()


SQLITE_MAGIC = b"SQLite format 3\x00"


def _whole(path: Path) -> bool:
    """The file is an SQLite database as long as its header says: a build cut short, or a file
    truncated later, fails here before any query (the header holds the page size and count)."""
    try:
        with path.open("rb") as f:
            header = f.read(100)
            size = os.fstat(f.fileno()).st_size
    except OSError:
        return False
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        return False
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    return pages > 0 and page_size * pages == size


def _write(target: Path | str, rows: Mapping[str, Any], meta: Mapping[str, str], key: str) -> sqlite3.Connection:
    """Fill a new database at ``target`` (a path, or ":memory:"); returns it open."""
    conn = sqlite3.connect(str(target), check_same_thread=False)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("CREATE TABLE entries (k TEXT PRIMARY KEY, v) WITHOUT ROWID")
    conn.execute("CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID")
    # Sorted keys fill the B-tree in order: a denser file, built faster.
    ordered = sorted(rows.items())
    conn.executemany("INSERT INTO entries VALUES (?, ?)", ordered)
    conn.executemany(
        "INSERT INTO meta VALUES (?, ?)",
        [*meta.items(), ("key", key), ("format", str(FORMAT)), ("entries", str(len(ordered)))],
    )
    conn.commit()
    return conn


def _open(path: Path, key: str) -> tuple[sqlite3.Connection, dict[str, str]] | None:
    """The table at ``path`` opened read-only, with its metadata; None if it is not a whole table
    built for ``key``."""
    if not _whole(path):
        return None
    conn: sqlite3.Connection | None = None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True, check_same_thread=False)
        meta = dict(conn.execute("SELECT k, v FROM meta").fetchall())
        if meta.get("key") != key or meta.get("format") != str(FORMAT):
            conn.close()
            return None
        return conn, meta
    except sqlite3.DatabaseError:
        if conn is not None:
            conn.close()
        return None


@contextlib.contextmanager
def _building(path: Path) -> Iterator[None]:
    """Hold ``path``'s build lock (an exclusive ``flock`` on a file beside it) while a table is built; no
    lock where the cache dir cannot take the file or the system has no ``fcntl``."""
    try:
        import fcntl

        path.parent.mkdir(parents=True, exist_ok=True)
        lock = open(path.with_name(path.name + ".lock"), "a")  # noqa: SIM115 (held across the yield)
    except (ImportError, OSError):
        yield
        return
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


_ABSENT = object()


class Table(Mapping[str, V], Generic[V]):
    """A read-only mapping backed by one table file; opened on first use in each process.

    ``decode`` turns a stored value back into what the table's users expect (a tuple of
    corrections stored as text, say).
    """

    def __init__(
        self,
        name: str,
        sources: Sequence[Path],
        build: Builder,
        decode: Callable[[Any], V] | None = None,
    ) -> None:
        self.name = name
        self.sources = tuple(sources)
        self.build = build
        self.decode = decode
        self._conn: sqlite3.Connection | None = None
        self._meta: dict[str, str] = {}
        self._pid = -1
        self._lock = threading.Lock()
        self._seen: dict[str, tuple[bool, Any]] = {}
        """Keys already looked up: a comparison asks about the same neighbours and names again and again."""
        self._all: dict[str, Any] | None = None
        """The whole table, once ``BULK_AFTER`` keys were looked up one by one."""

    @functools.cached_property
    def key(self) -> str:
        return source_key(self.sources)

    @property
    def path(self) -> Path:
        return cache_dir() / f"{self.name}-{self.key}.sqlite"

    def stored_or_storable(self) -> bool:
        """Whether the table's file is there, or its cache dir can take it: otherwise every process
        that uses the table builds it in memory for itself."""
        path = self.path
        if path.exists():
            return True
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            return False
        return os.access(path.parent, os.W_OK)

    def _connection(self) -> sqlite3.Connection:
        # A connection does not cross a fork: a child process opens its own.
        if self._conn is None or self._pid != os.getpid():
            with self._lock:
                if self._conn is None or self._pid != os.getpid():
                    self._conn, self._meta = self._load()
                    self._pid = os.getpid()
        return self._conn

    def _load(self) -> tuple[sqlite3.Connection, dict[str, str]]:
        path = self.path
        opened = _open(path, self.key)
        if opened is not None:
            return opened
        with _building(path):
            opened = _open(path, self.key)  # built by the process that held the lock before us
            return opened if opened is not None else self._rebuild(path)

    def _rebuild(self, path: Path) -> tuple[sqlite3.Connection, dict[str, str]]:
        from reconcile.io.atomic import write_atomic_with

        built, meta = self.build()
        rows = dict(built)  # once: a failed write falls back to memory with the same rows
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic_with(path, lambda tmp: _write(tmp, rows, meta, self.key).close())
        except (OSError, sqlite3.Error):
            memory = _write(":memory:", rows, meta, self.key)  # the cache dir is not writable: this process only
            return memory, dict(memory.execute("SELECT k, v FROM meta").fetchall())
        opened = _open(path, self.key)
        if opened is None:
            raise RuntimeError(f"word table {path} was written but cannot be read back")
        return opened

    def _query(self, sql: str, args: tuple[Any, ...] = ()) -> list[Any]:
        try:
            return self._connection().execute(sql, args).fetchall()
        except sqlite3.DatabaseError:
            # Damaged after its header was checked: build it again, once.
            with self._lock:
                if self._conn is not None:
                    self._conn.close()
                self._conn, self._meta = self._rebuild(self.path)
                self._pid = os.getpid()
            return self._conn.execute(sql, args).fetchall()

    @property
    def meta(self) -> Mapping[str, str]:
        self._connection()
        return self._meta

    def _value(self, key: str) -> tuple[bool, Any]:
        if self._all is not None:
            value = self._all.get(key, _ABSENT)
            return (False, None) if value is _ABSENT else (True, value)
        seen = self._seen.get(key)
        if seen is not None:
            return seen
        if len(self._seen) >= BULK_AFTER:
            self.load()
            return self._value(key)
        found = self._query("SELECT v FROM entries WHERE k = ?", (key,))
        if not found:
            answer: tuple[bool, Any] = (False, None)
        else:
            value = found[0][0]
            answer = (True, self.decode(value) if self.decode is not None else value)
        self._seen[key] = answer
        return answer

    def load(self) -> None:
        """Read the whole table into memory now, as ``BULK_AFTER`` lookups would: a process that
        forks workers which will each look up thousands of keys loads it once for all of them
        (0.1-0.5 s a table, and a copy of it in each worker that loads it itself)."""
        if self._all is None:
            rows = self._query("SELECT k, v FROM entries")
            decode = self.decode
            self._all = {k: decode(v) for k, v in rows} if decode is not None else dict(rows)
            self._seen = {}

    def get(self, key: str, default: Any = None) -> Any:
        if self._all is not None:
            return self._all.get(key, default)
        # A key looked up before answers from ``_seen`` here: a comparison asks thousands of these.
        seen = self._seen.get(key) if isinstance(key, str) else (False, None)
        found, value = seen if seen is not None else self._value(key)
        return value if found else default

    def get_many(self, keys: Iterable[str]) -> dict[str, V]:
        """The entries of those ``keys`` the table holds, in one query per ``BATCH`` keys."""
        wanted = sorted(set(keys))
        found: dict[str, V] = {}
        for start in range(0, len(wanted), BATCH):
            chunk = wanted[start : start + BATCH]
            marks = ",".join("?" * len(chunk))
            for key, value in self._query(f"SELECT k, v FROM entries WHERE k IN ({marks})", tuple(chunk)):
                found[key] = self.decode(value) if self.decode is not None else value
        return found

    def __getitem__(self, key: str) -> V:
        found, value = self._value(key) if isinstance(key, str) else (False, None)
        if not found:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._value(key)[0]

    def __iter__(self) -> Iterator[str]:
        return (k for (k,) in self._query("SELECT k FROM entries ORDER BY k"))

    def __len__(self) -> int:
        return int(self.meta["entries"])

    def __repr__(self) -> str:
        return f"Table({self.name!r}, {self.path})"


def load_whole(*tables: Mapping[str, Any]) -> None:
    """Read each of ``tables`` that is a ``Table`` into memory (``Table.load``): a process about to fork
    workers that will each look up thousands of their keys reads them once for all of them.  (A table
    built in memory, as a test may give, is left as it is.)"""
    for table in tables:
        if isinstance(table, Table):
            table.load()


def package_dir(name: str) -> Path:
    """Where an installed package's files are, without importing it (its import may be the slow part)."""
    import importlib.util

    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(name)
    return Path(next(iter(spec.submodule_search_locations)))


def meta_list(values: Sequence[str]) -> str:
    return json.dumps(list(values))


def read_meta_list(text: str) -> list[str]:
    return [str(v) for v in json.loads(text)]
