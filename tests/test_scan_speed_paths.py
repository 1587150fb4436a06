"""Fast paths of ``reconcile scan`` (issue 14) give what the plain paths give."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconcile.io.atomic import clear_stale_folder
from reconcile.model import Document
from tests.conftest import SAMPLES


def _dead_pid() -> int:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


def test_a_folder_sweep_clears_dead_runs_temporaries_of_every_file_and_keeps_live_ones(tmp_path: Path) -> None:
    dead = _dead_pid()
    stale = [tmp_path / f".a.json.{dead}.x1y2z3ab.partial", tmp_path / f".b.c.html.{dead}.q_w.partial"]
    live = [tmp_path / f".a.json.{os.getpid()}.abc.partial", tmp_path / f".a.json.{os.getppid()}.abc.partial"]
    kept = [tmp_path / "a.json", tmp_path / f".{dead}.partial", tmp_path / f"x.{dead}.y.partial"]
    for path in stale + live + kept:
        path.write_text("half")
    clear_stale_folder(tmp_path)
    clear_stale_folder(tmp_path / "absent")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in live + kept)


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_report_files_written_by_workers_are_the_files_written_by_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reconcile.pipeline import load_documents, scan
    from reconcile.report import files as report

    docs, _ = load_documents([str(SAMPLES / "articles")])
    result = scan(docs)
    serial = report.write_reports(result, tmp_path / "serial", workers=1)
    monkeypatch.setattr(report, "PARALLEL_FILES", 1)
    monkeypatch.setattr(report, "FILES_TASK", 1)
    parallel = report.write_reports(result, tmp_path / "parallel", workers=2)
    assert [p.relative_to(tmp_path / "serial") for p in serial] == [
        p.relative_to(tmp_path / "parallel") for p in parallel
    ]
    files = _tree(tmp_path / "serial")
    assert sorted(files) == sorted(str(p.relative_to(tmp_path / "serial")) for p in serial)
    assert files == _tree(tmp_path / "parallel")
    assert len([name for name in files if name.startswith("pairs/")]) == 3 * len(result.pairs)


def test_json_on_stdout_with_an_output_folder_is_report_json(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from reconcile.cli import main
    from reconcile.pipeline import load_documents, scan
    from reconcile.report.files import to_json

    run = CliRunner().invoke(main, ["scan", str(SAMPLES / "articles"), "--format", "json", "-o", str(tmp_path)])
    assert run.exit_code == 0, run.output
    written = (tmp_path / "report.json").read_text(encoding="utf-8")
    assert run.stdout == written
    docs, _ = load_documents([str(SAMPLES / "articles")])
    assert json.loads(written)["pairs"] == json.loads(to_json(scan(docs)))["pairs"]


_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
)
_keys = st.text() | st.integers() | st.floats() | st.booleans() | st.none()
_json_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=5) | st.lists(inner, max_size=5).map(tuple) | st.dictionaries(_keys, inner, max_size=5)
    ),
    max_leaves=40,
)


@settings(max_examples=400, deadline=None)
@given(_json_values, st.integers(min_value=0, max_value=3))
def test_json_text_is_the_standard_librarys_indented_json(value: object, level: int) -> None:
    from reconcile.report.files import json_text

    expected = json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + "  " * level)
    assert json_text(value, level) == expected


def test_json_text_refuses_what_json_refuses() -> None:
    from reconcile.report.files import json_text

    with pytest.raises(TypeError):
        json_text({"a": {1, 2}})
    with pytest.raises(TypeError):
        json_text({(1, 2): 3})


# --- dates: the lower-cased patterns and the hyphen-anchored ISO search find what the plain patterns find


def _plain_find_dates(text: str, year: int | None = None) -> list:
    """``dates.find_dates`` as it was: the case-insensitive patterns over the whole text."""
    from reconcile.text import dates

    found: list = []
    taken: list[tuple[int, int]] = []
    for m in dates._ISO.finditer(text):
        date = dates._make(int(m["y"]), int(m["m"]), int(m["d"]))
        if date:
            found.append((m.start(), m.end(), date))
            taken.append((m.start(), m.end()))
    for pattern in (dates._MDY, dates._DMY):
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            y = int(m["y"]) if m["y"] else year
            if y is None:
                continue
            date = dates._make(y, dates.MONTHS[dates.name_key(m["month"])], int(m["d"]))
            if date:
                found.append((m.start(), m.end(), date))
                taken.append((m.start(), m.end()))
    return sorted(found)


def _plain_estimated_date(text: str, today: dt.date) -> dt.date | None:
    """``pair.estimated_date`` as it was: years first, the case-insensitive weekday pattern."""
    from reconcile.pairing import features as pair

    if not pair._FOUR_DIGITS.search(text):
        return None
    latest_year = today.year
    years = [int(y) for y in pair._YEAR.findall(text) if int(y) <= latest_year]
    floor = max(years) if years else None
    if floor is not None:
        for m in pair._WEEKDAY_DATE.finditer(text):
            weekday = pair.WEEKDAYS[pair.name_key(m["weekday"])]
            for y in range(floor, min(floor + 7, latest_year + 1)):
                try:
                    date = dt.date(y, pair.MONTHS[pair.name_key(m["month"])], int(m["day"]))
                except ValueError:
                    break
                if date.weekday() == weekday:
                    return date
    dated = [d for _, _, d in _plain_find_dates(text)]
    return max(dated) if dated else None


_DATE_PIECES = [
    "2021-03-04",
    "1999-12-31",
    "2020-1-2020-01-01",
    "12345-06-07",
    "x2021-03-04",
    "2021-13-01",
    "-",
    "--",
    "March",
    "MAR.",
    "mar",
    "May",
    "MAY",
    "Sept",
    "sept.",
    "Sep",
    "june",
    "Jul",
    "December",
    "ocT",
    "Marching",
    "Friday,",
    "friday",
    "FRI.",
    "Thurs",
    "Sunday",
    "Mon.,",
    "Tuesday",
    "the",
    "THE",
    "of",
    "Of",
    "st",
    "nd",
    "5th",
    "1st",
    "22nd",
    "3rd",
    "12",
    "31",
    "5",
    "07",
    "123",
    "1999",
    "2024",
    "2031",
    "1950",
    "1949",
    "19999",
    " ",
    "  ",
    "\n",
    "\t",
    ",",
    ".",
    "İ",
    "ı",
    "ſ",
    "Sſp",
    "ſept",
    "Frıday",
    "Aprİl",
    "Σ",
    "K",
    "٣",
    "2٠21",
    "_",
    "a",
    "é",
    "中",
]


@settings(max_examples=1500, deadline=None)
@given(
    st.lists(st.sampled_from(_DATE_PIECES) | st.text(max_size=4), max_size=30).map("".join)
    | st.lists(st.sampled_from(_DATE_PIECES), max_size=30).map(" ".join),
    st.none() | st.integers(min_value=1990, max_value=2030),
)
def test_find_dates_finds_what_the_plain_patterns_find(text: str, year: int | None) -> None:
    from reconcile.text.dates import find_dates

    assert find_dates(text, year) == _plain_find_dates(text, year)
    assert find_dates(text.upper(), year) == _plain_find_dates(text.upper(), year)


@settings(max_examples=1500, deadline=None)
@given(
    st.lists(st.sampled_from(_DATE_PIECES), max_size=30).map(" ".join)
    | st.lists(st.sampled_from(_DATE_PIECES) | st.text(max_size=3), max_size=30).map("".join),
)
def test_estimated_date_estimates_what_the_plain_patterns_estimate(text: str) -> None:
    from reconcile.pairing.features import estimated_date

    today = dt.date(2026, 12, 7)
    assert estimated_date(text, today) == _plain_estimated_date(text, today)


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(_DATE_PIECES) | st.text(alphabet="adefjmnorstuwy ,.1", max_size=4), max_size=30))
def test_month_and_weekday_patterns_tried_where_a_name_starts_find_what_finditer_finds(pieces: list[str]) -> None:
    """``dates.matches_at`` tries a pattern only where a month or weekday name starts: the matches of
    ``finditer`` over the whole text, names run together, overlapping or cut short."""
    from reconcile.pairing.features import _WEEKDAY_DATE_LOWER
    from reconcile.text.dates import _MDY_LOWER, MONTH_STARTS, WEEKDAY_STARTS, matches_at

    for text in ("".join(pieces).lower(), " ".join(pieces).lower()):
        for pattern, starts in ((_MDY_LOWER, MONTH_STARTS), (_WEEKDAY_DATE_LOWER, WEEKDAY_STARTS)):
            assert [m.span() + m.groups() for m in matches_at(pattern, text, starts)] == [
                m.span() + m.groups() for m in pattern.finditer(text)
            ]


def test_the_date_pieces_do_find_dates() -> None:
    """The strategies above reach the patterns' matches (not only texts that name no date)."""
    from reconcile.pairing.features import estimated_date
    from reconcile.text.dates import find_dates

    assert len(find_dates("On 2021-03-04, March 5 2020 and 6th of MAY 2019 ſept 7 2018")) == 4
    assert estimated_date("In 2022 ... Friday, August 5", dt.date(2026, 1, 1)) == dt.date(2022, 8, 5)


