"""Normalize for comparison, keep the original for display, and find site chrome.

Comparison never rewrites a document: tokens carry their offsets into the
original text and a *folded* form (NFKC, case-folded, typographic quotes and
dashes made plain) that the comparing stages use.  Site chrome is found by rule
(share prompts, "Read Next" teasers, bylines, comment forms) and by lines that
recur across documents of the corpus, and is returned as spans, not deleted.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from reconcile.model import Span
from reconcile.text.wordtables import Table, package_dir

PUNCTUATION = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\u00a0": " ",
    "\u200b": "",
    "\u200c": "",
    "\u200d": "",
    "\u2060": "",
    "\ufeff": "",
}
"""Typographic punctuation and its plain form: what comparison makes of quotes, dashes and invisible spaces."""
_PUNCT_FOLD = str.maketrans(PUNCTUATION)

# A word: letters/digits (Unicode-aware), joined by inner hyphens, apostrophes or
# dots/commas between digits ("de-escalate", "Azerbaijan's", "1,200", "2.5"), or an
# abbreviation ("U.S.").  Branches that can only start with a letter share that
# letter, and the leading lookahead lets every other position fail at once: the
# same matches as the plain alternation, in half the time (tests/test_fast_paths.py).
_LETTER = r"[^\W\d_]"
TOKEN_RE = re.compile(
    r"(?=[^\W_])(?:"
    rf"{_LETTER}(?:\.(?:{_LETTER}\.)+(?!{_LETTER})"  # U.S.
    r"|\w*(?:[-\u2010\u2011'\u2019]\w+)*)"  # de-escalate, Azerbaijan's
    r"|\d+(?:[.,:]\d+)*(?:%|st|nd|rd|th)?"  # 1,200, 2.5, 3rd, 40%
    r")",
    re.UNICODE,
)
_ASCII_TOKEN_RE = re.compile(TOKEN_RE.pattern, re.ASCII)
"""``TOKEN_RE`` for ASCII text: the same matches, faster."""


def _char_class(codes: Iterable[int]) -> str:
    return "".join(re.escape(chr(code)) for code in sorted(set(codes)))


def _ftfy_touches() -> re.Pattern[str]:
    """Characters one of ftfy's fixers other than the mojibake repair changes, from ftfy's own
    tables: C0 and C1 controls and terminal escapes, line and paragraph
    separators, surrogates, Latin ligatures, full-width and half-width forms."""
    from ftfy import chardata

    listed = _char_class([*chardata.LIGATURES, *chardata.WIDTH_MAP, *chardata.CONTROL_CHARS, 0x2028, 0x2029])
    return re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\ud800-\\udfff{listed}]")


def _html_entity() -> re.Pattern[str]:
    """What ftfy's ``unescape_html`` decodes (``&amp;``, ``&#233;``): a bare ``&`` as in "AT&T" is left alone."""
    from ftfy.fixes import HTML_ENTITY_RE

    return HTML_ENTITY_RE


def _altered_utf8() -> re.Pattern[str]:
    """UTF-8 read as Latin-1 whose no-break space became a plain space ("Â " for a no-break space):
    ftfy restores it (``restore_byte_a0``) where its mojibake test sees nothing."""
    from ftfy.chardata import ALTERED_UTF8_RE

    return re.compile(ALTERED_UTF8_RE.pattern.decode("latin-1"))


def _mojibake_marks() -> re.Pattern[str]:
    """Characters of which every pattern of ``ftfy.badness.BADNESS_RE`` (ftfy's mojibake test)
    holds at least one: its categories other than punctuation and common letters, and the
    letters its literal patterns start from.  Curly quotes, dashes and the ellipsis of
    English news are not among them."""
    from ftfy.badness import MOJIBAKE_CATEGORIES

    kinds = ("c1", "bad", "lower_accented", "upper_accented", "box", "currency", "numeric", "law")
    literals = "ŒœØÙàâóÄ√≈вВГРСЂβΒΓΞΟā€ÂÃÎÐ°×"
    return re.compile("[" + "".join(MOJIBAKE_CATEGORIES[k] for k in kinds) + re.escape(literals) + "]")


