"""Dates: explicit dates found with offsets, weekdays resolved against publication."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from reconcile.text import dates
from reconcile.text.dates import dateline, find_dates, parse_published, resolve_weekday

FRIDAY = dt.date(2022, 3, 25)


def test_weekday_is_the_most_recent_such_day_on_or_before_publication() -> None:
    assert resolve_weekday("Thursday", FRIDAY) == dt.date(2022, 3, 24)
    assert resolve_weekday("friday", FRIDAY) == FRIDAY
    assert resolve_weekday("Saturday", FRIDAY) == dt.date(2022, 3, 19)
    assert resolve_weekday("yesterday", FRIDAY) == dt.date(2022, 3, 24)
    assert resolve_weekday("Thursday", None) is None
    assert resolve_weekday("table", FRIDAY) is None


def test_find_dates_in_three_forms_with_offsets() -> None:
    text = "On March 24 troops moved; by 25 March 2022 and 2022-03-26 they left."
    found = find_dates(text, 2022)
    assert [d for _, _, d in found] == [dt.date(2022, 3, 24), dt.date(2022, 3, 25), dt.date(2022, 3, 26)]
    assert [text[s:e] for s, e, _ in found] == ["March 24", "25 March 2022", "2022-03-26"]


def test_a_date_without_a_year_needs_one() -> None:
    assert find_dates("on March 24", None) == []
    assert find_dates("on February 30", 2022) == []


def test_published_and_dateline() -> None:
    assert parse_published("2022-03-25T10:00:00Z") == FRIDAY
    assert parse_published("March 25, 2022") == FRIDAY
    assert parse_published("someday") is None
    assert dateline("Title\nMarch 25, 2022\n\nBody on March 2, 2021.") == FRIDAY


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(["March", "mar.", "Sept", "of", "5", "25th", "2022", ",", " ", "Summary", "May", "3-4", "x"]),
        max_size=12,
    ).map(" ".join)
)
def test_month_lookahead_changes_no_match(text: str) -> None:
    """The first-letter lookahead only speeds the search: the plain pattern finds the same dates."""
    plain_month = dates._MONTH.replace("(?=[adfjmnos])", "")
    assert plain_month != dates._MONTH
    for fast, flags in ((dates._MDY, re.IGNORECASE), (dates._DMY, re.IGNORECASE)):
        plain = re.compile(fast.pattern.replace(dates._MONTH, plain_month), flags)
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["march", "mar.", "sept", "of", "5", "25th", "2022", "x5", "_7", "é3", "3", "12", " ", "\n", "may"]
        ),
        max_size=12,
    ).map("".join)
)
def test_day_first_pattern_for_lowered_text_is_the_plain_word_boundary_one(text: str) -> None:
    """``_DMY_LOWER`` checks its leading word boundary after the first digit: the same matches as
    ``\\b`` before it."""
    plain = re.compile(dates._DMY_LOWER.pattern.replace(r"(?P<d>\d(?<!\w\d)\d?)", r"\b(?P<d>\d{1,2})", 1))
    assert plain.pattern != dates._DMY_LOWER.pattern
    found = [(m.span(), m.groupdict()) for m in dates._DMY_LOWER.finditer(text)]
    assert found == [(m.span(), m.groupdict()) for m in plain.finditer(text)]
