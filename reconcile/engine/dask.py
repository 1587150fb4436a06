"""``scan`` on Dask's distributed scheduler: the same stages as ``pipeline.scan``, as partitioned jobs.

The work runs in the cluster's workers, partition by partition; the client plans, reads back
a few counts and the recurring lines, and never holds the corpus.  Every stage calls the
pairing library (``pairing.scale.sign_texts``, ``minhash.band_codes``,
``pairing.scale.screen_keep`` and ``verify_counts``, ``Verified.related``,
``pipeline.score_pairs``, ``cluster.component_cluster``): this module moves data between them.

1. **read**: the inputs (JSON Lines cut into byte ranges at line ends, Parquet and other files
   whole) are read by the workers through ``ingest`` into a ``documents`` Parquet table, a
   part per task; ids are made unique as ``ingest.unique_ids`` makes them.
2. **chrome**: short lines are counted per partition and shuffled by line; a line held by
   enough documents is checked (``normalize.holders_differ``) against the words of its first
   holders, joined to it by document: ``recurring_lines`` and ``source_recurring_lines``.
3. **sign**: each partition's bodies are tokenised, signed and banded (``sign_texts``) into a
   ``signatures`` table (screen signatures, verification sets, band keys).
4. **LSH**: band keys are shuffled by key, so each bucket lands whole in one partition, which
   expands it (``minhash.band_codes``); pair codes are shuffled by code to drop repeats.
5. **screen and verify**: each candidate pair is joined to both signatures and screened and
   verified in its partition; pairs that can hold a relation are kept (``Verified.related``).
   A corpus of at most ``pair.EXACT_LIMIT`` documents scores every pair, as ``scan`` does.
6. **score**: related pairs are joined to both documents and reconciled (``score_pairs``:
   features, relation, alignment where it decides) into the ``pairs`` table.
7. **clusters**: connected components of the cluster edges by hooking and pointer jumping over
   dataframes (``components``: joins and group-bys in the workers, about log2 of the longest
   chain in rounds), then each component's cluster (``component_cluster``) into the ``clusters``
   table.
8. **witnesses**: the aligned pairs of clusters of three or more are shuffled by cluster with
   their members' documents and their divergences judged again with the other members as
   witnesses (``pipeline.with_cluster_evidence``); the ``pairs`` and ``divergences`` tables
   hold the judged verdicts.  A run of at most ``REPORT_LIMIT`` documents is also read back
   whole (``small_report``) for ``report.json`` and the other reports of the local scan.

A worker lost mid-run loses only its tasks: the scheduler runs them again elsewhere (its
``allowed-failures``), and every task is a function of its inputs, and every file a task
writes is written whole under a temporary name and renamed, so the result is the same.
"""

from __future__ import annotations

import bisect
import fnmatch
import glob as globbing
import itertools
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from reconcile.io.fields import DEFAULT_OPTIONS, InputOptions
from reconcile.io.formats import GZIP_SUFFIXES, JSONL_SUFFIXES, KNOWN_SUFFIXES
from reconcile.io.lines import jsonl_line, jsonl_stem
from reconcile.io.read import load_file, read_stream, stem_of, walk
from reconcile.model import Alignment, Cluster, Divergence, Document, Pair, PairScores, Reconciliation, Skipped
from reconcile.pairing import minhash
from reconcile.pairing.clusters import Member, component_cluster
from reconcile.pairing.features import EXACT_LIMIT, body_text, joins_cluster, unsegmented_body
from reconcile.pairing.relations import DEFAULT_THRESHOLDS, Thresholds
from reconcile.pairing.scale import NUM_PERM, Verified, lsh_params, screen_keep, sign_texts, verify_counts
from reconcile.report.files import divergence_json
from reconcile.text import fluency
from reconcile.text.normalize import RECURRING_CHECKS, find_chrome, holders_differ, short_lines, words
from reconcile.text.segment import segment

PIECE_BYTES = 4_000_000
"""Input a read task takes: a byte range of a large JSON Lines file, or several small files
(about 1,500 news-length documents: a partition of every later stage)."""
LOCAL_WORKERS = 2
"""Workers of ``--engine dask``'s local cluster, one thread each."""
ALIGN_ALL_LIMIT = 1000
"""As ``pipeline.ALIGN_ALL_LIMIT``: up to this many documents every scored pair is aligned."""
GLOBAL = "*"
"""The scope of a corpus-wide recurring line; a source's own lines are scoped ``=source``."""

DOC_COLUMNS = ("row", "id", "path", "source", "title", "published", "text", "notes")
"""The ``documents`` table's columns as read (``notes``: what the reader noted, as a JSON list)."""


SHUFFLE_ROWS = 4_000_000
"""Rows of a shuffle's output partition (band keys: 24 bytes a row, about 100 MB): a shuffle
of tasks costs the product of its input and output partitions, so small tables stay whole."""


SCREEN_ROWS = 1_000_000
"""Candidate pairs a task screens: each reads two screen rows a pair (512 bytes each)."""
VERIFY_ROWS = 20_000
"""Screened pairs a task verifies: each carries both documents' sets (about 5 KB)."""
SCORE_ROWS = 5_000
"""Related pairs a task scores, each joined to both documents' texts (about 3 KB a pair): with
``SHUFFLE_ROWS`` here the 1,000,000-document run scored its 427,541 pairs in one task, on one
worker (7.1 GiB peak), half the run's 1,756 s."""


