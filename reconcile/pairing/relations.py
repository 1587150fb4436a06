"""The thresholds every pairing stage decides by, and the rules that read them.

One ``Thresholds`` for ``scan``, ``dedup``, ``compare`` and the benchmark: LSH recall, the
signature screen, the copied-text relations and the canonical choice are the same
wherever two reports meet.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Thresholds:
    """Where each relation starts.  See docs/design.md "Relations" for the figures behind them."""

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
    screen_sketch: float = 0.2
    """``dedup``'s screen: its index keeps a 64-byte sketch per cluster (the low byte of each of 64
    MinHash bins), whose estimate has a standard error up to 0.0625, so a pair at the
    near-duplicate line (0.45) passes but for a 4-sigma miss, while the false candidates LSH
    proposes sit near 0.05-0.1.  A pair near-duplicate only by containment, with Jaccard under
    0.2, is dropped: 16 bands of 3 rows propose such a pair with probability under 0.13 anyway."""
    lsh_recall: float = 0.95
    """Probability that a pair at the LSH threshold becomes a candidate."""


DEFAULT_THRESHOLDS = Thresholds()


def copy_relation(
    jaccard_: float, containment: float, shorter_shingles: int, thresholds: Thresholds | None = None
) -> str | None:
    """``duplicate``, ``near-duplicate`` or None from shingle scores: the copied-text rule
    that ``scan`` and ``dedup`` share."""
    thresholds = thresholds or DEFAULT_THRESHOLDS
    if jaccard_ >= thresholds.duplicate:
        return "duplicate"
    contained = containment >= thresholds.containment and shorter_shingles >= thresholds.min_contained_shingles
    if jaccard_ >= thresholds.near_duplicate or contained:
        return "near-duplicate"
    return None


def shingle_scores(shared: int, size_a: int, size_b: int) -> tuple[float, float]:
    """Shingle Jaccard and containment (share of the smaller set found in the other) from a shared
    count and the two set sizes, rounded as reports show them: what every stage compares."""
    union, smaller = size_a + size_b - shared, min(size_a, size_b)
    return round(shared / union if union else 0.0, 4), round(shared / smaller if smaller else 0.0, 4)


UNDATED = "9999-99-99"


def canonical_key(published: str | None, length: int) -> tuple[str, int]:
    """The ``earliest`` canonical order of a cluster's reports, smallest first: the earliest
    publication date (ISO; unknown dates last), then the longest (``length``: distinct shingles,
    the size every stage knows, ``dedup``'s index included).  Reports equal in both: the first
    in input order (``scan``: the first read; ``dedup``: the one kept already, which a stream
    cannot recall).  ``scan`` picks its clusters' canonicals by it and ``dedup`` its takeovers,
    so both keep the same report of a pair."""
    return (published or UNDATED, -length)


def longest_key(published: str | None, length: int) -> tuple[int, str]:
    """The ``longest`` canonical order: most distinct shingles first, then earliest; then input order."""
    return (-length, published or UNDATED)
