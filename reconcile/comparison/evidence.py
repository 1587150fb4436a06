"""Evidence about two words in the same slot: is the change a slip, a name, or drift?

Two renderings of one statement put different words in the same place.  Most
such changes are drift (another word for the same thing, another tense, another
preposition); a few are slips that change what the text says ("ethnic
cleaning" for "ethnic cleansing", "there" for "their").  No single rule tells
them apart, so each substitution is measured on several independent axes and
the kind follows from a small table of those measurements (``KIND_RULES``):

- **form**: edit distance (OSA, which forgives a swapped pair of letters) and
  sound (jellyfish's Metaphone and NYSIIS codes): slips look or sound alike;
- **grammar**: the same lemma (simplemma), or one word derived from the other,
  means an inflection or derivation: drift, not a slip;
- **context**: how well each word fits the neighbours both sides share, from
  the English bigram counts that ship with symspellpy; this also says which
  side holds the slip;
- **lexicon**: whether each is a word at all (wordfreq, codespell), whether it
  is a function word, and whether the pair is a classic confusion
  (``CONFUSABLE``);
- **names**: two spellings or transliterations of one name share a sound code
  or a transliteration key ("Aleksandr"/"Alexander", "Netanjahu"/"Netanyahu").

Every judgement carries a one-line ``reason`` that the JSON report keeps.

Resources differ by language (``LANGUAGES``): capitals mark names in English,
not in German, where every noun is capitalised; the context model is English
only.  Where a resource is missing the tool says less: a change it cannot
judge stays drift rather than becoming a guess.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jellyfish
from anyascii import anyascii
from rapidfuzz.distance import OSA

from reconcile.text.dates import MONTHS, WEEKDAYS
from reconcile.text.lexicon import (
    TABLE_LANGUAGES,
    ZIPF_FLOOR,
    WordVectors,
    bigram_counts,
    british_american,
    frequencies,
    is_known_word,
    joined,
    lemmatizer,
    misspellings,
    stopwords,
    table_tokens,
    word_counts,
    zipf,
    zipf_of_tokens,
)

# --- languages -------------------------------------------------------------------


@dataclass(frozen=True)
class Language:
    """What the tool knows how to judge in one language."""

    code: str
    capitals_mark_names: bool
    """English capitalises names; German capitalises every noun, so a capital says nothing there."""
    context_model: bool
    """Bigram counts to say which word fits its neighbours (English only: symspellpy ships them)."""
    decimal_mark: str
    thousands_mark: str
    lemmas: bool
    """simplemma has a lemma table for it."""


LANGUAGES = {
    "en": Language(
        "en", capitals_mark_names=True, context_model=True, decimal_mark=".", thousands_mark=",", lemmas=True
    ),
    "de": Language(
        "de", capitals_mark_names=False, context_model=False, decimal_mark=",", thousands_mark=".", lemmas=True
    ),
    "fr": Language(
        "fr", capitals_mark_names=True, context_model=False, decimal_mark=",", thousands_mark=" ", lemmas=True
    ),
    "es": Language(
        "es", capitals_mark_names=True, context_model=False, decimal_mark=",", thousands_mark=".", lemmas=True
    ),
    "it": Language(
        "it", capitals_mark_names=True, context_model=False, decimal_mark=",", thousands_mark=".", lemmas=True
    ),
    "nl": Language(
        "nl", capitals_mark_names=True, context_model=False, decimal_mark=",", thousands_mark=".", lemmas=True
    ),
}
UNKNOWN_LANGUAGE = Language(
    "und", capitals_mark_names=False, context_model=False, decimal_mark=".", thousands_mark=",", lemmas=False
)
"""A language the tool has no resources for: it reports figures, dates and negations it can read, and no slips."""
ENGLISH = LANGUAGES["en"]
MIN_LANGUAGE_CHARS = 40
MIN_ASCII_LANGUAGE_CHARS = 200
"""Shorter texts are taken for English; so are ASCII ones up to 200 characters where the model names a
language the tool has no rules for: py3langid guesses wildly on a sentence of names ("Defence Minister
Sergei Shoigu met Aleksandr Lukashenko." came out Estonian)."""


@functools.lru_cache(maxsize=4096)
def detect_language(text: str) -> Language:
    """The language of a text, by py3langid (its model ships inside its PyPI package)."""
    if len(text) < MIN_LANGUAGE_CHARS:
        return ENGLISH
    sample = text[:2000]
    if _english_share(sample) >= ENGLISH_STOPWORD_SHARE:
        return ENGLISH  # most news is English: skip loading the model for it
    code = _langid().classify(sample)[0]
    if code not in LANGUAGES and sample.isascii() and len(sample) < MIN_ASCII_LANGUAGE_CHARS:
        return ENGLISH  # a short run of names: the model's guess is noise
    return LANGUAGES.get(code, UNKNOWN_LANGUAGE)


ENGLISH_STOPWORD_SHARE = 0.3
"""Share of a text's words among the 250 most frequent English words above which it is English without
loading the model (half a second): English news runs at 0.4-0.5, German and French at under 0.1."""


def _english_share(text: str) -> float:
    words = text.lower().split()
    if not words:
        return 0.0
    stop = stopwords()
    return sum(w.strip(".,;:!?\"'()") in stop for w in words) / len(words)


@functools.cache
def _langid() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=False)
    identifier.set_languages(NEWS_LANGUAGES)
    return identifier


