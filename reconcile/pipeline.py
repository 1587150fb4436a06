"""The library API: documents in, a ``Reconciliation`` out.

``prepare`` finds site chrome and sentences across the corpus; ``compare``
reconciles one pair whatever its relation; ``scan`` finds every related pair
of a corpus and clusters them.  The CLI is a thin layer over these.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any

from reconcile.align import align, unaligned
from reconcile.cluster import CLUSTER_RELATIONS, Member
from reconcile.cluster import clusters as cluster_documents
from reconcile.diverge import diverge
from reconcile.ingest import InputOptions, load, split_loaded
from reconcile.model import Cluster, Document, Pair, Reconciliation, Sentence, Skipped, Span
from reconcile.normalize import find_chrome, recurring_lines, source_recurring_lines
from reconcile.pair import (
    Features,
    Thresholds,
    candidates,
    features,
    features_unsegmented,
    joins_cluster,
    needs_alignment,
    overlap_kind,
    relation,
    score,
)
from reconcile.segment import segment

DEFAULT_THRESHOLDS = Thresholds()

__all__ = ["CLUSTER_RELATIONS", "clusters", "compare", "load_documents", "prepare", "scan"]


Progress = Callable[[Iterable[Any], str, int], Iterable[Any]]
"""Wraps an iterable with a progress display: ``progress(items, label, length)``."""

PARALLEL_LIMIT = 2000
"""From this many documents on, preparation and features run in worker processes."""
ALIGN_ALL_LIMIT = 1000
"""Up to this many documents every non-``unrelated`` pair is aligned; above it, only the
pairs whose relation depends on aligned sentences (see ``pair.needs_alignment``)."""


UNSEGMENTED_NOTE = "sentences not split: a large scan splits only the documents of pairs it aligns"


def _no_progress(items: Iterable[Any], label: str, length: int) -> Iterable[Any]:
    return items


def prepare(documents: Sequence[Document]) -> list[Document]:
    """Mark site chrome (by rule and by recurrence across the corpus) and split sentences."""
    recurring = recurring_lines(doc.text for doc in documents)
    by_source = source_recurring_lines((doc.source, doc.text) for doc in documents)
    return [_prepare_one(doc, recurring, by_source) for doc in documents]


SourceLines = dict[str, frozenset[str]]


def _chrome(doc: Document, recurring: frozenset[str], by_source: SourceLines) -> tuple[Span, ...]:
    return find_chrome(doc.text, recurring, by_source.get(doc.source or "", frozenset()))


def _prepare_one(doc: Document, recurring: frozenset[str], by_source: SourceLines) -> Document:
    chrome = _chrome(doc, recurring, by_source)
    return replace(doc, chrome=chrome, sentences=segment(doc.text, chrome))


_worker_recurring: frozenset[str] = frozenset()
_worker_by_source: SourceLines = {}
_worker_segment = True


def _init_worker(recurring: frozenset[str], by_source: SourceLines, split_sentences: bool = True) -> None:
    global _worker_recurring, _worker_by_source, _worker_segment
    _worker_recurring = recurring
    _worker_by_source = by_source
    _worker_segment = split_sentences


def _prepare_and_feature(doc: Document) -> tuple[Document, Features]:
    if not _worker_segment:
        marked = replace(doc, chrome=_chrome(doc, _worker_recurring, _worker_by_source))
        return marked, features_unsegmented(marked)
    prepared = _prepare_one(doc, _worker_recurring, _worker_by_source)
    return prepared, features(prepared)


def _prepared_parts(doc: Document) -> tuple[tuple[Span, ...], tuple[Sentence, ...], Features]:
    """Worker: what preparation adds to a document, without sending its text back."""
    prepared, feat = _prepare_and_feature(doc)
    return prepared.chrome, prepared.sentences, feat


def prepare_with_features(
    documents: Sequence[Document],
    workers: int | None = None,
    progress: Progress = _no_progress,
    split_sentences: bool = True,
) -> tuple[list[Document], list[Features]]:
    """``prepare`` and ``features`` for every document, over ``workers`` processes for a large corpus.

    With ``split_sentences`` off, chrome is marked but sentences are left for
    ``ensure_segmented`` to split when a pair needs them (the costliest step).
    """
    recurring = recurring_lines(doc.text for doc in documents)
    by_source = source_recurring_lines((doc.source, doc.text) for doc in documents)
    workers = workers if workers is not None else (os.cpu_count() or 1)
    docs: list[Document] = []
    feats: list[Features] = []
    if workers > 1 and len(documents) >= PARALLEL_LIMIT:
        context = multiprocessing.get_context("fork")
        with context.Pool(workers, _init_worker, (recurring, by_source, split_sentences)) as pool:
            results = pool.imap(_prepared_parts, documents, chunksize=64)
            for original, (chrome, sentences, feat) in zip(
                documents, progress(results, "reading", len(documents)), strict=True
            ):
                # Rebuilt from the parent's document, so its text is shared, not a second copy.
                docs.append(replace(original, chrome=chrome, sentences=sentences))
                feats.append(feat)
        return docs, feats
    _init_worker(recurring, by_source, split_sentences)
    for doc in progress(documents, "reading", len(documents)):
        prepared, feat = _prepare_and_feature(doc)
        docs.append(prepared)
        feats.append(feat)
    return docs, feats


def reconcile_pair(
    a: Document,
    b: Document,
    fa: Features,
    fb: Features,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    align_all: bool = True,
) -> Pair:
    """Scores, relation, sentence alignment and divergences of one pair.

    With ``align_all`` off, only a pair whose relation depends on aligned sentences
    is aligned; the others keep their scores and relation but no alignments.
    """
    unaligned_scores = score(fa, fb, aligned=False)
    if not align_all and not needs_alignment(unaligned_scores, thresholds):
        return Pair(
            a=a.id,
            b=b.id,
            relation=relation(unaligned_scores, thresholds),
            overlap=overlap_kind(unaligned_scores, thresholds),
            scores=unaligned_scores,
        )
    groups = align(a.sentences, b.sentences)
    shorter = min(len(a.sentences), len(b.sentences))
    covered_a = len({i for g in groups for i in g.a})
    covered_b = len({j for g in groups for j in g.b})
    sentence_match = min(covered_a, covered_b) / shorter if shorter else 0.0
    scores = replace(unaligned_scores, sentence_match=round(sentence_match, 4), aligned=True)
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


def compare(a: Document, b: Document, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Reconciliation:
    """Reconcile two reports, whatever their relation."""
    a, b = prepare([a, b])
    pair = reconcile_pair(a, b, features(a), features(b), thresholds)
    edges = [pair] if joins_cluster(pair, thresholds) else []
    return Reconciliation(documents=(a, b), pairs=(pair,), clusters=tuple(clusters([a, b], edges)))


def scan(
    documents: Sequence[Document],
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    skipped: Sequence[Skipped] = (),
    progress: Progress = _no_progress,
    workers: int | None = None,
    align_all: bool | None = None,
    canonical: str = "earliest",
) -> Reconciliation:
    """Every pair of a corpus whose relation is not ``unrelated``, and their clusters.

    ``align_all`` defaults to on up to ``ALIGN_ALL_LIMIT`` documents; ``canonical``
    picks each cluster's canonical document (``earliest`` or ``longest`` first).
    """
    if align_all is None:
        align_all = len(documents) <= ALIGN_ALL_LIMIT
    # A large scan splits sentences only for the documents of pairs it aligns.
    docs, feats = prepare_with_features(documents, workers, progress, split_sentences=align_all)
    found = candidates(feats, thresholds)
    segmented = [align_all] * len(docs)
    pairs = []
    for i, j in progress(found, "pairing", len(found)):
        if not align_all and needs_alignment(score(feats[i], feats[j], aligned=False), thresholds):
            for k in (i, j):
                if not segmented[k]:
                    docs[k] = replace(docs[k], sentences=segment(docs[k].text, docs[k].chrome))
                    segmented[k] = True
        pair = reconcile_pair(docs[i], docs[j], feats[i], feats[j], thresholds, align_all)
        if pair.relation != "unrelated":
            pairs.append(pair)
    for k, done in enumerate(segmented):
        if not done:
            docs[k] = replace(docs[k], notes=(*docs[k].notes, UNSEGMENTED_NOTE))
    members = [Member(d.id, d.published, f.length) for d, f in zip(docs, feats, strict=True)]
    edges = [p for p in pairs if joins_cluster(p, thresholds)]
    found_clusters = cluster_documents(members, edges, canonical)
    by_id = {d.id: d for d in docs}
    cluster_members = {doc_id: c.documents for c in found_clusters for doc_id in c.documents}
    pairs = [with_cluster_evidence(pair, docs, found_clusters, by_id, cluster_members) for pair in pairs]
    return Reconciliation(
        documents=tuple(docs),
        pairs=tuple(pairs),
        clusters=tuple(found_clusters),
        skipped=tuple(skipped),
    )


def clusters(documents: Sequence[Document], pairs: Iterable[Pair], canonical: str = "earliest") -> list[Cluster]:
    """Union-find over same-story-or-closer pairs (see ``reconcile.cluster``); singletons are not clusters."""
    members = [Member(d.id, d.published, sum(s.end - s.start for s in d.sentences)) for d in documents]
    return cluster_documents(members, pairs, canonical)


def with_cluster_evidence(
    pair: Pair,
    documents: Sequence[Document],
    found_clusters: Sequence[Cluster],
    by_id: dict[str, Document] | None = None,
    cluster_members: dict[str, tuple[str, ...]] | None = None,
) -> Pair:
    """Re-judge a pair's divergences with the other members of its cluster as witnesses.

    With three or more reports of one story, the majority spelling of a name or
    figure is evidence for which side of a two-way difference is right.  ``by_id`` and
    ``cluster_members`` (document id → its cluster's members), when given, save
    rebuilding them per pair: a large scan has tens of thousands of pairs and clusters.
    """
    if cluster_members is None:
        cluster_members = {doc_id: c.documents for c in found_clusters for doc_id in c.documents}
    members = cluster_members.get(pair.a, ())
    if len(members) < 3 or pair.b not in members or not pair.alignments:
        return pair
    if by_id is None:
        by_id = {d.id: d for d in documents}
    others = [by_id[i] for i in members if i not in (pair.a, pair.b)]
    return replace(pair, divergences=diverge(by_id[pair.a], by_id[pair.b], pair.alignments, others))


def load_documents(
    paths: Sequence[str], stdin: bytes | None = None, options: InputOptions | None = None
) -> tuple[list[Document], list[Skipped]]:
    """Read inputs into documents, listing what could not be read."""
    return split_loaded(load(paths, stdin, options=options))
