"""Render a ``Reconciliation`` as JSON, Markdown or plain text, and write report files.

Every renderer is a pure function of the reconciliation: same input, same bytes.
Files are written atomically (temporary file, then rename), so an interrupted
run never leaves half a report.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from json.encoder import encode_basestring
from pathlib import Path
from typing import IO, Any

from reconcile.comparison.diverge import NEEDS_CHECKING
from reconcile.io.atomic import clear_stale_folder, write_atomic, write_atomic_with
from reconcile.model import Alignment, Cluster, Divergence, Document, Pair, Reconciliation

SCHEMA_VERSION = "1.3"
"""Bumped in the minor part when fields are added, in the major part when one changes or goes."""


_FLOAT_WORDS = {float("inf"): "Infinity", float("-inf"): "-Infinity"}


def _float_json(value: float) -> str:
    if value != value:
        return "NaN"
    return _FLOAT_WORDS.get(value) or float.__repr__(value)


def _key_json(key: Any) -> str:
    if isinstance(key, str):
        return encode_basestring(key)
    if isinstance(key, float):
        return encode_basestring(_float_json(key))
    if key is True:
        return '"true"'
    if key is False:
        return '"false"'
    if key is None:
        return '"null"'
    if isinstance(key, int):
        return encode_basestring(int.__repr__(key))
    raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")


def _scalar_json(value: Any) -> str | None:
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        return int.__repr__(value)
    if kind is float:
        return _float_json(value)
    if isinstance(value, str):
        return encode_basestring(value)
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float_json(value)
    return None


_SCALARS: dict[type, Callable[[Any], str]] = {
    str: encode_basestring,
    int: int.__repr__,
    float: _float_json,
    bool: lambda v: "true" if v else "false",
    type(None): lambda v: "null",
}


def json_text(value: Any, level: int = 0) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2)``, the same text (a property test checks),
    about three times as fast: with ``indent`` the standard library encodes in Python, a generator
    a value, and a scan's pair files and report.json spent a sixth of their time there.  ``level``
    starts the text that many levels in, as a nested value is written (its first line is not
    indented)."""
    parts: list[str] = []
    _encode_json(value, "\n" + "  " * level, parts)
    return "".join(parts)


def _encode_json(value: Any, indent: str, parts: list[str]) -> None:
    scalars = _SCALARS
    kind = type(value)
    if kind in scalars:
        parts.append(scalars[kind](value))
        return
    if kind is dict or (kind is not list and kind is not tuple and isinstance(value, dict)):
        if not value:
            parts.append("{}")
            return
        inner = indent + "  "
        separator = "{" + inner
        for key, item in value.items():
            k = encode_basestring(key) if type(key) is str else _key_json(key)
            t = type(item)
            if t in scalars:
                parts.append(separator + k + ": " + scalars[t](item))
            else:
                parts.append(separator + k + ": ")
                _encode_json(item, inner, parts)
            separator = "," + inner
        parts.append(indent + "}")
    elif kind is list or kind is tuple or isinstance(value, (list, tuple)):
        if not value:
            parts.append("[]")
            return
        inner = indent + "  "
        separator = "[" + inner
        for item in value:
            t = type(item)
            if t in scalars:
                parts.append(separator + scalars[t](item))
            else:
                parts.append(separator)
                _encode_json(item, inner, parts)
            separator = "," + inner
        parts.append(indent + "]")
    else:
        scalar = _scalar_json(value)
        if scalar is None:
            raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")
        parts.append(scalar)


def divergence_json(d: Divergence) -> dict[str, Any]:
    return {
        "kind": d.kind,
        "severity": d.severity,
        "a": d.a,
        "b": d.b,
        "a_sentence": d.a_sentence,
        "b_sentence": d.b_sentence,
        "in_quote": d.in_quote,
        "a_span": list(d.a_span) if d.a_span else None,
        "b_span": list(d.b_span) if d.b_span else None,
        "favours": d.favours,
        "confidence": d.confidence,
        "evidence": list(d.evidence),
        "reason": d.reason,
    }


def _document_json(doc: Document) -> dict[str, Any]:
    return {
        "id": doc.id,
        "path": doc.path,
        "source": doc.source,
        "title": doc.title,
        "published": doc.published,
        "notes": list(doc.notes),
        "chrome": [{"start": c.start, "end": c.end, "text": c.text, "reason": c.reason} for c in doc.chrome],
        "sentences": [{"i": s.i, "start": s.start, "end": s.end, "text": s.text} for s in doc.sentences],
    }


