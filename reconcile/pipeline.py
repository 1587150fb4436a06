"""The library API: documents in, a ``Reconciliation`` out.

``prepare`` finds site chrome and sentences across the corpus; ``compare``
reconciles one pair whatever its relation; ``scan`` finds every related pair
of a corpus and clusters them.  The CLI is a thin layer over these.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Sized
from dataclasses import dataclass, replace
from typing import IO, Any

from reconcile.comparison.align import align, mirror_alignment, partial_links, unaligned
from reconcile.comparison.diverge import diverge, mirror_divergence, sort_divergences
from reconcile.io.fields import DEFAULT_OPTIONS, InputOptions, Loaded
from reconcile.io.read import iter_load, load, split_loaded, unique_ids
from reconcile.io.store import Subset, TextStore
from reconcile.model import Cluster, Document, Pair, Reconciliation, Sentence, Skipped, Span
from reconcile.pairing.clusters import CLUSTER_RELATIONS, Member, UnionFind
from reconcile.pairing.clusters import clusters as cluster_documents
from reconcile.pairing.features import (
    DEFAULT_THRESHOLDS,
    EXACT_LIMIT,
    Features,
    Thresholds,
    all_pairs,
    body_text,
    features,
    features_of,
    features_unsegmented,
    joins_cluster,
    needs_alignment,
    overlap_kind,
    relation,
    score,
    unsegmented_body,
)
from reconcile.text.normalize import find_chrome, recurring_lines, recurring_of, short_lines, source_recurring_lines
from reconcile.text.segment import segment

__all__ = ["CLUSTER_RELATIONS", "clusters", "compare", "load_documents", "prepare", "scan", "stream_documents"]


Progress = Callable[[Iterable[Any], str, int], Iterable[Any]]
"""Wraps an iterable with a progress display: ``progress(items, label, length)``."""
UNKNOWN_LENGTH = -1
"""The ``length`` a progress display gets for a stream whose size is not known beforehand."""

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
        import multiprocessing  # only a large corpus forks: 8 ms of every compare otherwise

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


# --- scanning a corpus held compactly (reconcile.io.store) --------------------------

CHUNK = 1000
"""Documents per worker task of a large scan's pairing (``pairing.scale.HeldSource``)."""
FEATURE_BATCH = 1000
"""Paired documents whose features are computed at once (one ``batch_sets`` call)."""


def _read_corpus(
    documents: Iterable[Document], progress: Progress
) -> tuple[list[Document], TextStore, int, list[frozenset[str]]]:
    """Each document without its text, the texts compressed, their characters in all, and each
    text's short lines (``normalize.short_lines``, what chrome by recurrence counts), reading
    ``documents`` once."""
    bare: list[Document] = []
    texts = TextStore()
    characters = 0
    shorts: list[frozenset[str]] = []
    none: frozenset[str] = frozenset()
    length = len(documents) if isinstance(documents, Sized) else UNKNOWN_LENGTH
    for doc in progress(documents, "reading", length):
        texts.append(doc.text)
        characters += len(doc.text)
        shorts.append(short_lines(doc.text) or none)
        bare.append(replace(doc, text=""))
    return bare, texts, characters, shorts


def _source_recurring(
    documents: Sequence[Document], texts: Sequence[str], shorts: Sequence[frozenset[str]]
) -> SourceLines:
    """``normalize.source_recurring_lines`` over texts read lazily from ``texts``: per source,
    the short lines recurring across two of its different documents (``recurring_lines`` with a
    bar of two documents is the same rule), from each text's ``shorts``."""
    by_source: dict[str, list[int]] = {}
    for k, doc in enumerate(documents):
        if doc.source:
            by_source.setdefault(doc.source, []).append(k)
    found = {
        source: recurring_of([shorts[k] for k in ks], Subset(texts, ks), min_documents=2)
        for source, ks in by_source.items()
    }
    return {source: lines for source, lines in found.items() if lines}


_worker_documents: Sequence[Document] = ()
_worker_texts: Sequence[str] = ()

Marks = tuple[tuple[Span, ...], tuple[Sentence, ...]]