def shuffle_partitions(rows: int, per_partition: int = SHUFFLE_ROWS) -> int:
    """Output partitions of a shuffle (or tasks of a stage) of about ``rows`` rows."""
    return max(1, -(-rows // per_partition))


def join_sides(pairs: Any, table: Any, columns: Sequence[str], partitions: int) -> Any:
    """``pairs`` (``i``, ``j``) with ``columns`` of both documents from ``table`` (by ``index``) as
    ``{column}_a`` and ``{column}_b``.  Each side is joined where the table lies (``pairs`` in
    one partition is sent to every table partition: no shuffle of the table), then only the
    paired rows are shuffled together by pair."""
    kept = table[["index", *columns]]
    sides = []
    for key, suffix in (("i", "a"), ("j", "b")):
        side = kept.rename(columns={c: f"{c}_{suffix}" for c in columns}).merge(
            pairs, left_on="index", right_on=key, how="inner"
        )
        sides.append(side.drop(columns="index"))
    return sides[0].merge(sides[1], on=["i", "j"], how="inner", npartitions=partitions)


class EngineError(ValueError):
    """A user error of the distributed engine (an address it cannot reach, an output it cannot write)."""


# ---------------------------------------------------------------- engine spec and cluster


@dataclass(frozen=True)
class EngineSpec:
    """``dask`` (a local cluster of ``workers`` processes) or ``dask://HOST:PORT`` (a scheduler)."""

    address: str | None
    workers: int = LOCAL_WORKERS


def parse_engine(text: str, workers: int | None = None) -> EngineSpec | None:
    """None for ``local``; else the Dask engine spec, or an ``EngineError`` naming the bad value."""
    if text == "local":
        return None
    if text == "dask":
        return EngineSpec(None, workers or LOCAL_WORKERS)
    if text.startswith("dask://"):
        host = text.removeprefix("dask://")
        if not host or ":" not in host:
            raise EngineError(f"--engine {text}: give the scheduler as dask://HOST:PORT")
        return EngineSpec(f"tcp://{host}")
    raise EngineError(f"--engine {text}: expected local, dask or dask://HOST:PORT")


@contextmanager
def connect(spec: EngineSpec) -> Iterator[Any]:
    """A ``distributed.Client`` on a new local cluster (closed after) or on the given scheduler."""
    import dask
    from distributed import Client, LocalCluster

    dask.config.set({"dataframe.convert-string": False, "dataframe.shuffle.method": "tasks"})
    if spec.address is None:
        with (
            LocalCluster(
                n_workers=spec.workers, threads_per_worker=1, processes=True, dashboard_address=":0"
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client
        return
    try:
        client = Client(spec.address, timeout="10s")
    except OSError as err:
        raise EngineError(f"cannot reach the Dask scheduler at {spec.address}: {err}") from err
    with client:
        yield client


# ---------------------------------------------------------------- 1. read


@dataclass(frozen=True)
class Piece:
    """A whole file (``end`` -1), or the lines of a JSON Lines file in bytes ``begin:end``,
    the first of them line ``first_line``."""

    path: str
    begin: int = 0
    end: int = -1
    first_line: int = 1


def input_files(paths: Sequence[str], options: InputOptions) -> tuple[list[str], list[Skipped]]:
    """The files of ``paths`` in ``scan``'s order: a folder's files sorted (``io.read.walk``), a
    glob's matches sorted, a file itself; a URL (``s3://bucket/archive/``, ``gs://...``,
    ``file://...``) through fsspec (``remote_files``)."""
    files: list[str] = []
    skipped: list[Skipped] = []
    for given in paths:
        if is_remote(given):
            files.extend(remote_files(given, options, skipped))
            continue
        path = Path(given)
        if path.is_dir():
            found = walk(path, options.glob)
            if not found:
                skipped.append(Skipped(given, f"folder holds no {_wanted(options)}"))
            files.extend(str(p) for p in found)
        elif not path.exists() and globbing.has_magic(given):
            matches = sorted(p for p in globbing.glob(given, recursive=True) if Path(p).is_file())
            if not matches:
                skipped.append(Skipped(given, "no file matches this pattern"))
            files.extend(matches)
        else:
            files.append(given)
    return files, skipped


def _wanted(options: InputOptions) -> str:
    return f"files matching {options.glob!r}" if options.glob else "files of a known format"


def is_remote(path: str) -> bool:
    """Whether ``path`` is a URL the workers open through fsspec (``s3://``, ``gs://``, ``file://``...)."""
    return "://" in path


def _filesystem(given: str) -> tuple[Any, list[str]]:
    """fsspec's filesystem for a URL and the paths it names (a glob expanded); a missing
    filesystem package (s3fs for ``s3://``) is an ``EngineError`` saying what to install."""
    import fsspec

    try:
        fs, _, found = fsspec.core.get_fs_token_paths(given)
    except ImportError as err:
        raise EngineError(f"{given}: {err} (for s3:// install 'reconcile[s3]')") from err
    except (OSError, ValueError) as err:
        raise EngineError(f"{given}: cannot list ({err})") from err
    return fs, sorted(found)


def remote_files(given: str, options: InputOptions, skipped: list[Skipped]) -> list[str]:
    """The files a URL names, as URLs: a folder's files below it (sorted by path; hidden names
    left out; those matching ``--glob``, else those of a known format, as ``io.read.walk``), a
    glob's matches sorted, a file itself."""
    fs, found = _filesystem(given)
    files: list[str] = []
    if globbing.has_magic(given):  # as ``glob.glob``: ``*`` matches no hidden name
        found = [path for path in found if not path.rstrip("/").rsplit("/", 1)[-1].startswith(".")]
    if not found and globbing.has_magic(given):
        skipped.append(Skipped(given, "no file matches this pattern"))
    for path in found:
        if not fs.isdir(path):
            files.append(path)
            continue
        root = path.rstrip("/")
        kept = []
        for inside in sorted(fs.find(root)):
            below = inside[len(root) :].lstrip("/")
            name = below.rsplit("/", 1)[-1]
            if any(part.startswith(".") for part in below.split("/")):
                continue
            if options.glob is not None:
                if fnmatch.fnmatch(name, options.glob) or fnmatch.fnmatch(below, options.glob):
                    kept.append(inside)
            elif name.lower().endswith(KNOWN_SUFFIXES) and name != "README.md":
                kept.append(inside)
        if not kept:
            skipped.append(Skipped(given, f"folder holds no {_wanted(options)}"))
        files.extend(kept)
    return [fs.unstrip_protocol(path) for path in files]


def _open(path: str) -> IO[bytes]:
    """A file for reading, local or through fsspec."""
    if is_remote(path):
        import fsspec

        return fsspec.open(path, "rb").open()
    return open(path, "rb")


def _size(path: str) -> int:
    if is_remote(path):
        fs, found = _filesystem(path)
        return int(fs.size(found[0])) if found else 0
    return Path(path).stat().st_size


def _is_plain_jsonl(path: str) -> bool:
    name = path.rsplit("/", 1)[-1].lower()
    return name.endswith(JSONL_SUFFIXES) and not name.endswith(GZIP_SUFFIXES)


def _cuts(path: str, size: int, piece_bytes: int) -> list[int]:
    """Byte offsets cutting a file into ranges of about ``piece_bytes`` at line ends (a seek and
    one line read a cut: the client reads almost nothing)."""
    cuts = [0]
    with _open(path) as f:
        while cuts[-1] + piece_bytes < size:
            f.seek(cuts[-1] + piece_bytes)
            f.readline()
            at = f.tell()
            if at >= size:
                break
            cuts.append(at)
    cuts.append(size)
    return cuts


def count_lines(path: str, begin: int, end: int) -> int:
    """Worker: the line ends in bytes ``begin:end`` of a file."""
    with _open(path) as f:
        f.seek(begin)
        return f.read(end - begin).count(b"\n")


def plan_reads(client: Any, files: Sequence[str], options: InputOptions, piece_bytes: int) -> list[list[Piece]]:
    """Read tasks in input order: a large JSON Lines file cut into byte ranges (their first line
    numbers counted by the workers), other files grouped up to ``piece_bytes``."""
    tasks: list[list[Piece]] = []
    group: list[Piece] = []
    group_bytes = 0
    ranges: list[tuple[int, Piece]] = []
    for path in files:
        try:
            size = _size(path)
        except OSError:
            size = 0  # the read names the problem
        if _is_plain_jsonl(path) and piece_bytes < size <= options.max_bytes:
            if group:
                tasks.append(group)
                group, group_bytes = [], 0
            cuts = _cuts(path, size, piece_bytes)
            for begin, end in itertools.pairwise(cuts):
                ranges.append((len(tasks), Piece(path, begin, end)))
                tasks.append([])
            continue
        group.append(Piece(path))
        group_bytes += size
        if group_bytes >= piece_bytes:
            tasks.append(group)
            group, group_bytes = [], 0
    if group:
        tasks.append(group)
    if ranges:
        counts = client.gather(
            client.map(
                count_lines,
                [p.path for _, p in ranges],
                [p.begin for _, p in ranges],
                [p.end for _, p in ranges],
                pure=False,
            )
        )
        lines: dict[str, int] = {}
        for (at, piece), count in zip(ranges, counts, strict=True):
            first = lines.get(piece.path, 0) + 1
            tasks[at] = [replace(piece, first_line=first)]
            lines[piece.path] = first - 1 + count
    return tasks


def _read_piece(piece: Piece, options: InputOptions) -> Iterator[Document | Skipped]:
    if piece.end < 0 and is_remote(piece.path):
        yield from _read_remote(piece.path, options)
        return
    if piece.end < 0:
        yield from load_file(Path(piece.path), options)
        return
    stem = jsonl_stem(piece.path)
    with _open(piece.path) as f:
        f.seek(piece.begin)
        data = f.read(piece.end - piece.begin)
    for number, raw in enumerate(data.splitlines(keepends=True), start=piece.first_line):
        if raw.strip():
            yield jsonl_line(raw, piece.path, stem, number, options)


def _read_remote(url: str, options: InputOptions) -> Iterator[Document | Skipped]:
    """A whole file at a URL, read as ``load_file`` reads a local one (its format sniffed; JSON
    Lines and CSV a record at a time; others whole, up to ``--max-bytes``)."""
    try:
        with _open(url) as handle:
            yield from read_stream(handle, url, stem_of(Path(url.rsplit("/", 1)[-1])), options)
    except FileNotFoundError:
        yield Skipped(url, "no such file")
    except OSError as err:
        yield Skipped(url, (err.strerror or str(err)).lower())


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """A table part written whole or not at all (a retried task rewrites it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-", suffix=".tmp")
    os.close(handle)
    try:
        frame.to_parquet(temporary, index=False)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def _write_part(frame: pd.DataFrame, folder: str, partition_info: dict[str, Any] | None = None) -> pd.DataFrame:
    """Worker: a partition written as part ``number`` of the table in ``folder``; its row count."""
    number = partition_info["number"] if partition_info else 0
    _write_parquet(frame, Path(folder) / f"part-{number:05d}.parquet")
    return pd.DataFrame({"rows": pd.Series([len(frame)], dtype="int64")})


def write_table(frame: Any, folder: Path) -> int:
    """A dataframe written as a partitioned Parquet table, a part per partition, by the workers
    (parts of an earlier run in ``folder`` removed first); its rows."""
    if folder.exists():
        for old in folder.glob("part-*.parquet"):
            old.unlink()
    written = frame.map_partitions(_write_part, str(folder), meta=pd.DataFrame({"rows": pd.Series([], dtype="int64")}))
    return int(written["rows"].sum().compute())


def table(folder: Path, meta: pd.DataFrame) -> Any:
    """A table written by ``write_table`` as a dataframe, a partition per part."""
    import dask.dataframe as dd

    parts = sorted(str(p) for p in folder.glob("part-*.parquet"))
    return dd.from_map(pd.read_parquet, parts, meta=meta, enforce_metadata=False)


def read_task(pieces: Sequence[Piece], options: InputOptions, target: str) -> tuple[int, list[Skipped]]:
    """Worker: one read task's documents into the Parquet part ``target``; its document count and
    what it skipped."""
    rows: dict[str, list[Any]] = {name: [] for name in DOC_COLUMNS}
    skipped: list[Skipped] = []
    for piece in pieces:
        for item in _read_piece(piece, options):
            if isinstance(item, Skipped):
                skipped.append(item)
                continue
            rows["row"].append(len(rows["row"]))
            for name in DOC_COLUMNS[1:-1]:
                rows[name].append(getattr(item, name))
            rows["notes"].append(json.dumps(list(item.notes), ensure_ascii=False))
    frame = pd.DataFrame(rows, columns=list(DOC_COLUMNS)).astype({"row": "int64"})
    for name in DOC_COLUMNS[1:]:
        frame[name] = frame[name].astype(object)
    _write_parquet(frame, Path(target))
    return len(frame), skipped


def unique_renames(repeats: pd.DataFrame, offsets: Sequence[int]) -> dict[int, dict[int, str]]:
    """Per part, row -> new id for the repeats of an id, numbered as ``ingest.unique_ids`` numbers
    them in input order (``a``, ``a#2``, ...), from the ``id`` and ``index`` of every document
    whose id is repeated (found by the workers: the client sees only those)."""
    seen: dict[str, int] = {}
    renames: dict[int, dict[int, str]] = {}
    for doc_id, index in sorted(zip(repeats["id"], repeats["index"].tolist(), strict=True), key=lambda r: r[1]):
        n = seen.get(doc_id, 0) + 1
        seen[doc_id] = n
        if n > 1:
            part = bisect.bisect_right(offsets, index) - 1
            renames.setdefault(part, {})[index - offsets[part]] = f"{doc_id}#{n}"
    return renames


def number_part(path: str, offset: int, renames: dict[int, str]) -> int:
    """Worker: a documents part rewritten with each document's corpus-wide ``index`` (input order)
    and its repeated ids renamed (the same result however often it runs); its rows."""
    frame = pd.read_parquet(path)
    frame["index"] = frame["row"].astype("int64") + offset
    if renames:
        frame["id"] = [renames.get(row, doc_id) for row, doc_id in zip(frame["row"], frame["id"], strict=True)]
    _write_parquet(frame, Path(path))
    return len(frame)


def _doc_meta() -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.Series([], dtype=object) for name in DOC_COLUMNS})
    frame["row"] = frame["row"].astype("int64")
    frame["index"] = pd.Series([], dtype="int64")
    return frame


# ---------------------------------------------------------------- 2. chrome


def _line_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Each document's short lines, corpus-wide and in its source's scope."""
    scopes, lines, holders = [], [], []
    for index, text, source in zip(frame["index"], frame["text"], map(_str, frame["source"]), strict=True):
        for line in short_lines(text):
            scopes.append(GLOBAL)
            lines.append(line)
            holders.append(index)
            if source:
                scopes.append("=" + source)
                lines.append(line)
                holders.append(index)
    return pd.DataFrame(
        {
            "scope": pd.Series(scopes, dtype=object),
            "line": pd.Series(lines, dtype=object),
            "index": pd.Series(holders, dtype="int64"),
        }
    )


def _min_documents(scope: str) -> int:
    """``recurring_lines``' bar of three documents; a source's own lines need two."""
    return 3 if scope == GLOBAL else 2


def _first_holders(frame: pd.DataFrame) -> pd.DataFrame:
    """Lines held by enough documents (whole groups: the partition was shuffled by line), with their
    first ``RECURRING_CHECKS + 1`` holders in input order and each one's rank."""
    out: dict[str, list[Any]] = {"scope": [], "line": [], "rank": [], "index": []}
    for (scope, line), group in frame.groupby(["scope", "line"], sort=True):
        holding = np.unique(group["index"].to_numpy())
        if len(holding) < _min_documents(scope):
            continue
        for rank, index in enumerate(holding[: RECURRING_CHECKS + 1].tolist()):
            out["scope"].append(scope)
            out["line"].append(line)
            out["rank"].append(rank)
            out["index"].append(index)
    return pd.DataFrame(
        {
            "scope": pd.Series(out["scope"], dtype=object),
            "line": pd.Series(out["line"], dtype=object),
            "rank": pd.Series(out["rank"], dtype="int64"),
            "index": pd.Series(out["index"], dtype="int64"),
        }
    )


def _with_words(frame: pd.DataFrame) -> pd.DataFrame:
    """Holders joined to their texts: the texts replaced by their word sets (joined by spaces)."""
    vocabulary = [" ".join(sorted(set(words(text)))) for text in frame["text"]]
    return pd.DataFrame(
        {
            "scope": frame["scope"],
            "line": frame["line"],
            "rank": frame["rank"],
            "words": pd.Series(vocabulary, dtype=object, index=frame.index),
        }
    )


def _recurring_part(frame: pd.DataFrame) -> pd.DataFrame:
    """The lines of a partition (shuffled by line) whose holders are different stories."""
    kept_scope, kept_line = [], []
    for (scope, line), group in frame.groupby(["scope", "line"], sort=True):
        ordered = group.sort_values("rank")
        vocabularies = [frozenset(w.split()) for w in ordered["words"]]
        if holders_differ(range(len(vocabularies)), vocabularies.__getitem__):
            kept_scope.append(scope)
            kept_line.append(line)
    return pd.DataFrame({"scope": pd.Series(kept_scope, dtype=object), "line": pd.Series(kept_line, dtype=object)})


def recurring(documents: Any, count: int) -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    """``recurring_lines`` and ``source_recurring_lines`` of the corpus, counted by the workers."""
    lines = documents.map_partitions(_line_rows, meta=_line_rows(_doc_meta()))
    holders = (
        lines.shuffle(on=["scope", "line"], npartitions=shuffle_partitions(8 * count))
        .map_partitions(_first_holders, meta=_first_holders(_line_rows(_doc_meta())))
        .persist()
    )
    held = int(holders.shape[0].compute())
    if not held:
        return frozenset(), {}
    partitions = shuffle_partitions(held)
    texts = documents[["index", "text"]]
    joined = texts.merge(holders.repartition(npartitions=1) if partitions == 1 else holders, on="index", how="inner")
    vocab_meta = _with_words(joined._meta)
    with_words = joined.map_partitions(_with_words, meta=vocab_meta)
    found = (
        with_words.shuffle(on=["scope", "line"], npartitions=partitions)
        .map_partitions(_recurring_part, meta=_recurring_part(vocab_meta))
        .compute()
    )
    corpus: set[str] = set()
    by_source: dict[str, set[str]] = {}
    for scope, line in zip(found["scope"], found["line"], strict=True):
        if scope == GLOBAL:
            corpus.add(line)
        else:
            by_source.setdefault(scope[1:], set()).add(line)
    return frozenset(corpus), {source: frozenset(lines) for source, lines in by_source.items()}


# ---------------------------------------------------------------- 3. sign


@dataclass(frozen=True)
class Chrome:
    """The recurring lines every worker marks chrome by."""

    corpus: frozenset[str]
    by_source: dict[str, frozenset[str]]

    def marked(self, doc: Document, split_sentences: bool) -> Document:
        """``doc`` with its chrome (and sentences), as ``pipeline._marked`` marks it."""
        chrome = find_chrome(doc.text, self.corpus, self.by_source.get(doc.source or "", frozenset()))
        if split_sentences:
            return replace(doc, chrome=chrome, sentences=segment(doc.text, chrome))
        return replace(doc, chrome=chrome)


def _str(value: Any) -> str | None:
    """A text field as read back: a missing one comes out of Parquet and joins as None or NaN."""
    return value if isinstance(value, str) else None


def _document(
    doc_id: Any, text: Any, path: Any, source: Any, title: Any, published: Any, notes: Any = None
) -> Document:
    return Document(
        id=str(doc_id),
        text=str(text),
        path=_str(path),
        source=_str(source),
        title=_str(title),
        published=_str(published),
        notes=tuple(json.loads(notes)) if isinstance(notes, str) else (),
    )


def _documents(frame: pd.DataFrame) -> dict[int, Document]:
    return {
        int(index): _document(doc_id, text, path, source, title, published)
        for index, doc_id, text, path, source, title, published in zip(
            frame["index"],
            frame["id"],
            frame["text"],
            frame["path"],
            frame["source"],
            frame["title"],
            frame["published"],
            strict=True,
        )
    }


def _flat_bytes(values: np.ndarray, doc: np.ndarray, count: int) -> list[bytes]:
    bounds = np.searchsorted(doc, np.arange(count + 1))
    return [values[bounds[k] : bounds[k + 1]].tobytes() for k in range(count)]


SCREEN_ROW = 2 * NUM_PERM * 2
"""Bytes of a document's screen signatures (both channels, 16 bits a bin) in the screen store."""


def _write_screen(store: str, indices: np.ndarray, screen: np.ndarray) -> None:
    """Rows of the screen store, a flat file of ``SCREEN_ROW`` bytes per document by index on the
    filesystem the workers share (``-o DIR``): written in place (the client sized it; a task run
    twice writes the same bytes), read by whichever worker screens a candidate pair."""
    fd = os.open(store, os.O_WRONLY)
    try:
        order = np.argsort(indices)
        ordered, rows = indices[order], np.ascontiguousarray(screen[order])
        # consecutive indices (a partition is a run of them) in one write
        breaks = np.flatnonzero(np.diff(ordered) != 1) + 1
        for start, end in itertools.pairwise([0, *breaks.tolist(), len(ordered)]):
            os.pwrite(fd, rows[start:end].tobytes(), int(ordered[start]) * SCREEN_ROW)
    finally:
        os.close(fd)


def _sign_part(
    frame: pd.DataFrame, chrome: Chrome, align_all: bool, thresholds: Thresholds, store: str = ""
) -> pd.DataFrame:
    """Worker: a partition's bodies (chrome out) signed and banded (``sign_texts``); the screen
    signatures into the screen ``store``, the rest into the partition's rows."""
    documents = _documents(frame)
    bodies = []
    for doc in documents.values():
        marked = chrome.marked(doc, align_all)
        bodies.append(body_text(marked) if align_all else unsegmented_body(marked))
    signed = sign_texts(bodies, thresholds)
    count = signed.count
    if store and count:
        _write_screen(store, np.fromiter(documents, dtype=np.int64, count=count), signed.screen)
    return pd.DataFrame(
        {
            "index": pd.Series(list(documents), dtype="int64"),
            "shingles": pd.Series(_flat_bytes(signed.shingles, signed.shingle_doc, count), dtype=object),
            "content": pd.Series(_flat_bytes(signed.content, signed.content_doc, count), dtype=object),
            "keys_copy": pd.Series([row.tobytes() for row in signed.keys_copy], dtype=object),
            "keys_rare": pd.Series([row.tobytes() for row in signed.keys_rare], dtype=object),
            "usable_copy": pd.Series(signed.usable[:, 0], dtype=bool),
            "usable_rare": pd.Series(signed.usable[:, 1], dtype=bool),
        }
    )


def _signed_meta() -> pd.DataFrame:
    frame = pd.DataFrame(
        {name: pd.Series([], dtype=object) for name in ("shingles", "content", "keys_copy", "keys_rare")}
    )
    frame.insert(0, "index", pd.Series([], dtype="int64"))
    frame["usable_copy"] = pd.Series([], dtype=bool)
    frame["usable_rare"] = pd.Series([], dtype=bool)
    return frame


# ---------------------------------------------------------------- 4. LSH


def _band_rows(frame: pd.DataFrame, copy_bands: int) -> pd.DataFrame:
    """Worker: a row per (usable document, channel's band): slot (copy bands first), key, index."""
    slots, keys, ids = [], [], []
    for column, usable, first_slot in (("keys_copy", "usable_copy", 0), ("keys_rare", "usable_rare", copy_bands)):
        kept = frame[frame[usable]]
        if not len(kept):
            continue
        matrix = np.frombuffer(b"".join(kept[column]), dtype=np.uint64).reshape(len(kept), -1)
        bands = matrix.shape[1]
        slots.append(np.tile(np.arange(first_slot, first_slot + bands, dtype=np.int16), len(kept)))
        keys.append(matrix.ravel())
        ids.append(np.repeat(kept["index"].to_numpy(dtype=np.int64), bands))
    return pd.DataFrame(
        {
            "slot": np.concatenate(slots) if slots else np.empty(0, np.int16),
            "key": np.concatenate(keys) if keys else np.empty(0, np.uint64),
            "index": np.concatenate(ids) if ids else np.empty(0, np.int64),
        }
    )


def _bucket_codes(frame: pd.DataFrame, count: int) -> pd.DataFrame:
    """Worker: the pair codes of every bucket of a partition shuffled by key (``minhash.band_codes``
    on each band's rows: every bucket is whole here)."""
    codes = [np.empty(0, np.int64)]
    for _, group in frame.groupby("slot", sort=True):
        codes.append(minhash.band_codes(group["key"].to_numpy(np.uint64), group["index"].to_numpy(np.int64), count))
    return pd.DataFrame({"code": minhash.sorted_unique(np.concatenate(codes)).astype(np.int64)})


def _distinct_pairs(frame: pd.DataFrame, count: int) -> pd.DataFrame:
    """Worker: a partition of codes (shuffled by code) as distinct pairs ``i < j``."""
    pairs = minhash.decode_pairs([frame["code"].to_numpy(np.int64)], count)
    return pd.DataFrame({"i": pairs[:, 0].astype(np.int64), "j": pairs[:, 1].astype(np.int64)})


def _pairs_meta() -> pd.DataFrame:
    return pd.DataFrame({"i": pd.Series([], dtype="int64"), "j": pd.Series([], dtype="int64")})


# ---------------------------------------------------------------- 5. screen and verify


def _screen_part(frame: pd.DataFrame, store: str, count: int, thresholds: Thresholds) -> pd.DataFrame:
    """Worker: the candidate pairs of a partition that pass the signature screen (``screen_keep``),
    their documents' screen signatures read from the screen store (a memory map: only the pages
    of the rows read are touched)."""
    pairs = np.stack([frame["i"].to_numpy(np.int64), frame["j"].to_numpy(np.int64)], axis=1).reshape(len(frame), 2)
    if not len(pairs):
        return _pairs_meta()
    screen = np.memmap(store, dtype=np.uint16, mode="r", shape=(count, 2 * NUM_PERM))
    docs, local = np.unique(pairs, return_inverse=True)
    keep = screen_keep(np.asarray(screen[docs]), local.reshape(pairs.shape), thresholds)
    del screen
    return pd.DataFrame({"i": pairs[keep, 0], "j": pairs[keep, 1]}).astype("int64")


def _verify_part(frame: pd.DataFrame, count: int, thresholds: Thresholds) -> pd.DataFrame:
    """Worker: screened pairs joined to both documents' sets, verified (``verify_counts``); those
    that can hold a relation (``Verified.related``) kept."""
    m = len(frame)
    local = np.arange(2 * m, dtype=np.int64).reshape(m, 2)  # the pair's documents: rows 2k and 2k + 1
    stores = []
    for name in ("shingles", "content"):
        members = [b for pair in zip(frame[f"{name}_a"], frame[f"{name}_b"], strict=True) for b in pair]
        sizes = np.array([len(b) // 4 for b in members], dtype=np.int64)
        ends = np.cumsum(sizes)
        values = np.frombuffer(b"".join(members), dtype=np.uint32)
        stores.append((values, np.stack([ends - sizes, ends], axis=1).reshape(len(members), 2)))
    pairs = np.stack([frame["i"].to_numpy(np.int64), frame["j"].to_numpy(np.int64)], axis=1).reshape(m, 2)
    counts = verify_counts(stores[0], stores[1], local) if m else np.zeros((0, 6), np.int64)
    related = Verified(count, pairs, counts, [], []).related(thresholds)
    return pd.DataFrame({"i": pairs[related, 0], "j": pairs[related, 1]}).astype("int64")


def _all_pairs(indices: Sequence[int]) -> pd.DataFrame:
    """Every pair of a small corpus (``scan`` scores every pair up to ``EXACT_LIMIT`` documents)."""
    ordered = sorted(indices)
    rows = [(a, b) for k, a in enumerate(ordered) for b in ordered[k + 1 :]]
    return pd.DataFrame(rows, columns=["i", "j"], dtype="int64") if rows else _pairs_meta()


# ---------------------------------------------------------------- 6. score

SCORE_FIELDS = (
    "shingle_jaccard",
    "containment",
    "word_jaccard",
    "content_jaccard",
    "name_overlap",
    "date_gap_days",
    "sentence_match",
    "shorter_shingles",
    "date_estimated",
    "aligned",
)


def _judge_as_the_client(reads_model: bool) -> None:
    """A worker judges as the client asked (``--fluency/--no-fluency``, or the model installed there): a
    worker started on another machine does not inherit the client's environment.  The switch is set
    whether or not the model is installed there, so that the processes a worker starts follow it too."""
    fluency.use(reads_model)


def _score_part(
    frame: pd.DataFrame, chrome: Chrome, align_all: bool, thresholds: Thresholds, reads_model: bool
) -> pd.DataFrame:
    """Worker: pairs joined to both documents reconciled (``pipeline.score_pairs``); those whose
    relation is not ``unrelated`` kept, with what clustering needs of their documents."""
    from reconcile.pipeline import score_pairs

    _judge_as_the_client(reads_model)

    documents: dict[int, Document] = {}
    for side in ("a", "b"):
        for index, doc_id, text, path, source, title, published in zip(
            frame["i" if side == "a" else "j"],
            frame[f"id_{side}"],
            frame[f"text_{side}"],
            frame[f"path_{side}"],
            frame[f"source_{side}"],
            frame[f"title_{side}"],
            frame[f"published_{side}"],
            strict=True,
        ):
            if int(index) not in documents:
                doc = _document(doc_id, text, path, source, title, published)
                documents[int(index)] = chrome.marked(doc, False)
    chunk = sorted(zip(frame["i"].tolist(), frame["j"].tolist(), strict=True))
    texts = {k: d.text for k, d in documents.items()}
    scored = score_pairs(documents, texts, chunk, thresholds, align_all)
    rows: dict[str, list[Any]] = {name: [] for name in PAIR_COLUMNS}
    for (i, j), pair in zip(chunk, scored.pairs, strict=True):
        if pair.relation == "unrelated":
            continue
        rows["i"].append(i)
        rows["j"].append(j)
        rows["a"].append(pair.a)
        rows["b"].append(pair.b)
        rows["relation"].append(pair.relation)
        rows["overlap"].append(pair.overlap)
        scores = asdict(pair.scores)
        for name in SCORE_FIELDS:
            rows[name].append(scores[name])
        rows["divergences"].append(len(pair.divergences))
        rows["divergence_list"].append(_divergences_json(pair.divergences))
        rows["alignment_list"].append(_alignments_json(pair.alignments))
        rows["partial_list"].append(_alignments_json(pair.partial))
        rows["unique_a"].append(json.dumps(list(pair.unique_a)))
        rows["unique_b"].append(json.dumps(list(pair.unique_b)))
        rows["joins_cluster"].append(joins_cluster(pair, thresholds))
        rows["published_a"].append(documents[i].published)
        rows["published_b"].append(documents[j].published)
        rows["length_a"].append(scored.lengths[i])
        rows["length_b"].append(scored.lengths[j])
    return _pairs_table(rows)


PAIR_COLUMNS = (
    "i",
    "j",
    "a",
    "b",
    "relation",
    "overlap",
    *SCORE_FIELDS,
    "divergences",
    "divergence_list",
    "alignment_list",
    "partial_list",
    "unique_a",
    "unique_b",
    "joins_cluster",
    "published_a",
    "published_b",
    "length_a",
    "length_b",
)
"""The columns of the ``pairs`` table, in order (``divergence_list``: the pair's divergences as JSON,
which the ``divergences`` table spreads out a row each; ``alignment_list`` and ``partial_list``: its
aligned and claim-sharing sentence groups as JSON ``[a sentences, b sentences, score, moved]``;
``unique_a``, ``unique_b``: the sentences only one side holds, as JSON lists).  A row holds the
whole ``Pair``: ``pair_from_row`` reads it back."""


def _divergences_json(divergences: Sequence[Divergence]) -> str:
    return json.dumps([divergence_json(d) for d in divergences], sort_keys=True, ensure_ascii=False)


def _alignments_json(groups: Sequence[Alignment]) -> str:
    return json.dumps([[list(g.a), list(g.b), g.score, g.moved] for g in groups])


def _alignments(text: Any) -> tuple[Alignment, ...]:
    return tuple(
        Alignment(tuple(a), tuple(b), score, moved) for a, b, score, moved in json.loads(text if text else "[]")
    )


def _divergence(d: dict[str, Any]) -> Divergence:
    spans = {side: tuple(d[side]) if d[side] is not None else None for side in ("a_span", "b_span")}
    return Divergence(
        kind=d["kind"],
        severity=d["severity"],
        a=d["a"],
        b=d["b"],
        a_sentence=d["a_sentence"],
        b_sentence=d["b_sentence"],
        in_quote=d["in_quote"],
        a_span=spans["a_span"],
        b_span=spans["b_span"],
        favours=d["favours"],
        confidence=d["confidence"],
        evidence=tuple(d["evidence"]),
        reason=d["reason"],
    )


def pair_from_row(row: Any) -> Pair:
    """A row of the ``pairs`` table (a named tuple or a mapping of its columns) as the ``Pair`` the
    scan found: what ``report.json`` and the other reports are written from."""
    get = row.__getitem__ if isinstance(row, dict) else lambda name: getattr(row, name)
    gap = get("date_gap_days")
    scores = PairScores(
        shingle_jaccard=float(get("shingle_jaccard")),
        containment=float(get("containment")),
        word_jaccard=float(get("word_jaccard")),
        content_jaccard=float(get("content_jaccard")),
        name_overlap=float(get("name_overlap")),
        date_gap_days=None if gap is None or gap != gap else int(gap),
        sentence_match=float(get("sentence_match")),
        shorter_shingles=int(get("shorter_shingles")),
        date_estimated=bool(get("date_estimated")),
        aligned=bool(get("aligned")),
    )
    return Pair(
        a=str(get("a")),
        b=str(get("b")),
        relation=str(get("relation")),
        overlap=str(get("overlap")),
        scores=scores,
        alignments=_alignments(get("alignment_list")),
        divergences=tuple(_divergence(d) for d in json.loads(get("divergence_list") or "[]")),
        unique_a=tuple(json.loads(get("unique_a") or "[]")),
        unique_b=tuple(json.loads(get("unique_b") or "[]")),
        partial=_alignments(get("partial_list")),
    )


DIVERGENCE_COLUMNS = (
    "a",
    "b",
    "n",
    "kind",
    "severity",
    "a_text",
    "b_text",
    "a_sentence",
    "b_sentence",
    "in_quote",
    "favours",
    "confidence",
    "reason",
    "evidence",
)
"""The ``divergences`` table: one row a divergence of a pair, ``n`` its place in the pair's order (most
severe first), the fields of ``report.json``'s divergences with the texts as ``a_text``/``b_text``."""


def _divergence_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Worker: the divergences of a partition of the ``pairs`` table, a row each."""
    rows: dict[str, list[Any]] = {name: [] for name in DIVERGENCE_COLUMNS}
    for a, b, listed in zip(frame["a"], frame["b"], frame["divergence_list"], strict=True):
        for n, d in enumerate(json.loads(listed or "[]")):
            rows["a"].append(a)
            rows["b"].append(b)
            rows["n"].append(n)
            for name in ("kind", "severity", "a_sentence", "b_sentence", "in_quote", "favours", "confidence", "reason"):
                rows[name].append(d[name])
            rows["a_text"].append(d["a"])
            rows["b_text"].append(d["b"])
            rows["evidence"].append(" | ".join(d["evidence"]))
    types = {"n": "int64", "a_sentence": "float64", "b_sentence": "float64", "in_quote": bool, "confidence": "float64"}
    return pd.DataFrame({name: pd.Series(values, dtype=types.get(name, object)) for name, values in rows.items()})


def _pairs_table(rows: dict[str, list[Any]]) -> pd.DataFrame:
    types = {
        "i": "int64",
        "j": "int64",
        "shorter_shingles": "int64",
        "divergences": "int64",
        "length_a": "int64",
        "length_b": "int64",
        "date_gap_days": "float64",
        "date_estimated": bool,
        "aligned": bool,
        "joins_cluster": bool,
        "shingle_jaccard": "float64",
        "containment": "float64",
        "word_jaccard": "float64",
        "content_jaccard": "float64",
        "name_overlap": "float64",
        "sentence_match": "float64",
    }
    frame = pd.DataFrame({name: pd.Series(values, dtype=types.get(name, object)) for name, values in rows.items()})
    return frame.sort_values(["i", "j"], kind="stable").reset_index(drop=True)


def _pairs_table_meta() -> pd.DataFrame:
    return _pairs_table({name: [] for name in PAIR_COLUMNS})


# ---------------------------------------------------------------- 7. clusters


def _nodes_of(frame: pd.DataFrame) -> pd.DataFrame:
    """Worker: each document of a partition's cluster edges, once, with what its canonical choice reads."""
    sides = [
        pd.DataFrame(
            {
                "node": frame[index],
                "id": frame[side],
                "published": frame[f"published_{side}"],
                "length": frame[f"length_{side}"],
            }
        )
        for index, side in (("i", "a"), ("j", "b"))
    ]
    return pd.concat(sides, ignore_index=True).drop_duplicates("node")


def components(edges: Any, partitions: int) -> tuple[Any, int]:
    """Connected components of ``edges`` (``i``, ``j``) as ``node``, ``label`` (the smallest node of
    its component), in the workers, by hooking and pointer jumping: each round, every edge whose
    ends have different labels hooks the larger label onto the smaller (the label nodes take the
    smallest offered), then every node takes its label's label until none changes (each jump halves
    a chain: ``shortcut``).  A label is always a node of the same component and no larger, so when
    no edge joins two labels each component is labelled by its smallest node.  A chain of ``d``
    links takes about log2(d) rounds: a shuffled 300-document chain took 6 rounds, 15.7 s, where
    propagating the smallest label to neighbours took 255 rounds, 141 s (stars of 2 to 5 documents,
    as in the generated corpus: 2 rounds either way).  The client gets a count back per step, never
    the edges or labels.  Returns the labels and the rounds."""
    import dask.dataframe as dd

    edges = edges[["i", "j"]].persist()
    nodes = dd.concat(
        [edges[["i"]].rename(columns={"i": "node"}), edges[["j"]].rename(columns={"j": "node"})], ignore_index=True
    ).drop_duplicates(split_out=partitions)
    labels = nodes.assign(label=nodes["node"]).persist()
    rounds = 0
    while True:
        rounds += 1
        ends = edges.merge(labels.rename(columns={"node": "i", "label": "label_i"}), on="i", npartitions=partitions)
        ends = ends.merge(labels.rename(columns={"node": "j", "label": "label_j"}), on="j", npartitions=partitions)
        apart = ends[ends["label_i"] != ends["label_j"]].persist()
        if int(apart.shape[0].compute()) == 0:
            return labels, rounds
        hooks = apart.map_partitions(_hooks, meta=_hooks(apart._meta))
        offered = (
            dd.concat([labels, hooks], ignore_index=True)
            .groupby("node")["label"]
            .min(split_out=partitions)
            .reset_index()
            .persist()
        )
        labels = shortcut(offered, partitions)


def _hooks(frame: pd.DataFrame) -> pd.DataFrame:
    """Worker: for each edge between two labels, the larger label offered the smaller."""
    first, second = frame["label_i"].to_numpy(np.int64), frame["label_j"].to_numpy(np.int64)
    return pd.DataFrame({"node": np.maximum(first, second), "label": np.minimum(first, second)})


def shortcut(labels: Any, partitions: int) -> Any:
    """Every node's label replaced by its label's label until none changes (pointer jumping)."""
    while True:
        grand = labels.rename(columns={"node": "label", "label": "grand"})
        jumped = labels.merge(grand, on="label", how="left", npartitions=partitions)
        changed = int((jumped["grand"] != jumped["label"]).sum().compute())
        if not changed:
            return labels
        labels = jumped[["node", "grand"]].rename(columns={"grand": "label"}).astype({"label": "int64"}).persist()


def _clusters_part(frame: pd.DataFrame, canonical: str) -> pd.DataFrame:
    """Worker: each component of a partition (shuffled by label: members rows, and the relations of
    the edges that joined it) as its cluster (``cluster.component_cluster``)."""
    out: dict[str, list[Any]] = {"cluster": [], "documents": [], "canonical": [], "relation": [], "size": []}
    for _, group in frame.groupby("label", sort=True):
        members = group[group["kind"] == "member"]
        joined = group.loc[group["kind"] == "edge", "relation"].tolist()
        found = component_cluster(
            [
                Member(str(doc_id), _str(published), int(length), int(node))
                for doc_id, published, length, node in zip(
                    members["id"], members["published"], members["length"], members["node"], strict=True
                )
            ],
            joined,
            canonical,
        )
        out["cluster"].append(found.id)
        out["documents"].append(list(found.documents))
        out["canonical"].append(found.canonical)
        out["relation"].append(found.relation)
        out["size"].append(len(found.documents))
    frame_out = pd.DataFrame(
        {name: pd.Series(values, dtype="int64" if name == "size" else object) for name, values in out.items()}
    )
    return frame_out.sort_values("cluster", kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------- the run


@dataclass(frozen=True)
class DistributedScan:
    """What a distributed scan wrote and found (the tables are the result; these are their sizes)."""

    output: Path
    documents: int
    candidates: int
    pairs: int
    clusters: int
    relations: dict[str, int]
    skipped: tuple[Skipped, ...]
    label_rounds: int
    timings: dict[str, float] = field(default_factory=dict)
    report: Reconciliation | None = None
    """The run whole, for ``report.json`` and the other reports: up to ``REPORT_LIMIT`` documents."""


def scan(
    paths: Sequence[str],
    output: Path,
    spec: EngineSpec | None = None,
    client: Any = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    options: InputOptions = DEFAULT_OPTIONS,
    canonical: str = "earliest",
    piece_bytes: int = PIECE_BYTES,
) -> DistributedScan:
    """Scan ``paths`` on a Dask cluster (``client``, or one ``spec`` names) into Parquet tables
    ``documents``, ``pairs`` and ``clusters`` under ``output``, a part per partition."""
    if client is None:
        with connect(spec or EngineSpec(None)) as connected:
            return scan(paths, output, None, connected, thresholds, options, canonical, piece_bytes)
    import dask
    import dask.dataframe as dd

    dask.config.set({"dataframe.convert-string": False, "dataframe.shuffle.method": "tasks"})
    options = replace(options, workers=1)
    timings: dict[str, float] = {}
    shuffled: dict[str, float] = {}
    start = time.perf_counter()
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise EngineError(f"{output}: cannot write here ({err.strerror or err})") from err
    files, skipped = input_files(paths, options)
    tasks = plan_reads(client, files, options, piece_bytes)
    targets = [str(output / "documents" / f"part-{k:05d}.parquet") for k in range(len(tasks))]
    read = client.gather(client.map(read_task, tasks, [options] * len(tasks), targets, pure=False))
    counts = [count for count, _ in read]
    skipped.extend(item for _, found in read for item in found)
    del read
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(int).tolist()
    n = offsets[-1]
    parts = [k for k in range(len(tasks)) if counts[k]]
    timings["read"] = time.perf_counter() - start
    if n == 0:
        return _finish(output, n, 0, {}, 0, 0, skipped, timings, shuffled)
    client.gather(client.map(number_part, targets, offsets[:-1], [{}] * len(tasks), pure=False))
    documents = table(output / "documents", _doc_meta())
    documents = documents.partitions[parts] if len(parts) < len(tasks) else documents
    # Repeated ids are counted by the workers; the client sees only the repeated ones.
    id_counts = documents["id"].value_counts(split_out=documents.npartitions)
    repeated = id_counts[id_counts > 1].compute()
    if len(repeated):
        repeats = documents[documents["id"].isin(list(repeated.index))][["id", "index"]].compute()
        renames = unique_renames(repeats, offsets)
        client.gather(
            client.map(
                number_part,
                [targets[k] for k in renames],
                [offsets[k] for k in renames],
                list(renames.values()),
                pure=False,
            )
        )
    t = time.perf_counter()
    corpus_lines, by_source = recurring(documents, n)
    chrome = Chrome(corpus_lines, by_source)
    timings["chrome"] = time.perf_counter() - t
    align_all = n <= ALIGN_ALL_LIMIT
    t = time.perf_counter()
    if n <= EXACT_LIMIT:
        candidates = dd.from_pandas(_all_pairs(range(n)), npartitions=1)
        candidate_count = n * (n - 1) // 2
    else:
        signed_dir = output / "_signatures"
        signed_dir.mkdir(parents=True, exist_ok=True)
        store = signed_dir / "screen.u16"
        with store.open("wb") as f:
            f.truncate(n * SCREEN_ROW)  # sparse until the workers write their rows
        write_table(
            documents.map_partitions(_sign_part, chrome, align_all, thresholds, str(store), meta=_signed_meta()),
            signed_dir,
        )
        timings["sign"] = time.perf_counter() - t
        t = time.perf_counter()
        signed = table(signed_dir, _signed_meta())
        copy_bands = lsh_params(thresholds)[0].bands
        bands = signed[["index", "keys_copy", "keys_rare", "usable_copy", "usable_rare"]].map_partitions(
            _band_rows, copy_bands, meta=_band_rows(_signed_meta(), copy_bands)
        )
        codes = bands.shuffle(on="key", npartitions=shuffle_partitions(n * copy_bands * 2)).map_partitions(
            _bucket_codes, n, meta=pd.DataFrame({"code": pd.Series([], dtype="int64")})
        )
        lsh = codes.shuffle(on="code", npartitions=shuffle_partitions(n * 4)).map_partitions(
            _distinct_pairs, n, meta=_pairs_meta()
        )
        lsh = lsh.persist()
        candidate_count = int(lsh.shape[0].compute())
        lsh = lsh.repartition(npartitions=shuffle_partitions(candidate_count, SCREEN_ROWS)).persist()
        timings["LSH"] = time.perf_counter() - t
        t = time.perf_counter()
        screened = lsh.map_partitions(_screen_part, str(store), n, thresholds, meta=_pairs_meta()).persist()
        del lsh
        screened_count = int(screened.shape[0].compute())
        # the sets of screened pairs only: about 5 KB a pair's two documents
        screened = screened.repartition(npartitions=shuffle_partitions(screened_count, VERIFY_ROWS)).persist()
        joined = join_sides(screened, signed, ("shingles", "content"), screened.npartitions)
        candidates = joined.map_partitions(_verify_part, n, thresholds, meta=_pairs_meta()).persist()
        shuffled["screened pairs"] = screened_count
        shuffled["band rows"] = int(n * (copy_bands + lsh_params(thresholds)[1].bands))
        shuffled["signatures MiB"] = round(sum(p.stat().st_size for p in signed_dir.glob("*.parquet")) / 2**20, 1)
        timings["screen+verify"] = time.perf_counter() - t
    t = time.perf_counter()
    scoring = shuffle_partitions(int(candidates.shape[0].compute()), SCORE_ROWS)
    candidates = candidates.repartition(npartitions=scoring).persist()
    with_docs = join_sides(
        candidates,
        documents,
        ("id", "text", "path", "source", "title", "published"),
        candidates.npartitions,
    )
    scored_dir = output / "_scored"
    write_table(
        with_docs.map_partitions(
            _score_part, chrome, align_all, thresholds, fluency.available(), meta=_pairs_table_meta()
        ),
        scored_dir,
    )
    timings["score"] = time.perf_counter() - t
    t = time.perf_counter()
    scored = table(scored_dir, _pairs_table_meta())
    cluster_count, rounds, labels = cluster_stage(scored, output / "clusters", canonical)
    timings["clusters"] = time.perf_counter() - t
    t = time.perf_counter()
    pairs_dir = output / "pairs"
    shutil.rmtree(pairs_dir, ignore_errors=True)
    judged = witness_stage(scored, labels, documents, chrome) if labels is not None else None
    if judged is None:
        os.replace(scored_dir, pairs_dir)
    else:
        shuffled["pairs judged with witnesses"] = judged[1]
        write_table(with_witnesses(scored, judged), pairs_dir)
        shutil.rmtree(scored_dir, ignore_errors=True)
    pairs = table(pairs_dir, _pairs_table_meta())
    write_table(
        pairs.map_partitions(_divergence_rows, meta=_divergence_rows(_pairs_table_meta())), output / "divergences"
    )
    timings["witnesses"] = time.perf_counter() - t
    tallies = pairs["relation"].value_counts().compute()
    relations = {str(k): int(v) for k, v in sorted(tallies.items())}
    shutil.rmtree(output / "_signatures", ignore_errors=True)
    report = small_report(output, chrome, skipped) if n <= REPORT_LIMIT else None
    return _finish(output, n, candidate_count, relations, cluster_count, rounds, skipped, timings, shuffled, report)


def cluster_stage(scored: Any, folder: Path, canonical: str) -> tuple[int, int, Any]:
    """The ``clusters`` table from the pairs that join clusters: their connected components
    (``components``, in the workers), each component's cluster (``component_cluster``).  Returns
    the clusters, the label rounds, and every clustered document's label (None without clusters)."""
    import dask.dataframe as dd

    edges = scored[scored["joins_cluster"]][
        ["i", "j", "a", "b", "relation", "published_a", "published_b", "length_a", "length_b"]
    ].persist()
    edge_count = int(edges.shape[0].compute())
    if not edge_count:
        shutil.rmtree(folder, ignore_errors=True)
        return 0, 0, None
    partitions = shuffle_partitions(edge_count * 4)
    edges = edges.repartition(npartitions=partitions).persist()
    labels, rounds = components(edges, partitions)
    # a document in edges of several partitions: its row kept once, wherever it came from
    nodes = edges.map_partitions(_nodes_of, meta=_nodes_of(edges._meta)).drop_duplicates(
        subset="node", split_out=partitions
    )
    members = nodes.merge(labels, on="node", npartitions=partitions).assign(kind="member", relation=None)
    joined = edges[["i", "relation"]].merge(labels, left_on="i", right_on="node", npartitions=partitions)
    joined = joined[["label", "relation"]].assign(kind="edge", node=-1, id=None, published=None, length=0)
    columns = ["label", "kind", "node", "id", "published", "length", "relation"]
    both = dd.concat([members[columns], joined[columns]], ignore_index=True)
    meta = _clusters_part(both._meta, canonical)
    found = both.shuffle(on="label", npartitions=partitions).map_partitions(_clusters_part, canonical, meta=meta)
    return write_table(found, folder), rounds, labels


# ---------------------------------------------------------------- 8. witnesses

WITNESS_MEMBERS = 3
"""``pipeline.with_cluster_evidence``'s bar: a cluster of three or more reports has witnesses."""
WITNESS_DOCS = 2000
"""Cluster members (their texts) a witness task holds, about."""
BROADCAST_ROWS = 200_000
"""Judged pairs sent whole to every partition of the pairs table (below), or shuffled with it (above)."""


def _payload(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Worker: rows as ``label``, ``kind`` and the rest of the row as JSON (pairs and documents
    travel in one shuffle)."""
    records = frame.drop(columns="label").to_dict("records")
    return pd.DataFrame(
        {
            "label": frame["label"].astype("int64"),
            "kind": pd.Series([kind] * len(frame), dtype=object, index=frame.index),
            "payload": pd.Series([json.dumps(r, ensure_ascii=False) for r in records], dtype=object, index=frame.index),
        }
    )


def _payload_meta() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "label": pd.Series([], dtype="int64"),
            "kind": pd.Series([], dtype=object),
            "payload": pd.Series([], dtype=object),
        }
    )


def _judged_meta() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "i": pd.Series([], dtype="int64"),
            "j": pd.Series([], dtype="int64"),
            "witnessed_divergences": pd.Series([], dtype="int64"),
            "witnessed_list": pd.Series([], dtype=object),
        }
    )


def _witness_part(frame: pd.DataFrame, chrome: Chrome, reads_model: bool) -> pd.DataFrame:
    """Worker: each cluster of a partition (shuffled by label: its members' documents and its
    aligned pairs) with its pairs' divergences judged again, the other members as witnesses
    (``pipeline.with_cluster_evidence``, as the local scan judges them)."""
    from reconcile.pipeline import with_cluster_evidence

    _judge_as_the_client(reads_model)

    out: dict[str, list[Any]] = {name: [] for name in _judged_meta().columns}
    for _, group in frame.groupby("label", sort=True):
        by_id: dict[str, Document] = {}
        for payload in group.loc[group["kind"] == "doc", "payload"]:
            d = json.loads(payload)
            doc = _document(d["id"], d["text"], d["path"], d["source"], d["title"], d["published"], d["notes"])
            by_id[doc.id] = chrome.marked(doc, True)
        members = tuple(sorted(by_id))
        cluster_members = dict.fromkeys(members, members)
        for payload in group.loc[group["kind"] == "pair", "payload"]:
            row = json.loads(payload)
            judged = with_cluster_evidence(pair_from_row(row), (), (), by_id, cluster_members)
            out["i"].append(row["i"])
            out["j"].append(row["j"])
            out["witnessed_divergences"].append(len(judged.divergences))
            out["witnessed_list"].append(_divergences_json(judged.divergences))
    found = pd.DataFrame({name: pd.Series(values, dtype=_judged_meta()[name].dtype) for name, values in out.items()})
    return found.sort_values(["i", "j"], kind="stable").reset_index(drop=True)


def witness_stage(scored: Any, labels: Any, documents: Any, chrome: Chrome) -> tuple[Any, int] | None:
    """The aligned pairs of clusters of ``WITNESS_MEMBERS`` or more (both documents in one), judged
    again with the cluster's other members as witnesses (``_witness_part``), and their count; None
    when there are none.  Only those clusters' documents move: they and their pairs are shuffled
    together by label, so a cluster is judged whole in one task."""
    import dask.dataframe as dd

    partitions = labels.npartitions
    sizes = labels.groupby("label")["node"].count(split_out=partitions).reset_index()
    sizes = sizes.rename(columns={"node": "size"})
    large = labels.merge(sizes[sizes["size"] >= WITNESS_MEMBERS][["label"]], on="label", npartitions=partitions)
    aligned = scored[scored["alignment_list"] != "[]"]
    on_i = aligned.merge(large.rename(columns={"node": "i"}), on="i", npartitions=partitions)
    on_both = on_i.merge(large.rename(columns={"node": "j", "label": "label_j"}), on="j", npartitions=partitions)
    pairs = on_both[on_both["label"] == on_both["label_j"]].drop(columns="label_j").persist()
    count = int(pairs.shape[0].compute())
    if not count:
        return None
    wanted = pairs[["label"]].drop_duplicates(split_out=partitions)
    members = large.merge(wanted, on="label", npartitions=partitions)
    columns = ["index", "id", "text", "path", "source", "title", "published", "notes"]
    docs = documents[columns].merge(members, left_on="index", right_on="node", npartitions=partitions)
    docs = docs[[*columns[1:], "label"]].persist()
    held = int(docs.shape[0].compute())
    tasks = max(shuffle_partitions(held, WITNESS_DOCS), shuffle_partitions(count, VERIFY_ROWS))
    both = dd.concat(
        [
            pairs.map_partitions(_payload, "pair", meta=_payload_meta()),
            docs.map_partitions(_payload, "doc", meta=_payload_meta()),
        ],
        ignore_index=True,
    )
    judged = both.shuffle(on="label", npartitions=tasks).map_partitions(
        _witness_part, chrome, fluency.available(), meta=_judged_meta()
    )
    return judged.persist(), count


def _with_witnessed(frame: pd.DataFrame) -> pd.DataFrame:
    """Worker: a partition of the pairs table with the divergences judged with witnesses in place."""
    judged = frame["witnessed_list"].notna()
    frame.loc[judged, "divergence_list"] = frame.loc[judged, "witnessed_list"]
    frame.loc[judged, "divergences"] = frame.loc[judged, "witnessed_divergences"]
    frame = frame.drop(columns=["witnessed_list", "witnessed_divergences"]).astype({"divergences": "int64"})
    return frame.sort_values(["i", "j"], kind="stable").reset_index(drop=True)[list(PAIR_COLUMNS)]


def with_witnesses(scored: Any, judged: tuple[Any, int]) -> Any:
    """The pairs table with the judged pairs' divergences replaced (its partitions kept: the judged
    pairs, when few, are sent whole to each)."""
    found, count = judged
    found = found.repartition(npartitions=1) if count <= BROADCAST_ROWS else found
    merged = scored.merge(
        found, on=["i", "j"], how="left", npartitions=None if count <= BROADCAST_ROWS else scored.npartitions
    )
    return merged.map_partitions(_with_witnessed, meta=_pairs_table_meta())


# ---------------------------------------------------------------- the report of a small run

REPORT_LIMIT = ALIGN_ALL_LIMIT
"""Up to this many documents a distributed scan also gives the run as a ``Reconciliation``, for
``report.json``, ``report.md``, ``index.html`` and the pair and cluster pages (``report.write_reports``,
the local engine's writer): the local scan aligns every pair of such a corpus and splits every
document's sentences, so the tables hold all a report shows.  Above it the tables are the result
(a report a person reads through is not 100,000 reports long): the client would have to hold
the corpus."""


def small_report(output: Path, chrome: Chrome, skipped: Sequence[Skipped]) -> Reconciliation:
    """The run under ``output`` (at most ``REPORT_LIMIT`` documents) as the local scan gives it:
    its documents in input order, chrome marked and sentences split; its pairs in document order,
    read back whole from the ``pairs`` table; its clusters in the local scan's order."""
    frame = read_table(output, "documents").sort_values("index", kind="stable")
    documents = tuple(
        chrome.marked(_document(*fields), True)
        for fields in zip(
            frame["id"],
            frame["text"],
            frame["path"],
            frame["source"],
            frame["title"],
            frame["published"],
            frame["notes"],
            strict=True,
        )
    )
    rows = read_table(output, "pairs")
    pairs = (
        tuple(pair_from_row(row) for row in rows.sort_values(["i", "j"], kind="stable").itertuples())
        if len(rows)
        else ()
    )
    found = read_table(output, "clusters")
    clusters = (
        sorted(
            (
                Cluster(str(cluster), tuple(str(d) for d in docs), str(canonical), str(relation))
                for cluster, docs, canonical, relation in zip(
                    found["cluster"], found["documents"], found["canonical"], found["relation"], strict=True
                )
            ),
            key=lambda c: c.documents,
        )
        if len(found)
        else []
    )
    return Reconciliation(documents, pairs, tuple(clusters), tuple(skipped))


def _finish(
    output: Path,
    n: int,
    candidate_count: int,
    relations: dict[str, int],
    cluster_count: int,
    rounds: int,
    skipped: list[Skipped],
    timings: dict[str, float],
    shuffled: dict[str, float],
    report: Reconciliation | None = None,
) -> DistributedScan:
    """The summary, in ``summary.json`` and returned."""
    summary = DistributedScan(
        output,
        n,
        candidate_count,
        sum(relations.values()),
        cluster_count,
        relations,
        tuple(skipped),
        rounds,
        timings,
        report,
    )
    text = json.dumps(
        {
            "documents": n,
            "candidate_pairs": candidate_count,
            "pairs": summary.pairs,
            "relations": relations,
            "clusters": cluster_count,
            "label_rounds": rounds,
            "shuffled": shuffled,
            "seconds": {name: round(seconds, 1) for name, seconds in timings.items()},
            "skipped": [item.message() for item in skipped],
            "tables": [name for name in ("documents", "pairs", "divergences", "clusters") if (output / name).exists()],
        },
        indent=2,
        sort_keys=True,
    )
    temporary = output / ".summary.json.tmp"
    temporary.write_text(text + "\n", encoding="utf-8")
    os.replace(temporary, output / "summary.json")
    return summary


def read_table(output: Path, name: str) -> pd.DataFrame:
    """A table the scan wrote, whole (for tests and small runs; its parts in order)."""
    folder = output / name
    parts = sorted(folder.glob("*.parquet")) if folder.exists() else []
    frames = [pd.read_parquet(part) for part in parts]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