NEWS_LANGUAGES = (
    "ar", "az", "bg", "cs", "da", "de", "el", "en", "es", "et", "fa", "fi", "fr", "he", "hi", "hr", "hu", "hy",
    "id", "it", "ja", "ka", "ko", "lt", "lv", "nl", "no", "pl", "pt", "ro", "ru", "sk", "sl", "sr", "sv", "tr",
    "uk", "zh",
)  # fmt: skip
"""The languages the identifier chooses among: news languages.  Over all 97 of py3langid's, an English
sentence full of Russian names came out as Nigerian Pidgin ("pcm")."""


# --- lexicon by language -----------------------------------------------------------

SOURCE_LANGUAGES = ("de", "fr", "es", "it", "cs", "pl", "nl", "pt")
"""Languages news is often translated from, whose short words a translator may leave in."""
FOREIGN_GAP = 2.0
"""A word another language writes 100x as often as English ("und" 7.4 / 3.9, "nad" 5.9 / 2.9, "na"
7.3 / 4.4 on wordfreq's Zipf scale) is that language's word left in a translation, not an English
slip; English words shared with them stay English ("war" 5.5 / 6.5, "ca" 4.7 / 5.6, "also", "man")."""


@functools.lru_cache(maxsize=65536)
def foreign_word(word: str, lang: str = "en") -> bool:
    """A word of another language that a rendering in ``lang`` has kept ("Ústí nad Labem", "und")."""
    own = zipf(word, lang)
    # ``zipf`` of a word in a table language is that of its ``table_tokens``, the same in every one of
    # them: the tokens are made once here rather than once a language (eight times).
    tokens = table_tokens(word)
    for other in SOURCE_LANGUAGES:
        if other == lang:
            continue
        if tokens is None or other not in TABLE_LANGUAGES:
            if zipf(word, other) - own >= FOREIGN_GAP:
                return True
            continue
        table = frequencies(other)
        found = [table.get(token) for token in tokens]
        if not found or None in found:
            continue  # Zipf 0 there (wordfreq's floor), never FOREIGN_GAP above a Zipf of 0 or more
        # ``zipf_of_tokens`` rounds the frequency to three significant digits and the Zipf to two
        # decimals, moving it ZIPF_ROUNDING at most: further than that from the gap, the rounding
        # cannot decide, and the logarithm alone does (a third of the time).
        rough = math.log10(max(1.0 / sum(1.0 / f for f in found), ZIPF_FLOOR)) + 9 - own
        if rough < FOREIGN_GAP - ZIPF_ROUNDING:
            continue
        if rough > FOREIGN_GAP + ZIPF_ROUNDING or zipf_of_tokens(tokens, table) - own >= FOREIGN_GAP:
            return True
    return False


ZIPF_ROUNDING = 0.01
"""How far ``zipf_of_tokens``'s roundings can move a Zipf value: three significant digits of the frequency
move its logarithm by log10(1.005) = 0.0022 at most, two decimals of the Zipf by 0.005; with room for
floating point."""


@functools.lru_cache(maxsize=65536)
def is_word(word: str, lang: str = "en") -> bool:
    """A word of the language ("tai-lateral" is not; "de-escalate" is), and in English no misspelling
    codespell knows."""
    return not (lang == "en" and word in misspellings()) and is_known_word(word, lang)


@functools.lru_cache(maxsize=65536)
def lemma(word: str, lang: str) -> str:
    """simplemma's lemma (its tables ship in its package); the word itself where it has none."""
    try:
        return str(lemmatizer().lemmatize(word, lang)).casefold()
    except ValueError:
        return word


def same_lemma(x: str, y: str, lang: str) -> bool:
    if lang not in LANGUAGES or not LANGUAGES[lang].lemmas:
        return False
    return lemma(x, lang) == lemma(y, lang)