def cluster_of_documents(clusters: Iterable[Cluster]) -> dict[str, Cluster]:
    """Each clustered document's cluster (a document is in one; the first one named wins)."""
    found: dict[str, Cluster] = {}
    for cluster in clusters:
        for doc_id in cluster.documents:
            found.setdefault(doc_id, cluster)
    return found


def pair_cluster(pair: Pair, cluster_of: dict[str, Cluster]) -> Cluster | None:
    """The cluster holding both documents of ``pair``, if any."""
    cluster = cluster_of.get(pair.a)
    return cluster if cluster is not None and cluster_of.get(pair.b) is cluster else None


def _pair_json(pair: Pair, docs: dict[str, Document], cluster: Cluster | None = None) -> dict[str, Any]:
    a, b = docs[pair.a], docs[pair.b]
    return {
        "a": pair.a,
        "b": pair.b,
        "relation": pair.relation,
        "overlap": pair.overlap,
        "cluster": cluster.id if cluster else None,
        "scores": vars(pair.scores),
        "alignments": [_alignment_json(g, a, b) for g in pair.alignments],
        "divergences": [divergence_json(d) for d in pair.divergences],
        "unique": {"a": list(pair.unique_a), "b": list(pair.unique_b)},
        "partial": [_alignment_json(g, a, b) for g in pair.partial],
    }


def _alignment_json(g: Alignment, a: Document, b: Document) -> dict[str, Any]:
    return {
        "a": list(g.a),
        "b": list(g.b),
        "a_text": " ".join(a.sentences[i].text for i in g.a),
        "b_text": " ".join(b.sentences[j].text for j in g.b),
        "score": g.score,
        "moved": g.moved,
    }


def to_dict(result: Reconciliation) -> dict[str, Any]:
    docs = {d.id: d for d in result.documents}
    cluster_of = cluster_of_documents(result.clusters)
    return {
        "schema_version": SCHEMA_VERSION,
        "documents": [_document_json(d) for d in result.documents],
        "pairs": [_pair_json(p, docs, pair_cluster(p, cluster_of)) for p in result.pairs],
        "clusters": [
            {"id": c.id, "documents": list(c.documents), "canonical": c.canonical, "relation": c.relation}
            for c in result.clusters
        ],
        "skipped": [{"path": s.path, "line": s.line, "error": s.error} for s in result.skipped],
    }


def to_json(result: Reconciliation) -> str:
    return json.dumps(to_dict(result), ensure_ascii=False, indent=2) + "\n"


def write_json(result: Reconciliation, handle: IO[str]) -> None:
    """``to_json`` written one document, pair or cluster at a time, byte for byte the same:
    a 100,000-report run's JSON (110 MB) and the dicts behind it are never in memory whole."""
    docs = {d.id: d for d in result.documents}
    cluster_of = cluster_of_documents(result.clusters)
    sections: list[tuple[str, Iterable[dict[str, Any]], int]] = [
        ("documents", map(_document_json, result.documents), len(result.documents)),
        ("pairs", (_pair_json(p, docs, pair_cluster(p, cluster_of)) for p in result.pairs), len(result.pairs)),
        (
            "clusters",
            (
                {"id": c.id, "documents": list(c.documents), "canonical": c.canonical, "relation": c.relation}
                for c in result.clusters
            ),
            len(result.clusters),
        ),
        ("skipped", ({"path": s.path, "line": s.line, "error": s.error} for s in result.skipped), len(result.skipped)),
    ]
    handle.write("{\n" + f'  "schema_version": {json.dumps(SCHEMA_VERSION)},\n')
    for n, (key, items, count) in enumerate(sections):
        handle.write(f'  "{key}": ')
        if not count:
            handle.write("[]")
        else:
            handle.write("[\n")
            for k, item in enumerate(items):
                # At level 2: each item indented as if inside the top object and its list.
                handle.write("    " + json_text(item, level=2))
                handle.write(",\n" if k < count - 1 else "\n")
            handle.write("  ]")
        handle.write(",\n" if n < len(sections) - 1 else "\n")
    handle.write("}\n")


