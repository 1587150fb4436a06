"""Self-contained HTML reports: one page per pair, one per cluster, and an index.

The pages are built in two steps.  Pure functions here turn a ``Reconciliation``
into a view: rows of aligned sentences, each cut into plain and highlighted
fragments at the divergences' character spans.  Jinja2 templates in
``reconcile/report/templates`` (autoescaped, so article text can never become markup)
render the view.  Every page carries its CSS inline and a Content-Security-Policy
that forbids scripts and outside requests, so a report opens offline, can be
mailed, and cannot run or fetch anything an article smuggles in.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jinja2
from markupsafe import Markup, escape

from reconcile.model import DIVERGENCE_KINDS, SEVERITIES, Cluster, Divergence, Document, Pair, Reconciliation
from reconcile.pairing.clusters import UnionFind

SEVERITY_RANK = {s: n for n, s in enumerate(SEVERITIES)}
KIND_RANK = {k: n for n, k in enumerate(DIVERGENCE_KINDS)}

KIND_LEGEND = {
    "number": ("N", "a figure differs"),
    "date": ("D", "a date or day differs"),
    "name": ("NM", "a name is spelt differently"),
    "negation": ("NEG", "one side negates what the other affirms"),
    "real-word": ("RW", "a real word swapped for a look-alike that changes the meaning"),
    "typo": ("T", "a misspelling: one side is not a word"),
    "spelling-variant": ("SV", "the same word spelt another way"),
    "wording": ("W", "other words for the same thing (translation or rewrite drift)"),
}
"""Short code (printed beside every highlight, so colour is never the only signal) and meaning."""


@dataclass(frozen=True)
class Item:
    """One divergence as a page shows it: numbered, tied to its row and its documents."""

    n: int
    divergence: Divergence
    a_doc: str
    b_doc: str
    row: int | None

    @property
    def favoured(self) -> str | None:
        return {"a": self.a_doc, "b": self.b_doc}.get(self.divergence.favours or "")


def summary_key(d: Divergence) -> tuple[int, int, int]:
    """Severity first; within it numbers, dates, names, negations, then quoted before unquoted."""
    severity = SEVERITY_RANK.get(d.severity, len(SEVERITIES))
    return (severity, KIND_RANK.get(d.kind, len(KIND_RANK)), 0 if d.in_quote else 1)


def severity_counts(divergences: Iterable[Divergence]) -> dict[str, int]:
    by = Counter(d.severity for d in divergences)
    return {s: by[s] for s in SEVERITIES}


def divergence_rank(counts: dict[str, int]) -> tuple[int, ...]:
    """Most divergent first: more high, then more medium, then more low."""
    return tuple(-counts[s] for s in SEVERITIES)


def tooltip(item: Item) -> str:
    """Kind, severity, favoured variant and why, in one line."""
    d = item.divergence
    parts = [f"{d.kind} ({KIND_LEGEND.get(d.kind, ('', ''))[1]})", f"severity {d.severity}"]
    if d.in_quote:
        parts.append("inside a quotation")
    parts.append(f"{item.a_doc}: “{d.a or '—'}” vs {item.b_doc}: “{d.b or '—'}”")
    if item.favoured:
        parts.append(f"evidence favours {item.favoured} ({d.confidence:.0%})")
    else:
        parts.append("no variant favoured")
    if d.evidence:
        parts.append("why: " + "; ".join(d.evidence))
    return " · ".join(parts)


# --- cutting sentences into fragments -------------------------------------------------


def fragments(text: str, start: int, end: int, marks: Sequence[tuple[int, int, Item]]) -> list[dict[str, Any]]:
    """``text[start:end]`` cut at every mark boundary; each piece lists the items covering it.

    Overlapping marks are allowed: a piece covered by several carries all of
    them, the most severe first, and is styled after that one.
    """
    inside = [(max(s, start), min(e, end), item) for s, e, item in marks if s < end and e > start and s < e]
    cuts = sorted({start, end, *(s for s, _, _ in inside), *(e for _, e, _ in inside)})
    out: list[dict[str, Any]] = []
    for lo, hi in itertools.pairwise(cuts):
        covering = sorted(
            {item.n: item for s, e, item in inside if s <= lo and hi <= e}.values(),
            key=lambda i: (summary_key(i.divergence), i.n),
        )
        piece = text[lo:hi]
        # Neighbouring plain text joins up; so does a space between two words of one highlight.
        same_as_last = bool(out) and out[-1]["items"] == covering
        if same_as_last and (not covering or not piece.strip()):
            out[-1]["text"] += piece
        else:
            out.append({"text": piece, "items": covering})
    for styled in out:
        if styled["items"]:
            primary = styled["items"][0].divergence
            styled["kind"] = primary.kind
            styled["severity"] = primary.severity
            codes = (KIND_LEGEND.get(i.divergence.kind, ("?", ""))[0] for i in styled["items"])
            styled["code"] = "/".join(dict.fromkeys(codes))
            styled["tip"] = "\n".join(tooltip(i) for i in styled["items"])
            styled["numbers"] = " ".join(str(i.n) for i in styled["items"])
    return out


def fragments_html(frags: Sequence[dict[str, Any]], col: int, sentence: int) -> Markup:
    """A sentence's fragments as ``_macros.html``'s ``fragments`` macro writes them, in Python: the
    macro, called for every sentence of every aligned row, was a fifth of a scan's page rendering.
    ``tests/test_scan_speed_paths.py`` holds the two to the same text."""
    out: list[str] = []
    for n, f in enumerate(frags, start=1):
        if f["items"]:
            kind = escape(f["kind"])
            tip = f"tip-{escape(col)}-{escape(sentence)}-{n}"
            out.append(
                f'<mark class="hl k-{kind}" tabindex="0" data-kind="{kind}" data-severity="{escape(f["severity"])}"'
                f' data-d="{escape(f["numbers"])}" aria-describedby="{tip}"><span class="w">{escape(f["text"])}</span>'
                f'<span class="code" aria-hidden="true">{escape(f["code"])}</span>'
                f'<span class="tip" role="tooltip" id="{tip}">{escape(f["tip"])}</span></mark>'
            )
        else:
            out.append(escape(f["text"]))
    return Markup("".join(out))


# --- building a page -------------------------------------------------------------------


def _pairs_by_members(pairs: Iterable[Pair]) -> dict[frozenset[str], Pair]:
    return {frozenset((p.a, p.b)): p for p in pairs}


def build_view(pivot: Document, others: Sequence[Document], pairs: Sequence[Pair | None]) -> dict[str, Any]:
    """Rows of sentences aligned to the pivot, one column per document.

    ``pairs[k]`` reconciles ``pivot`` with ``others[k]`` (None when the run did not
    compare them).  Groups that share a pivot sentence share a row, so two, three
    or more sources line up on the pivot's reading order.
    """
    columns = [pivot, *others]
    # Union pivot sentences that any group puts together, then gather each other doc's sentences.
    sets = UnionFind(range(len(pivot.sentences)))
    groups: list[tuple[int, tuple[int, ...], tuple[int, ...], float, bool]] = []
    for k, pair in enumerate(pairs):
        if pair is None:
            continue
        for g in pair.alignments:
            mine, theirs = (g.a, g.b) if pair.a == pivot.id else (g.b, g.a)
            if not mine:
                continue
            for i in mine[1:]:
                sets.union(i, mine[0])
            groups.append((k, mine, theirs, g.score, g.moved))
    rows_by_root: dict[int, dict[str, Any]] = {}
    for k, mine, theirs, score, moved in groups:
        empty = {"cells": {d.id: set() for d in columns}, "scores": [], "moved": False}
        row = rows_by_root.setdefault(sets.root(mine[0]), empty)
        row["cells"][pivot.id].update(mine)
        row["cells"][others[k].id].update(theirs)
        row["scores"].append(score)
        row["moved"] = row["moved"] or moved
    rows = sorted(rows_by_root.values(), key=lambda r: min(r["cells"][pivot.id]))
    where: dict[tuple[str, int], int] = {}
    for n, row in enumerate(rows, start=1):
        row["n"] = n
        for doc_id, ids in row["cells"].items():
            for i in ids:
                where[(doc_id, i)] = n

    found = [(pair, d, k) for k, pair in enumerate(pairs) if pair is not None for d in pair.divergences]
    found.sort(key=lambda f: (summary_key(f[1]), f[2], *_position(f[1])))
    items = []
    for n, (pair, d, _) in enumerate(found, start=1):
        at = where.get((pair.a, d.a_sentence)) if d.a_sentence is not None else None
        if at is None and d.b_sentence is not None:
            at = where.get((pair.b, d.b_sentence))
        items.append(Item(n, d, pair.a, pair.b, at))

    marks: dict[str, list[tuple[int, int, Item]]] = {d.id: [] for d in columns}
    for item in items:
        d = item.divergence
        if d.a_span:
            marks[item.a_doc].append((d.a_span[0], d.a_span[1], item))
        if d.b_span:
            marks[item.b_doc].append((d.b_span[0], d.b_span[1], item))
    by_id = {d.id: d for d in columns}
    for row in rows:
        row["cells"] = [
            [
                {
                    "i": i,
                    "fragments": fragments(
                        by_id[doc_id].text,
                        by_id[doc_id].sentences[i].start,
                        by_id[doc_id].sentences[i].end,
                        marks[doc_id],
                    ),
                }
                for i in sorted(row["cells"][doc_id])
            ]
            for doc_id in (d.id for d in columns)
        ]
        row["score"] = min(row.pop("scores"))

    unique = []
    for k, doc in enumerate(columns):
        aligned = {i for (doc_id, i) in where if doc_id == doc.id}
        compared = k == 0 or pairs[k - 1] is not None
        unique.append(
            {
                "doc": doc,
                "compared": compared,
                "sentences": [s for s in doc.sentences if s.i not in aligned] if compared else [],
            }
        )
    return {
        "columns": columns,
        "rows": rows,
        "items": items,
        "unique": unique,
        "counts": severity_counts(i.divergence for i in items),
    }


def _position(d: Divergence) -> tuple[tuple[int, int], tuple[int, int]]:
    return (d.a_span or (10**9, 0), d.b_span or (10**9, 0))


# --- pages -----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("reconcile.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # The templates are the package's own files: not checked for changes at every page (a
        # file-system ``stat`` a template a page, four a page, 35,000 in a 20,000-report scan).
        auto_reload=False,
    )
    env.globals.update(kinds=KIND_LEGEND, severities=SEVERITIES, fragments_html=fragments_html)
    return env


@lru_cache(maxsize=1)
def legend_items() -> Markup:
    """The legend's list items (``_legend.html``), the same on every page: rendered once a process
    and put in as it is.  Its badge macros were most of the macro calls of a scan's pages, and
    Jinja's macro calls a tenth of their rendering."""
    return Markup(environment().get_template("_legend.html").render())