def _marked(k: int) -> tuple[Document, str]:
    """Document ``k`` with its text, chrome (and sentences, when a scan splits them all), and its
    body: what pairing reads."""
    doc = replace(_worker_documents[k], text=_worker_texts[k])
    chrome = _chrome(doc, _worker_recurring, _worker_by_source)
    if _worker_segment:
        marked = replace(doc, chrome=chrome, sentences=segment(doc.text, chrome))
        return marked, body_text(marked) if marked.sentences else unsegmented_body(marked)
    marked = replace(doc, chrome=chrome)
    return marked, unsegmented_body(marked)


def _bodies(start: int, end: int) -> tuple[list[str], list[Marks]]:
    """Worker (``pairing.scale.HeldSource``): the bodies of documents ``start:end``, and their chrome
    and sentences for the parent.  Documents and texts come from the parent's memory by fork."""
    bodies, marks = [], []
    for k in range(start, end):
        marked, body = _marked(k)
        bodies.append(body)
        marks.append((marked.chrome, marked.sentences))
    return bodies, marks


def _paired_features(
    docs: Sequence[Document] | Mapping[int, Document],
    texts: Sequence[str] | Mapping[int, str],
    needed: Sequence[int],
    segmented: bool,
) -> dict[int, Features]:
    """``features_of`` the documents ``needed`` (those in pairs), a batch at a time."""
    found: dict[int, Features] = {}
    for start in range(0, len(needed), FEATURE_BATCH):
        batch = needed[start : start + FEATURE_BATCH]
        with_texts = [replace(docs[k], text=texts[k]) for k in batch]
        found.update(zip(batch, features_of(with_texts, segmented), strict=True))
    return found


SCORE_CHUNK = 500
"""Pairs a worker scores at a time at most (``_score_chunk``), computing the features of their documents."""
SCORE_CHUNK_MIN = 100
"""... and at least, where there are more pairs than that."""

_worker_pairs: Sequence[tuple[int, int]] = ()
_worker_thresholds: Thresholds = DEFAULT_THRESHOLDS


@dataclass(frozen=True)
class _Scored:
    """A chunk of pairs reconciled in a worker, the sentences of the documents it aligned, and
    every paired document's length."""

    pairs: list[Pair]
    sentences: dict[int, tuple[Sentence, ...]]
    lengths: dict[int, int]


def _score_chunk(positions: Sequence[int]) -> _Scored:
    """Worker: ``score_pairs`` of the pairs at ``positions`` (see ``score_chunks``).  Documents and
    texts come from the parent's memory by fork; only pairs, sentences and lengths go back."""
    return score_pairs(_worker_documents, _worker_texts, [_worker_pairs[k] for k in positions], _worker_thresholds)


def score_chunks(found: Sequence[tuple[int, int]], size: int) -> list[list[int]]:
    """The positions in ``found`` in chunks of about ``size`` pairs, each pair in the chunk of the
    other pairs its documents are in (their connected component), so that a paired document's
    features are computed in one chunk, not in every chunk that holds one of its pairs: in
    ``found``'s order, chunks of 330 pairs of the 20,000-document bench corpus computed 9,739
    documents' features for 8,603 distinct ones (13% twice).  A component of more than ``size``
    pairs is cut into pieces of ``size``; components are packed in the order of their first pair,
    and each chunk lists its positions in ``found``'s order."""
    sets = UnionFind(k for pair in found for k in pair)
    for i, j in found:
        sets.union(i, j)
    components: dict[int, list[int]] = {}
    for position, (i, _) in enumerate(found):
        components.setdefault(sets.root(i), []).append(position)
    chunks: list[list[int]] = []
    current: list[int] = []
    for positions in components.values():
        for start in range(0, len(positions), size):
            piece = positions[start : start + size]
            if len(current) + len(piece) > size:
                chunks.append(sorted(current))
                current = []
            current += piece
    if current:
        chunks.append(sorted(current))
    return chunks


