"""Say how two reports overlap: features, scores and relations of a pair.

Two channels, because news overlaps in two ways:

* **copied text**: word 5-gram shingles.  Syndicated copies and light edits share
  most shingles; a short report lifted into a longer one shows as containment.
* **same story in other words**: content words (frequent words removed, plurals
  and possessives folded), names and numbers.  Two translations of one statement
  share about 43% of word types but only 5% of 5-grams: invisible to the first
  channel, plain in the second.

Every set comes from the one tokeniser, ``pairing.tokens.batch_sets``, so a pair scores
the same here, in ``scan``'s verification (``pairing.scale``) and in ``dedup``.  Up to
``EXACT_LIMIT`` documents every pair is scored; above it ``pairing.scale`` proposes,
screens and verifies candidates, and only the pairs it keeps get ``features``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from reconcile.model import Document, Pair, PairScores
from reconcile.pairing import minhash
from reconcile.pairing.exact import jaccard, overlap, shared_count, shared_counts
from reconcile.pairing.relations import DEFAULT_THRESHOLDS, Thresholds, copy_relation
from reconcile.pairing.tokens import (
    RARE_ZIPF,
    SHINGLE_SIZE,
    batch_sets,
    content_form,
    is_rare,
    shingle_keys,
    warm_up,
    without_chrome,
)
from reconcile.text.dates import (
    MONTHS,
    WEEKDAY_STARTS,
    WEEKDAYS,
    find_dates,
    lowered,
    matches_at,
    name_key,
    parse_published,
)
from reconcile.text.lexicon import stem, stopwords
from reconcile.text.normalize import _ASCII_TOKEN_RE, TOKEN_RE, fold

__all__ = [
    "DEFAULT_THRESHOLDS",
    "RARE_ZIPF",
    "SHINGLE_SIZE",
    "Features",
    "Thresholds",
    "content_form",
    "copy_relation",
    "features",
    "is_rare",
    "jaccard",
    "overlap",
    "relation",
    "score",
    "shared_count",
    "shared_counts",
    "warm_up",
]


@dataclass(frozen=True)
class Features:
    """What pairing compares, computed once per document (``features_of``); sets are sorted
    distinct hashes from ``pairing.tokens.batch_sets``: shingles and content words as the 32-bit
    keys that ``pairing.scale`` and ``dedup`` verify with, words, rare words and names in 64 bits."""

    id: str
    shingles: np.ndarray
    words: np.ndarray
    content: np.ndarray
    rare: np.ndarray
    """Rare content words: what the content channel's LSH signs."""
    names: np.ndarray
    dates: frozenset[dt.date]
    published: dt.date | None
    """The publication date, or else one estimated from the text (see ``estimated_date``)."""
    date_estimated: bool
    sentence_count: int
    length: int
    """Distinct shingles: how long a report is when choosing canonicals (``relations.canonical_key``)."""


def body_text(doc: Document) -> str:
    """The report without its site chrome: its sentences, in order."""
    return "\n".join(s.text for s in doc.sentences)


_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
_FOUR_DIGITS = re.compile(r"\d{4}")
_WEEKDAY_DATE = re.compile(
    r"\b(?P<weekday>" + "|".join(sorted(WEEKDAYS, key=len, reverse=True)) + r")\.?,?\s+"
    r"(?:the\s+)?(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?\s+(?P<day>\d{1,2})\b",
    re.IGNORECASE,
)
_WEEKDAY_DATE_LOWER = re.compile(_WEEKDAY_DATE.pattern)
"""``_WEEKDAY_DATE`` for a ``dates.lowered`` text: the same matches, a third of the time."""


def estimated_date(text: str, today: dt.date | None = None) -> dt.date | None:
    """A publication date for an undated report, from what the text itself says.

    A report is no older than the latest year it names, so a weekday-anchored date
    ("Friday, August 5") takes the first year from that floor on where the weekday
    fits; failing that, the latest full date in the text.
    """
    if not _FOUR_DIGITS.search(text):
        # Every year, ISO date and full date has four digits in a row: a text without them names
        # none, and one scan for them costs a fraction of the date patterns (22% of a large
        # scan's CPU went to those once, most of it on texts that name no date).
        return None
    latest_year = (today or dt.date.today()).year
    low = lowered(text)
    weekday_dates = (
        _WEEKDAY_DATE.finditer(text) if low is None else matches_at(_WEEKDAY_DATE_LOWER, low, WEEKDAY_STARTS)
    )
    floor = None
    for n, m in enumerate(weekday_dates):
        if n == 0:  # the years only when a weekday date is named (rarely): finding them costs as much
            years = [int(y) for y in _YEAR.findall(text) if int(y) <= latest_year]
            floor = max(years) if years else None
        if floor is None:
            break
        weekday = WEEKDAYS[name_key(m["weekday"])]
        for year in range(floor, min(floor + 7, latest_year + 1)):
            try:
                date = dt.date(year, MONTHS[name_key(m["month"])], int(m["day"]))
            except ValueError:
                break
            if date.weekday() == weekday:
                return date
    dated = [d for _, _, d in find_dates(text)]
    return max(dated) if dated else None


