"""Find candidate pairs with MinHash LSH and say how two reports overlap.

Two channels, because news overlaps in two ways:

* **copied text**: word 5-gram shingles.  Syndicated copies and light edits share
  most shingles; a short report lifted into a longer one shows as containment.
* **same story in other words**: content words (frequent words removed, plurals
  and possessives folded), names and numbers.  Two translations of one statement
  share about 43% of word types but only 5% of 5-grams: invisible to the first
  channel, plain in the second.

Up to ``EXACT_LIMIT`` documents every pair is scored; above it LSH
(``reconcile.minhash``) proposes candidates in each channel, signatures screen
them, and exact set scores decide the relation, so a candidate LSH lets through
never becomes a false pair.  Sets are held as sorted 64-bit hashes, not strings:
a 400-word report costs about 8.5 KiB of features, so 100,000 of them fit in memory.

``batch_sets`` is the lean path for corpora of hundreds of thousands of raw texts
(``bench/bench_pairing.py``): the two channels' sets for a whole batch in a few
C-level string calls and numpy.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import wordfreq

from reconcile import minhash
from reconcile.dates import MONTHS, WEEKDAYS, find_dates, parse_published
from reconcile.lexicon import stem, stopwords
from reconcile.model import Document, Pair, PairScores
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
    containment: float = 0.4
    """Share of the shorter report's shingles found in the longer one (Clough–Stevenson: cut
    answers median 0.87, heavy rewrites median 0.08; 0.4 scored best of 0.4–0.7)."""
    min_contained_shingles: int = 20
    """Containment counts only when the shorter report has this many shingles."""
    same_story_content: float = 0.2
    """Content-word Jaccard for the same story in other words (Clough–Stevenson: independent
    answers on the same topic reach 0.13, heavy rewrites median 0.29; 0.2 keeps a margin)."""
    same_story_sentences: float = 0.3
    """Share of the shorter report's sentences that align to the other's."""
    cluster_content: float = 0.3
    """A same-story pair joins a cluster only from this content-word Jaccard: lower, and
    union-find chains stories that share a company or a country into one component
    (UCI headlines: adjusted Rand index 0.075 with every same-story pair, 0.417 from 0.3)."""
    related_content: float = 0.08
    """Content-word Jaccard below which two reports share no topic."""
    max_story_gap_days: int = 3
    """Reports dated further apart than this are different events."""
    lsh_copy: float = 0.45
    """Shingle Jaccard the copied-text LSH recalls at ``lsh_recall``: the near-duplicate floor
    (42 bands of 3 rows at 128 permutations; a pair at 0.3 is found 68% of the time)."""
    lsh_story: float = 0.5
    """Jaccard of rare content words (``RARE_ZIPF``) the content LSH recalls at ``lsh_recall``
    (42 bands of 3 rows; 0.3 is found 68%, 0.25 48% of the time).  Lower recall thresholds
    need 2-row bands, which let through 0.6% of pairs at Jaccard 0.01: millions at 100,000 reports."""
    screen_copy: float = 0.25
    screen_story: float = 0.15
    """LSH candidates whose signatures estimate both Jaccards below these are dropped
    unscored (estimates at 128 permutations have a standard error up to 0.044)."""
    lsh_recall: float = 0.95
    """Probability that a pair at the LSH threshold becomes a candidate."""


@dataclass(frozen=True)
class Features:
    """What pairing compares, computed once per document; sets are sorted uint64 hashes."""

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


RARE_ZIPF = 4.5
"""Content words rarer than this (wordfreq Zipf) sign the content channel: "said",
"year" and "people" make unrelated reports look alike; names and specifics do not."""


@functools.cache
def _frequencies() -> dict[str, float]:
    return wordfreq.get_frequency_dict("en")


def is_rare(word: str) -> bool:
    """Zipf frequency below ``RARE_ZIPF``, read straight from wordfreq's table (no re-tokenising)."""
    return _frequencies().get(word, 0.0) < 10 ** (RARE_ZIPF - 9)


def _hash_set(tokens: list[str]) -> np.ndarray:
    return minhash.sorted_unique(minhash.token_hashes(tokens))


def features(doc: Document) -> Features:
    """Features of a segmented document: its sentences are the body."""
    return _features(doc, body_text(doc), [s.text for s in doc.sentences])


