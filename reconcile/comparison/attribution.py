"""Who a quotation is attributed to, so two reports' quotes of one speaker can be compared.

News attributes a quote with a speech verb next to it: ``"...," said Karen
Donfried``, ``"...," Donfried said``, ``Donfried told reporters: "..."``.  The
speaker is the capitalised name beside the verb; reports name a person in full
once and by surname after, so the key is the surname, folded.  A quote with no
such name next to it ("the ministry said") has no speaker here.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from reconcile.text.normalize import fold, line_spans, quote_spans

_VERB = r"(?:said|says|told|added|adds|stated|states|declared|stressed|noted|wrote|warned|insisted)"
_NAME = r"(?P<name>(?:[A-Z][\w'\u2019.-]*\s+){0,3}[A-Z][\w'\u2019-]+)"
_LEAD = r"[\s,.;:\u2014-]*"
_AFTER = (
    re.compile(_LEAD + _VERB + r"\s+" + _NAME + r"\b"),
    re.compile(_LEAD + _NAME + r"\s+" + _VERB + r"\b"),
)
"""Right after the closing mark: ', said Karen Donfried' or ', Donfried said'."""
_BEFORE = re.compile(_NAME + r"\s+" + _VERB + r"\b[^\"\u201c\u201d\u201e\u00ab\u00bb\n]{0,60}?[:,]?\s*$")
"""Right before the opening mark: 'Donfried told reporters: '."""
WINDOW = 120
"""Characters either side of a quote searched for its attribution."""


@dataclass(frozen=True)
class Quote:
    """A quotation (offsets include its marks) and the folded surname of its speaker."""

    start: int
    end: int
    speaker: str


def _surname(name: str) -> str:
    last = name.split()[-1]
    return fold(re.sub(r"['\u2019]s?$", "", last))


@functools.lru_cache(maxsize=256)
def attributed_quotes(text: str) -> tuple[Quote, ...]:
    """The quotes of a text whose speaker is named beside a speech verb, in text order."""
    found = []
    paragraphs = line_spans(text)
    for start, end in quote_spans(text):
        para_start, para_end = next(((s, e) for s, e, _ in paragraphs if s <= start < e), (0, len(text)))
        stop = min(para_end, end + WINDOW)
        match = (
            _AFTER[0].match(text, end, stop)
            or _AFTER[1].match(text, end, stop)
            or _BEFORE.search(text, max(para_start, start - WINDOW), start)
        )
        if match:
            found.append(Quote(start, end, _surname(match["name"])))
    return tuple(found)