_MD_PUNCTUATION = re.compile(r"[\\`*\[\]|~]|(?<!\w)_|_(?!\w)")
"""Markdown's markup characters: code, emphasis, links and images, table cells, strikethrough;
``_`` only at a word's edge (inside a word, as in ``wire_copy``, it is no emphasis)."""


def _md_escape(text: str) -> str:
    """Text from an article (or an id, a title, a path) as literal Markdown inline text, as the
    HTML report escapes it: ``<``, ``>`` and ``&`` become entities (no raw HTML such as
    ``<script>``, no autolink), markup characters are backslash-escaped (no
    ``[x](javascript:...)`` link, no ``|`` ending a table cell), and line breaks become spaces."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_PUNCTUATION.sub(lambda m: "\\" + m.group(0), text)
    return " ".join(text.splitlines()) if "\n" in text or "\r" in text else text


def _many(count: int, noun: str) -> str:
    """``1 pair``, ``2 pairs``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _counts(divergences: Iterable[Divergence]) -> str:
    by = Counter(d.severity for d in divergences)
    return ", ".join(f"{by[s]} {s}" for s in ("high", "medium", "low") if by[s]) or "none"


def _date_gap(days: int | None) -> str:
    return "date gap unknown" if days is None else f"date gap {_many(days, 'day')}"


def _cluster_line(cluster: Cluster) -> str:
    """A cluster by its id, size and canonical: what a pair says of the cluster it is in (the members
    are listed once, in the report's cluster table, not with each of the cluster's pairs)."""
    size = _many(len(cluster.documents), "document")
    canonical = _md_escape(cluster.canonical)
    return f"In cluster **{_md_escape(cluster.id)}** ({cluster.relation}, {size}, canonical **{canonical}**)."


def pair_markdown(pair: Pair, docs: dict[str, Document], cluster: Cluster | None = None) -> str:
    a, b = docs[pair.a], docs[pair.b]
    s = pair.scores
    esc = _md_escape
    lines = [
        f"## {esc(pair.a)} ↔ {esc(pair.b)}: {pair.relation}",
        "",
        *([_cluster_line(cluster), ""] if cluster else []),
        *(
            f"- {side}: **{esc(doc.id)}**, {esc(doc.source or 'unknown source')}, "
            f"{esc(doc.published or 'date unknown')}: {esc(doc.title or '')}"
            for side, doc in (("A", a), ("B", b))
        ),
        "",
        f"Overlap: **{pair.overlap}**. Shingle Jaccard {s.shingle_jaccard:.2f}, containment {s.containment:.2f}, "
        f"word types {s.word_jaccard:.2f}, content words {s.content_jaccard:.2f}, names {s.name_overlap:.2f}, "
        f"aligned sentences {s.sentence_match:.2f}, {_date_gap(s.date_gap_days)}.",
        "",
        f"Divergences: {_counts(pair.divergences)}.",
        "",
    ]
    listed = [d for d in pair.divergences if d.kind != "wording"]
    drift = len(pair.divergences) - len(listed)
    if listed:
        lines += [
            f"| severity | kind | {esc(pair.a)} | {esc(pair.b)} | in quote | why | favours |",
            "|---|---|---|---|---|---|---|",
        ]
        for d in listed:
            favours = {"a": pair.a, "b": pair.b}.get(d.favours or "", "")
            if favours:
                favours += f" ({d.confidence:.0%})" + (": " + "; ".join(d.evidence) if d.evidence else "")
            lines.append(
                f"| {d.severity} | {d.kind} | {esc(d.a) or '—'} | {esc(d.b) or '—'} | "
                f"{'yes' if d.in_quote else ''} | {esc(d.reason)} | {esc(favours)} |"
            )
        lines.append("")
    if drift:
        lines += [f"{_many(drift, 'wording difference')} (translation drift, never above low): in report.json.", ""]
    if pair.alignments:
        lines += ["### Aligned sentences", ""]
        for g in pair.alignments:
            a_text = " ".join(a.sentences[i].text for i in g.a)
            b_text = " ".join(b.sentences[j].text for j in g.b)
            moved = " (moved)" if g.moved else ""
            lines += [
                f"- A{list(g.a)} ↔ B{list(g.b)}, similarity {g.score:.2f}{moved}",
                f"  - A: {esc(a_text)}",
                f"  - B: {esc(b_text)}",
            ]
        lines.append("")
    if pair.partial:
        lines += ["### Sentences sharing a claim (not aligned as a whole)", ""]
        for g in pair.partial:
            lines += [
                f"- A{list(g.a)} ~ B{list(g.b)}, similarity {g.score:.2f}",
                f"  - A: {esc(' '.join(a.sentences[i].text for i in g.a))}",
                f"  - B: {esc(' '.join(b.sentences[j].text for j in g.b))}",
            ]
        lines.append("")
    for side, doc, unique in (("A", a, pair.unique_a), ("B", b, pair.unique_b)):
        if unique:
            lines += [f"### Only in {esc(doc.id)} ({side})", ""]
            lines += [f"- [{i}] {esc(doc.sentences[i].text)}" for i in unique]
            lines.append("")
    return "\n".join(lines)