_PSEUDO_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def features_unsegmented(doc: Document) -> Features:
    """Features of a document whose sentences are not split yet (a large scan): the text
    without its chrome lines is the body, and sentence starts (for names) are guessed
    from end punctuation and line breaks."""
    body = doc.text
    for span in sorted(doc.chrome, key=lambda c: c.start, reverse=True):
        body = body[: span.start] + body[span.end :]
    pieces = [p for p in _PSEUDO_SENTENCE.split(body) if p.strip()]
    return _features(doc, body, pieces)


def _features(doc: Document, text: str, sentence_texts: Sequence[str]) -> Features:
    folded = _folded_tokens(text)
    token_ids = minhash.token_hashes(folded)
    content = [c for c in map(content_form, folded) if c is not None]
    names = set()
    stop = stopwords()
    for sentence in sentence_texts:
        for token in TOKEN_RE.findall(sentence)[1:]:
            if token[:1].isupper():
                name = fold(token)
                if name not in stop:
                    names.add(stem(name))
    published = parse_published(doc.published)
    estimated = published is None
    if estimated:
        published = estimated_date(text)
    # No date estimated means the text names none (``estimated_date`` looked), so the search
    # below would find none either: one pass of the date patterns saved for most reports.
    named_dates = () if estimated and published is None else find_dates(text, published.year if published else None)
    return Features(
        id=doc.id,
        shingles=minhash.shingle_hashes(token_ids, SHINGLE_SIZE),
        words=minhash.sorted_unique(token_ids),
        content=_hash_set(content),
        rare=_hash_set([c for c in content if is_rare(c)]),
        names=_hash_set(sorted(names)),
        dates=frozenset(d for _, _, d in named_dates),
        published=published,
        date_estimated=estimated and published is not None,
        sentence_count=len(sentence_texts),
        length=len(text),
    )


def shared_count(a: np.ndarray, b: np.ndarray) -> int:
    """How many values two sets of distinct values share: equal neighbours once both are
    sorted together (``np.intersect1d`` without building the intersection; about 30%
    less time on 400-value sets)."""
    if len(a) == 0 or len(b) == 0:
        return 0
    merged = np.concatenate((a, b))
    merged.sort()
    return int(np.count_nonzero(merged[1:] == merged[:-1]))


def shared_counts(values: np.ndarray, a: np.ndarray, b: np.ndarray, block: int = 512) -> np.ndarray:
    """``shared_count`` of many pairs of sets held flat in one uint32 array: pair ``k`` compares
    ``values[a[k, 0]:a[k, 1]]`` with ``values[b[k, 0]:b[k, 1]]``, each a set of distinct values.

    A block of pairs is laid out as the rows of a padded array (``minhash.padded_rows``), a
    pair's two sets side by side, and the rows sorted at once; equal neighbours among a row's
    real values are the shared ones.  Sets stored sorted make each row two sorted runs, which
    a stable sort (timsort) merges in linear time.  Numpy calls a block, not a pair: the scale
    path's verification, 35,000 pairs of 400-shingle sets in 30% less time than
    ``shared_count`` a pair.
    """
    a, b = np.asarray(a, dtype=np.int64).reshape(-1, 2), np.asarray(b, dtype=np.int64).reshape(-1, 2)
    shared = np.zeros(len(a), dtype=np.int64)
    size_a, size_b = a[:, 1] - a[:, 0], b[:, 1] - b[:, 0]
    for start in range(0, len(a), block):
        rows = slice(start, start + block)
        width_a, width_b = int(size_a[rows].max(initial=0)), int(size_b[rows].max(initial=0))
        if width_a == 0 or width_b == 0:
            continue
        both = np.concatenate(
            (
                minhash.padded_rows(values, a[rows, 0], size_a[rows], width_a),
                minhash.padded_rows(values, b[rows, 0], size_b[rows], width_b),
            ),
            axis=1,
        )
        both.sort(axis=1, kind="stable")
        real = np.arange(1, both.shape[1]) < (size_a[rows] + size_b[rows])[:, None]
        shared[rows] = np.count_nonzero((both[:, 1:] == both[:, :-1]) & real, axis=1)
    return shared


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    shared = shared_count(a, b)
    union = len(a) + len(b) - shared
    return shared / union if union else 0.0


def overlap(a: np.ndarray, b: np.ndarray) -> float:
    """Share of the smaller set found in the other (containment of the shorter)."""
    smaller = min(len(a), len(b))
    return shared_count(a, b) / smaller if smaller else 0.0


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


