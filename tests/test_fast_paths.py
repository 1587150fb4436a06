"""The fast paths give what the plain versions they replace give.

Align and diverge were made faster without changing a result: difflib's
matching blocks reimplemented, word similarities by cdist, tokens shared as
plain tuples, ASCII fast paths in folding.  Each is checked here against the
original on generated input.
"""

from __future__ import annotations

import difflib

from hypothesis import given, settings
from hypothesis import strategies as st

from reconcile.align import align
from reconcile.diverge import SIMILAR_WORD, _americanised, _changed_stretches, _word_similarities, _word_similarity
from reconcile.lexicon import _SUFFIX, joined, stem
from reconcile.model import Sentence
from reconcile.normalize import _token_norm, fold, token_spans, tokenize

WORDS = st.sampled_from(["the", "a", "said", "police", "two", "2", "killed", "not", "on", "Thursday", "x", "y"])
WORD = st.text(alphabet="abcdeisyourtgn-'", min_size=1, max_size=12)


def difflib_stretches(a: list[str], b: list[str]) -> list[tuple[int, int, int, int]]:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return [(i1, i2, j1, j2) for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal"]


@given(st.lists(WORDS, max_size=30), st.lists(WORDS, max_size=30))
@settings(max_examples=400, deadline=None)
def test_changed_stretches_are_difflibs_opcodes(a: list[str], b: list[str]) -> None:
    assert _changed_stretches(a, b) == difflib_stretches(a, b)


@given(st.lists(WORDS, min_size=1, max_size=30))
def test_changed_stretches_of_a_copy_with_one_word_changed(a: list[str]) -> None:
    b = [*a[:-1], "changed"]
    assert _changed_stretches(a, b) == difflib_stretches(a, b)


@given(st.lists(WORD, min_size=1, max_size=8), st.lists(WORD, min_size=1, max_size=8))
@settings(max_examples=200, deadline=None)
def test_word_similarities_match_the_pairwise_scorer_at_the_threshold(xs: list[str], ys: list[str]) -> None:
    matrix = _word_similarities(xs, ys)
    for i, x in enumerate(xs):
        for j, y in enumerate(ys):
            one = _word_similarity(x, y)
            assert (matrix[i][j] >= SIMILAR_WORD) == (one >= SIMILAR_WORD)
            if one >= SIMILAR_WORD:
                assert matrix[i][j] == one


@given(st.text(max_size=80))
def test_token_spans_are_tokenize_as_tuples(text: str) -> None:
    assert list(token_spans(text)) == [(t.start, t.end, t.text, t.norm) for t in tokenize(text)]


@given(st.text(max_size=20))
def test_token_norm_is_fold_for_any_token(text: str) -> None:
    for token in tokenize(text):
        expected = fold(token.text)
        assert _token_norm(token.text) in {expected, expected.replace(".", "")}


@given(WORD)
def test_word_helpers_skip_only_what_cannot_change(word: str) -> None:
    assert joined(word) == _SUFFIX.sub("", word).replace("-", "").replace("'", "")
    assert stem(word) == _stem_slowly(word)
    assert _americanised.__wrapped__(word) == _americanised_slowly(word)


def _stem_slowly(word: str) -> str:
    word = _SUFFIX.sub("", word)
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _americanised_slowly(word: str) -> str:
    from reconcile.diverge import _GB_US

    for gb, us in _GB_US:
        word = gb.sub(us, word)
    return word


def test_align_keeps_ties_and_merges_stable() -> None:
    """Two identical sentences on each side: the first pairs with the first, as the numpy DP did."""
    text = "Police said two people were killed in the attack on Thursday."
    other = "The minister will travel to Paris next week for the talks."
    a = [Sentence(0, 0, len(text), text), Sentence(1, 0, len(text), text), Sentence(2, 0, len(other), other)]
    b = [Sentence(0, 0, len(text), text), Sentence(1, 0, len(other), other)]
    groups = align(a, b)
    assert [(g.a, g.b) for g in groups] == [((0,), (0,)), ((2,), (1,))]
