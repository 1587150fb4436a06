"""Folding, Unicode-aware words, and site chrome: by rule, across the corpus, across one source."""

from __future__ import annotations

import json

from click.testing import CliRunner

from reconcile.cli import main
from reconcile.model import Document
from reconcile.pipeline import prepare, scan
from reconcile.text.normalize import find_chrome, fold, recurring_lines, source_recurring_lines, tokenize, words


def test_words_are_unicode_aware() -> None:
    assert words("Straße über Brücken, 1.400 Bewohner") == ["strasse", "über", "brücken", "1.400", "bewohner"]
    assert words("Şəhərin aşağı məhəllələrində İdarəsi") == ["şəhərin", "aşağı", "məhəllələrində", "i̇darəsi"]
    assert words("Катарина Веллмар заявила") == ["катарина", "веллмар", "заявила"]
    assert words("Կատարինա Վելմարը։") == ["կատարինա", "վելմարը"]


def test_tokens_slice_the_original_text_even_with_zero_width_and_combining_marks() -> None:
    text = "Cafe\u0301 in\u200b Baku: \u05e9\u05dc\u05d5\u05dd \U0001f600 ok"
    for token in tokenize(text, offset=0):
        assert text[token.start : token.end] == token.text
    assert fold("\u201cQuoted\u201d \u2014 dash") == '"quoted" - dash'


# --- chrome ------------------------------------------------------------------

STORIES = [
    "Harbour reopens after repairs\n\nThe harbour of Lisvane reopened on Monday after a week of repairs.\n",
    "Council approves new bridge\n\nThe council voted on Tuesday to build a second bridge over the Tarn.\n",
    "Library extends opening hours\n\nThe town library will open on Sundays from next month, the mayor said.\n",
]
FURNITURE = "\nCoast Post | Local news\nGet the morning briefing every weekday\n"


def _docs(source: str, texts: list[str], prefix: str) -> list[Document]:
    return [Document(id=f"{prefix}{n}", text=t, source=source) for n, t in enumerate(texts)]


def test_furniture_of_one_source_is_chrome_in_two_of_its_documents() -> None:
    # Two documents of one source are enough: the corpus-wide rule would need three.
    docs = _docs("Coast Post", [STORIES[0] + FURNITURE, STORIES[1] + FURNITURE], "c")
    assert recurring_lines(d.text for d in docs) == frozenset()
    learned = source_recurring_lines((d.source, d.text) for d in docs)
    assert learned == {"Coast Post": frozenset({"coast post | local news", "get the morning briefing every weekday"})}
    prepared = prepare(docs)
    for doc in prepared:
        reasons = {c.text: c.reason for c in doc.chrome}
        assert reasons == {
            "Coast Post | Local news": "recurs across the source's documents",
            "Get the morning briefing every weekday": "recurs across the source's documents",
        }
        assert all("briefing" not in s.text for s in doc.sentences)


def test_two_versions_of_one_story_keep_their_shared_lines() -> None:
    first = STORIES[0] + "\nRepairs cost 2 million crowns.\n"
    update = STORIES[0] + "\nRepairs cost 2.5 million crowns, the port said.\n"
    docs = _docs("Coast Post", [first, update], "v")
    assert source_recurring_lines((d.source, d.text) for d in docs) == {}
    assert all(not doc.chrome for doc in prepare(docs))


def test_syndicated_copies_keep_their_shared_paragraphs() -> None:
    # Two copies of one story in the same source (a wire story and its re-run), and one elsewhere.
    copies = [
        Document(id="wire", text=STORIES[0], source="Wire"),
        Document(id="rerun", text=STORIES[0] + "\nRead more\n", source="Wire"),
        Document(id="copy", text=STORIES[0] + "\nFiled by the wire desk.\n", source="Digest"),
    ]
    prepared = prepare(copies)
    assert [[c.text for c in doc.chrome] for doc in prepared] == [[], ["Read more"], []]
    story = [s.text for s in prepared[0].sentences]
    assert len(story) == 2
    assert [s.text for s in prepared[1].sentences] == story
    assert [s.text for s in prepared[2].sentences][:2] == story


def test_documents_without_a_source_learn_nothing_per_source() -> None:
    docs = [Document(id=str(n), text=t + FURNITURE) for n, t in enumerate(STORIES[:2])]
    assert source_recurring_lines((d.source, d.text) for d in docs) == {}


def test_chrome_rules_still_catch_common_patterns() -> None:
    text = "Title line\n\nThe story sentence is here.\n\nRead Next\nAnother headline entirely\nShare this article\n"
    reasons = [(c.text, c.reason) for c in find_chrome(text)]
    assert reasons == [
        ("Read Next", "chrome pattern"),
        ("Another headline entirely", "teaser headline"),
        ("Share this article", "chrome pattern"),
    ]


def test_removed_chrome_is_reported_per_document_in_the_json(tmp_path) -> None:
    path = tmp_path / "coast.jsonl"
    path.write_text(
        "\n".join(
            json.dumps({"id": f"s{n}", "source": "Coast Post", "text": t + FURNITURE}) for n, t in enumerate(STORIES)
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["scan", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    for doc in json.loads(result.stdout)["documents"]:
        spans = {(c["text"], c["reason"]) for c in doc["chrome"]}
        # Three documents: the corpus-wide rule fires first and names itself.
        assert spans == {
            ("Coast Post | Local news", "recurs across documents"),
            ("Get the morning briefing every weekday", "recurs across documents"),
        }
    assert scan(prepare(_docs("Coast Post", [s + FURNITURE for s in STORIES], "p"))).documents[0].chrome