def copy_relation(
    jaccard_: float, containment: float, shorter_shingles: int, thresholds: Thresholds = Thresholds()
) -> str | None:
    """``duplicate``, ``near-duplicate`` or None from shingle scores: the copied-text rule
    that ``scan`` and ``dedup`` share."""
    if jaccard_ >= thresholds.duplicate:
        return "duplicate"
    contained = containment >= thresholds.containment and shorter_shingles >= thresholds.min_contained_shingles
    if jaccard_ >= thresholds.near_duplicate or contained:
        return "near-duplicate"
    return None


def copied(scores: PairScores, thresholds: Thresholds = Thresholds()) -> bool:
    """Most of the text, or most of the shorter report, is the same words in the same order."""
    return copy_relation(scores.shingle_jaccard, scores.containment, scores.shorter_shingles, thresholds) is not None


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
    copy = copy_relation(scores.shingle_jaccard, scores.containment, scores.shorter_shingles, thresholds)
    if copy:
        return copy
    if needs_alignment(scores, thresholds) and scores.sentence_match >= thresholds.same_story_sentences:
        return "same-story"
    if scores.content_jaccard >= thresholds.related_content:
        return "related"
    return "unrelated"


def joins_cluster(pair: Pair, thresholds: Thresholds = Thresholds()) -> bool:
    """Whether a pair is a cluster edge: closer than same-story, or same-story with enough shared content."""
    if pair.relation in ("duplicate", "near-duplicate"):
        return True
    return pair.relation == "same-story" and pair.scores.content_jaccard >= thresholds.cluster_content


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
    channels = [[f.shingles for f in feats], [f.rare for f in feats]]
    return candidates_from_signatures(
        (minhash.signatures(channels[0], num_perm), minhash.signatures(channels[1], num_perm)),
        (
            np.fromiter((len(s) > 0 for s in channels[0]), dtype=bool, count=len(feats)),
            np.fromiter((len(s) > 0 for s in channels[1]), dtype=bool, count=len(feats)),
        ),
        thresholds,
        exact_limit,
    )


def candidates_from_signatures(
    signatures: tuple[np.ndarray, np.ndarray],
    usable: tuple[np.ndarray, np.ndarray],
    thresholds: Thresholds = Thresholds(),
    exact_limit: int = EXACT_LIMIT,
) -> list[tuple[int, int]]:
    """``candidates`` from the two channels' signatures (copied text, rare words) made beforehand,
    as a scan's workers do: every pair up to ``exact_limit`` documents, else what either
    channel's LSH proposes, screened by the signatures' Jaccard estimates.  ``usable`` masks
    out documents with an empty set in that channel."""
    n = len(signatures[0])
    if n <= exact_limit:
        return all_pairs(n)
    found = []
    for sig, nonempty, threshold in zip(signatures, usable, (thresholds.lsh_copy, thresholds.lsh_story), strict=True):
        params = lsh_params(threshold, thresholds.lsh_recall, sig.shape[1])
        found.append(minhash.candidate_pairs(minhash.band_keys(sig, params.bands, params.rows), usable=nonempty))
    pairs = minhash.merge_pairs(found, n)
    del found
    # Signatures screen out what bands let through by chance before exact scoring.
    keep = (minhash.pair_estimates(signatures[0], pairs) >= thresholds.screen_copy) | (
        minhash.pair_estimates(signatures[1], pairs) >= thresholds.screen_story
    )
    return [(int(i), int(j)) for i, j in pairs[keep]]


def all_pairs(n: int) -> list[tuple[int, int]]:
    return list(itertools.combinations(range(n), 2))


_FOLD_BYTES = bytes(
    (b | 0x20 if 0x41 <= b <= 0x5A else b) if (b >= 0x80 or chr(b).isalnum() or b in b"'-\x01") else 0x20
    for b in range(256)
)
"""ASCII lower case, punctuation to spaces, UTF-8 bytes of other scripts kept: one C pass."""
_SEPARATOR = b"\x01"


_FIBONACCI = np.uint64(0x9E3779B97F4A7C15)
_LOW_BYTES = np.array([(1 << (8 * k)) - 1 for k in range(8)] + [(1 << 64) - 1], dtype=np.uint64)
"""``_LOW_BYTES[k]`` keeps the low ``k`` bytes of a word."""