def to_markdown(result: Reconciliation) -> str:
    return "\n".join(_markdown_lines(result)).rstrip("\n") + "\n"


def _markdown_lines(result: Reconciliation) -> Iterator[str]:
    docs = {d.id: d for d in result.documents}
    yield from ["# Reconciliation report", ""]
    counts = [_many(len(result.documents), "document"), _many(len(result.pairs), "pair")]
    yield from [f"{', '.join(counts)}, {_many(len(result.clusters), 'cluster')}.", ""]
    if result.clusters:
        yield from ["| cluster | relation | canonical | documents |", "|---|---|---|---|"]
        for c in result.clusters:
            members = ", ".join(map(_md_escape, c.documents))
            yield f"| {_md_escape(c.id)} | {c.relation} | {_md_escape(c.canonical)} | {members} |"
        yield ""
    if result.skipped:
        yield from ["## Skipped inputs", ""]
        for s in result.skipped:
            yield f"- {_md_escape(s.message())}"
        yield ""
    cluster_of = cluster_of_documents(result.clusters)
    for pair in result.pairs:
        yield pair_markdown(pair, docs, pair_cluster(pair, cluster_of))


def write_markdown(result: Reconciliation, handle: IO[str]) -> None:
    """``to_markdown`` written a pair at a time, byte for byte the same (see ``write_json``)."""
    held = ""  # trailing newlines, written only if more text follows (to_markdown strips them at the end)
    for n, line in enumerate(_markdown_lines(result)):
        text = held + ("\n" if n else "") + line
        kept = text.rstrip("\n")
        handle.write(kept)
        held = text[len(kept) :]
    handle.write("\n")


TEXT_PAIR_LIMIT = 20
"""A scan's terminal summary lists this many divergences a pair; a single comparison lists them all."""


def to_text(result: Reconciliation, color: bool = False) -> str:
    """A terminal summary: relation, counts, and every divergence that needs checking (high, medium)."""
    import click

    def style(text: str, **kw: Any) -> str:
        return click.style(text, **kw) if color else text

    colors = {"high": "red", "medium": "yellow", "low": "cyan"}
    out = []
    for pair in result.pairs:
        out.append(style(f"{pair.a} ↔ {pair.b}: {pair.relation} ({pair.overlap})", bold=True))
        unique = f"{len(pair.unique_a)} / {len(pair.unique_b)}"
        out.append(f"  divergences: {_counts(pair.divergences)}; unique claims: {unique}")
        to_check = [d for d in pair.divergences if d.severity in NEEDS_CHECKING]
        shown = to_check if len(result.pairs) == 1 else to_check[:TEXT_PAIR_LIMIT]
        for d in shown:
            quote = " [in quote]" if d.in_quote else ""
            line = f"  {style(d.severity.ljust(6), fg=colors[d.severity])} {d.kind}: {d.a!r} → {d.b!r}{quote}"
            out.append(line + (f" ({d.reason})" if d.reason else ""))
        if len(shown) < len(to_check):
            out.append(f"  … {len(to_check) - len(shown)} more need checking: --format md lists them all")
        drift = len(pair.divergences) - len(to_check)
        if drift:
            out.append(
                f"  {drift} low-severity (spelling variants, wording drift) counted, not listed: --format md shows them"
            )
    for c in result.clusters:
        out.append(f"cluster {c.id} ({c.relation}): {', '.join(c.documents)}; canonical {c.canonical}")
    for s in result.skipped:
        out.append(style(f"skipped {s.message()}", fg="red"))
    if not result.pairs:
        out.append("no related pairs")
    return "\n".join(out) + "\n"


