"""Diff aligned sentences word by word and say what kind each difference is.

Within an aligned group the folded words of both sides are diffed (difflib,
which groups a changed stretch into one hunk).  Each hunk is then read for:
numbers, dates, negation, respellings (hyphen, case, diacritics, British and
American), and word pairs a small edit apart (a typo when one side is no word,
a name when both are capitalised, a real-word slip otherwise).  What is left of
a hunk with content words in it is ``wording``: translation drift.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace

from rapidfuzz import fuzz

from reconcile.dates import MONTHS, RELATIVE_DAYS, WEEKDAYS, find_dates, parse_published, resolve_weekday
from reconcile.lexicon import british_american, is_known_word, is_misspelling, joined, misspellings, stem, stopwords, zipf
from reconcile.model import Alignment, Divergence, Document
from reconcile.normalize import Token, inside, quote_spans, tokenize

SEVERITY = {
    "number": "high",
    "date": "high",
    "name": "high",
    "negation": "high",
    "real-word": "high",
    "typo": "medium",
    "spelling-variant": "low",
    "wording": "low",
}
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}
KIND_ORDER = {k: n for n, k in enumerate(("number", "date", "name", "negation", "real-word", "typo", "spelling-variant", "wording"))}

NEGATIONS = frozenset({"not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without", "n't", "cannot"})
NUMBER_WORDS = {
    w: n
    for n, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split()
    )
}
NUMBER_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "hundred": 100, "thousand": 1000, "dozen": 12})
NEGATION_CONTEXT = 2
"""Other changed words a hunk may hold beside a negation word."""
MAX_ONE_SIDED = 6
"""Longer words-only-on-one-side stretches are extra clauses, not drift: left to unique claims."""
NAME_ZIPF = 4.5
"""Below this wordfreq frequency a capitalised word is taken for a name, not a title word."""
SIMILAR_WORD = 75.0
SIMILAR_WORD_APART = 85.0
"""Stricter for words in different hunks of a group, where chance look-alikes abound."""
"""rapidfuzz ratio at which two words are one word respelt or slipped, not two words."""


@dataclass(frozen=True)
class _Word:
    token: Token
    sentence: int
    quoted: bool

    @property
    def norm(self) -> str:
        return self.token.norm


def _strip_accents(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def _number(word: str) -> float | None:
    if word in NUMBER_WORDS:
        return float(NUMBER_WORDS[word])
    digits = re.sub(r"(?<=\d),(?=\d{3})", "", word)
    digits = re.sub(r"(st|nd|rd|th|%)$", "", digits)
    try:
        return float(digits)
    except ValueError:
        return None


def _words(doc: Document, sentence_ids: Sequence[int]) -> list[_Word]:
    quotes = quote_spans(doc.text)
    out = []
    for i in sentence_ids:
        sentence = doc.sentences[i]
        for token in tokenize(sentence.text, sentence.start):
            out.append(_Word(token, i, inside(quotes, token.start, token.end)))
    return out


def _is_respelling(a: str, b: str) -> bool:
    """Same word, other spelling: hyphens, apostrophes, case, diacritics, GB/US."""
    if joined(_strip_accents(a)) == joined(_strip_accents(b)):
        return True
    return (a, b) in british_american()


_INFLECTIONS = ("s", "es", "ed", "d", "ing", "ly", "al")
_DERIVATIONS = frozenset({"s", "es", "ed", "d", "ing", "ly", "al", "n", "an", "i", "ian", "ese", "ish", "'s"})
"""Endings that make a form of the same word: plurals, tenses, demonyms ("Armenia"/"Armenian")."""


def _bases(word: str) -> set[str]:
    bases = {word, stem(word)}
    bases.update(word[: -len(suffix)] for suffix in _INFLECTIONS if word.endswith(suffix) and len(word) - len(suffix) >= 3)
    return bases


def _is_inflection(a: str, b: str) -> bool:
    """Grammar, not meaning: "pressure"/"pressures", "violates"/"violated"."""
    if _bases(a) & _bases(b):
        return True
    short, long_ = sorted((a, b), key=len)
    return long_.startswith(short) and long_[len(short) :] in _DERIVATIONS


@dataclass(frozen=True)
class Context:
    """What the classifier may consult beyond the hunk: each side's whole document."""

    a_doc: Document
    b_doc: Document

    @property
    def a_published(self) -> dt.date | None:
        return parse_published(self.a_doc.published)

    @property
    def b_published(self) -> dt.date | None:
        return parse_published(self.b_doc.published)