class _LeanVocab:
    """Per-process token table for ``batch_sets``: raw token key -> index, and per index the
    token's hash and rare-content hash.

    Tokens are found and keyed in numpy (``token_keys``), then looked up in an
    open-addressing table (linear probing, at most a quarter full) held in two numpy
    arrays, so the per-token work is a few vectorised gathers; Python sees each distinct
    token once, to apply ``content_form``.
    Index 0 is the separator between texts.
    """

    def __init__(self, bits: int = 16) -> None:
        self.bits = bits
        self.slot_keys = np.zeros(1 << bits, dtype=np.uint64)
        self.slot_ids = np.zeros(1 << bits, dtype=np.int64)
        self.hashes: list[int] = [0]
        self.rare: list[int] = [0]
        self.hash_array = np.zeros(1, dtype=np.uint64)
        self.rare_array = np.zeros(1, dtype=np.uint64)
        """Per index the token's hash, and its rare-content hash mixed by splitmix64 (0: not rare)."""

    @staticmethod
    def token_keys(folded: bytes, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """A 64-bit key per token ``folded[start:end]``, never 0.

        The token's bytes are read eight at a time as little-endian words (an unaligned
        view of the buffer: one gather per word, no pass over every byte), masked to its
        length; a longer token folds each further word into the mixed key so far.
        """
        words = np.ndarray((len(folded) + 1,), dtype="<u8", buffer=folded + bytes(8), strides=(1,))
        lengths = ends - starts
        with np.errstate(over="ignore"):
            keys = words[starts] & _LOW_BYTES[np.minimum(lengths, 8)]
            keys ^= lengths.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
            longer = np.flatnonzero(lengths > 8)
            offset = 8
            while len(longer):
                word = words[starts[longer] + offset] & _LOW_BYTES[np.minimum(lengths[longer] - offset, 8)]
                keys[longer] = minhash.splitmix64(keys[longer]) ^ word
                offset += 8
                longer = longer[lengths[longer] > offset]
        return (keys * _FIBONACCI) | np.uint64(1)

    def _probe(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Indices of ``keys`` (-1 where absent), and the positions of the absent ones.

        Most keys sit in their home slot: one gather of keys and one of indices for all,
        then the few others walk on.
        """
        mask = (1 << self.bits) - 1
        slots = (keys >> np.uint64(64 - self.bits)).astype(np.int64)
        found = self.slot_keys[slots]
        ids = self.slot_ids[slots]
        pending = np.flatnonzero(found != keys)
        ids[pending] = -1
        found = found[pending]
        absent = []
        while len(pending):
            empty = found == 0
            absent.append(pending[empty])
            pending = pending[~empty]
            slots[pending] = (slots[pending] + 1) & mask
            at = slots[pending]
            found = self.slot_keys[at]
            hit = found == keys[pending]
            ids[pending[hit]] = self.slot_ids[at[hit]]
            pending, found = pending[~hit], found[~hit]
        return ids, np.concatenate(absent) if absent else pending

    def _place(self, keys: np.ndarray, ids: np.ndarray) -> None:
        """Put distinct keys that are not in the table into it, all at once: each round, every
        key still waiting takes its slot if free (the first of several that want it), and
        the others move one slot on; a key passes only occupied slots, as linear probing
        needs."""
        mask = (1 << self.bits) - 1
        slots = (keys >> np.uint64(64 - self.bits)).astype(np.int64)
        pending = np.arange(len(keys))
        placed = np.zeros(len(keys), dtype=bool)
        while len(pending):
            free = pending[self.slot_keys[slots[pending]] == 0]
            taken, first = np.unique(slots[free], return_index=True)
            winners = free[first]
            self.slot_keys[taken], self.slot_ids[taken] = keys[winners], ids[winners]
            placed[winners] = True
            pending = pending[~placed[pending]]
            slots[pending] = (slots[pending] + 1) & mask

    def _insert_many(self, keys: np.ndarray, ids: np.ndarray) -> None:
        """``_place``, doubling the table first while it would be over a quarter full."""
        while 4 * (np.count_nonzero(self.slot_keys) + len(keys)) > (1 << self.bits):
            occupied = self.slot_keys != 0
            old_keys, old_ids = self.slot_keys[occupied], self.slot_ids[occupied]
            self.bits += 1
            self.slot_keys = np.zeros(1 << self.bits, dtype=np.uint64)
            self.slot_ids = np.zeros(1 << self.bits, dtype=np.int64)
            self._place(old_keys, old_ids)
        self._place(keys, ids)

    def add(self, tokens: list[bytes]) -> list[int]:
        """Index new tokens, in order: their hashes, and rare-content hashes (0: not rare)."""
        words = [token.decode("utf-8", "replace").strip("'-") for token in tokens]
        forms = [content_form(word) if word else None for word in words]
        first = len(self.hashes)
        self.hashes.extend(map(minhash.token_hash, words))
        self.rare.extend(minhash.token_hash(form) if form is not None and is_rare(form) else 0 for form in forms)
        return list(range(first, len(self.hashes)))

    def lookup(self, joined: bytes) -> np.ndarray:
        """The index of every token of ``joined`` (folded bytes, tokens split by spaces, which
        must start and end with a space so that token edges alternate start, end).

        Tokens not yet in the table are found by one sort of the absent tokens' keys
        (``minhash.bucket_order``), indexed together (``add``) and placed together."""
        in_token = np.frombuffer(joined, dtype=np.uint8) != 0x20
        edges = np.flatnonzero(in_token[1:] != in_token[:-1]) + 1
        starts, ends = edges[0::2], edges[1::2]
        keys = self.token_keys(joined, starts, ends)
        ids, absent = self._probe(keys)
        if len(absent):
            order, ordered = minhash.bucket_order(keys[absent])
            new = np.r_[True, ordered[1:] != ordered[:-1]]
            new_keys, at = ordered[new], absent[order[new]]
            tokens = [joined[start:end] for start, end in zip(starts[at].tolist(), ends[at].tolist(), strict=True)]
            words = [k for k, token in enumerate(tokens) if token != _SEPARATOR]
            indices = np.zeros(len(tokens), dtype=np.int64)  # the separator is index 0
            indices[words] = self.add([tokens[k] for k in words])
            self._insert_many(new_keys, indices)
            ids[absent[order]] = indices[np.cumsum(new) - 1]
        return ids

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        if len(self.hash_array) != len(self.hashes):
            self.hash_array = np.array(self.hashes, dtype=np.uint64)
            rare = np.array(self.rare, dtype=np.uint64)
            # Mixed here, once per word, rather than at every use (0 stays "not rare").
            self.rare_array = np.where(rare != 0, minhash.splitmix64(rare), np.uint64(0))
        return self.hash_array, self.rare_array


_vocab = _LeanVocab()


def warm_up() -> None:
    """Load the word lists ``batch_sets`` needs, so worker processes forked afterwards share them."""
    _frequencies()
    stopwords()


@dataclass(frozen=True)
class BatchSets:
    """The two LSH channels' sets for a batch of texts, flat: element ``k`` belongs to text ``doc[k]``."""

    count: int
    shingle_doc: np.ndarray
    shingles: np.ndarray
    rare_doc: np.ndarray
    rare: np.ndarray


def batch_sets(texts: Sequence[str], shingle_size: int = SHINGLE_SIZE) -> BatchSets:
    """Word ``shingle_size``-gram hashes and rare content-word hashes of many raw texts at once: the scale path.

    ASCII lower-casing and punctuation to spaces in C over the whole batch; tokens found,
    keyed and looked up with numpy (``_LeanVocab``); shingles rolled across the batch and the
    windows that straddle two texts dropped.  Sets are not deduplicated (MinHash
    does not need it).
    """
    joined = b" " + (b" " + _SEPARATOR + b" ").join(t.encode("utf-8") for t in texts) + b" "
    ids = _vocab.lookup(joined.translate(_FOLD_BYTES))
    hash_array, rare_array = _vocab.arrays()
    doc = np.cumsum(ids == 0)  # each token's text; a separator (index 0) counts towards the next
    token_hashes = hash_array[ids]
    n = len(ids)
    width = shingle_size
    if n >= width:
        count = n - width + 1
        with np.errstate(over="ignore"):
            rolled = token_hashes[:count].copy()
            for k in range(1, width):
                rolled *= minhash._ROLL
                rolled += token_hashes[k : k + count]
        # A window is clean when no separator lies in it: the text count after its first token
        # equals the count at its last.
        clean = doc[width - 1 :] == doc[:count]
        clean &= ids[:count] != 0
        shingles = minhash.splitmix64(rolled[clean])
        shingle_doc = doc[:count][clean]
    else:
        shingles = np.empty(0, dtype=np.uint64)
        shingle_doc = np.empty(0, dtype=np.int64)
    rare = rare_array[ids]
    keep = rare != 0
    return BatchSets(len(texts), shingle_doc, shingles, doc[keep], rare[keep])