PAIR_FILES = {
    "all": frozenset({"duplicate", "near-duplicate", "same-story", "related", "unrelated"}),
    "closer": frozenset({"duplicate", "near-duplicate", "same-story"}),
    "none": frozenset(),
}
"""Which pairs get their own files under ``pairs/``, by relation."""
PAIR_FILES_ALL_LIMIT = 1000
"""Up to this many documents every pair gets its own files; above it (``pair_files="auto"``)
only pairs closer than ``related``: a 100,000-report scan has tens of thousands of related
pairs, whose scores are all in ``report.json`` already."""


def pair_files_for(result: Reconciliation, pair_files: str = "auto") -> frozenset[str]:
    """The relations whose pairs get files: ``all``, ``closer``, ``none``, or ``auto`` by corpus size."""
    if pair_files == "auto":
        pair_files = "all" if len(result.documents) <= PAIR_FILES_ALL_LIMIT else "closer"
    return PAIR_FILES[pair_files]


REPORT_FORMATS = frozenset({"json", "md", "html"})
"""What ``write_reports`` can write: JSON, Markdown, HTML pages."""


def write_reports(
    result: Reconciliation,
    out_dir: Path,
    pair_files: str = "auto",
    workers: int | None = None,
    formats: frozenset[str] = REPORT_FORMATS,
) -> list[Path]:
    """``report.json``, ``report.md`` and ``index.html`` for the run, JSON, Markdown and
    HTML per pair under ``pairs/`` (for the relations ``pair_files`` picks, see
    ``pair_files_for``), and an HTML page per cluster under ``clusters/``; of those, only the
    ``formats`` asked for (``json``, ``md``, ``html``): ``scan --format json -o DIR`` writes the
    JSON alone.  The HTML and Markdown were two thirds of the 18,638 files of a 20,000-report
    scan and most of the time its reports took.

    Pages are rendered and written one at a time, so memory holds one page, not all of them;
    from ``PARALLEL_FILES`` files on, over ``workers`` forked processes (default: every core),
    each writing its own share: a 100,000-report scan writes some 90,000 files.  The files are
    the same, byte for byte, whoever writes them; the list comes back in one order.
    """
    global _writing
    from reconcile.report.html import cluster_file, pair_file

    unknown = formats - REPORT_FORMATS
    if unknown or not formats:
        raise ValueError(f"report formats are among {sorted(REPORT_FORMATS)}, not {sorted(unknown) or 'none'}")
    relations = pair_files_for(result, pair_files)
    paged = [k for k, pair in enumerate(result.pairs) if pair.relation in relations]
    html = "html" in formats
    suffixes = [suffix for suffix, name in ((".json", "json"), (".md", "md")) if name in formats]
    written = []
    if html:
        written += [out_dir / "index.html"]
        written += [out_dir / pair_file(result.pairs[k]) for k in paged]
        written += [out_dir / cluster_file(c) for c in result.clusters]
    written += [out_dir / f"report{suffix}" for suffix in suffixes]
    for k in paged:
        stem = f"{_safe(result.pairs[k].a)}__{_safe(result.pairs[k].b)}"
        written += [out_dir / "pairs" / (stem + suffix) for suffix in suffixes]
    # A killed run's temporaries are swept once a folder, not once a file (see clear_stale_folder).
    for folder in (out_dir, out_dir / "pairs", out_dir / "clusters"):
        clear_stale_folder(folder)
    tasks: list[tuple[str, int, int]] = [(f"report{suffix}", 0, 0) for suffix in suffixes]
    tasks += [("index.html", 0, 0)] if html else []
    tasks += [("pairs", start, min(start + FILES_TASK, len(paged))) for start in range(0, len(paged), FILES_TASK)]
    count = len(result.clusters) if html else 0
    tasks += [("clusters", start, min(start + FILES_TASK, count)) for start in range(0, count, FILES_TASK)]
    _writing = _Writing(result, out_dir, relations, paged, formats)
    try:
        workers = workers if workers is not None else (os.cpu_count() or 1)
        if workers > 1 and len(written) >= PARALLEL_FILES:
            import multiprocessing

            with multiprocessing.get_context("fork").Pool(min(workers, len(tasks))) as pool:
                for _ in pool.imap_unordered(_write_task, tasks):
                    pass
        else:
            for task in tasks:
                _write_task(task)
    finally:
        _writing = None
    return written