@functools.cache
def _ftfy_patterns() -> Table[Any]:
    """The three patterns above, drawn from ftfy's tables and kept with the word tables
    (``reconcile.text.wordtables``): importing ftfy costs 60 ms of a ``compare`` (wcwidth with it), and
    with the patterns at hand only a text that one of its fixers changes needs it."""
    root = package_dir("ftfy")
    made = {"touches": _ftfy_touches, "marks": _mojibake_marks, "entity": _html_entity, "altered": _altered_utf8}

    def build() -> tuple[Any, dict[str, str]]:
        patterns = {name: make() for name, make in made.items()}
        rows: dict[str, Any] = {name: p.pattern for name, p in patterns.items()}
        rows.update((f"{name} flags", p.flags) for name, p in patterns.items())
        return rows.items(), {}

    return Table("ftfy-patterns-2", [root / "chardata.py", root / "badness.py", root / "fixes.py"], build)


@functools.cache
def ftfy_pattern(name: str) -> re.Pattern[str]:
    """``_ftfy_touches``, ``_mojibake_marks``, ``_html_entity`` or ``_altered_utf8`` ("touches", "marks",
    "entity", "altered"), from the cache."""
    table = _ftfy_patterns()
    return re.compile(table[name], int(table[f"{name} flags"]))


MOJIBAKE_CONTEXT = 8
"""Characters kept either side of each mark for ftfy's mojibake test: each pattern of
``ftfy.badness.BADNESS_RE`` spans at most 7 characters."""


def likely_mojibake(text: str) -> bool:
    """Whether ftfy's mojibake test (``ftfy.badness.is_bad``) finds anything in ``text``, run only on
    the stretches around the characters every mojibake pattern holds one of (``_mojibake_marks``):
    the test costs about a millisecond on a whole 3,000-character report."""
    pieces: list[str] = []
    end = -1
    for match in ftfy_pattern("marks").finditer(text):
        start = max(0, match.start() - MOJIBAKE_CONTEXT)
        stop = min(match.end() + MOJIBAKE_CONTEXT, len(text))
        if pieces and start <= end:
            pieces[-1] += text[end:stop]
        else:
            pieces.append(text[start:stop])
        end = stop
    if not pieces:
        return False
    from ftfy.badness import is_bad  # only a text with a mark to test imports ftfy

    return bool(is_bad("\n".join(pieces)))


_CLASS_AHEAD = re.compile(r"\[((?:\\.|[^\]\\])+)\]")
"""A character class at the start of a pattern's alternative: ``[...]``, escapes kept."""


@functools.cache
def first_characters(name: str) -> re.Pattern[str] | None:
    """A class of the characters that every match of ``ftfy_pattern(name)`` starts with, or None
    where the pattern is not alternatives that each start with a class.  ftfy's "altered" pattern
    is six alternatives of classes, which the regex engine tries at every position of a text
    (0.11 ms a non-ASCII report, half of ``needs_ftfy``); one class is scanned for in C, and the
    pattern then runs only on a text that holds one of its first characters."""
    pattern = ftfy_pattern(name)
    classes = []
    for alternative in pattern.pattern.split("|"):
        start = _CLASS_AHEAD.match(alternative)
        if start is None:
            return None
        classes.append(start.group(1))
    return re.compile("[" + "".join(classes) + "]", pattern.flags)


