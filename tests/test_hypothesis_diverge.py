"""Property tests: one change of a known kind, injected into a real sentence, is reported as that kind.

The sentences are STS Benchmark news sentences (MSRpar); the injections are the
evaluation's (bench/eval_divergences.py): a codespell misspelling, a common word
one edit away, a changed figure, a respelt name, an added or dropped "not".
"""

from __future__ import annotations

import functools
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench import eval_divergences as ev
from reconcile.comparison.align import align
from reconcile.model import Sentence
from tests.conftest import SHARED_DATA

PLANTERS = {
    "typo": ev.plant_typo,
    "real-word": ev.plant_real_word,
    "number": ev.plant_number,
    "name respelt": ev.plant_name,
    "negation": ev.plant_negation,
    "date": ev.plant_date,
}


@functools.cache
def news_sentences() -> tuple[str, ...]:
    if not (SHARED_DATA / "stsbenchmark").is_dir():
        return ()
    pairs = [p for p in ev.sts_pairs(("MSRpar",))]
    ev.LOWERCASE_SEEN.update(t.text for p in pairs for s in (p.a, p.b) for t in ev.tokenize(s) if t.text.islower())
    return tuple(sorted({p.a for p in pairs}))


def _require_data() -> tuple[str, ...]:
    found = news_sentences()
    if not found:
        pytest.skip("../shared/data/stsbenchmark is absent")
    return found


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(sorted(PLANTERS)), pick=st.integers(min_value=0), seed=st.integers(0, 2**32 - 1))
def test_a_single_injected_change_is_reported_with_its_kind(kind: str, pick: int, seed: int) -> None:
    sentences = _require_data()
    sentence = sentences[pick % len(sentences)]
    planted = PLANTERS[kind](sentence, sentence, random.Random(seed))
    if planted is None:
        return  # nothing of this kind to change in this sentence
    found = ev.divergences_of(sentence, planted.text)
    hits = [d for d in found if ev._hit(d, planted)]
    # A name respelt by one letter is that name misspelt (typo) or spelt another way (variant), never another name.
    expected = {"typo", "spelling-variant"} if kind == "name respelt" else {kind}
    assert any(d.kind in expected for d in hits), (planted.old, planted.new, [(d.kind, d.a, d.b) for d in found])
    # And nothing else is raised as a fact: the rest of the sentence is unchanged.
    assert all(d.kind in expected for d in found if d.kind not in {"wording", "spelling-variant"}), found


@settings(max_examples=60, deadline=None, derandomize=True)
@given(order=st.permutations(range(6)), drop=st.sets(st.integers(0, 5), max_size=2))
def test_alignment_groups_are_disjoint_and_monotone_outside_moves(order: list[int], drop: set[int]) -> None:
    sentences = _require_data()[:6]
    a = [Sentence(i, 0, len(t), t) for i, t in enumerate(sentences)]
    b_texts = [sentences[i] for i in order if i not in drop]
    b = [Sentence(j, 0, len(t), t) for j, t in enumerate(b_texts)]
    groups = align(a, b)
    a_used = [i for g in groups for i in g.a]
    b_used = [j for g in groups for j in g.b]
    assert len(a_used) == len(set(a_used)) and len(b_used) == len(set(b_used))
    in_order = [g for g in groups if not g.moved]
    assert [g.b for g in in_order] == sorted(g.b for g in in_order)
    # Identical sentences always find each other, moved or not.
    expected = {(i, b_texts.index(sentences[i])) for i in range(6) if i not in drop}
    assert {(g.a[0], g.b[0]) for g in groups if len(g.a) == len(g.b) == 1} == expected