PARALLEL_FILES = 500
"""From this many report files on, ``write_reports`` renders and writes them in worker processes."""
FILES_TASK = 400
"""Pairs (three files each) or clusters (one page each) a worker writes at a time."""


class _Writing:
    """What ``write_reports``'s tasks read (inherited by forked workers): the result, where to
    write, which pairs get files, and the look-ups the pages share."""

    def __init__(
        self,
        result: Reconciliation,
        out_dir: Path,
        relations: frozenset[str],
        paged: list[int],
        formats: frozenset[str] = REPORT_FORMATS,
    ) -> None:
        self.result = result
        self.out_dir = out_dir
        self.relations = relations
        self.paged = paged
        self.formats = formats
        self.docs = {d.id: d for d in result.documents}
        self.cluster_of = cluster_of_documents(result.clusters)
        # Each cluster's pairs, which only its page shows: none to gather where no page is written.
        at = {doc_id: k for k, c in enumerate(result.clusters) for doc_id in c.documents} if "html" in formats else {}
        self.inner: dict[int, list[Pair]] = {}
        for pair in result.pairs if at else ():
            k = at.get(pair.a)
            if k is not None and at.get(pair.b) == k:
                self.inner.setdefault(k, []).append(pair)

    def has_page(self, pair: Pair) -> bool:
        return pair.relation in self.relations


_writing: _Writing | None = None


def _write_task(task: tuple[str, int, int]) -> None:
    """Write one share of ``write_reports``'s files (``_writing`` says what)."""
    from reconcile.report.html import cluster_file, cluster_html, index_html, pair_file, pair_html

    kind, start, end = task
    w = _writing
    assert w is not None
    result, out = w.result, w.out_dir
    if kind == "report.json":
        write_atomic_with(out / "report.json", lambda tmp: _write_file(write_json, result, tmp), clear=False)
    elif kind == "report.md":
        write_atomic_with(out / "report.md", lambda tmp: _write_file(write_markdown, result, tmp), clear=False)
    elif kind == "index.html":
        write_atomic(out / "index.html", index_html(result, w.has_page), clear=False)
    elif kind == "pairs":
        for k in w.paged[start:end]:
            pair = result.pairs[k]
            if "html" in w.formats:
                write_atomic(out / pair_file(pair), pair_html(pair, w.docs), clear=False)
            stem = f"{_safe(pair.a)}__{_safe(pair.b)}"
            cluster = pair_cluster(pair, w.cluster_of)
            for suffix, content in pair_files_content(pair, w.docs, cluster, w.formats):
                write_atomic(out / "pairs" / (stem + suffix), content, clear=False)
    else:
        for k in range(start, end):
            cluster = result.clusters[k]
            page = cluster_html(cluster, w.docs, w.inner.get(k, []), has_page=w.has_page)
            write_atomic(out / cluster_file(cluster), page, clear=False)


def pair_files_content(
    pair: Pair, docs: dict[str, Document], cluster: Cluster | None, formats: frozenset[str] = REPORT_FORMATS
) -> list[tuple[str, str]]:
    """A pair's own JSON and Markdown files (those of ``formats``).  They name the pair's cluster by
    its id (the pair's ``cluster``) and do not list its members: with every member in every pair
    file, 20,000 copies of one text wrote 11 GB; the members are in ``report.json`` and the
    cluster's page."""
    files = []
    if "json" in formats:
        single = Reconciliation(documents=(docs[pair.a], docs[pair.b]), pairs=(pair,))
        data = to_dict(single)
        data["pairs"][0]["cluster"] = cluster.id if cluster else None
        files.append((".json", json_text(data) + "\n"))
    if "md" in formats:
        lines = ["# Reconciliation report", "", f"{_many(2, 'document')}, {_many(1, 'pair')}.", ""]
        markdown = "\n".join([*lines, pair_markdown(pair, docs, cluster)]).rstrip("\n") + "\n"
        files.append((".md", markdown))
    return files


def _write_file(write: Callable[[Reconciliation, IO[str]], None], result: Reconciliation, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        write(result, handle)


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)