@functools.cache
def ftfy_first_look() -> re.Pattern[str] | None:
    """One class of the characters of ``ftfy_pattern("touches")``, ``ftfy_pattern("marks")`` and
    ``first_characters("altered")``: a text holding none of them gives each of the three nothing
    (most texts that are not ASCII: curly quotes and dashes are in none), and one scan of it in C
    tells so where three did.  None where a class cannot be joined to the others as it is (negated,
    or ending in a character a range or an escape could take)."""
    inner = []
    for pattern in (ftfy_pattern("touches"), ftfy_pattern("marks"), first_characters("altered")):
        if pattern is None or not _CLASS_ONLY.fullmatch(pattern.pattern) or pattern.flags != re.UNICODE:
            return None
        inner.append(pattern.pattern[1:-1])
    return re.compile("[" + "".join(inner) + "]")


_CLASS_ONLY = re.compile(r"\[[^-\^\]](?:\\.|[^\]\\])*[^-\\\]]\]", re.DOTALL)
"""A pattern that is one character class, not negated, whose first character is no hyphen and whose
last is neither a hyphen nor an escape's backslash: such classes joined side by side are their union."""


def needs_ftfy(text: str) -> bool:
    """Whether one of ftfy's fixers would change ``text``: an HTML entity, a character a fixer
    touches, or mojibake; the cheapest checks first."""
    if "&" in text and ftfy_pattern("entity").search(text):
        return True
    if text.isascii():
        # in ASCII, what a fixer touches is a control character other than tab and line feed,
        # which is what ``isprintable`` tells (in C, 5-10 times faster than a pattern)
        return not text.replace("\n", " ").replace("\t", " ").isprintable()
    look = ftfy_first_look()
    if look is not None and not look.search(text):
        return False
    if ftfy_pattern("touches").search(text):
        return True
    first = first_characters("altered")
    if (first is None or first.search(text)) and ftfy_pattern("altered").search(text):
        return True
    return likely_mojibake(text)


def repair(text: str) -> tuple[str, tuple[str, ...]]:
    """Repair mojibake and odd encodings (ftfy) but keep typography as published.

    Cheap checks come first, and ftfy runs only where one of its fixers would change
    something (``needs_ftfy``).  Any other text comes back as ftfy would return it, in NFC.
    ftfy in full costs 1-2 ms a report; about half of a news corpus is not ASCII and
    some 3% of it is changed (issue 14).
    """
    if not needs_ftfy(text):
        if text.isascii() or unicodedata.is_normalized("NFC", text):
            return text, ()
        return unicodedata.normalize("NFC", text), ()
    return _ftfy_repair(text)


@functools.lru_cache(maxsize=4096)
def _ftfy_repair(text: str) -> tuple[str, tuple[str, ...]]:
    """ftfy on a text that needs it, remembered: a feed repeats a syndicated text word for word
    (15% of ``bench_dedup``'s items are such copies), and ftfy costs about a millisecond a report."""
    fixed = fix_text(text)
    plain = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    notes = ("repaired mojibake (ftfy)",) if fixed != plain else ()
    return fixed, notes


FTFY_STEPS_KNOWN = frozenset({"6.3.1"})
"""ftfy versions whose ``fix_text`` and ``fix_and_explain`` ``fix_text`` below follows step for step;
under any other, ftfy's own ``fix_text`` runs."""


def _ftfy_config() -> Any:
    from ftfy import TextFixerConfig

    return TextFixerConfig(uncurl_quotes=False, fix_line_breaks=True, normalization="NFC", explain=False)


@functools.cache
def _translated_by() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """The characters ftfy's three ``str.translate`` fixers change: Latin ligatures, full- and
    half-width forms, control characters (the keys of their tables)."""
    from ftfy import chardata

    tables = (chardata.LIGATURES, chardata.WIDTH_MAP, chardata.CONTROL_CHARS)
    return tuple(re.compile(f"[{_char_class(table)}]") for table in tables)  # type: ignore[return-value]