def test_a_month_spelled_with_a_long_s_or_a_dotless_i_is_a_month_not_a_crash() -> None:
    from reconcile.pairing.features import estimated_date
    from reconcile.text.dates import find_dates

    found = [d for _, _, d in find_dates("on ſept 12 2020 and 3 Aprıl 2021")]
    assert found == [dt.date(2020, 9, 12), dt.date(2021, 4, 3)]
    assert estimated_date("In 2022 ... Frıday, Auguſt 5", dt.date(2026, 1, 1)) == dt.date(2022, 8, 5)


def _same_features(a: object, b: object) -> bool:
    import dataclasses

    import numpy as np

    for field in dataclasses.fields(a):  # type: ignore[arg-type]
        x, y = getattr(a, field.name), getattr(b, field.name)
        if isinstance(x, np.ndarray):
            if x.dtype != y.dtype or not np.array_equal(x, y):
                return False
        elif x != y:
            return False
    return True


@pytest.mark.parametrize("segmented", [True, False])
def test_features_of_exact_copies_are_each_ones_own_features(segmented: bool) -> None:
    from dataclasses import replace

    from reconcile.pairing.features import features_of
    from reconcile.pipeline import load_documents, prepare

    docs, _ = load_documents([str(SAMPLES / "articles")])
    docs = prepare(docs)[:4]
    copies = [
        docs[0],
        replace(docs[0], id="copy-a"),
        docs[1],
        replace(docs[0], id="copy-b", published="2020-01-02"),
        replace(docs[1], id="copy-c"),
        docs[2],
        docs[3],
        replace(docs[3], id="copy-d", sentences=docs[3].sentences[:-1]),
    ]
    together = features_of(copies, segmented)
    assert [f.id for f in together] == [d.id for d in copies]
    for doc, feature in zip(copies, together, strict=True):
        assert _same_features(feature, features_of([doc], segmented)[0])
    assert together[1].dates == together[0].dates and together[1].shingles is together[0].shingles


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(
            st.sampled_from(
                [
                    "Subscribe to our daily briefing",
                    "Read more",
                    "one two three four five six seven eight nine ten eleven twelve",
                    "one two three four five six seven eight nine ten eleven twelve thirteen",
                    "The minister said the talks had failed and would resume next week in Geneva",
                    "Rain is expected on Tuesday",
                    "Markets fell sharply",
                    "  ",
                ]
            ),
            max_size=5,
        ).map("\n".join),
        max_size=12,
    )
)
def test_recurring_lines_from_short_lines_found_while_reading_are_recurring_lines(texts: list[str]) -> None:
    from reconcile.text.normalize import recurring_lines, recurring_of, short_lines

    assert recurring_of([short_lines(t) for t in texts], texts) == recurring_lines(texts)