def pair_file(pair: Pair) -> str:
    return f"pairs/{safe_name(pair.a)}__{safe_name(pair.b)}.html"


def cluster_file(cluster: Cluster) -> str:
    return f"clusters/{safe_name(cluster.id)}.html"


def safe_name(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)


def pair_html(pair: Pair, docs: dict[str, Document], index: str | None = "../index.html") -> str:
    """The side-by-side page of one pair."""
    view = build_view(docs[pair.a], [docs[pair.b]], [pair])
    return (
        environment()
        .get_template("pair.html")
        .render(
            title=f"{pair.a} ↔ {pair.b}: {pair.relation}",
            view=view,
            pair=pair,
            cluster=None,
            index=index,
            pair_links=[],
            legend_items=legend_items(),
        )
    )


def cluster_html(
    cluster: Cluster,
    docs: dict[str, Document],
    pairs: Sequence[Pair],
    index: str | None = "../index.html",
    has_page: Callable[[Pair], bool] = lambda pair: True,
) -> str:
    """Every member of a cluster as a column, lined up on the canonical report."""
    pivot = docs[cluster.canonical]
    others = [docs[i] for i in cluster.documents if i != cluster.canonical]
    by_members = _pairs_by_members(pairs)
    view = build_view(pivot, others, [by_members.get(frozenset((pivot.id, o.id))) for o in others])
    members = set(cluster.documents)
    inner = [p for p in pairs if p.a in members and p.b in members]
    return (
        environment()
        .get_template("pair.html")
        .render(
            title=f"Cluster {cluster.id}: {cluster.relation}, {len(cluster.documents)} reports",
            view=view,
            pair=None,
            cluster=cluster,
            index=index,
            pair_links=[
                {
                    "href": "../" + pair_file(p) if has_page(p) else None,
                    "pair": p,
                    "counts": severity_counts(p.divergences),
                }
                for p in inner
            ],
            legend_items=legend_items(),
        )
    )


