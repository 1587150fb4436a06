"""Plain data passed between pipeline stages.

Every stage reads and returns these frozen dataclasses, so a stage can be called,
tested and replaced without knowing how its neighbours work.  Character offsets
always index the document's original ``text``, so reports can highlight exactly
what the outlet published.
"""

from __future__ import annotations

from dataclasses import dataclass, field

RELATIONS = ("duplicate", "near-duplicate", "same-story", "related", "unrelated")
"""Pair relations, closest first."""

DIVERGENCE_KINDS = (
    "number",
    "date",
    "name",
    "negation",
    "real-word",
    "typo",
    "spelling-variant",
    "wording",
)
SEVERITIES = ("high", "medium", "low")


@dataclass(frozen=True)
class Sentence:
    """One sentence; ``start``/``end`` slice the document's original text."""

    i: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Span:
    """A removed or marked stretch of the original text, with the reason."""

    start: int
    end: int
    text: str
    reason: str


@dataclass(frozen=True)
class Document:
    """A report as read, before comparison.

    ``body`` is the original text; ``chrome`` lists the lines judged to be site
    chrome (navigation, share prompts, teasers), which are kept out of the
    sentences but reported so an editor can check the call.
    """

    id: str
    text: str
    path: str | None = None
    source: str | None = None
    title: str | None = None
    published: str | None = None
    sentences: tuple[Sentence, ...] = ()
    chrome: tuple[Span, ...] = ()
    notes: tuple[str, ...] = ()
    line: int | None = None
    """Where in ``path`` the document starts: a JSON Lines or CSV line, a Parquet row, a feed item's line."""
    raw: object = field(default=None, compare=False, repr=False)
    """The record as it was in the input (bytes, a Parquet row number, a feed item's span), kept only
    when asked (``InputOptions.keep_raw``): dedup copies kept records through untouched."""


@dataclass(frozen=True)
class Skipped:
    """An input that could not be read, with a one-line reason."""

    path: str
    error: str
    line: int | None = None
    raw: str = field(default="", compare=False, repr=False)
    """The rejected record's text, when the reader kept it (for dedup's rejects file)."""

    def message(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.error}"


@dataclass(frozen=True)
class Alignment:
    """Sentences of A that say what sentences of B say (1-1, 1-2, 2-1)."""

    a: tuple[int, ...]
    b: tuple[int, ...]
    score: float
    moved: bool = False


@dataclass(frozen=True)
class Divergence:
    """One classified difference inside an aligned group.

    ``a``/``b`` hold the differing words on each side; ``a_span``/``b_span`` are
    their character offsets in each document's original text.
    """

    kind: str
    severity: str
    a: str
    b: str
    a_sentence: int | None
    b_sentence: int | None
    in_quote: bool
    a_span: tuple[int, int] | None = None
    b_span: tuple[int, int] | None = None
    favours: str | None = None
    confidence: float = 0.0
    evidence: tuple[str, ...] = ()
    reason: str = ""
    """Why this kind: the measurement that decided it (``reconcile.comparison.evidence``)."""


@dataclass(frozen=True)
class PairScores:
    """The measured signals behind a relation, so an editor can see why."""

    shingle_jaccard: float
    containment: float
    word_jaccard: float
    content_jaccard: float
    name_overlap: float
    date_gap_days: int | None
    sentence_match: float = 0.0
    shorter_shingles: int = 0
    """5-gram shingles of the shorter report: containment of a handful of shingles proves nothing."""
    date_estimated: bool = False
    """A date behind ``date_gap_days`` was read from the text, not from the published field."""
    aligned: bool = True
    """Whether sentences were aligned; a large scan aligns only pairs whose relation needs it."""


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    relation: str
    overlap: str
    scores: PairScores
    alignments: tuple[Alignment, ...] = ()
    divergences: tuple[Divergence, ...] = ()
    unique_a: tuple[int, ...] = ()
    unique_b: tuple[int, ...] = ()
    partial: tuple[Alignment, ...] = ()
    """Sentences left out of the alignment that share a claim with a sentence of the other side
    (a name and content words: "the Parukh village" / "the village of Parukh" inside otherwise
    different sentences); they are not claims unique to one side."""


@dataclass(frozen=True)
class Cluster:
    id: str
    documents: tuple[str, ...]
    canonical: str
    relation: str


@dataclass(frozen=True)
class Reconciliation:
    """Everything one run found: the input of every report format."""

    documents: tuple[Document, ...]
    pairs: tuple[Pair, ...]
    clusters: tuple[Cluster, ...] = ()
    skipped: tuple[Skipped, ...] = field(default=())