_name_cache: dict[str, str | None] = {}


def _name_form(token: str) -> str | None:
    """The names channel's form of a capitalised token (folded, stemmed), or None for a stop word;
    cached, since names repeat across a corpus."""
    form = _name_cache.get(token, "")
    if form == "":
        name = fold(token)
        form = None if name in stopwords() else stem(name)
        if len(_name_cache) < 500_000:
            _name_cache[token] = form
    return form


def features(doc: Document) -> Features:
    """Features of a segmented document: its sentences are the body."""
    return features_of([doc])[0]


def features_unsegmented(doc: Document) -> Features:
    """Features of a document whose sentences are not split yet (a large scan): see ``features_of``."""
    return features_of([doc], segmented=False)[0]


_PSEUDO_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_PSEUDO_BREAK = re.compile(r"[.!?]\s|\n")
"""Where a ``_PSEUDO_SENTENCE`` break can start: one character after end punctuation followed by
whitespace, or at a line break; the regex engine finds these by their first character at once,
where the lookbehind made it try every position."""


def pseudo_sentences(body: str) -> list[str]:
    """``_PSEUDO_SENTENCE.split(body)``, the same pieces (a property test checks): the break
    pattern is tried only where ``_PSEUDO_BREAK`` says a break can start."""
    pieces: list[str] = []
    last = 0
    for candidate in _PSEUDO_BREAK.finditer(body):
        start = candidate.start() if body[candidate.start()] == "\n" else candidate.start() + 1
        if start < last:
            continue
        found = _PSEUDO_SENTENCE.match(body, start)
        if found:
            pieces.append(body[last : found.start()])
            last = found.end()
    pieces.append(body[last:])
    return pieces


def unsegmented_body(doc: Document) -> str:
    """The text without its chrome lines: the body of a document whose sentences are not split."""
    return without_chrome(doc.text, doc.chrome)


def features_of(docs: Sequence[Document], segmented: bool = True) -> list[Features]:
    """Features of many documents, their sets from one ``batch_sets`` call.

    ``segmented``: the body is the documents' sentences; otherwise it is the text without its
    chrome lines (``unsegmented_body``, what a large scan's LSH read), and sentence starts (for
    names) are guessed from end punctuation and line breaks.
    """
    if segmented:
        # No sentences: chrome took the whole text (``without_chrome`` reads it all then).
        bodies = [body_text(doc) if doc.sentences else unsegmented_body(doc) for doc in docs]
        pieces = [[s.text for s in doc.sentences] for doc in docs]
    else:
        bodies = [unsegmented_body(doc) for doc in docs]
        pieces = [[p for p in pseudo_sentences(body) if p.strip()] for body in bodies]
    # Exact copies (a tenth of a news corpus, and both sides of a duplicate pair) differ only in
    # their id: each distinct (body, sentences, publication date) is worked out once.
    first: dict[tuple[str, tuple[str, ...], str | None], int] = {}
    copy_of = [
        first.setdefault((body, tuple(texts), doc.published), k)
        for k, (doc, body, texts) in enumerate(zip(docs, bodies, pieces, strict=True))
    ]
    if len(first) < len(docs):
        distinct = list(first.values())
        found = features_of_bodies(
            [docs[k] for k in distinct], [bodies[k] for k in distinct], [pieces[k] for k in distinct]
        )
        by_first = dict(zip(distinct, found, strict=True))
        return [
            by_first[k] if k == original else replace(by_first[original], id=doc.id)
            for k, (doc, original) in enumerate(zip(docs, copy_of, strict=True))
        ]
    return features_of_bodies(docs, bodies, pieces)


def features_of_bodies(
    docs: Sequence[Document], bodies: Sequence[str], pieces: Sequence[Sequence[str]]
) -> list[Features]:
    """``features_of`` given each document's body and the sentences (or pieces) names are read in."""
    sets = batch_sets(bodies)
    count = len(docs)
    channels = []
    for doc_of, values in (
        (sets.shingle_doc, shingle_keys(sets.shingles)),
        (sets.word_doc, sets.words),
        (sets.content_doc, shingle_keys(sets.content)),
        (sets.rare_doc, sets.rare),
    ):
        bounds = np.searchsorted(doc_of, np.arange(count + 1)).tolist()
        channels.append([minhash.sorted_unique(values[bounds[k] : bounds[k + 1]]) for k in range(count)])
    return [
        _features(doc, body, sentences, *(channel[k] for channel in channels))
        for k, (doc, body, sentences) in enumerate(zip(docs, bodies, pieces, strict=True))
    ]