@settings(max_examples=2000, deadline=None)
@given(
    st.lists(
        st.sampled_from(["a", "Bb", ".", "!", "?", " ", "  ", "\n", "\n\n", "\t", "\u00a0", "\u2028", ". ", ".\n"])
        | st.text(max_size=3),
        max_size=40,
    ).map("".join)
)
def test_pseudo_sentences_are_the_split_of_the_plain_pattern(body: str) -> None:
    from reconcile.pairing.features import _PSEUDO_SENTENCE, pseudo_sentences

    assert pseudo_sentences(body) == _PSEUDO_SENTENCE.split(body)


_ODD_WORDS = [
    "",
    "-",
    "2020",
    "covid-19",
    "g7",
    "1.5",
    "3,000",
    "f-35s",
    "x2",
    "ústí",
    "Ústí",
    "naïve",
    "noël",
    "d'arc",
    "l'état",
    "o'neill",
    "rock'n'roll",
    "ça",
    "straße",
    "İstanbul",
    "łódź",
    "žižkov",
    "são",
    "señor",
    "àà",
    "e\u0301te\u0301",
    "qu\u2019il",
    "東京",
    "москва",
    "a.b",
    "'s",
    "19th",
    "1990s",
    "mp3",
    "h5n1",
    "100km",
]