def fix_text(text: str) -> str:
    """``ftfy.fix_text(text, uncurl_quotes=False, fix_line_breaks=True, normalization="NFC")``, the same
    text, in about half the time on a report with mojibake.

    ftfy runs every fixer over each line until a pass changes nothing, so a repaired report takes two
    passes, and three of its fixers (``fix_latin_ligatures``, ``fix_character_width``,
    ``remove_control_chars``) are a ``str.translate`` of every character: 70 µs each on an
    800-character report, half of ftfy's time there.  Here ftfy's own fixers run in ftfy's order
    (its ``fix_text`` and ``fix_and_explain``, without explanations), and each of those three only
    on a text holding a character of its table: a ``translate`` of any other text gives it back as
    it was.  ``tests/test_reader.py`` holds this to ``ftfy.fix_text``."""
    import ftfy

    if ftfy.__version__ not in FTFY_STEPS_KNOWN:
        return str(ftfy.fix_text(text, _ftfy_config()))
    config = _ftfy_config()
    out = []
    pos = 0
    while pos < len(text):
        textbreak = text.find("\n", pos) + 1
        if textbreak == 0:
            textbreak = len(text)
        if (textbreak - pos) > config.max_decode_length:
            textbreak = pos + config.max_decode_length
        segment = text[pos:textbreak]
        if config.unescape_html == "auto" and "<" in segment:
            config = config._replace(unescape_html=False)
        out.append(_fix_segment(segment, config))
        pos = textbreak
    return "".join(out)


def _fix_segment(text: str, config: Any) -> str:
    """``ftfy.fix_and_explain(text, config).text`` for ``fix_text``'s settings, as above."""
    from ftfy import fixes

    ligatures, widths, controls = _translated_by()
    if config.unescape_html == "auto" and "<" in text:
        config = config._replace(unescape_html=False)
    while True:
        original = text
        if config.unescape_html:
            text = fixes.unescape_html(text)
        text = _fix_encoding(text)
        text = fixes.fix_c1_controls(text)
        if ligatures.search(text):
            text = fixes.fix_latin_ligatures(text)
        if widths.search(text):
            text = fixes.fix_character_width(text)
        text = fixes.fix_line_breaks(text)
        text = fixes.fix_surrogates(text)
        text = fixes.remove_terminal_escapes(text)
        if controls.search(text):
            text = fixes.remove_control_chars(text)
        text = unicodedata.normalize("NFC", text)
        if text == original:
            return text


def _fix_encoding(text: str) -> str:
    """``ftfy.fix_encoding(text)`` (ftfy 6.3.1), asking ftfy's mojibake test of the stretches around
    its marks (``likely_mojibake``) before each of ftfy's steps.

    ftfy repeats its encoding step until the text stops changing, and each step returns the text
    as it is unless ``is_bad`` finds mojibake, a search of the whole segment: about 0.6 ms on a
    3,000-character report (a JSON Lines text is one segment), and most of ftfy's time on the
    texts that need it, spent mainly on the steps that find nothing (the one confirming a repair,
    and every step of a text that another fixer sent here).  Those steps are skipped; a step that
    will look is ftfy's own."""
    import ftfy

    config = _ftfy_encoding_config()
    while likely_mojibake(text):
        fixed = ftfy._fix_encoding_one_step_and_explain(text, config).text
        if fixed == text:
            break
        text = fixed
    return text


@functools.cache
def _ftfy_encoding_config() -> Any:
    """The settings ``ftfy.fix_encoding`` runs its steps with when given none."""
    from ftfy import TextFixerConfig

    return TextFixerConfig(explain=False)


_PUNCT_CHARS = {chr(code): plain for code, plain in _PUNCT_FOLD.items()}
_PUNCT_RE = re.compile("[" + re.escape("".join(_PUNCT_CHARS)) + "]")


def _plain_punctuation(match: re.Match[str]) -> str:
    return _PUNCT_CHARS[match.group()]


