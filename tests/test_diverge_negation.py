"""Negations an editor must see in reworded sentences, and negations said two ways (issue 13).

The shapes come from the misses of the planted negations on the WMT21 two-reference lines and from
the translators' own pairs that must stay quiet.
"""

from __future__ import annotations

from tests.test_diverge import found


def negations(a: str, b: str) -> list[tuple[str, str]]:
    return [(d.a, d.b) for d in found(a, b) if d.kind == "negation"]


def test_a_clause_negated_where_the_other_side_negates_elsewhere() -> None:
    """Both sides negate once; only one negates "there are ... formations"."""
    a = "In northern Bohemia, not far from Nový Bor, there are hidden a few sandstone rock formations."
    b = "In northern Bohemia, near the town of Nový Bor, there are not several sandstone rock formations."
    assert negations(a, b) == [("", "not")]
    a = '"VAR was stricter than a road radar on Sassuolo and they have been punished like no other team.'
    b = '"VAR was not harder on Sassuolo than a speed camera would be and punished it more than any other team.'
    assert negations(a, b) == [("", "not")]


def test_a_clause_negated_in_other_words_on_both_sides_stays_quiet() -> None:
    pairs = [
        ("It cannot be done quickly, and nobody expects it.", "It can't be done in a flash, and no one expects it."),
        (
            "Ostrava Mayor Macura not to run again, he does not want to go stupid in politics",
            "Ostrava's mayor Macura won't run for office again, as he doesn't want to lose his mind in politics",
        ),
        (
            "They are born so early that neither their lungs nor their muscles are fully developed.",
            "They are born so early that their lungs and muscles are not fully formed.",
        ),
        (
            "Karolínka does not have a clue that Jonáš is not a human being.",
            "Karolinka has no clue that her dear Jonáš is actually not a human.",
        ),
    ]
    for a, b in pairs:
        assert negations(a, b) == [], (a, b)


def test_not_only_is_no_negation_to_offset_another() -> None:
    """ "Not only ..., but they do cause" asserts; the other side's "do not have" is a claim reversed."""
    a = "Small farms are capable to feed the whole population, and they do not have such impacts on the countryside."
    b = "Not only are small farms able to supply the whole population, but they do cause such devastation."
    assert negations(a, b) == [("not", "")]
    # Without a "but", "not just" is "simply not": a negation, as the other side's is.
    a = "However, they will not just buy the second half which was sold thanks to discounts."
    b = "It will be a challenge to refill its stock with the second half of goods sold at discounted prices."
    assert negations(a, b) == [("not", "")]


def test_a_negated_verb_after_do_and_its_other_tense() -> None:
    a = "The inspection found that the seller does not have the certificates of foodstuff origin."
    b = "An inspection at a seafood stall revealed that its owner had certificates of origin of products."
    assert negations(a, b) == [("not", "")]
    a = "The parliament decided that the local elections would not take place in the areas held by militants."
    b = "The parliament decided that the planned local elections will be held in the territories held by rebels."
    assert negations(a, b) == [("not", "")]


def test_not_beside_no_is_a_negation_not_a_slip() -> None:
    a = '"At first, it was obvious that there was no living soul in the town.'
    b = "\u201cAt the beginning, it was not noticeable, because the city became empty."
    assert negations(a, b) == [("", "not")]


def test_not_before_a_phrase_the_other_side_asserts() -> None:
    a = "Even the current bill includes its implementation for voting from abroad, but not in the Czech Republic."
    b = (
        "Even the proposed law would only allow mail-in voting for individuals living abroad, "
        "but for those living in the Czech Republic."
    )
    assert negations(a, b) == [("not", "")]
    # "not far from" is "near": the word the "not" negates is not on the other side.
    a = "In northern Bohemia, at the foot of the mountains, not far from Nový Bor, there are a few rock formations."
    b = "In northern Bohemia, at the foot of the mountains, near the town of Nový Bor, there are several formations."
    assert negations(a, b) == []


def test_a_clause_negated_where_the_other_side_negates_its_auxiliary_elsewhere() -> None:
    a = "Cramer explained that if it is not going well for many companies, the need for entertainment is limited."
    b = "If a lot of companies are having difficulties, the need for entertainment is not limited, explained Cramer."
    assert negations(a, b) == [("", "not")]


def test_a_contracted_auxiliary_is_one_of_its_verb_s_tenses() -> None:
    a = "However, he or she is not entitled to a salary adjustment which would correspond to such a rank."
    b = "However, they're entitled to pay adjustment corresponding with the new rank."
    assert negations(a, b) == [("not", "")]


def test_not_only_against_only_is_a_change_and_against_additionally_none() -> None:
    a = "Not only poor quality of outdoor air but also the quality of indoor air are threats to our health."
    b = "It's only the outdoor air pollution, but also the low indoor air quality that pose a threat to our health."
    assert negations(a, b) == [("Not", "")]
    a = "Small farms are capable to feed the whole population, additionally they do not have such impacts."
    b = "Not only are small farms able to supply the whole population, but they do not cause such devastation."
    assert negations(a, b) == []