def _divergence(kind: str, a: Sequence[_Word], b: Sequence[_Word], **extra: object) -> Divergence:
    in_quote = any(w.quoted for w in (*a, *b))
    severity = SEVERITY[kind]
    if in_quote and severity == "low":
        severity = "medium"
    return Divergence(
        kind=kind,
        severity=severity,
        a=" ".join(w.token.text for w in a),
        b=" ".join(w.token.text for w in b),
        a_sentence=a[0].sentence if a else None,
        b_sentence=b[0].sentence if b else None,
        in_quote=in_quote,
        a_span=(a[0].token.start, a[-1].token.end) if a else None,
        b_span=(b[0].token.start, b[-1].token.end) if b else None,
        **extra,  # type: ignore[arg-type]
    )


def _uses(doc: Document, word: str) -> bool:
    return any(t.norm == word for t in tokenize(doc.text))


def _word_pair(a: _Word, b: _Word, ctx: Context) -> Divergence | None:
    """Classify two words a small edit apart, with the evidence for the right one."""
    x, y = a.norm, b.norm
    if x == y:
        return None
    if _is_respelling(x, y):
        return _divergence("spelling-variant", [a], [b])
    if _is_inflection(x, y):
        return None
    x_bad, y_bad = is_misspelling(x), is_misspelling(y)
    if x_bad != y_bad:
        good = "b" if x_bad else "a"
        why = "codespell lists it as a misspelling" if (x if x_bad else y) in misspellings() else "not a word in wordfreq's lists"
        return _divergence(
            "typo", [a], [b], favours=good, confidence=0.9, evidence=(f"{(x if x_bad else y)!r}: {why}",)
        )
    stop = stopwords()
    if x in stop or y in stop or min(len(x), len(y)) < 4:
        return None
    if a.token.text[:1].isupper() and b.token.text[:1].isupper():
        # Title words ("Ministry"/"Minister") are common words; a name is rarer.
        if min(zipf(x), zipf(y)) < NAME_ZIPF:
            return _divergence("name", [a], [b], confidence=0.5)
        return None
    if is_known_word(x) and is_known_word(y):
        evidence = []
        favours = None
        # The slipping side often writes the right word elsewhere in its own text.
        if _uses(ctx.b_doc, x) and not _uses(ctx.a_doc, y):
            favours, evidence = "a", [f"{ctx.b_doc.id} itself writes {x!r} elsewhere"]
        elif _uses(ctx.a_doc, y) and not _uses(ctx.b_doc, x):
            favours, evidence = "b", [f"{ctx.a_doc.id} itself writes {y!r} elsewhere"]
        return _divergence("real-word", [a], [b], favours=favours, confidence=0.8 if favours else 0.4, evidence=tuple(evidence))
    return None


def _dates_of(words_: Sequence[_Word], published: dt.date | None) -> set[dt.date]:
    dates = set()
    for w in words_:
        resolved = resolve_weekday(w.norm, published)
        if resolved:
            dates.add(resolved)
    text = " ".join(w.token.text for w in words_)
    dates.update(d for _, _, d in find_dates(text, published.year if published else None))
    return dates


@dataclass
class _Hunk:
    """One changed stretch of a group, and the words no finding has explained yet."""

    a: list[_Word]
    b: list[_Word]
    a_left: list[_Word]
    b_left: list[_Word]


def _facts(hunk: _Hunk, ctx: Context) -> list[Divergence]:
    """Respelt stretches, numbers, dates and negation: read off the hunk as a whole."""
    a, b = hunk.a, hunk.b
    if a and b and _is_respelling("".join(w.norm for w in a), "".join(w.norm for w in b)):
        hunk.a_left, hunk.b_left = [], []
        return [_divergence("spelling-variant", a, b)]
    found: list[Divergence] = []
    a_nums = [w for w in a if _number(w.norm) is not None]
    b_nums = [w for w in b if _number(w.norm) is not None]
    if a_nums and b_nums and {_number(w.norm) for w in a_nums} != {_number(w.norm) for w in b_nums}:
        found.append(_divergence("number", a_nums, b_nums))
    a_dates = [w for w in a if w.norm in MONTHS or w.norm in WEEKDAYS or w.norm in RELATIVE_DAYS]
    b_dates = [w for w in b if w.norm in MONTHS or w.norm in WEEKDAYS or w.norm in RELATIVE_DAYS]
    if a_dates or b_dates:
        da = _dates_of(a, ctx.a_published)
        db = _dates_of(b, ctx.b_published)
        if da and db and not da & db:
            found.append(_divergence("date", a_dates, b_dates))
    a_neg = [w for w in a if _is_negation(w.norm)]
    b_neg = [w for w in b if _is_negation(w.norm)]
    # Only a small change can be a negation; in a reworded clause "without" is drift.
    if bool(a_neg) != bool(b_neg) and len(a) + len(b) - len(a_neg) - len(b_neg) <= NEGATION_CONTEXT:
        found.append(_divergence("negation", a_neg, b_neg))
    explained_a = {id(w) for w in (*a_nums, *a_dates, *a_neg)}
    explained_b = {id(w) for w in (*b_nums, *b_dates, *b_neg)}
    hunk.a_left = [w for w in a if id(w) not in explained_a]
    hunk.b_left = [w for w in b if id(w) not in explained_b]
    return found