def _features(
    doc: Document,
    text: str,
    sentence_texts: Sequence[str],
    shingles: np.ndarray,
    words: np.ndarray,
    content: np.ndarray,
    rare: np.ndarray,
) -> Features:
    tokens: list[str] = []
    for sentence in sentence_texts:
        # The ASCII form of the pattern finds the same tokens in ASCII text (normalize says), faster.
        tokens += (_ASCII_TOKEN_RE if sentence.isascii() else TOKEN_RE).findall(sentence)[1:]
    names = set()
    # Each distinct token asked once (names are a set): a report repeats a third of its tokens.
    for token in set(tokens):
        if token[:1].isupper():
            name = _name_form(token)
            if name is not None:
                names.add(name)
    published = parse_published(doc.published)
    estimated = published is None
    if estimated:
        published = estimated_date(text)
    # No date estimated means the text names none (``estimated_date`` looked), so the search
    # below would find none either: one pass of the date patterns saved for most reports.
    named_dates = () if estimated and published is None else find_dates(text, published.year if published else None)
    return Features(
        id=doc.id,
        shingles=shingles,
        words=words,
        content=content,
        rare=rare,
        names=minhash.sorted_unique(minhash.token_hashes(sorted(names))),
        dates=frozenset(d for _, _, d in named_dates),
        published=published,
        date_estimated=estimated and published is not None,
        sentence_count=len(sentence_texts),
        length=len(shingles),
    )


def date_gap(a: Features, b: Features) -> int | None:
    """Days between publication (given or estimated), or else between the closest dates each text names."""
    if a.published and b.published:
        return abs((a.published - b.published).days)
    if a.dates and b.dates:
        return min(abs((x - y).days) for x in a.dates for y in b.dates)
    return None


def score(a: Features, b: Features, sentence_match: float = 0.0, aligned: bool = True) -> PairScores:
    return PairScores(
        shingle_jaccard=round(jaccard(a.shingles, b.shingles), 4),
        containment=round(overlap(a.shingles, b.shingles), 4),
        word_jaccard=round(jaccard(a.words, b.words), 4),
        content_jaccard=round(jaccard(a.content, b.content), 4),
        name_overlap=round(overlap(a.names, b.names), 4),
        date_gap_days=date_gap(a, b),
        sentence_match=round(sentence_match, 4),
        shorter_shingles=min(len(a.shingles), len(b.shingles)),
        date_estimated=a.date_estimated or b.date_estimated,
        aligned=aligned,
    )


def copied(scores: PairScores, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> bool:
    """Most of the text, or most of the shorter report, is the same words in the same order."""
    return copy_relation(scores.shingle_jaccard, scores.containment, scores.shorter_shingles, thresholds) is not None


def overlap_kind(scores: PairScores, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> str:
    """Which kind of overlap holds: ``copied-text``, ``same-story-wording``, ``topic`` or ``none``."""
    if copied(scores, thresholds):
        return "copied-text"
    if scores.content_jaccard >= thresholds.same_story_content:
        return "same-story-wording"
    if scores.content_jaccard >= thresholds.related_content:
        return "topic"
    return "none"


def needs_alignment(scores: PairScores, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> bool:
    """Whether the relation hangs on how many sentences align (same-story or related)."""
    if copied(scores, thresholds):
        return False
    far_apart = scores.date_gap_days is not None and scores.date_gap_days > thresholds.max_story_gap_days
    return not far_apart and scores.content_jaccard >= thresholds.same_story_content


def relation(scores: PairScores, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> str:
    """The relation the measured signals support, closest first."""
    copy = copy_relation(scores.shingle_jaccard, scores.containment, scores.shorter_shingles, thresholds)
    if copy:
        return copy
    if needs_alignment(scores, thresholds) and scores.sentence_match >= thresholds.same_story_sentences:
        return "same-story"
    if scores.content_jaccard >= thresholds.related_content:
        return "related"
    return "unrelated"


def joins_cluster(pair: Pair, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> bool:
    """Whether a pair is a cluster edge: closer than same-story, or same-story with enough shared content."""
    if pair.relation in ("duplicate", "near-duplicate"):
        return True
    return pair.relation == "same-story" and pair.scores.content_jaccard >= thresholds.cluster_content


EXACT_LIMIT = 200
"""Up to this many documents every pair is scored exactly (``all_pairs``; above it
``pairing.scale.pair_corpus`` proposes and verifies the pairs): cheaper than hashing, and
``related`` pairs (content Jaccard ~0.1) sit below what LSH recalls reliably."""


def all_pairs(n: int) -> list[tuple[int, int]]:
    return list(itertools.combinations(range(n), 2))
