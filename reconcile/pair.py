"""Find candidate pairs with MinHash LSH and say how two reports overlap.

Two channels, because news overlaps in two ways:

* **copied text**: word 5-gram shingles.  Syndicated copies and light edits share
  most shingles; a short report lifted into a longer one shows as containment.
* **same story in other words**: content words (frequent words removed, plurals
  and possessives folded), names and numbers.  Two translations of one statement
  share about 43% of word types but only 5% of 5-grams: invisible to the first
  channel, plain in the second.

LSH (datasketch) proposes candidates in each channel; exact set scores then
decide the relation, so a candidate LSH lets through never becomes a false pair.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash, MinHashLSH

from reconcile.dates import find_dates, parse_published
from reconcile.lexicon import stem, stopwords
from reconcile.model import Document, PairScores
from reconcile.normalize import TOKEN_RE, fold

SHINGLE_SIZE = 5
NUM_PERM = 128
SEED = 1


@dataclass(frozen=True)
class Thresholds:
    """Where each relation starts.  See README "Relations" for the figures behind them."""

    duplicate: float = 0.95
    """Shingle Jaccard: the same text; one changed word costs up to five shingles."""
    near_duplicate: float = 0.45
    """Shingle Jaccard: a light edit or rewrite of the same text."""
    containment: float = 0.8
    """Share of the shorter report's shingles found in the longer one."""
    same_story_content: float = 0.25
    """Content-word Jaccard for the same story in other words."""
    same_story_sentences: float = 0.3
    """Share of the shorter report's sentences that align to the other's."""
    related_content: float = 0.08
    """Content-word Jaccard below which two reports share no topic."""
    max_story_gap_days: int = 3
    """Publication dates further apart than this are different events."""
    lsh_copy: float = 0.3
    """MinHash LSH threshold of the copied-text channel."""
    lsh_story: float = 0.1
    """MinHash LSH threshold of the content channel: low, since exact scores verify."""


@dataclass(frozen=True)
class Features:
    """What pairing compares, computed once per document."""

    id: str
    shingles: frozenset[str]
    words: frozenset[str]
    content: frozenset[str]
    names: frozenset[str]
    dates: frozenset[dt.date]
    published: dt.date | None
    sentence_count: int


def body_text(doc: Document) -> str:
    """The report without its site chrome: its sentences, in order."""
    return "\n".join(s.text for s in doc.sentences)


_CAPITALISED = re.compile(r"^[^\W\d_]")


def features(doc: Document) -> Features:
    text = body_text(doc)
    tokens = [m.group() for m in TOKEN_RE.finditer(text)]
    folded = [fold(t) for t in tokens]
    stop = stopwords()
    content = {stem(w) for w in folded if w not in stop and len(w) > 1}
    names = set()
    for sentence in doc.sentences:
        sentence_tokens = [m.group() for m in TOKEN_RE.finditer(sentence.text)]
        for token in sentence_tokens[1:]:
            if token[:1].isupper() and _CAPITALISED.match(token) and fold(token) not in stop:
                names.add(stem(fold(token)))
    published = parse_published(doc.published)
    year = published.year if published else None
    shingles = {" ".join(folded[i : i + SHINGLE_SIZE]) for i in range(max(0, len(folded) - SHINGLE_SIZE + 1))}
    if not shingles and folded:
        shingles = {" ".join(folded)}
    return Features(
        id=doc.id,
        shingles=frozenset(shingles),
        words=frozenset(folded),
        content=frozenset(content),
        names=frozenset(names),
        dates=frozenset(d for _, _, d in find_dates(text, year)),
        published=published,
        sentence_count=len(doc.sentences),
    )


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Share of the smaller set found in the other (containment of the shorter)."""
    smaller = min(len(a), len(b))
    return len(a & b) / smaller if smaller else 0.0


def date_gap(a: Features, b: Features) -> int | None:
    """Days between publication, or else between the closest dates each text names."""
    if a.published and b.published:
        return abs((a.published - b.published).days)
    if a.dates and b.dates:
        return min(abs((x - y).days) for x in a.dates for y in b.dates)
    return None


def score(a: Features, b: Features, sentence_match: float = 0.0) -> PairScores:
    return PairScores(
        shingle_jaccard=round(jaccard(a.shingles, b.shingles), 4),
        containment=round(overlap(a.shingles, b.shingles), 4),
        word_jaccard=round(jaccard(a.words, b.words), 4),
        content_jaccard=round(jaccard(a.content, b.content), 4),
        name_overlap=round(overlap(a.names, b.names), 4),
        date_gap_days=date_gap(a, b),
        sentence_match=round(sentence_match, 4),
    )


def overlap_kind(scores: PairScores, thresholds: Thresholds = Thresholds()) -> str:
    """Which kind of overlap holds: ``copied-text``, ``same-story-wording``, ``topic`` or ``none``."""
    if scores.shingle_jaccard >= thresholds.near_duplicate or scores.containment >= thresholds.containment:
        return "copied-text"
    if scores.content_jaccard >= thresholds.same_story_content:
        return "same-story-wording"
    if scores.content_jaccard >= thresholds.related_content:
        return "topic"
    return "none"


def relation(scores: PairScores, thresholds: Thresholds = Thresholds()) -> str:
    """The relation the measured signals support, closest first."""
    if scores.shingle_jaccard >= thresholds.duplicate:
        return "duplicate"
    if scores.shingle_jaccard >= thresholds.near_duplicate or scores.containment >= thresholds.containment:
        return "near-duplicate"
    far_apart = scores.date_gap_days is not None and scores.date_gap_days > thresholds.max_story_gap_days
    if (
        not far_apart
        and scores.content_jaccard >= thresholds.same_story_content
        and scores.sentence_match >= thresholds.same_story_sentences
    ):
        return "same-story"
    if scores.content_jaccard >= thresholds.related_content:
        return "related"
    return "unrelated"


def _hash(data: bytes) -> int:
    """32-bit keyed-free blake2b: stable across runs and machines, unlike ``hash()``."""
    return int.from_bytes(hashlib.blake2b(data, digest_size=4).digest(), "little")


def signature(tokens: Iterable[str], num_perm: int = NUM_PERM) -> MinHash:
    """A datasketch MinHash of a token set, built in one vectorised update."""
    minhash = MinHash(num_perm=num_perm, seed=SEED, hashfunc=_hash)
    values = [t.encode("utf-8") for t in sorted(set(tokens))]
    if values:
        minhash.update_batch(values)
    return minhash


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
    found: set[tuple[int, int]] = set()
    for channel, threshold in (("shingles", thresholds.lsh_copy), ("content", thresholds.lsh_story)):
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        signatures = [signature(getattr(f, channel), num_perm) for f in feats]
        for i, sig in enumerate(signatures):
            if getattr(feats[i], channel):
                for j in lsh.query(sig):
                    found.add((int(j), i))
                lsh.insert(i, sig)
    return sorted(found)


def all_pairs(n: int) -> list[tuple[int, int]]:
    return list(itertools.combinations(range(n), 2))


def estimated_jaccard(a: Iterable[str], b: Iterable[str], num_perm: int = NUM_PERM) -> float:
    """MinHash estimate of Jaccard similarity, for checking the signatures against exact scores."""
    return float(np.round(signature(a, num_perm).jaccard(signature(b, num_perm)), 4))