def score_pairs(
    documents: Sequence[Document] | Mapping[int, Document],
    texts: Sequence[str] | Mapping[int, str],
    chunk: Sequence[tuple[int, int]],
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    align_all: bool = False,
) -> _Scored:
    """Pairs of documents (indices into ``documents``, chrome marked, and ``texts``) reconciled:
    features of their documents (one ``features_of`` call), scores and relations, and for a pair
    whose relation hangs on aligned sentences (every pair, with ``align_all``), its sentences
    split, aligned and compared (``reconcile_pair``).  A large scan's workers run it on chunks
    of pairs, and so does a distributed engine on partitions of them."""
    needed = sorted({k for pair in chunk for k in pair})
    split: dict[int, Document] = {}

    def segmented(k: int) -> Document:
        if k not in split:
            doc = documents[k]
            text = texts[k]
            split[k] = replace(doc, text=text, sentences=segment(text, doc.chrome))
        return split[k]

    pairs: list[Pair] = []
    if align_all:
        for k in needed:
            segmented(k)
        feats = dict(zip(needed, features_of([split[k] for k in needed], segmented=True), strict=True))
        for i, j in chunk:
            pairs.append(reconcile_pair(split[i], split[j], feats[i], feats[j], thresholds, align_all=True))
        return _Scored(pairs, {k: d.sentences for k, d in split.items()}, {k: f.length for k, f in feats.items()})
    feats = _paired_features(documents, texts, needed, segmented=False)
    for i, j in chunk:
        fi, fj = feats[i], feats[j]
        scores = score(fi, fj, aligned=False)
        if needs_alignment(scores, thresholds):
            pairs.append(reconcile_pair(segmented(i), segmented(j), fi, fj, thresholds, align_all=False))
        else:
            a, b = documents[i], documents[j]
            pairs.append(Pair(a.id, b.id, relation(scores, thresholds), overlap_kind(scores, thresholds), scores))
    return _Scored(pairs, {k: d.sentences for k, d in split.items()}, {k: f.length for k, f in feats.items()})


LOAD_TABLES_FROM_PAIRS = 1000
"""From this many pairs on, a scan reads the word tables its scoring workers look words up in
whole before forking them (``_load_comparison_tables``)."""


def _load_comparison_tables() -> None:
    """wordfreq's English table, symspell's words and bigrams and codespell's misspellings read
    into memory in this process, to be inherited by the workers forked next: each worker of a
    20,000-report scan looked up more than ``wordtables.BULK_AFTER`` words in each and read them
    itself (1-1.5 CPU seconds a worker; 0.6 s here, once)."""
    from reconcile.text import lexicon
    from reconcile.text.wordtables import load_whole

    load_whole(lexicon.frequencies("en"), lexicon.bigram_counts(), lexicon.misspellings(), lexicon.word_counts()[0])


