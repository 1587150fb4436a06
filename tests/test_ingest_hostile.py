"""The hostile corpus: one file per broken input, all run through ``reconcile scan`` at once.

Small cases are committed in ``tests/hostile/``; the large ones (a file over the
size limit, a JSON Lines file broken at line 5,000) are written here.  Each bad
file must be named on one stderr line and in ``skipped``, and every good input
beside them must still be read and compared.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconcile import pipeline
from reconcile.cli import EXIT_SKIPPED, main
from tests.conftest import ROOT, SAMPLES

HOSTILE = ROOT / "tests" / "hostile"
LIMIT = 1024 * 1024
BROKEN_LINE = 5000
JSONL_LINES = 5100

# file -> (what the error must say, the line it must name or None)
EXPECTED_SKIPS = {
    "empty.txt": ("empty file", None),
    "binary.txt": ("binary file", None),
    "truncated.jsonl.gz": ("truncated gzip", "some"),
    "over_limit.txt": (f"over the {LIMIT}-byte limit (--max-bytes)", None),
    "broken_line_5000.jsonl": ("invalid JSON", BROKEN_LINE),
    "missing_text_column.csv": ("no 'text' column", 1),
    "no_article.html": ("no article text", None),
    "no_items.rss": ("feed has no items", None),
}


def _letters(n: int) -> str:
    """A made-up word per number, so generated records share no words and pair with nothing."""
    out = ""
    while True:
        n, digit = divmod(n, 26)
        out += chr(97 + digit)
        if n == 0:
            return out


def build_hostile_corpus(folder: Path) -> Path:
    shutil.copytree(HOSTILE, folder)
    paragraph = "The council met again and the minutes were read aloud to the members present.\n\n"
    with (folder / "over_limit.txt").open("w", encoding="utf-8") as out:
        out.write("A very long transcript\n\n")
        while out.tell() <= LIMIT:
            out.write(paragraph)
    with (folder / "broken_line_5000.jsonl").open("w", encoding="utf-8") as out:
        for n in range(1, JSONL_LINES + 1):
            if n == BROKEN_LINE:
                out.write('{"id": "r5000", "text": "a record cut off in the middle\n')
                continue
            words = " ".join(_letters(n * 40 + k + 20000) for k in range(10))
            out.write(json.dumps({"id": f"r{n}", "source": "Bulk export", "text": f"{words}."}) + "\n")
    return folder


def test_every_hostile_case_is_skipped_by_name_and_the_rest_is_compared(tmp_path: Path) -> None:
    corpus = build_hostile_corpus(tmp_path / "hostile")
    on_disk = {p.name for p in corpus.iterdir()}
    assert set(EXPECTED_SKIPS) | {"invalid_utf8.txt"} == on_disk, "one file per hostile case, each expected"

    result = CliRunner().invoke(
        main, ["scan", str(corpus), str(SAMPLES / "articles"), "--max-bytes", "1M", "--format", "json"]
    )
    assert result.exit_code == EXIT_SKIPPED, result.output
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout)

    skipped = {Path(s["path"]).name: s for s in report["skipped"]}
    assert set(skipped) == set(EXPECTED_SKIPS)
    for name, (says, line) in EXPECTED_SKIPS.items():
        assert says in skipped[name]["error"], (name, skipped[name])
        if line == "some":
            assert isinstance(skipped[name]["line"], int) and skipped[name]["line"] > 1
        else:
            assert skipped[name]["line"] == line, name

    messages = [m for m in result.stderr.splitlines() if m.startswith("reconcile: skipped")]
    assert len(messages) == len(EXPECTED_SKIPS)
    assert any(
        m.startswith(f"reconcile: skipped {corpus / 'broken_line_5000.jsonl'}:{BROKEN_LINE}: ") for m in messages
    )

    ids = {d["id"] for d in report["documents"]}
    # Every record but the broken one was read, after line 5,000 too.
    assert {f"r{n}" for n in range(1, JSONL_LINES + 1)} - ids == {"r5000"}
    # The truncated gzip gave the records before the break, one per line.
    gz_line = skipped["truncated.jsonl.gz"]["line"]
    assert {i for i in ids if i.startswith("gz-")} == {f"gz-{n}" for n in range(1, gz_line)}
    # The stray byte was replaced, noted with its line, and the rest decoded as UTF-8.
    stray = next(d for d in report["documents"] if d["id"] == "invalid_utf8")
    assert any("invalid UTF-8 byte 0xff at line 5" in note for note in stray["notes"])
    # A scan this large splits sentences only for pairs it aligns: read the file alone for them.
    alone = json.loads(CliRunner().invoke(main, ["scan", str(HOSTILE / "invalid_utf8.txt"), "--format", "json"]).stdout)
    assert any("geschätzt" in s["text"] for s in alone["documents"][0]["sentences"])
    # The good inputs beside them are compared as usual.
    relations = {frozenset((p["a"], p["b"])): p["relation"] for p in report["pairs"]}
    assert relations[frozenset(("wire_original", "wire_copy"))] == "near-duplicate"
    assert relations[frozenset(("statement_outlet_a", "statement_outlet_b"))] == "same-story"


def test_a_bug_is_one_line_without_debug_and_a_traceback_with_it(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_scan(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("reconcile.cli.scan_documents", broken_scan)
    plain = CliRunner().invoke(main, ["scan", str(SAMPLES / "articles"), "--format", "json"])
    assert plain.exit_code == 1
    assert "internal error: boom" in plain.stderr and "Traceback" not in plain.stderr
    debug = CliRunner().invoke(main, ["scan", str(SAMPLES / "articles"), "--format", "json", "--debug"])
    assert isinstance(debug.exception, RuntimeError)
    assert pipeline.scan is not broken_scan


def test_bad_max_bytes_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["scan", str(SAMPLES / "articles"), "--max-bytes", "lots"])
    assert result.exit_code == 2
    assert "not a size" in result.output