DERIVATION_PREFIX = 5
DERIVATION_SHARE = 0.65
"""Two words sharing their first 5 letters and 65% of the shorter one are one word derived
("historic"/"historical", "protection"/"protective", "hygiene"/"hygienic"), where look-alike
slips share less ("naval"/"navel" 3 letters, "season"/"session" 2, "fraction"/"faction" 1)."""


DERIVATIONAL_SUFFIXES = ("y", "ly", "ic", "al", "ical", "ish", "ness")
"""Suffixes that make an adjective or adverb of a word ("rock"/"rocky", "atom"/"atomic",
"calm"/"calmly"): on the two references every such pair was one translator's choice of form."""
DERIVATION_STEM = 4


def derived(x: str, y: str) -> bool:
    """One word built on the other: a shared stem, or one word inside the other with a prefix or
    suffix added ("charging"/"recharging", "spite"/"despite", "cycling"/"bicycling")."""
    short, long_ = sorted((x, y), key=len)
    if len(short) >= DERIVATION_STEM and long_.startswith(short) and long_[len(short) :] in DERIVATIONAL_SUFFIXES:
        return True
    if (
        len(short) >= DERIVATION_PREFIX
        and len(long_) - len(short) >= 2
        and (long_.endswith(short) or long_.startswith(short))
    ):
        return True
    common = 0
    for cx, cy in zip(x, y, strict=False):
        if cx != cy:
            break
        common += 1
    return common >= DERIVATION_PREFIX and common >= DERIVATION_SHARE * min(len(x), len(y))


# --- respellings -------------------------------------------------------------------


def strip_accents(text: str) -> str:
    if text.isascii():
        return text  # NFKD leaves ASCII as it is, with no combining marks to drop
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


_GB_US = (
    (re.compile(r"isation"), "ization"),
    (re.compile(r"(?<=\w{3})is(e|es|ed|ing)$"), r"iz\1"),
    (re.compile(r"(?<=\w{2})ys(e|es|ed|ing)$"), r"yz\1"),
    (re.compile(r"(?<=\w{3})our(s|ed|ing|ite|ites|able)?$"), r"or\1"),
    (re.compile(r"(?<=\w{3})tre(s)?$"), r"ter\1"),
    (re.compile(r"(?<=\w{3})ogue(s)?$"), r"og\1"),
)


_GB_PARTS = ("is", "ys", "our", "tre", "ogue")
"""A substring each of the patterns above matches."""
MAX_AMERICANISED_SHRINK = 2
"""``americanised`` shortens a word by at most this: "-ogue" to "-og"; the other patterns
keep the length or take one letter ("-our"), and only one ending pattern can apply."""


@functools.lru_cache(maxsize=65536)
def americanised(word: str) -> str:
    """A rough American spelling by ending: "hospitalised" -> "hospitalized", "centre" -> "center"."""
    if not any(part in word for part in _GB_PARTS):
        return word  # every pattern needs one of these
    for gb, us in _GB_US:
        word = gb.sub(us, word)
    return word


def is_respelling(a: str, b: str) -> bool:
    """Same word, other spelling: hyphens, apostrophes, case, diacritics, GB/US."""
    a, b = joined(strip_accents(a)), joined(strip_accents(b))
    if a == b or (a, b) in british_american():
        return True
    if corrects(a, b):
        return False  # "compromize" is codespell's misspelling, not an American spelling
    short, long_ = sorted((a, b), key=len)
    if len(short) >= 4 and short.endswith("y") and long_ == short[:-1] + "ie":
        return True  # "hoody"/"hoodie", "goody"/"goodie": one word, two endings
    if abs(len(a) - len(b)) > MAX_AMERICANISED_SHRINK:
        return False  # no American spelling can bring them together: skip the patterns
    return americanised(a) == americanised(b)


def corrects(x: str, y: str) -> bool:
    """codespell lists one as the misspelling of the other."""
    return y in misspellings().get(x, ()) or x in misspellings().get(y, ())


# --- form and sound -----------------------------------------------------------------

_TRANSLITERATION = (
    ("ks", "x"),
    ("kh", "h"),
    ("ph", "f"),
    ("th", "t"),
    ("ck", "k"),
    ("c", "k"),
    ("j", "y"),
    ("w", "v"),
    ("ij", "i"),
    ("ii", "i"),
    ("iy", "i"),
    ("y", "i"),
    ("ie", "i"),
    ("ei", "i"),
    ("ou", "u"),
    ("oe", "o"),
    ("ue", "u"),
    ("ae", "a"),
)
"""Spellings that transliteration schemes and national orthographies trade for one another:
"Aleksandr"/"Alexander", "Netanjahu"/"Netanyahu", "Sergei"/"Sergey", "Zelensky"/"Zelenskyy"."""