def test_zipf_of_words_wordfreq_tokenizes_is_wordfreqs() -> None:
    """``lexicon.tokenized_zipf`` (wordfreq's steps, frequencies from the cached table) gives
    ``wordfreq.zipf_frequency`` for the words the plain table path leaves to wordfreq, and for
    plain ones; ``zipf`` gives it whichever path answers."""
    import random

    import wordfreq

    from reconcile.text import lexicon

    rng = random.Random(14)
    for lang in sorted(lexicon.TABLE_LANGUAGES):
        listed = list(wordfreq.iter_wordlist(lang))
        sample = listed[:: max(1, len(listed) // 300)]
        marked = [w for w in listed[:20000] if not w.isascii()][:150]
        digits = [w for w in listed[:50000] if any(c.isdigit() for c in w)][:100]
        mixed = [f"{w}{rng.randint(0, 2030)}" for w in sample[:40]]
        mixed += [f"{rng.randint(2, 99)}-{w}" for w in sample[40:80]]
        words = _ODD_WORDS + sample + marked + digits + mixed + [w.capitalize() for w in marked[:40]]
        left_to_wordfreq = 0
        for word in words:
            expected = wordfreq.zipf_frequency(word, lang)
            assert lexicon.tokenized_zipf(word, lang) == expected, (lang, word)
            assert lexicon.zipf(word, lang) == expected, (lang, word)
            left_to_wordfreq += lexicon.table_zipf(word, lang) is None
        assert left_to_wordfreq >= 100, (lang, left_to_wordfreq)  # the path is exercised


def test_the_legend_rendered_once_is_the_legend_the_page_loop_rendered() -> None:
    """``html.legend_items`` (rendered once a process) is what pair.html's own loop gave, and a pair
    page holds it between the legend's list tags as that loop put it there."""
    from reconcile.model import Pair, PairScores
    from reconcile.report import html

    loop = (
        '{% import "_macros.html" as m %}<ul>\n'
        "{% for kind, (code, meaning) in kinds.items() %}\n"
        "<li>{{ m.kind_badge(kind) }} {{ meaning }}</li>\n"
        "{% endfor %}\n"
        "</ul>\n"
    )
    plain = html.environment().from_string(loop).render()
    assert plain == "<ul>\n" + str(html.legend_items()) + "</ul>\n"
    assert plain.count("<li>") == len(html.KIND_LEGEND) >= 5
    from reconcile.model import Document

    docs = {d: Document(id=d, text=f"Text of {d}.") for d in ("a", "b")}
    scores = PairScores(0.5, 0.5, 0.5, 0.5, 0.5, None)
    page = html.pair_html(Pair("a", "b", "related", "partial", scores), docs)
    assert '<h2 id="legend-h">Legend</h2>\n' + plain in page


_fragment_text = st.text(alphabet=st.sampled_from([*"ab <>&\"'\n", "é", "\u2019", "—"]), max_size=12)


FRAGMENTS_MACRO = (
    "{% macro fragments(frags, col, sentence) %}\n"
    '{% for f in frags %}{% if f["items"] %}<mark class="hl k-{{ f.kind }}" tabindex="0" data-kind="{{ f.kind }}" '
    'data-severity="{{ f.severity }}" data-d="{{ f.numbers }}" '
    'aria-describedby="tip-{{ col }}-{{ sentence }}-{{ loop.index }}"><span class="w">{{ f.text }}</span>'
    '<span class="code" aria-hidden="true">{{ f.code }}</span><span class="tip" role="tooltip" '
    'id="tip-{{ col }}-{{ sentence }}-{{ loop.index }}">{{ f.tip }}</span></mark>{% else %}{{ f.text }}{% endif %}'
    "{% endfor %}\n{% endmacro %}"
)
"""The Jinja macro the pages rendered a sentence's fragments with before ``html.fragments_html``."""


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.fixed_dictionaries({"text": _fragment_text, "items": st.just([])}),
            st.fixed_dictionaries(
                {
                    "text": _fragment_text,
                    "items": st.just([1]),
                    "kind": st.sampled_from(["number", "wording", "name", "a<b"]),
                    "severity": st.sampled_from(["high", "low", "x&y"]),
                    "numbers": st.sampled_from(["1", "2 3", "<4>"]),
                    "code": st.sampled_from(["N", "W/Q", "?", '"']),
                    "tip": _fragment_text,
                }
            ),
        ),
        max_size=6,
    ),
    st.integers(min_value=1, max_value=4),
    st.integers(min_value=0, max_value=60),
)
def test_fragments_in_python_are_the_fragments_macro(frags: list[dict[str, object]], col: int, sentence: int) -> None:
    """``html.fragments_html`` writes what the ``fragments`` macro wrote."""
    from reconcile.report import html

    macro = html.environment().from_string(FRAGMENTS_MACRO + "{{ fragments(frags, col, sentence) }}")
    expected = macro.render(frags=frags, col=col, sentence=sentence)
    assert str(html.fragments_html(frags, col, sentence)) == expected


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 40), st.integers(0, 40)).filter(lambda p: p[0] < p[1]), max_size=120, unique=True
    ),
    st.integers(1, 30),
)
def test_score_chunks_hold_every_pair_once_and_a_component_in_one_chunk_unless_cut(
    found: list[tuple[int, int]], size: int
) -> None:
    """``pipeline.score_chunks``: each position once, in order within its chunk, no chunk over
    ``size``, and a document in two chunks only where its component has more than ``size`` pairs."""
    from reconcile.pipeline import score_chunks

    chunks = score_chunks(found, size)
    assert sorted(k for chunk in chunks for k in chunk) == list(range(len(found)))
    assert all(0 < len(chunk) <= size and chunk == sorted(chunk) for chunk in chunks)
    component = {k: k for pair in found for k in pair}

    def root(k: int) -> int:
        while component[k] != k:
            k = component[k]
        return k

    for i, j in found:
        component[root(i)] = root(j)
    pairs_in = {}
    for i, _ in found:
        pairs_in[root(i)] = pairs_in.get(root(i), 0) + 1
    chunk_of: dict[int, set[int]] = {}
    for n, chunk in enumerate(chunks):
        for k in chunk:
            for doc in found[k]:
                chunk_of.setdefault(doc, set()).add(n)
    for doc, held in chunk_of.items():
        assert len(held) == 1 or pairs_in[root(doc)] > size


def test_a_scan_scored_in_chunks_by_component_reports_what_one_chunk_does(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pairs scored in many small chunks (by component, two workers) give the report of one chunk
    of every pair, in the same order."""
    from reconcile import pipeline
    from reconcile.report.files import to_json
    from tests.test_corpus import _corpus

    docs = _corpus(230)
    docs += [Document(f"copy-{n}-of-20", docs[20].text) for n in (1, 2)]
    monkeypatch.setattr(pipeline, "ALIGN_ALL_LIMIT", 100)
    monkeypatch.setattr(pipeline, "PARALLEL_LIMIT", 50)
    monkeypatch.setattr(pipeline, "SCORE_CHUNK", 1_000_000)
    monkeypatch.setattr(pipeline, "SCORE_CHUNK_MIN", 1_000_000)
    whole = to_json(pipeline.scan(docs, workers=1))
    monkeypatch.setattr(pipeline, "SCORE_CHUNK", 2)
    monkeypatch.setattr(pipeline, "SCORE_CHUNK_MIN", 2)
    assert to_json(pipeline.scan(docs, workers=2)) == whole
    assert len(json.loads(whole)["pairs"]) > 4
