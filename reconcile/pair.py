"""Find candidate pairs with MinHash LSH and say how two reports overlap.

Two channels, because news overlaps in two ways:

* **copied text**: word 5-gram shingles.  Syndicated copies and light edits share
  most shingles; a short report lifted into a longer one shows as containment.
* **same story in other words**: content words (frequent words removed, plurals
  and possessives folded), names and numbers.  Two translations of one statement
  share about 43% of word types but only 5% of 5-grams: invisible to the first
  channel, plain in the second.

LSH (``reconcile.minhash``) proposes candidates in each channel; exact set scores
then decide the relation, so a candidate LSH lets through never becomes a false
pair.  Sets are held as sorted 64-bit hashes, not strings: a 400-word report costs
about 6 KiB of features, so 100,000 of them fit in memory.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from reconcile import minhash
from reconcile.dates import MONTHS, WEEKDAYS, find_dates, parse_published
from reconcile.lexicon import stem, stopwords
from reconcile.model import Document, PairScores
from reconcile.normalize import TOKEN_RE, fold

SHINGLE_SIZE = 5
NUM_PERM = minhash.NUM_PERM


@dataclass(frozen=True)
class Thresholds:
    """Where each relation starts.  See README "Relations" for the figures behind them."""

    duplicate: float = 0.95
    """Shingle Jaccard: the same text; one changed word costs up to five shingles (2.5% of a 400-word report)."""
    near_duplicate: float = 0.45
    """Shingle Jaccard: a light edit or rewrite of the same text."""
    containment: float = 0.6
    """Share of the shorter report's shingles found in the longer one."""
    min_contained_shingles: int = 20
    """Containment counts only when the shorter report has this many shingles."""
    same_story_content: float = 0.25
    """Content-word Jaccard for the same story in other words."""
    same_story_sentences: float = 0.3
    """Share of the shorter report's sentences that align to the other's."""
    related_content: float = 0.08
    """Content-word Jaccard below which two reports share no topic."""
    max_story_gap_days: int = 3
    """Reports dated further apart than this are different events."""
    lsh_copy: float = 0.2
    """Shingle Jaccard the copied-text LSH recalls at ``lsh_recall`` (0.2 keeps containment
    of a report a quarter the length of the other)."""
    lsh_story: float = 0.25
    """Content-word Jaccard the content LSH recalls at ``lsh_recall``: the same-story floor."""
    lsh_recall: float = 0.95
    """Probability that a pair at the LSH threshold becomes a candidate."""


@dataclass(frozen=True)
class Features:
    """What pairing compares, computed once per document; sets are sorted uint64 hashes."""

    id: str
    shingles: np.ndarray
    words: np.ndarray
    content: np.ndarray
    names: np.ndarray
    dates: frozenset[dt.date]
    published: dt.date | None
    """The publication date, or else one estimated from the text (see ``estimated_date``)."""
    date_estimated: bool
    sentence_count: int
    length: int
    """Characters of body text, for choosing canonical documents."""


def body_text(doc: Document) -> str:
    """The report without its site chrome: its sentences, in order."""
    return "\n".join(s.text for s in doc.sentences)


_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
_WEEKDAY_DATE = re.compile(
    r"\b(?P<weekday>" + "|".join(sorted(WEEKDAYS, key=len, reverse=True)) + r")\.?,?\s+"
    r"(?:the\s+)?(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?\s+(?P<day>\d{1,2})\b",
    re.IGNORECASE,
)


def estimated_date(text: str, today: dt.date | None = None) -> dt.date | None:
    """A publication date for an undated report, from what the text itself says.

    A report is no older than the latest year it names, so a weekday-anchored date
    ("Friday, August 5") takes the first year from that floor on where the weekday
    fits; failing that, the latest full date in the text.
    """
    latest_year = (today or dt.date.today()).year
    years = [int(y) for y in _YEAR.findall(text) if int(y) <= latest_year]
    floor = max(years) if years else None
    if floor is not None:
        for m in _WEEKDAY_DATE.finditer(text):
            weekday = WEEKDAYS[m["weekday"].lower()]
            for year in range(floor, min(floor + 7, latest_year + 1)):
                try:
                    date = dt.date(year, MONTHS[m["month"].lower()], int(m["day"]))
                except ValueError:
                    break
                if date.weekday() == weekday:
                    return date
    dated = [d for _, _, d in find_dates(text)]
    return max(dated) if dated else None


def _folded_tokens(text: str) -> list[str]:
    return TOKEN_RE.findall(fold(text))


_content_cache: dict[str, str | None] = {}


def content_form(word: str) -> str | None:
    """The content channel's form of a folded word, or None for a stop word (cached)."""
    if word in _content_cache:
        return _content_cache[word]
    form = stem(word) if word not in stopwords() and len(word) > 1 else None
    if len(_content_cache) < 1_000_000:
        _content_cache[word] = form
    return form


def _hash_set(tokens: list[str]) -> np.ndarray:
    return np.unique(minhash.token_hashes(tokens))