def _is_negation(word: str) -> bool:
    return word in NEGATIONS or word.endswith("n't")


def _slips(hunks: Sequence[_Hunk], ctx: Context) -> list[Divergence]:
    """Words a small edit apart anywhere in the group, most similar first.

    Pairing across hunks matters: a diff may put "cleansing" and "cleaning" in
    different hunks when the phrase around them was reordered.
    """
    a_words = [(h, w) for h in hunks for w in h.a_left]
    b_words = [(h, w) for h in hunks for w in h.b_left]
    scored = sorted(
        (
            (fuzz.ratio(x.norm, y.norm), ha is not hb, i, j)
            for i, (ha, x) in enumerate(a_words)
            for j, (hb, y) in enumerate(b_words)
        ),
        key=lambda t: (-t[0], t[1], t[2], t[3]),
    )
    found: list[Divergence] = []
    used_a: set[int] = set()
    used_b: set[int] = set()
    for ratio, apart, i, j in scored:
        if ratio < SIMILAR_WORD:
            break
        if apart and ratio < SIMILAR_WORD_APART:
            continue
        if i in used_a or j in used_b:
            continue
        pair = _word_pair(a_words[i][1], b_words[j][1], ctx)
        if pair is None and a_words[i][1].norm != b_words[j][1].norm and not _is_inflection(a_words[i][1].norm, b_words[j][1].norm):
            continue
        used_a.add(i)
        used_b.add(j)
        if pair:
            found.append(pair)
    taken_a = {id(a_words[i][1]) for i in used_a}
    taken_b = {id(b_words[j][1]) for j in used_b}
    for h in hunks:
        h.a_left = [w for w in h.a_left if id(w) not in taken_a]
        h.b_left = [w for w in h.b_left if id(w) not in taken_b]
    return found


def _wording(hunk: _Hunk) -> list[Divergence]:
    """What no finding explains: drift, when it holds content words."""
    rest_a, rest_b = hunk.a_left, hunk.b_left
    stop = stopwords()
    one_sided_long = not (rest_a and rest_b) and len(rest_a) + len(rest_b) > MAX_ONE_SIDED
    if any(w.norm not in stop for w in (*rest_a, *rest_b)) and not one_sided_long:
        return [_divergence("wording", rest_a, rest_b)]
    return []


def _group_divergences(a_words: list[_Word], b_words: list[_Word], ctx: Context) -> list[Divergence]:
    matcher = difflib.SequenceMatcher(None, [w.norm for w in a_words], [w.norm for w in b_words], autojunk=False)
    hunks = [
        _Hunk(a_words[i1:i2], b_words[j1:j2], [], [])
        for op, i1, i2, j1, j2 in matcher.get_opcodes()
        if op != "equal"
    ]
    found = [d for h in hunks for d in _facts(h, ctx)]
    found.extend(_slips(hunks, ctx))
    found.extend(d for h in hunks for d in _wording(h))
    return found


def diverge(a_doc: Document, b_doc: Document, groups: Sequence[Alignment]) -> tuple[Divergence, ...]:
    """Classified differences of every aligned group, most severe first."""
    ctx = Context(a_doc, b_doc)
    found: list[Divergence] = []
    for group in groups:
        for d in _group_divergences(_words(a_doc, group.a), _words(b_doc, group.b), ctx):
            # A word only one side has still belongs to the group's sentences.
            found.append(
                replace(
                    d,
                    a_sentence=group.a[0] if d.a_sentence is None else d.a_sentence,
                    b_sentence=group.b[0] if d.b_sentence is None else d.b_sentence,
                )
            )
    return tuple(sort_divergences(found))


def sort_divergences(divergences: Sequence[Divergence]) -> list[Divergence]:
    """Most severe first, then by kind and position, so the order never varies."""
    return sorted(
        divergences,
        key=lambda d: (
            SEVERITY_ORDER[d.severity],
            KIND_ORDER[d.kind],
            d.a_span or (10**9, 0),
            d.b_span or (10**9, 0),
        ),
    )
