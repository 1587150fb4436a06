"""Dates in news text: datelines, explicit dates and weekdays resolved against publication.

"On Thursday" in a report published Friday 25 March 2022 means 24 March 2022,
so comparing it with "March 24" must find agreement, not a conflict.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

MONTHS = {
    name: n
    for n, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
WEEKDAYS = {
    name: n
    for n, names in enumerate(
        [
            ("monday", "mon"),
            ("tuesday", "tue", "tues"),
            ("wednesday", "wed"),
            ("thursday", "thu", "thur", "thurs"),
            ("friday", "fri"),
            ("saturday", "sat"),
            ("sunday", "sun"),
        ]
    )
    for name in names
}
RELATIVE_DAYS = {"today": 0, "yesterday": -1, "tomorrow": 1}

# The lookahead names every month's first letter, so the search skips other positions at
# once: the same matches in about half the time.
_MONTH = r"(?=[adfjmnos])(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_ISO = re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b")
_MDY = re.compile(_MONTH + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<y>\d{4}))?\b", re.IGNORECASE)
_DMY = re.compile(
    r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r"(?:,?\s+(?P<y>\d{4}))?\b", re.IGNORECASE
)


# The same patterns for a lower-cased text (``lowered``), without IGNORECASE: the regex engine then
# skips every position whose letter cannot start a month, and matches a third faster still.
_MONTH_LOWER = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_MDY_LOWER = re.compile(_MONTH_LOWER + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<y>\d{4}))?\b")
_DMY_LOWER = re.compile(
    r"(?P<d>\d(?<!\w\d)\d?)(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH_LOWER + r"(?:,?\s+(?P<y>\d{4}))?\b"
)
r"""``\b(?P<d>\d{1,2})...`` with the word boundary checked after the first digit (the character before
it is no word character): a pattern that starts with a digit class is searched for in C, one that
starts with ``\b`` is tried at every position (half the time on the bench corpus's texts)."""
_CASE_APART = re.compile("[\u0130\u0131\u017f]")
"""The only characters that IGNORECASE matches to an ASCII letter but ``str.lower`` does not turn into
it (İ, ı and ſ match i, i and s; checked over every code point): in a text without them, a
case-insensitive ASCII pattern matches where its lower-case form matches the lower-cased text."""


def name_key(word: str) -> str:
    """A month or weekday name as matched (IGNORECASE) to its key in ``MONTHS``/``WEEKDAYS``: lower case,
    and ſ, ı and İ as s, i and i, which the patterns match but ``str.lower`` keeps (``"ſept"`` was a
    ``KeyError`` that stopped a scan)."""
    key = word.lower()
    return key if key.isascii() else key.replace("ſ", "s").replace("ı", "i").replace("i\u0307", "i")


def lowered(text: str) -> str | None:
    """``text.lower()``, position for position, when case-insensitive matching of ASCII words in
    ``text`` is plain matching in it (see ``_CASE_APART``); else None."""
    if _CASE_APART.search(text):
        return None
    low = text.lower()
    return low if len(low) == len(text) else None


def _iso_matches(text: str) -> Iterator[re.Match[str]]:
    """``_ISO.finditer(text)``: every ISO date has a hyphen four characters in, so the pattern is
    tried only there (the text's hyphens are found by ``str.find``, not by the regex engine)."""
    end = 0
    hyphen = text.find("-", 4)
    while hyphen != -1:
        start = hyphen - 4
        if start >= end:
            m = _ISO.match(text, start)
            if m:
                yield m
                end = m.end()
        hyphen = text.find("-", hyphen + 1)


MONTH_STARTS = tuple(sorted({name[:3] for name in MONTHS}))
"""The three letters every month name starts with ("may" is all of one): where ``_MDY_LOWER`` can match."""
WEEKDAY_STARTS = tuple(sorted({name[:3] for name in WEEKDAYS}))
"""The three letters every weekday name starts with."""


def matches_at(pattern: re.Pattern[str], text: str, starts: tuple[str, ...]) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` for a pattern each of whose matches begins with one of ``starts``:
    the pattern is tried only where one of them occurs (found by ``str.find``).  A pattern that
    starts with a month or weekday name is otherwise tried at every one of the letters such names
    start with (a, d, f, j, m, n, o, s, t, w: a third of a text), about 70 µs a report each."""
    found: list[int] = []
    for start in starts:
        at = text.find(start)
        while at != -1:
            found.append(at)
            at = text.find(start, at + 1)
    end = 0
    for at in sorted(found):
        if at >= end:
            m = pattern.match(text, at)
            if m:
                yield m
                end = m.end()


def _make(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def find_dates(text: str, year: int | None = None) -> list[tuple[int, int, dt.date]]:
    """Explicit calendar dates in a text, as (start, end, date).

    A date without a year takes ``year`` (the publication year) when given.
    """
    low = lowered(text)
    if low is None:
        searched, patterns = text, (_MDY, _DMY)
    else:
        searched, patterns = low, (_MDY_LOWER, _DMY_LOWER)
    found: list[tuple[int, int, dt.date]] = []
    taken: list[tuple[int, int]] = []
    for m in _iso_matches(text):
        date = _make(int(m["y"]), int(m["m"]), int(m["d"]))
        if date:
            found.append((m.start(), m.end(), date))
            taken.append((m.start(), m.end()))
    for pattern in patterns:
        # The lower-case month-first pattern only where a month name starts (``matches_at``).
        matches = matches_at(pattern, searched, MONTH_STARTS) if pattern is _MDY_LOWER else pattern.finditer(searched)
        for m in matches:
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            y = int(m["y"]) if m["y"] else year
            if y is None:
                continue
            date = _make(y, MONTHS[name_key(m["month"])], int(m["d"]))
            if date:
                found.append((m.start(), m.end(), date))
                taken.append((m.start(), m.end()))
    return sorted(found)


DATELINE_HEAD_CHARS = 600
"""A dateline is printed within a report's first lines; a text read from JSON Lines often has no
line breaks at all, so the search is bounded by characters too, not to scan a whole report."""


_YEAR = re.compile(r"\d{4}")


def dateline(text: str, lines: int = 3) -> dt.date | None:
    """The publication date printed in a report's first lines (within ``DATELINE_HEAD_CHARS``), if any."""
    head = text.lstrip()[: DATELINE_HEAD_CHARS + 1]
    if len(head) > DATELINE_HEAD_CHARS:  # cut at a space, not inside a date
        head = head[: max(head.rfind(" "), head.rfind("\n"), 0)]
    head = "\n".join(head.splitlines()[:lines])
    if not _YEAR.search(head):  # without a year find_dates takes no date: skip its costlier patterns
        return None
    dates = find_dates(head)
    return dates[0][2] if dates else None


def parse_published(value: str | None) -> dt.date | None:
    """A ``published`` field (ISO date or datetime, or a written date) as a date."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        dates = find_dates(value)
        return dates[0][2] if dates else None


def resolve_weekday(word: str, published: dt.date | None) -> dt.date | None:
    """The date a weekday or "yesterday" names, counting back from publication.

    News uses a bare weekday for the most recent such day on or before the
    report; "on Friday" in a Friday report is that day.
    """
    if published is None:
        return None
    key = word.casefold()
    if key in RELATIVE_DAYS:
        return published + dt.timedelta(days=RELATIVE_DAYS[key])
    if key not in WEEKDAYS:
        return None
    back = (published.weekday() - WEEKDAYS[key]) % 7
    return published - dt.timedelta(days=back)