def index_html(result: Reconciliation, has_page: Callable[[Pair], bool] = lambda pair: True) -> str:
    """Every cluster and pair, most divergent first, with sources, dates and counts; a pair
    links to its page where ``has_page`` says it has one."""
    docs = {d.id: d for d in result.documents}
    by_members = _pairs_by_members(result.pairs)
    clusters: list[dict[str, Any]] = []
    for c in result.clusters:
        # The counts the cluster page shows: between the canonical report and each other member.
        shown = [by_members.get(frozenset((c.canonical, i))) for i in c.documents if i != c.canonical]
        clusters.append(
            {
                "cluster": c,
                "href": cluster_file(c),
                "docs": [docs[i] for i in c.documents],
                "counts": severity_counts(d for p in shown if p is not None for d in p.divergences),
            }
        )
    clusters.sort(key=lambda e: (divergence_rank(e["counts"]), e["cluster"].id))
    pairs: list[dict[str, Any]] = [
        {
            "pair": p,
            "href": pair_file(p) if has_page(p) else None,
            "docs": [docs[p.a], docs[p.b]],
            "counts": severity_counts(p.divergences),
        }
        for p in result.pairs
    ]
    pairs.sort(key=lambda e: (divergence_rank(e["counts"]), e["pair"].a, e["pair"].b))
    return (
        environment()
        .get_template("index.html")
        .render(
            title="Reconciliation report",
            result=result,
            clusters=clusters,
            pairs=pairs,
        )
    )