def _score_unaligned(
    docs: list[Document], texts: TextStore, found: list[tuple[int, int]], thresholds: Thresholds, workers: int
) -> tuple[list[Pair], dict[int, tuple[Sentence, ...]], dict[int, int]]:
    """Pairs of a large scan reconciled over ``workers`` processes: the work only paired
    documents need (their dates, names and sets; for the few whose relation hangs on aligned
    sentences, splitting, alignment and divergences) runs for them alone, on every core.
    Returns the pairs in ``found``'s order, the sentences of the documents aligned, and every
    paired document's length."""
    global _worker_documents, _worker_texts, _worker_pairs, _worker_thresholds
    # Sixteen chunks a worker at least (a few hundred pairs each), so that no worker is left with the
    # last big chunk alone: 5,268 pairs in chunks of 2,000 kept one of two workers idle a third of
    # the time.  A document's pairs share a chunk (``score_chunks``), so small chunks compute no
    # features twice; a chunk of 500 pairs is about a CPU second.
    size = max(SCORE_CHUNK_MIN, min(SCORE_CHUNK, -(-len(found) // (16 * max(workers, 1)))))
    planned = score_chunks(found, size)
    _worker_documents, _worker_texts, _worker_pairs, _worker_thresholds = docs, texts, found, thresholds
    try:
        if workers > 1 and len(planned) > 1:
            import multiprocessing

            if len(found) >= LOAD_TABLES_FROM_PAIRS:
                _load_comparison_tables()

            with multiprocessing.get_context("fork").Pool(workers) as pool:
                chunks = pool.map(_score_chunk, planned, chunksize=1)
        else:
            chunks = [_score_chunk(positions) for positions in planned]
    finally:
        _worker_documents, _worker_texts, _worker_pairs = (), (), ()
    sentences: dict[int, tuple[Sentence, ...]] = {}
    lengths: dict[int, int] = {}
    scored: list[Pair | None] = [None] * len(found)
    for positions, chunk in zip(planned, chunks, strict=True):
        sentences.update(chunk.sentences)
        lengths.update(chunk.lengths)
        for position, pair in zip(positions, chunk.pairs, strict=True):
            scored[position] = pair
    return [pair for pair in scored if pair is not None], sentences, lengths


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
    The pair is always worked out in one order (by text, then id) and mirrored
    when asked the other way: alignment and diff break ties by position, so
    ``compare B A`` must be the mirror of ``compare A B`` by construction.
    """
    if (b.text, b.id) < (a.text, a.id):
        return mirror_pair(reconcile_pair(b, a, fb, fa, thresholds, align_all))
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
    pair_relation = relation(scores, thresholds)
    # Reports of one story share claims in sentences that differ; reports of two events share only names.
    partial = partial_links(a.sentences, b.sentences, groups) if pair_relation in ONE_STORY else ()
    linked_a = {i for g in partial for i in g.a}
    linked_b = {j for g in partial for j in g.b}
    return Pair(
        a=a.id,
        b=b.id,
        relation=pair_relation,
        overlap=overlap_kind(scores, thresholds),
        scores=scores,
        alignments=groups,
        divergences=diverge(a, b, groups),
        unique_a=tuple(i for i in unaligned(len(a.sentences), groups, "a") if i not in linked_a),
        unique_b=tuple(j for j in unaligned(len(b.sentences), groups, "b") if j not in linked_b),
        partial=partial,
    )


ONE_STORY = frozenset({"duplicate", "near-duplicate", "same-story"})


def mirror_pair(pair: Pair) -> Pair:
    """The same pair seen from the other side: A and B swapped in every field."""
    return replace(
        pair,
        a=pair.b,
        b=pair.a,
        alignments=tuple(sorted((mirror_alignment(g) for g in pair.alignments), key=lambda g: (g.a, g.b))),
        divergences=tuple(sort_divergences([mirror_divergence(d) for d in pair.divergences])),
        unique_a=pair.unique_b,
        unique_b=pair.unique_a,
        partial=tuple(sorted((mirror_alignment(g) for g in pair.partial), key=lambda g: (g.a, g.b))),
    )


def compare(a: Document, b: Document, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Reconciliation:
    """Reconcile two reports, whatever their relation."""
    a, b = prepare([a, b])
    fa, fb = features_of([a, b])
    pair = reconcile_pair(a, b, fa, fb, thresholds)
    edges = [pair] if joins_cluster(pair, thresholds) else []
    members = [Member(d.id, d.published, f.length, k) for k, (d, f) in enumerate(((a, fa), (b, fb)))]
    return Reconciliation(documents=(a, b), pairs=(pair,), clusters=tuple(cluster_documents(members, edges)))


def scan(
    documents: Iterable[Document],
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    skipped: Sequence[Skipped] = (),
    progress: Progress = _no_progress,
    workers: int | None = None,
    align_all: bool | None = None,
    canonical: str = "earliest",
    keep_texts: bool = True,
) -> Reconciliation:
    """Every pair of a corpus whose relation is not ``unrelated``, and their clusters.

    ``align_all`` defaults to on up to ``ALIGN_ALL_LIMIT`` documents; ``canonical``
    picks each cluster's canonical document (``earliest`` or ``longest`` first).
    ``documents`` is read once and may be a generator: while the scan runs, texts are
    held compressed (``reconcile.io.store``), so a caller that streams documents in (the CLI)
    never holds a 100,000-report corpus as ``str``.  Above ``EXACT_LIMIT`` documents the pairs
    come from ``pairing.scale.pair_corpus`` (signatures, LSH, screen, exact verification over
    ``workers`` processes); only the documents of verified pairs get features (dates, names),
    and, above ``ALIGN_ALL_LIMIT``, they are scored, and the few pairs whose relation hangs on
    aligned sentences aligned, in the workers too.
    With ``keep_texts`` off, a large scan gives back the text only of the documents it
    aligned and of the members of clusters of three or more (the witnesses ``diverge``
    reads); the others come back with ``text=""``: the reports never show their text, and
    holding it was a third of a 100,000-report scan's memory.
    """
    global _worker_documents, _worker_texts
    bare, texts, characters, shorts = _read_corpus(documents, progress)
    n = len(bare)
    if align_all is None:
        align_all = n <= ALIGN_ALL_LIMIT
    workers = workers if workers is not None else (os.cpu_count() or 1)
    # Counted from the short lines found while reading: the texts are not decompressed again.
    recurring = recurring_of(shorts, texts)
    by_source = _source_recurring(bare, texts, shorts)
    del shorts
    _init_worker(recurring, by_source, align_all)
    _worker_documents, _worker_texts = bare, texts
    try:
        if n <= EXACT_LIMIT:
            # A small corpus: every pair is scored (``related`` pairs sit below what LSH recalls).
            docs = [_marked(k)[0] for k in progress(range(n), "features", n)]
            found = all_pairs(n)
        else:
            # A large scan splits sentences only for the documents of pairs it aligns.
            from reconcile.pairing.scale import HeldSource, pair_corpus  # a large scan only

            source = HeldSource(n, _bodies, characters + n, CHUNK)
            verified = pair_corpus(source, workers if n >= PARALLEL_LIMIT else 1, thresholds)
            marks = [mark for chunk in verified.extras for mark in chunk]
            docs = [
                replace(doc, chrome=chrome, sentences=sentences) if chrome or sentences else doc
                for doc, (chrome, sentences) in zip(bare, marks, strict=True)
            ]
            del marks
            kept = verified.pairs[verified.related(thresholds)]
            found = [(int(i), int(j)) for i, j in kept.tolist()]
            del verified, kept
    finally:
        _worker_documents, _worker_texts = (), ()
    del bare
    # Texts come back into a document when it is aligned (or, for a small scan, at once).
    holds_text = [False] * len(docs)

    pairs = []
    if align_all:
        feats = _paired_features(docs, texts, sorted({k for pair in found for k in pair}), segmented=True)
        lengths = {k: f.length for k, f in feats.items()}
        for k in range(len(docs)):
            docs[k] = replace(docs[k], text=texts.take(k))
            holds_text[k] = True
        for i, j in progress(found, "pairing", len(found)):
            pair = reconcile_pair(docs[i], docs[j], feats[i], feats[j], thresholds, align_all)
            if pair.relation != "unrelated":
                pairs.append(pair)
        del feats
    else:
        scored, sentences, lengths = _score_unaligned(docs, texts, found, thresholds, workers)
        for (i, j), pair in zip(progress(found, "pairing", len(found)), scored, strict=True):
            if pair.scores.aligned:
                # Aligned in a worker: the text comes back, with the sentences it was split into.
                for k in (i, j):
                    if not holds_text[k]:
                        docs[k] = replace(docs[k], text=texts.take(k), sentences=sentences[k])
                        holds_text[k] = True
            if pair.relation != "unrelated":
                pairs.append(pair)
    members = [Member(d.id, d.published, lengths.get(k, 0), k) for k, d in enumerate(docs)]
    edges = [p for p in pairs if joins_cluster(p, thresholds)]
    found_clusters = cluster_documents(members, edges, canonical)
    witnesses = {doc_id for c in found_clusters if len(c.documents) >= 3 for doc_id in c.documents}
    for k, segmented in enumerate(holds_text):
        if not segmented:
            if keep_texts or docs[k].id in witnesses:
                text = texts.take(k)
            else:
                # Dropped unread (its memory map can go): unpacking 100,000 texts to throw most away
                # was a serial second and a half at the end of a scan.
                texts.drop(k)
                text = ""
            docs[k] = replace(docs[k], text=text, notes=(*docs[k].notes, UNSEGMENTED_NOTE))
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
    """Union-find over same-story-or-closer pairs (see ``reconcile.pairing.clusters``); singletons are not clusters.

    A report's length, for the canonical choice, is its distinct shingles (``pair.Features.length``)."""
    lengths = [f.length for f in features_of(documents)]
    members = [
        Member(d.id, d.published, length, k) for k, (d, length) in enumerate(zip(documents, lengths, strict=True))
    ]
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
    paths: Sequence[str], stdin: bytes | IO[bytes] | None = None, options: InputOptions | None = None
) -> tuple[list[Document], list[Skipped]]:
    """Read inputs into documents, listing what could not be read."""
    return split_loaded(load(paths, stdin, options=options))


def stream_documents(
    paths: Sequence[str], stdin: bytes | IO[bytes] | None = None, options: InputOptions | None = None
) -> Iterator[Loaded]:
    """``load_documents`` one item at a time, documents and skipped inputs in order, ids made
    unique: ``scan`` can read a corpus that is never held whole as text."""
    return unique_ids(iter_load(paths, stdin, options or DEFAULT_OPTIONS))