def fold(text: str) -> str:
    """The comparison form of a string: NFKC, plain punctuation, case-folded.

    ``str.translate`` with a dict looks every character up (~80 µs for a news item that is
    not ASCII), so the few characters to replace are found by a pattern instead; splitting
    on whitespace is what ``\\s+`` and ``strip`` do (both use Unicode's whitespace)."""
    return " ".join(_PUNCT_RE.sub(_plain_punctuation, unicodedata.normalize("NFKC", text)).split()).casefold()


@dataclass(frozen=True)
class Token:
    """A word of the original text: ``start``/``end`` slice the text it came from."""

    start: int
    end: int
    text: str
    norm: str


def tokenize(text: str, offset: int = 0) -> list[Token]:
    """Words with their offsets (shifted by ``offset``) and folded forms."""
    return [
        Token(m.start() + offset, m.end() + offset, m.group(), _token_norm(m.group())) for m in TOKEN_RE.finditer(text)
    ]


@functools.lru_cache(maxsize=16384)
def token_spans(text: str) -> tuple[tuple[int, int, str, str], ...]:
    """``tokenize`` as plain (start, end, text, norm) tuples, offsets from the text's start.

    Cached: align and diverge both read every sentence, and a scan reads each many times.
    """
    if not text.isascii():
        return tuple([(m.start(), m.end(), (word := m.group()), _token_norm(word)) for m in TOKEN_RE.finditer(text)])
    # ASCII folds by lower-casing, which keeps every offset: each norm is a slice of the
    # lowered text, and only an abbreviation ("U.S.") needs more.
    lowered = text.lower()
    return tuple(
        [
            (start, end, text[start:end], _token_norm(norm) if "." in (norm := lowered[start:end]) else norm)
            for start, end in map(re.Match.span, _ASCII_TOKEN_RE.finditer(text))
        ]
    )


_ABBREVIATION = re.compile(r"(?:[^\W\d_]\.)+")


def _token_norm(token: str) -> str:
    """Folded word; "U.S." folds to "us" so it meets "US"."""
    # A token holds no whitespace, and NFKC and the punctuation table leave ASCII alone:
    # for ASCII, folding is lower-casing, at a tenth of the cost.
    norm = token.lower() if token.isascii() else fold(token)
    return norm.replace(".", "") if "." in norm and _ABBREVIATION.fullmatch(norm) else norm


def words(text: str) -> list[str]:
    """Folded words of a text, for set and shingle comparisons."""
    return [_token_norm(m.group()) for m in TOKEN_RE.finditer(text)]


# --- site chrome -----------------------------------------------------------