def features(doc: Document) -> Features:
    text = body_text(doc)
    folded = _folded_tokens(text)
    token_ids = minhash.token_hashes(folded)
    content = [c for c in map(content_form, folded) if c is not None]
    names = set()
    stop = stopwords()
    for sentence in doc.sentences:
        for token in TOKEN_RE.findall(sentence.text)[1:]:
            if token[:1].isupper():
                name = fold(token)
                if name not in stop:
                    names.add(stem(name))
    published = parse_published(doc.published)
    estimated = published is None
    if estimated:
        published = estimated_date(text)
    return Features(
        id=doc.id,
        shingles=minhash.shingle_hashes(token_ids, SHINGLE_SIZE),
        words=np.unique(token_ids),
        content=_hash_set(content),
        names=_hash_set(sorted(names)),
        dates=frozenset(d for _, _, d in find_dates(text, published.year if published else None)),
        published=published,
        date_estimated=estimated and published is not None,
        sentence_count=len(doc.sentences),
        length=len(text),
    )


def _shared(a: np.ndarray, b: np.ndarray) -> int:
    if len(a) == 0 or len(b) == 0:
        return 0
    return int(np.intersect1d(a, b, assume_unique=True).size)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    shared = _shared(a, b)
    union = len(a) + len(b) - shared
    return shared / union if union else 0.0


def overlap(a: np.ndarray, b: np.ndarray) -> float:
    """Share of the smaller set found in the other (containment of the shorter)."""
    smaller = min(len(a), len(b))
    return _shared(a, b) / smaller if smaller else 0.0


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


def copied(scores: PairScores, thresholds: Thresholds = Thresholds()) -> bool:
    """Most of the text, or most of the shorter report, is the same words in the same order."""
    contained = (
        scores.containment >= thresholds.containment and scores.shorter_shingles >= thresholds.min_contained_shingles
    )
    return scores.shingle_jaccard >= thresholds.near_duplicate or contained


def overlap_kind(scores: PairScores, thresholds: Thresholds = Thresholds()) -> str:
    """Which kind of overlap holds: ``copied-text``, ``same-story-wording``, ``topic`` or ``none``."""
    if copied(scores, thresholds):
        return "copied-text"
    if scores.content_jaccard >= thresholds.same_story_content:
        return "same-story-wording"
    if scores.content_jaccard >= thresholds.related_content:
        return "topic"
    return "none"


def needs_alignment(scores: PairScores, thresholds: Thresholds = Thresholds()) -> bool:
    """Whether the relation hangs on how many sentences align (same-story or related)."""
    if copied(scores, thresholds):
        return False
    far_apart = scores.date_gap_days is not None and scores.date_gap_days > thresholds.max_story_gap_days
    return not far_apart and scores.content_jaccard >= thresholds.same_story_content


def relation(scores: PairScores, thresholds: Thresholds = Thresholds()) -> str:
    """The relation the measured signals support, closest first."""
    if scores.shingle_jaccard >= thresholds.duplicate:
        return "duplicate"
    if copied(scores, thresholds):
        return "near-duplicate"
    if needs_alignment(scores, thresholds) and scores.sentence_match >= thresholds.same_story_sentences:
        return "same-story"
    if scores.content_jaccard >= thresholds.related_content:
        return "related"
    return "unrelated"


def lsh_params(threshold: float, recall: float, num_perm: int = NUM_PERM) -> minhash.LshParams:
    """Bands and rows that recall pairs at ``threshold`` with probability ``recall``, fewest false positives."""
    return minhash.params_for_recall(threshold, recall, num_perm)


EXACT_LIMIT = 200
"""Up to this many documents every pair is scored exactly: cheaper than hashing, and
``related`` pairs (content Jaccard ~0.1) sit below what LSH recalls reliably."""


def candidates(
    feats: Sequence[Features],
    thresholds: Thresholds = Thresholds(),
    num_perm: int = NUM_PERM,
    exact_limit: int = EXACT_LIMIT,
) -> list[tuple[int, int]]:
    """Index pairs (i < j) to score: all of them for a small corpus, else what either LSH channel proposes."""
    if len(feats) <= exact_limit:
        return all_pairs(len(feats))
    found = []
    for channel, threshold in (("shingles", thresholds.lsh_copy), ("content", thresholds.lsh_story)):
        sets = [getattr(f, channel) for f in feats]
        params = lsh_params(threshold, thresholds.lsh_recall, num_perm)
        keys = minhash.band_keys(minhash.signatures(sets, num_perm), params.bands, params.rows)
        found.append(minhash.candidate_pairs(keys, usable=np.fromiter((len(s) > 0 for s in sets), dtype=bool)))
    pairs = np.unique(np.concatenate(found), axis=0)
    return [(int(i), int(j)) for i, j in pairs]


def all_pairs(n: int) -> list[tuple[int, int]]:
    return list(itertools.combinations(range(n), 2))