@functools.lru_cache(maxsize=65536)
def transliteration_key(name: str) -> str:
    """A name folded past accents, doubled letters and common transliteration variants.

    anyascii writes the letters accents do not decompose, and other scripts, in
    Latin ("Đuričić" -> "Duricic", "Łódź" -> "Lodz", "Зеленский" -> "Zelenskii").
    """
    word = joined(name.casefold())
    if not word.isascii():
        word = anyascii(word).casefold()
    word = "".join(c for c in word if c.isalpha())
    for old, new in _TRANSLITERATION:
        word = word.replace(old, new)
    collapsed: list[str] = []
    for c in word:
        if not collapsed or collapsed[-1] != c:
            collapsed.append(c)
    return "".join(collapsed)


def sound_alike(x: str, y: str) -> bool:
    """Metaphone or NYSIIS codes agree: words an ear, or a transliterator, would confuse."""
    if not (x.isalpha() and y.isalpha()):
        return False
    return jellyfish.metaphone(x) == jellyfish.metaphone(y) or jellyfish.nysiis(x) == jellyfish.nysiis(y)


def edit_distance(x: str, y: str) -> int:
    return int(OSA.distance(x, y))


@functools.lru_cache(maxsize=262144)
def look_alike(x: str, y: str) -> bool:
    """A slip's distance: one edit; two in a word of five letters or more, or of four with the same first letter
    ("said"/"sent"); or the same sound."""
    d = edit_distance(x, y)
    shorter = min(len(x), len(y))
    if d <= 1:
        return True
    if d == 2 and (shorter >= 5 or (shorter == 4 and x[0] == y[0])):
        return True
    return shorter >= 3 and d <= min(LOOK_ALIKE_REACH, max(2, shorter // 2)) and sound_alike(x, y)


LOOK_ALIKE_REACH = 4
"""No two words further apart than four edits look alike, whatever their sound."""


def same_name(x: str, y: str) -> bool:
    """Two spellings of one name: one transliteration key, or one sound code, and a small edit.

    Names of four letters or fewer must match exactly on the key: "Bush"/"Bash" are two names.
    """
    kx, ky = transliteration_key(x), transliteration_key(y)
    shorter = min(len(kx), len(ky))
    if kx == ky:
        return True
    x, y = joined(x.casefold()), joined(y.casefold())  # "Djuričič's" is "Djuričič" for this
    if shorter < 5 or not (x.isalpha() and y.isalpha()):
        return False
    close = edit_distance(kx, ky) <= (1 if shorter < 8 else 2)
    return close and (_consonants(kx) == _consonants(ky) or sound_alike(x, y))


SHORT_FORM = 3


def short_form(x: str, y: str) -> bool:
    """ "Rick"/"Ricky", "Alex"/"Alexander": a given name and its short form, one person.

    Acronyms of the same letters in another order ("NATO"/"OTAN": the English and French initials
    of one body) are one name too.
    """
    if x.isupper() and y.isupper() and len(x) > 1:
        return sorted(x) == sorted(y)
    short, long_ = sorted((joined(x.casefold()), joined(y.casefold())), key=len)
    if long_[len(short) :] in NAME_FORM_ENDINGS:
        return False  # "Armenia"/"Armenian": a place and its people, judged as forms of one name elsewhere
    return len(short) >= SHORT_FORM and long_ != short and long_.startswith(short) and short.isalpha()


NAME_FORM_ENDINGS = frozenset({"n", "an", "ian", "ese", "ish", "i", "s", "es", "ic"})


def _consonants(key: str) -> str:
    return key[:1] + "".join(c for c in key[1:] if c not in "aeiou")


# --- context ------------------------------------------------------------------------


@functools.cache
def _unigrams() -> tuple[Mapping[str, int], int]:
    return word_counts()


@functools.cache
def _bigrams() -> Mapping[str, int]:
    return bigram_counts()


ARTICLES = frozenset({"a", "an", "the"})


@functools.lru_cache(maxsize=65536)
def written_with_article(word: str) -> bool:
    """Whether English writes the word after an article ("a cup", "a rainbow", "the liberty"): a common
    word, not a place or a person.

    symspellpy's 243,342 commonest English bigrams hold "a cup" and "the liberty", and no article
    before "denver", "leeds", "prague", "justin" or "moscow": names stand without one.  The byte-pair
    test of ``written_capitalised`` cannot tell "Leeds" or "Denver" from "Cup" (each one piece or
    two, either case).
    """
    bigrams = _bigrams()
    lower = word.lower()
    return any(f"{article} {lower}" in bigrams for article in ARTICLES)


BACKOFF = 0.4
"""Stupid backoff (Brants et al. 2007): an unseen bigram scores 0.4 x the word's own frequency."""


def _log_next(previous: str | None, word: str) -> float:
    """log P(word | previous) by stupid backoff over symspellpy's English counts."""
    unigrams, total = _unigrams()
    if previous:
        pair = _bigrams().get(f"{previous} {word}")
        if pair:
            return math.log(pair / max(unigrams.get(previous, pair), pair))
    return math.log(BACKOFF * max(unigrams.get(word, 0), 1) / total)


@functools.lru_cache(maxsize=65536)
def context_fit(word: str, before: str | None, after: str | None) -> float:
    """How well a word fits between its neighbours: log P(word | before) + log P(after | word)."""
    fit = _log_next(before, word)
    if after:
        fit += _log_next(word, after)
    return fit


CONTEXT_MARGIN = math.log(20)
"""One word must fit the shared neighbours 20 times better than the other for the context to take a side.

On the WMT21 two-reference data the function-word swaps translators make ("in"/"at", "of"/"for",
"was"/"is") fit their neighbours within a factor of 20 of each other in 0.9 of cases; a planted
"their"->"there" or "than"->"then" misses by 100-10,000 (bench/eval_divergences.py prints both)."""
STRONG_CONTEXT_MARGIN = math.log(10_000)
"""A swap of function words outside ``CONFUSABLE`` needs this much, between the same neighbours on both
sides, before it counts as a slip: translators' swaps ("this"/"his", "or"/"nor", "onto"/"into") reached
1,000-50,000 where the sentences around them differed, and planted slips between shared words go past it."""
TYPO_DISTANCE_WITHOUT_CONTEXT = 2
COMMON_WORD_ZIPF = 3.0
"""Both words of a real-word slip are common words; a look-alike rare form ("tme", "qual", Zipf 2-2.6)
of a common word is a typo that happens to be in wordfreq's long tail."""


def _fits_better(x: str, y: str, before: str | None, after: str | None) -> float:
    """How much better ``x`` fits between ``before`` and ``after`` than ``y`` (log ratio).

    0 for a word alone between clause breaks ("Unipetrol, too."): without neighbours the fit is the
    words' frequencies, which always take the commoner word ("to") over the rarer."""
    if before is None and after is None:
        return 0.0
    return context_fit(x, before, after) - context_fit(y, before, after)


def context_margin(x: str, y: str, neighbours: tuple[tuple[str | None, str | None], ...]) -> float:
    """How much better x fits than y (log ratio): positive says y is the slip, negative x.

    ``neighbours`` holds x's own neighbours, then y's.  A slip is a word its own
    neighbours reject: y is one only if y's neighbours take x over y while x's
    neighbours do not take y over x.  Where each word fits its own neighbours
    ("according to" / "Unipetrol, too"), the two were written on purpose and the
    margin is 0, however much better one of them fits both places.
    """
    if not neighbours:
        return 0.0
    if len(neighbours) == 1 or neighbours[0] == neighbours[1]:
        return _fits_better(x, y, *neighbours[0])
    x_own = _fits_better(x, y, *neighbours[0])  # > 0: x fits its place
    y_own = _fits_better(y, x, *neighbours[1])  # > 0: y fits its place
    if y_own < 0 <= x_own:
        return -y_own
    if x_own < 0 <= y_own:
        return x_own
    return 0.0


# --- meaning -----------------------------------------------------------------------------


@functools.cache
def _word_vectors() -> Any:
    """wordllama's static token embeddings, from the files its PyPI package ships (never downloaded)."""
    return WordVectors()


@functools.lru_cache(maxsize=65536)
def written_capitalised(word: str) -> bool:
    """Whether English writes the word mostly with a capital: a name ("Justin", "Moscow"), not a noun.

    A byte-pair tokenizer keeps whole the strings its training text used often, so a word whose
    capitalised form is fewer pieces than its lower-case form is one that text wrote capitalised:
    wordllama's tokenizer gives " Justin" 2 pieces and " justin" 3, " Cup" and " cup" 2 each.
    """
    tokenizer = _word_vectors().tokenizer
    lower, capital = tokenizer.encode_each(
        [" " + word.lower(), " " + word[:1].upper() + word[1:].lower()], add_special_tokens=False
    )
    return len(capital.ids) < len(lower.ids)


@functools.lru_cache(maxsize=65536)
def meaning_similarity(x: str, y: str) -> float | None:
    """Cosine of wordllama's embeddings of two words: related meanings score higher than look-alikes.

    None where the two share a subword token ("rabies"/"babies" share "ies", "cleansing"/"cleaning"
    "ing"): averaged token vectors then measure the spelling the words share, not their meaning.
    """
    vectors = _word_vectors()
    # One tokenizer for both words (``TrimmedTokenizer.encode_each``), and their encodings pooled
    # as ``vectors.similarity(x, y)`` would encode them again: a quarter of the tokenizers built.
    encoded_x, encoded_y = vectors.tokenizer.encode_each([x, y], add_special_tokens=False)
    if set(encoded_x.tokens) & set(encoded_y.tokens):
        return None
    return float(vectors.cosine(vectors.pooled([encoded_x]), vectors.pooled([encoded_y])))


RELATED_MEANING = 0.3
"""wordllama similarity from which two look-alike words are taken for related words, not a slip.

On the look-alike pairs of the WMT21 two-reference data, the translators' drift ("sliding"/"slipping",
"incident"/"accident", "alert"/"alarm") scored 0.33-0.77 in 14 of 19 cases, and their slips
("fraction"/"faction", "season"/"session", "carrier"/"career") under 0.25 in 14 of 18.  A slip that
scores higher ("cleansing"/"cleaning", 0.67) is still one where its neighbours take a side."""
SAME_MEANING = 0.6
"""Look-alike words this close in meaning are one thing said two ways whatever their neighbours say
("races"/"racers" 0.62); the slips read on the two references stay below it ("lead"/"led" 0.43,
"quite"/"quiet" 0.37, "fraction"/"faction" 0.22, "carrier"/"career" 0.00), and so do most human
real-word errors of Mitton's corpora ("choice"/"chose" 0.59, "coming"/"going" 0.50; "advice"/"advise"
0.66 is lost)."""


# --- the classic confusions -------------------------------------------------------

CONFUSABLE_SETS = (
    ("their", "there", "they're"),
    ("than", "then"),
    ("its", "it's"),
    ("of", "off"),
    ("to", "too", "two"),
    ("were", "where", "we're"),
    ("lose", "loose"),
    ("affect", "effect"),
    ("affected", "effected"),
    ("your", "you're"),
    ("whose", "who's"),
    ("accept", "except"),
    ("advice", "advise"),
    ("quiet", "quite"),
    ("weather", "whether"),
    ("principal", "principle"),
    ("complement", "compliment"),
    ("desert", "dessert"),
    ("passed", "past"),
    ("lead", "led"),
    ("breath", "breathe"),
    ("cite", "site", "sight"),
    ("hear", "here"),
    ("right", "write"),
    ("peace", "piece"),
    ("brake", "break"),
    ("bought", "brought"),
    ("formally", "formerly"),
    ("later", "latter"),
    ("council", "counsel"),
    ("which", "witch"),
    ("weak", "week"),
    ("whole", "hole"),
    ("wander", "wonder"),
    ("form", "from"),
    ("will", "well"),
    ("lost", "last"),
    ("said", "sad"),
    ("trail", "trial"),
    ("casual", "causal"),
    ("marital", "martial"),
)
"""Pairs English writers confuse (the usage guides' lists and the Birkbeck corpus's most frequent
real-word errors).  A swap of function words is a slip only inside one of these sets, unless the
context alone is overwhelming: translators vary their prepositions and articles all the time
("in"/"on", "the"/"they" and "as"/"has" were left out: on the WMT21 two-reference data they were
drift every time)."""


@functools.cache
def _confusable() -> frozenset[tuple[str, str]]:
    pairs = set()
    for group in CONFUSABLE_SETS:
        for x in group:
            for y in group:
                if x != y:
                    pairs.add((x, y))
    return frozenset(pairs)


def confusable(x: str, y: str) -> bool:
    return (x, y) in _confusable()


FUNCTION_WORDS = frozenset(
    """a an the this that these those some any no every each either neither all both half
    i me my mine you your yours he him his she her hers it its we us our ours they them their theirs
    who whom whose which what where when why how there here then than
    of off in on at to too by for from with within without into onto upon over under above below
    about after before between among through during since until till against across along around
    and or nor but if so as because while though although unless whether yet thus hence
    is are was were be been being am do does did has have had having will would shall should
    can could may might must not
    up down out away back just only also even ever still very more most less least much many
    such other another same own one""".split()
)
"""Closed-class words: translators trade them freely ("in"/"at", "this"/"the", "was"/"is"), so a swap
of two of them is a slip only with strong evidence.  A hand list on purpose: the most frequent words
by wordfreq also hold verbs ("said", "made") whose swaps ("said"/"sent") are slips like any other."""


# --- the judgement ------------------------------------------------------------------


@dataclass(frozen=True)
class WordJudgement:
    """What a substitution of one word by another is, why, and which side the context favours."""

    kind: str | None
    """A divergence kind, or None: drift the reports count but do not list."""
    reason: str
    favours: str | None = None
    """"a" or "b" where the context says which word fits, else None."""
    open_to_context: bool = False
    """Two words of the lexicon that neither form nor grammar ties together: a reading of the whole
    sentence (``reconcile.text.fluency``) may still find one of them a slip."""


def _favoured(margin: float) -> str | None:
    if margin >= CONTEXT_MARGIN:
        return "a"
    if margin <= -CONTEXT_MARGIN:
        return "b"
    return None


SPANS_OF_TIME = (
    frozenset(
        "year years month months week weeks day days decade decades century centuries hour hours minute minutes "
        "weekend weekends season seasons night nights summer winter spring autumn fall few several couple two three "
        "four five six seven eight nine ten eleven twelve fifteen twenty thirty fifty hundred".split()
    )
    | frozenset(MONTHS)
    | frozenset(WEEKDAYS)
)
ONE_MEANING_BEFORE = {frozenset({"past", "last"}): SPANS_OF_TIME}
"""Look-alike words that say one thing before these words: "the past year" / "the last year", "Past August"
/ "Last August", "the past two months" / "the last two months" (a figure between).  On the two WMT21
references "past"/"last" was five of the real-word flags where the translators agree, all this one meaning;
elsewhere the two are other words ("the last man", "walked past")."""


def _one_meaning_here(x: str, y: str, neighbours: tuple[tuple[str | None, str | None], ...]) -> bool:
    """Whether ``x`` and ``y`` are a pair of ``ONE_MEANING_BEFORE`` and each stands before one of its words."""
    following = ONE_MEANING_BEFORE.get(frozenset({x, y}))
    return (
        following is not None
        and bool(neighbours)
        and all(after is not None and (after in following or after.isdigit()) for _, after in neighbours)
    )


def judge_words(
    x: str,
    y: str,
    lang: Language,
    neighbours: tuple[tuple[str | None, str | None], ...] = (),
) -> WordJudgement:
    """Classify one word put for another in the same slot (both folded to lower case).

    The order of the questions is the order of the evidence's strength: a
    non-word is a typo whatever else holds; one lemma is grammar; a respelling is
    a variant; then look-alike real words are slips where the lexicon or the
    context backs it, and everything else is drift.
    """
    if x == y:
        return WordJudgement(None, "the same word")
    if joined(x) == joined(y) and x.replace("-", "") != y.replace("-", ""):
        return WordJudgement(None, "one word with and without a possessive ending")
    if is_respelling(x, y):
        return WordJudgement("spelling-variant", "the same word spelt two ways (hyphen, accents or British/American)")
    if lang is UNKNOWN_LANGUAGE:
        return WordJudgement(None, "no word list for this language: left as drift")
    x_word, y_word = is_word(x, lang.code), is_word(y, lang.code)
    if x_word != y_word:
        wrong, right = (x, y) if not x_word else (y, x)
        why = "codespell lists it as a misspelling" if wrong in misspellings() else "not a word in wordfreq's lists"
        # German compounds are missing from wordfreq: there only a near miss is a typo.
        limit = max(3, min(len(x), len(y)) // 2) if lang.context_model else TYPO_DISTANCE_WITHOUT_CONTEXT
        if edit_distance(x, y) > limit:
            return WordJudgement(None, f"{wrong!r} is no word, but too far from {right!r} to be its slip")
        return WordJudgement("typo", f"{wrong!r}: {why}", "b" if wrong == x else "a")
    if not x_word:
        return WordJudgement(None, "neither is a word the lexicon knows")
    if "-" in x + y and not confusable(x, y):
        return WordJudgement(None, "hyphenated compounds put together another way: drift")
    if _one_meaning_here(x, y, neighbours):
        return WordJudgement(None, f"{x!r}/{y!r} say one thing before a span of time")
    margin = context_margin(x, y, neighbours) if lang.context_model else 0.0
    shared_context = len(neighbours) == 2 and neighbours[0] == neighbours[1]
    function_words = x in FUNCTION_WORDS or y in FUNCTION_WORDS
    if confusable(x, y) and lang.code == "en":
        if not function_words or _favoured(margin):
            return WordJudgement("real-word", f"{x!r}/{y!r} is a classic confusion", _favoured(margin))
        return WordJudgement(None, f"{x!r}/{y!r} can be confused, but both fit their neighbours", open_to_context=True)
    # "ever"/"every", "the"/"these": function words are not derived from one another
    if same_lemma(x, y, lang.code) or (derived(x, y) and not function_words):
        # "did not held", "the much more experience champion": a form of the word its sentence's grammar
        # rejects is a slip a reading of the sentence can see.  A derived word changes its part of speech
        # with the rewording ("a rock gallery" / "a rocky gallery"), which no reading tells from a slip.
        return WordJudgement(
            None,
            "one word in two grammatical forms (same lemma or derivation)",
            open_to_context=same_lemma(x, y, lang.code),
        )
    fx, fy = zipf(joined(x), lang.code), zipf(joined(y), lang.code)
    if min(fx, fy) < COMMON_WORD_ZIPF <= max(fx, fy) - 1 and look_alike(x, y) and "-" not in x + y:
        rare, common = (x, y) if fx < fy else (y, x)
        return WordJudgement("typo", f"{rare!r}: a rare form beside the common {common!r}", "b" if rare == x else "a")
    if not look_alike(x, y):
        return WordJudgement(None, "another word for the same slot: translation drift", open_to_context=True)
    if function_words:
        if lang.context_model and shared_context and abs(margin) >= STRONG_CONTEXT_MARGIN:
            side = "a" if margin > 0 else "b"
            ratio = math.exp(abs(margin))
            return WordJudgement(
                "real-word", f"function words spelt alike; one fits its neighbours {ratio:,.0f}x better", side
            )
        return WordJudgement(None, "function words vary between renderings", open_to_context=True)
    if not lang.context_model:
        return WordJudgement(None, f"look-alike words with other meanings; no context model for {lang.code!r} to judge")
    related = meaning_similarity(x, y)
    if related is not None and related >= SAME_MEANING:
        return WordJudgement(None, f"look-alike words of one meaning (wordllama {related:.2f}): drift")
    if related is not None and related >= RELATED_MEANING and not _favoured(margin):
        return WordJudgement(
            None,
            f"look-alike words of related meaning (wordllama {related:.2f}); both fit their neighbours",
            open_to_context=True,
        )
    return WordJudgement(
        "real-word",
        "both are words, spelt alike, with different lemmas: one may be a slip for the other",
        _favoured(margin),
        open_to_context=True,
    )


@dataclass(frozen=True)
class NameJudgement:
    kind: str | None
    reason: str


NAME_TYPO_ZIPF = 2.5
NAME_TYPO_GAP = 1.5
"""A look-alike of a known name that is rare (Zipf < 2.5, often 0) and far rarer (1.5 below) is that name
misspelt ("Tatarsan" 0 / "Tatarstan" 2.6, "Cua" 2.0 / "Cuba" 4.4); two names of like frequency
("Lithuania" 3.5 / "Latvia" 3.4) are two names."""


TRANSLITERATION_LETTERS = frozenset("yijkxhsvw")
"""The letters transliterations trade ("Zelenskyy" is newer than wordfreq's lists, and still a spelling
of "Zelensky"); a letter doubled or swapped outside them ("Gazza", "Virrtual") is a slip."""


def _transliterated_letters(x: str, y: str) -> bool:
    a, b = Counter(x.casefold()), Counter(y.casefold())
    return set((a - b) + (b - a)) <= TRANSLITERATION_LETTERS


def judge_names(x: str, y: str, lang: Language) -> NameJudgement:
    """Two names in the same slot: one name spelt two ways, a misspelt name, or another name.

    A form nobody writes (wordfreq has never seen it) beside a look-alike that people do write is a
    misspelling first ("Virrtual", "Gehrinng", "Tatarsan"), even where a transliteration key would
    join the two: transliterations are forms people write ("Aleksandr", "Shoygu", "Zelenskyy").
    """
    fx, fy = zipf(joined(x), lang.code), zipf(joined(y), lang.code)
    known, unknown = (x, y) if fx >= fy else (y, x)
    never_seen = min(fx, fy) == 0 < max(fx, fy)
    close = edit_distance(x.casefold(), y.casefold()) <= max(2, min(len(x), len(y)) // 4)
    if never_seen and close and not (same_name(x, y) and _transliterated_letters(x, y)):
        return NameJudgement("typo", f"{unknown!r}: no one writes it; {known!r} is the name")
    if same_name(x, y):
        return NameJudgement("spelling-variant", "one name in two spellings or transliterations")
    if short_form(x, y):
        return NameJudgement("spelling-variant", "one name and its short form")
    if (
        min(fx, fy) < NAME_TYPO_ZIPF
        and max(fx, fy) - min(fx, fy) >= NAME_TYPO_GAP
        and edit_distance(x, y) <= max(1, min(len(x), len(y)) // 4)
    ):
        return NameJudgement("typo", f"{unknown!r} looks like {known!r} misspelt")
    if max(fx, fy) < NAME_TYPO_ZIPF and min(len(x), len(y)) >= 4 and edit_distance(x.casefold(), y.casefold()) == 1:
        return NameJudgement("typo", "two rare names one letter apart: one is likely the other misspelt")
    return NameJudgement("name", "another name in the same place")
