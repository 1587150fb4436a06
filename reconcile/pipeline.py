"""The library API: documents in, a ``Reconciliation`` out.

``prepare`` finds site chrome and sentences across the corpus; ``compare``
reconciles one pair whatever its relation; ``scan`` finds every related pair
of a corpus and clusters them.  The CLI is a thin layer over these.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from reconcile.align import align, unaligned
from reconcile.diverge import diverge
from reconcile.ingest import load, split_loaded
from reconcile.model import Cluster, Document, Pair, Reconciliation, Skipped
from reconcile.normalize import find_chrome, recurring_lines
from reconcile.pair import Features, Thresholds, candidates, features, overlap_kind, relation, score
from reconcile.segment import segment

CLUSTER_RELATIONS = ("duplicate", "near-duplicate", "same-story")


def prepare(documents: Sequence[Document]) -> list[Document]:
    """Mark site chrome (by rule and by recurrence across the corpus) and split sentences."""
    recurring = recurring_lines(doc.text for doc in documents)
    prepared = []
    for doc in documents:
        chrome = find_chrome(doc.text, recurring)
        prepared.append(replace(doc, chrome=chrome, sentences=segment(doc.text, chrome)))
    return prepared


def reconcile_pair(
    a: Document, b: Document, fa: Features, fb: Features, thresholds: Thresholds = Thresholds()
) -> Pair:
    """Scores, relation, sentence alignment and divergences of one pair."""
    groups = align(a.sentences, b.sentences)
    shorter = min(len(a.sentences), len(b.sentences))
    covered_a = len({i for g in groups for i in g.a})
    covered_b = len({j for g in groups for j in g.b})
    sentence_match = min(covered_a, covered_b) / shorter if shorter else 0.0
    scores = score(fa, fb, sentence_match)
    return Pair(
        a=a.id,
        b=b.id,
        relation=relation(scores, thresholds),
        overlap=overlap_kind(scores, thresholds),
        scores=scores,
        alignments=groups,
        divergences=diverge(a, b, groups),
        unique_a=unaligned(len(a.sentences), groups, "a"),
        unique_b=unaligned(len(b.sentences), groups, "b"),
    )


def compare(a: Document, b: Document, thresholds: Thresholds = Thresholds()) -> Reconciliation:
    """Reconcile two reports, whatever their relation."""
    a, b = prepare([a, b])
    pair = reconcile_pair(a, b, features(a), features(b), thresholds)
    return Reconciliation(documents=(a, b), pairs=(pair,), clusters=tuple(clusters([a, b], [pair])))


def scan(
    documents: Sequence[Document],
    thresholds: Thresholds = Thresholds(),
    skipped: Sequence[Skipped] = (),
    progress: Callable[[Iterable[tuple[int, int]]], Iterable[tuple[int, int]]] | None = None,
) -> Reconciliation:
    """Every pair of a corpus whose relation is not ``unrelated``, and their clusters."""
    docs = prepare(documents)
    feats = [features(d) for d in docs]
    found = candidates(feats, thresholds)
    pairs = []
    for i, j in progress(found) if progress else found:
        pair = reconcile_pair(docs[i], docs[j], feats[i], feats[j], thresholds)
        if pair.relation != "unrelated":
            pairs.append(pair)
    found_clusters = clusters(docs, pairs)
    pairs = [with_cluster_evidence(pair, docs, found_clusters) for pair in pairs]
    return Reconciliation(
        documents=tuple(docs), pairs=tuple(pairs), clusters=tuple(found_clusters), skipped=tuple(skipped)
    )


def with_cluster_evidence(pair: Pair, documents: Sequence[Document], found_clusters: Sequence[Cluster]) -> Pair:
    """Re-judge a pair's divergences with the other members of its cluster as witnesses.

    With three or more reports of one story, the majority spelling of a name or
    figure is evidence for which side of a two-way difference is right.
    """
    members = next((c.documents for c in found_clusters if pair.a in c.documents and pair.b in c.documents), ())
    if len(members) < 3:
        return pair
    by_id = {d.id: d for d in documents}
    others = [by_id[i] for i in members if i not in (pair.a, pair.b)]
    return replace(pair, divergences=diverge(by_id[pair.a], by_id[pair.b], pair.alignments, others))


def clusters(documents: Sequence[Document], pairs: Iterable[Pair]) -> list[Cluster]:
    """Union-find over same-story-or-closer pairs; singletons are not clusters.

    The canonical document is the earliest published, then the longest, then the
    smallest id; the cluster id hashes its sorted member ids, so it is stable.
    """
    parent = {d.id: d.id for d in documents}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    closest: dict[frozenset[str], str] = {}
    for pair in pairs:
        if pair.relation in CLUSTER_RELATIONS:
            ra, rb = root(pair.a), root(pair.b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    members: dict[str, list[str]] = {}
    for d in documents:
        members.setdefault(root(d.id), []).append(d.id)
    by_id = {d.id: d for d in documents}
    relation_rank = {r: n for n, r in enumerate(CLUSTER_RELATIONS)}
    for pair in pairs:
        if pair.relation in CLUSTER_RELATIONS:
            key = frozenset(members[root(pair.a)])
            current = closest.get(key)
            if current is None or relation_rank[pair.relation] > relation_rank[current]:
                closest[key] = pair.relation
    out = []
    for ids in members.values():
        if len(ids) < 2:
            continue
        ids = sorted(ids)
        canonical = min(ids, key=lambda i: _canonical_key(by_id[i]))
        digest = hashlib.sha1("\n".join(ids).encode("utf-8")).hexdigest()[:12]
        out.append(Cluster(f"c-{digest}", tuple(ids), canonical, closest[frozenset(ids)]))
    return sorted(out, key=lambda c: c.documents)


def _canonical_key(doc: Document) -> tuple[str, int, str]:
    # Unknown dates sort last; then the longest body (chrome does not count).
    return (doc.published or "9999-99-99", -sum(s.end - s.start for s in doc.sentences), doc.id)


def load_documents(paths: Sequence[str], stdin: bytes | None = None) -> tuple[list[Document], list[Skipped]]:
    """Read inputs into documents, listing what could not be read."""
    return split_loaded(load(paths, stdin))