_CHROME_LINE = re.compile(
    r"""^(?:
        leave\ a\ (?:reply|comment)
      | your\ email\ address\ will\ not\ be\ published.*
      | (?:source|via)\s*:?\s*(?:link|twitter|facebook|telegram|instagram|agencies|social\ media)
      | source\ link
      | share\ (?:this|on)\b.*
      | (?:click|tap)\ here\b.*
      | (?:subscribe|sign\ up)\b.*newsletter.*
      | (?:related|more)\s*(?:stories|articles|news)?\s*:.*
      | (?:see|read)\ also\b.*
      | read\ more\b.*
      | (?:read\ )?(?:previous|next)(?:\ (?:post|article|story))?
      | advertisement
      | by\s*:\s*.{1,60}
      | (?:photo|image)\s*(?:credit)?\s*:.*
      | \u00a9.*
      | all\ rights\ reserved.*
      | (?:comments?|tags?)\s*:.*
      | \d+\s+comments?
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
"""Lines that are navigation, share prompts, credits or comment forms on news sites."""

_TEASER_LEAD = re.compile(r"^(?:read\ )?(?:previous|next)(?:\ (?:post|article|story))?$", re.IGNORECASE | re.VERBOSE)
"""After these a site prints the teaser headline of another article."""

_DATELINE = re.compile(
    r"^(?:published|updated|posted|date)?\s*:?\s*"
    r"(?:\d{4}-\d{2}-\d{2}|[A-Z][a-z]+\.? \d{1,2},? \d{4}|\d{1,2} [A-Z][a-z]+ \d{4})"
    r"(?:\s*[-\u2013|,]?\s*\d{1,2}:\d{2}(?:\s*[A-Za-z]{2,4})?)?\s*$",
    re.IGNORECASE,
)
"""A line holding only a date (and time): metadata, not a claim."""


def is_dateline(line: str) -> bool:
    """A line holding only a date (and time), such as "March 25, 2022 - 11:33 AMT"."""
    return bool(_DATELINE.match(line.strip()))


_DATELINE_PREFIX = re.compile(
    r"^(?:published|updated|posted|date)?\s*:?\s*"
    r"(?:\d{4}-\d{2}-\d{2}|[A-Z][a-z]+\.? \d{1,2},? \d{4}|\d{1,2} [A-Z][a-z]+ \d{4})"
    r"(?:\s*[-\u2013|,]?\s*\d{1,2}:\d{2}(?:\s*[A-Za-z]{2,4})?)?\s*[-\u2013\u2014|:,]?\s+(?=\S)",
    re.IGNORECASE,
)
FRONT_MATTER_LINES = 3
"""A dateline heads a report: only its first lines are read for one."""


def front_matter_length(line: str) -> int:
    """Characters of a dateline that opens a line of text ("date 2022-03-25 Karen Donfried said ..."): metadata.

    A line that is only a date is ``is_dateline``'s; this one finds the date run into the first sentence.
    """
    found = _DATELINE_PREFIX.match(line)
    return found.end() if found else 0


def strip_front_matter(line: str) -> str:
    return line[front_matter_length(line) :].strip()


def _is_fragment(line: str) -> bool:
    """Short and without sentence punctuation: a label, a credit, a site name."""
    return len(line.split(None, 4)) <= 4 and not re.search(r"[.!?\"\u201d]$", line)


@functools.lru_cache(maxsize=64)
def _most_words(lines: frozenset[str]) -> int:
    """The most words a line of ``lines`` holds (0 for none)."""
    return max((len(line.split()) for line in lines), default=0)


@functools.lru_cache(maxsize=16)
def line_spans(text: str) -> tuple[tuple[int, int, str], ...]:
    """Non-blank lines of a text as (start, end, stripped text).

    Cached for the last few texts: chrome, segmentation, quotes and attribution each walk a document's
    lines, and a document is read by all four in turn (five passes a document in a ``compare``, one now).
    """
    spans = []
    pos = 0
    for raw in text.splitlines(keepends=True):
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            spans.append((pos + lead, pos + lead + len(stripped), stripped))
        pos += len(raw)
    return tuple(spans)


def recurring_lines(
    texts: Iterable[str], min_documents: int = 3, max_words: int = 12, max_shared: float = 0.5
) -> frozenset[str]:
    """Short lines found in at least ``min_documents`` documents: boilerplate, not news.

    Syndicated copies share whole paragraphs, so only short lines count, the
    bar is three documents, and a line counts only when two of the documents
    holding it are different stories (at most ``max_shared`` of their words in
    common): three copies of one wire story keep their headline.
    """
    # A sequence (``corpus.TextStore``) is read lazily: a document's words are wanted only when
    # it holds a recurring line, and copying a large corpus into a list would hold every text.
    texts = texts if isinstance(texts, Sequence) else list(texts)
    return _recurring(
        [_short_lines(text, max_words) for text in texts],
        lambda n: frozenset(words(texts[n])),
        min_documents,
        max_shared,
    )


def recurring_of(
    short_lines: Sequence[frozenset[str]],
    texts: Sequence[str],
    min_documents: int = 3,
    max_shared: float = 0.5,
) -> frozenset[str]:
    """``recurring_lines(texts, min_documents, max_words, max_shared)`` given each text's
    ``short_lines(text, max_words)``, found while the text was at hand (a scan reads each text
    once, then holds it compressed)."""
    return _recurring(short_lines, lambda n: frozenset(words(texts[n])), min_documents, max_shared)


def source_recurring_lines(
    documents: Iterable[tuple[str | None, str]], max_words: int = 12, max_shared: float = 0.5
) -> dict[str, frozenset[str]]:
    """Per source, the short lines that recur across that source's *different* documents.

    A site prints its own furniture (section labels, newsletter prompts, a
    standard sign-off) under every article, so two documents of one source
    sharing a short line is evidence of boilerplate, below the corpus-wide bar
    of three documents.  Two versions of one story from the same source share
    their headline and most lines too, so, as in ``recurring_lines``, a line
    counts only when two of the documents holding it are different stories.
    Documents without a source take no part.
    """
    by_source: dict[str, list[str]] = {}
    for source, text in documents:
        if source:
            by_source.setdefault(source, []).append(text)
    found = {
        source: _recurring(
            [_short_lines(text, max_words) for text in texts],
            lambda n, texts=texts: frozenset(words(texts[n])),  # type: ignore[misc]
            2,
            max_shared,
        )
        for source, texts in by_source.items()
    }
    return {source: lines for source, lines in found.items() if lines}


def _short_lines(text: str, max_words: int) -> frozenset[str]:
    """A document's folded lines of at most ``max_words`` words: the only ones that can be chrome.

    A line longer than that before folding is longer after it (folding never turns
    whitespace into anything else), so it is skipped unfolded.
    """
    # ``split(None, max_words)`` stops after ``max_words`` words: a line has more than that exactly
    # when it gives more pieces, and a 400-word line is not split whole to learn it.
    return frozenset(
        folded
        for _, _, line in line_spans(text)
        if len(line.split(None, max_words)) <= max_words
        and (folded := fold(line))
        and len(folded.split(None, max_words)) <= max_words
    )


RECURRING_CHECKS = 64
"""Pairs of a line's holders ``_has_different_stories`` compares at most: the first
``RECURRING_CHECKS + 1`` holders decide it, however many hold the line."""


def short_lines(text: str, max_words: int = 12) -> frozenset[str]:
    """A document's folded lines of at most ``max_words`` words (``_short_lines``): what
    ``recurring_lines`` counts, for an engine that counts them partition by partition."""
    return _short_lines(text, max_words)


def holders_differ(
    holding: Sequence[int], vocabularies: Callable[[int], frozenset[str]], max_shared: float = 0.5
) -> bool:
    """Whether two of the documents ``holding`` a line (in input order) are different stories: the
    test ``recurring_lines`` applies to a line held by enough documents."""
    return _has_different_stories(holding, vocabularies, max_shared, RECURRING_CHECKS)


def _recurring(
    short_lines: Sequence[frozenset[str]],
    vocabulary: Callable[[int], frozenset[str]],
    min_documents: int,
    max_shared: float,
    max_checks: int = RECURRING_CHECKS,
) -> frozenset[str]:
    """Lines held by ``min_documents`` documents of which two are different stories.

    Word sets (``vocabulary``) are built only for documents holding such a line, and
    once each: building them for every document of a 100,000-report corpus took GBs.
    """
    holders: dict[str, list[int]] = {}
    for n, lines in enumerate(short_lines):
        for line in lines:
            holders.setdefault(line, []).append(n)
    vocabularies: dict[int, frozenset[str]] = {}

    def words_of(n: int) -> frozenset[str]:
        if n not in vocabularies:
            vocabularies[n] = vocabulary(n)
        return vocabularies[n]

    return frozenset(
        line
        for line, holding in holders.items()
        if len(holding) >= min_documents and _has_different_stories(holding, words_of, max_shared, max_checks)
    )


def _has_different_stories(
    holding: Sequence[int], vocabularies: Callable[[int], frozenset[str]], max_shared: float, max_checks: int
) -> bool:
    """Whether two of the documents share at most ``max_shared`` of their words (bounded work per line)."""
    checks = 0
    for i, a in enumerate(holding):
        for b in holding[i + 1 :]:
            union = len(vocabularies(a) | vocabularies(b))
            if union and len(vocabularies(a) & vocabularies(b)) / union <= max_shared:
                return True
            checks += 1
            if checks >= max_checks:
                return False
    return False


def find_chrome(
    text: str, recurring: frozenset[str] = frozenset(), source_recurring: frozenset[str] = frozenset()
) -> tuple[Span, ...]:
    """Spans of the lines that are site chrome, each with the rule that caught it.

    Rules: a known chrome pattern; the teaser headline after "Read Next"; a line
    that recurs across the corpus; a line that recurs across the documents of
    this document's source (``source_recurring_lines``); a short fragment
    standing among chrome lines at the end (a site name, "| Sport"); a dateline.
    """
    lines = line_spans(text)
    reasons: dict[int, str] = {}
    # Folding a line costs about 100 µs a kilobyte; a line of more words than any recurring line
    # holds cannot fold into one (folding never joins two words), so only shorter ones are folded.
    most_words = max(_most_words(recurring), _most_words(source_recurring))
    for n, (_, _, line) in enumerate(lines):
        folded = fold(line) if most_words and len(line.split(None, most_words)) <= most_words else ""
        if _CHROME_LINE.match(line):
            reasons[n] = "chrome pattern"
            if _TEASER_LEAD.match(line) and n + 1 < len(lines):
                reasons.setdefault(n + 1, "teaser headline")
        elif folded and folded in recurring:
            reasons[n] = "recurs across documents"
        elif folded and folded in source_recurring:
            reasons[n] = "recurs across the source's documents"
        elif is_dateline(line):
            reasons[n] = "dateline"
    partial = []
    for n, (start, _, line) in enumerate(lines[:FRONT_MATTER_LINES]):
        if n not in reasons and (length := front_matter_length(line)):
            partial.append(Span(start, start + length, line[:length], "dateline"))
    # Fragments wedged between chrome lines or trailing the last one are chrome too.
    changed = True
    while changed:
        changed = False
        for n, (_, _, line) in enumerate(lines):
            if n in reasons or not _is_fragment(line):
                continue
            before = n - 1 in reasons
            after = n + 1 in reasons or n == len(lines) - 1
            if before and after:
                reasons[n] = "fragment in chrome block"
                changed = True
    whole = [Span(lines[n][0], lines[n][1], lines[n][2], reasons[n]) for n in sorted(reasons)]
    return tuple(sorted(whole + partial, key=lambda span: span.start))


def quote_spans(text: str) -> list[tuple[int, int]]:
    """Stretches of a text inside quotation marks, paragraph by paragraph.

    Curly quotes open and close; straight quotes toggle.  A quote left open runs
    to the end of its paragraph, as news style leaves multi-sentence quotes.
    Callers ask once per sentence of the same document, so the answer is cached.
    """
    return list(_quote_spans(text))


_QUOTE_MARK = re.compile('[\u201c\u201e\u00ab\u201d\u00bb"]')


@functools.lru_cache(maxsize=16)
def _quote_spans(text: str) -> tuple[tuple[int, int], ...]:
    spans: list[tuple[int, int]] = []
    for start, end, _ in line_spans(text):
        open_at: int | None = None
        for mark in _QUOTE_MARK.finditer(text, start, end):
            pos = mark.start()
            ch = text[pos]
            if ch in "\u201c\u201e\u00ab" or (ch == '"' and open_at is None):
                if open_at is None:
                    open_at = pos
            elif open_at is not None:
                spans.append((open_at, pos + 1))
                open_at = None
        if open_at is not None:
            spans.append((open_at, end))
    return tuple(spans)


def inside(spans: Sequence[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) lies within one of the spans."""
    return any(s <= start and end <= e for s, e in spans)
