"""Word knowledge shared by the stages: stop words, word frequency, misspellings.

Stop words are the most frequent English words by wordfreq, not a hand list;
misspellings and British/American pairs come from codespell's dictionaries as
shipped in its PyPI package.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

import wordfreq

STOPWORD_COUNT = 250


@functools.cache
def stopwords() -> frozenset[str]:
    """The most frequent English words, which say little about what a story is."""
    return frozenset(wordfreq.top_n_list("en", STOPWORD_COUNT)) | {"s", "said", "says", "also"}


@functools.cache
def zipf(word: str, lang: str = "en") -> float:
    """Zipf frequency (0 = never seen, 7 = "the") of a folded word in a language (wordfreq's code)."""
    return float(wordfreq.zipf_frequency(word, lang))


@functools.lru_cache(maxsize=65536)
def joined(word: str) -> str:
    """A word without hyphens, apostrophes or a possessive ending."""
    if "\u2019" in word:
        word = word.replace("\u2019", "'")
    if "'" in word:
        word = _SUFFIX.sub("", word)
    return word.replace("-", "").replace("'", "")


def is_known_word(word: str, lang: str = "en") -> bool:
    """A word wordfreq has seen, judging hyphenated compounds by their joined form.

    wordfreq splits "tai-lateral" and averages its parts, so a compound counts as
    a word when its joined form does or when every part is a common word.
    """
    if zipf(joined(word), lang) > 0:
        return True
    parts = [p for p in word.split("-") if p]
    return len(parts) > 1 and all(zipf(p, lang) >= 3.6 for p in parts)


def _codespell_lines(name: str) -> list[str]:
    path = resources.files("codespell_lib").joinpath("data", name)
    return path.read_text(encoding="utf-8").splitlines()


@functools.cache
def misspellings() -> dict[str, tuple[str, ...]]:
    """codespell's main dictionary: known misspelling -> suggested corrections."""
    table: dict[str, tuple[str, ...]] = {}
    for line in _codespell_lines("dictionary.txt"):
        wrong, _, right = line.partition("->")
        if right:
            table[wrong.strip()] = tuple(r.strip() for r in right.split(",") if r.strip())
    return table


@functools.cache
def british_american() -> frozenset[tuple[str, str]]:
    """Unordered British/American spelling pairs ("colour", "color")."""
    pairs = set()
    for line in _codespell_lines("dictionary_en-GB_to_en-US.txt"):
        gb, _, us = line.partition("->")
        us = us.split(",")[0].strip()
        if gb and us:
            pairs.add((gb.strip(), us))
            pairs.add((us, gb.strip()))
    return frozenset(pairs)


def is_misspelling(word: str) -> bool:
    """A non-word, or a misspelling codespell knows even if it is common on the web."""
    return word in misspellings() or not is_known_word(word)


_SUFFIX = re.compile(r"(?:'s|s')$")


def stem(word: str) -> str:
    """A light normal form: drop possessives and plural -s, so "talks" meets "talk"."""
    if "'" in word:  # the possessive pattern needs one; most words have none
        word = _SUFFIX.sub("", word)
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word