def html_pages(result: Reconciliation) -> dict[str, str]:
    """Relative path → page, for the index, every pair and every cluster."""
    return dict(iter_html_pages(result))


def iter_html_pages(
    result: Reconciliation, has_page: Callable[[Pair], bool] = lambda pair: True
) -> Iterator[tuple[str, str]]:
    """``(relative path, page)`` for the index, the pairs ``has_page`` selects and every cluster,
    one at a time, so a large run never holds every page in memory.

    A cluster page sees only the pairs among its members (found through a document → cluster
    map, not by scanning every pair for every cluster).
    """
    docs = {d.id: d for d in result.documents}
    yield "index.html", index_html(result, has_page)
    for pair in result.pairs:
        if has_page(pair):
            yield pair_file(pair), pair_html(pair, docs)
    cluster_of = {doc_id: k for k, c in enumerate(result.clusters) for doc_id in c.documents}
    inner: dict[int, list[Pair]] = {}
    for pair in result.pairs:
        k = cluster_of.get(pair.a)
        if k is not None and cluster_of.get(pair.b) == k:
            inner.setdefault(k, []).append(pair)
    for k, cluster in enumerate(result.clusters):
        yield cluster_file(cluster), cluster_html(cluster, docs, inner.get(k, []), has_page=has_page)
