"""Reading inputs: decoding, formats by content, tables with a field mapping, gzip, size limits, streaming."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from reconcile.cli import main
from reconcile.io.ingest import (
    InputOptions,
    decode,
    jsonl_documents,
    load,
    read_bytes_as,
    sniff,
    split_loaded,
)
from reconcile.model import Document, Skipped
from reconcile.pipeline import load_documents
from tests.conftest import SAMPLES

STORY = "Harbour reopens in Lisvane\n\nThe harbour of Lisvane reopened on Monday after a week of repairs to the quay.\n"


def test_stray_byte_in_utf8_is_replaced_and_noted_with_its_line() -> None:
    data = "Grüße aus Köln\nzweite Zeile\ndritte \xff Zeile\n".encode().replace(b"\xc3\xbf", b"\xff")
    text, notes = decode(data)
    assert text.startswith("Grüße aus Köln")
    assert "\ufffd" in text
    assert notes == ("invalid UTF-8 byte 0xff at line 3 replaced (1 in all)",)


def test_legacy_encoding_is_detected_not_replaced() -> None:
    data = "Le ministre a déclaré que la réunion aura lieu à Genève, près du lac Léman.\n".encode("cp1252")
    text, notes = decode(data)
    assert "Genève" in text and "\ufffd" not in text
    assert notes and notes[0].startswith("decoded as")


@pytest.mark.parametrize(
    ("name", "head", "kind"),
    [
        ("a.txt", b"\x1f\x8b\x08\x00", "gzip"),
        ("a.bin", b"PAR1\x00", "parquet"),
        ("a.txt", b'<?xml version="1.0"?>\n<rss version="2.0">', "feed"),
        ("a.xml", b"<feed xmlns='http://www.w3.org/2005/Atom'>", "feed"),
        ("a.txt", b"\xef\xbb\xbf<!DOCTYPE html><html>", "html"),
        ("a.htm", b"Plain words", "html"),
        ("a.csv", b"id,text\n", "csv"),
        ("a.data", b'{"id": 1}\n', "jsonl"),
        ("a.txt", b'{"id": 1}\n', "text"),
        ("a.md", b"# Title <html> in prose", "text"),
    ],
)
def test_format_by_content_then_name(name: str, head: bytes, kind: str) -> None:
    assert sniff(name, head) == kind


def test_jsonl_is_read_one_line_at_a_time() -> None:
    def lines() -> Iterator[bytes]:
        yield json.dumps({"id": "first", "text": STORY}).encode() + b"\n"
        raise AssertionError("read past the first document before it was used")

    first = next(jsonl_documents(lines(), "stream.jsonl"))
    assert isinstance(first, Document) and first.id == "first"


def test_jsonl_broken_and_textless_lines_are_skipped_with_numbers(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text(
        "\n".join(
            [
                json.dumps({"id": "a", "text": STORY}),
                "{not json",
                json.dumps(["a list"]),
                json.dumps({"id": "d", "text": "   "}),
                json.dumps({"id": "e", "text": STORY.replace("Monday", "Tuesday")}),
            ]
        ),
        encoding="utf-8",
    )
    docs, skipped = split_loaded(load([str(path)]))
    assert [d.id for d in docs] == ["a", "e"]
    assert [(s.line, s.error.split(" (")[0]) for s in skipped] == [
        (2, "invalid JSON"),
        (3, "expected a JSON object"),
        (4, "missing or empty 'text'"),
    ]


def test_gzip_text_truncated_gzip_and_gzip_over_the_limit(tmp_path: Path) -> None:
    packed = gzip.compress((STORY * 200).encode(), mtime=0)
    (tmp_path / "story.txt.gz").write_bytes(packed)
    (tmp_path / "cut.txt.gz").write_bytes(packed[: len(packed) // 2])
    docs, skipped = split_loaded(load([str(tmp_path)]))
    assert [d.id for d in docs] == ["story"]
    assert [(Path(s.path).name, s.error) for s in skipped] == [("cut.txt.gz", "truncated gzip")]
    # The limit applies to what a gzip decompresses to, not only to its size on disk.
    small = InputOptions(max_bytes=len(packed) + 100)
    _, over = split_loaded(load([str(tmp_path / "story.txt.gz")], options=small))
    assert "decompresses to over" in over[0].error


def test_file_over_the_limit_is_skipped_with_the_flag_named(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text(STORY * 50, encoding="utf-8")
    (item,) = load([str(path)], max_bytes=1000)
    assert isinstance(item, Skipped)
    assert item.error == f"file is {path.stat().st_size} bytes, over the 1000-byte limit (--max-bytes)"


def _table_rows() -> list[dict[str, str]]:
    return [
        {"uid": "n1", "body": STORY, "headline": "Harbour reopens", "day": "2022-04-04", "outlet": "Coast Post"},
        {"uid": "n2", "body": STORY.replace("Monday", "Tuesday"), "headline": "Port open", "day": "", "outlet": ""},
        {"uid": "n3", "body": "", "headline": "Empty", "day": "", "outlet": ""},
    ]


MAPPING = ["--id-field", "uid", "--text-field", "body", "--title-field", "headline", "--date-field", "day"]


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_tables_map_fields_through_the_cli(tmp_path: Path, suffix: str) -> None:
    frame = pl.DataFrame(_table_rows())
    path = tmp_path / f"export{suffix}"
    if suffix == ".csv":
        frame.write_csv(path)
    elif suffix == ".parquet":
        frame.write_parquet(path)
    else:
        frame.write_ndjson(path)
    args = ["scan", str(path), *MAPPING, "--source-field", "outlet", "--format", "json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 3, result.output
    report = json.loads(result.stdout)
    docs = {d["id"]: d for d in report["documents"]}
    assert set(docs) == {"n1", "n2"}
    assert docs["n1"]["title"] == "Harbour reopens" and docs["n1"]["published"] == "2022-04-04"
    assert docs["n1"]["source"] == "Coast Post" and docs["n2"]["source"] is None
    (skip,) = report["skipped"]
    assert skip["error"] == "missing or empty 'body'"
    # a CSV record's line is the physical line it starts on (the texts above span four lines each)
    assert skip["line"] == {".csv": 10, ".parquet": 3, ".jsonl": 3}[suffix]
    assert report["pairs"][0]["relation"] in {"near-duplicate", "duplicate"}


def test_csv_without_the_text_column_names_the_columns_and_the_flag(tmp_path: Path) -> None:
    path = tmp_path / "cms.csv"
    pl.DataFrame(_table_rows()).write_csv(path)
    (item,) = read_bytes_as(path.read_bytes(), str(path), "cms")
    assert isinstance(item, Skipped)
    assert item.error == "no 'text' column (columns: uid, body, headline, day, outlet); choose one with --text-field"


def test_stdin_and_samples_still_read_as_before() -> None:
    story = (SAMPLES / "articles" / "wire_original.txt").read_bytes()
    result = CliRunner().invoke(main, ["compare", "-", str(SAMPLES / "articles" / "wire_copy.txt")], input=story)
    assert result.exit_code == 0, result.output
    docs, skipped = split_loaded(load([str(SAMPLES / "feed.jsonl")]))
    assert not skipped and len(docs) == 6
    assert {d.source for d in docs} >= {"Northline Wire", "Tarn Valley Herald"}


def test_a_text_files_title_skips_its_dateline(tmp_path: Path) -> None:
    page = tmp_path / "story.txt"
    page.write_text("March 25, 2022 - 11:33 AMT\nDam gives way in Orvenna\n\nWater poured through the town.\n")
    docs, _ = load_documents([str(page)])
    assert docs[0].title == "Dam gives way in Orvenna"
    assert docs[0].published == "2022-03-25"


def test_parallel_json_lines_reading_matches_serial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reconcile.io import lines as ingest

    lines = [json.dumps({"id": f"r{k}", "text": f"Report {k} caf\u00e9 \u201cquoted\u201d."}) for k in range(20)]
    lines[3] = "{broken"
    lines[7] = ""
    lines[9] = "[1, 2]"
    lines[12] = json.dumps({"id": "no-text"})
    path = tmp_path / "feed.jsonl"
    path.write_bytes("\n".join(lines).encode() + b"\n" + b'{"id": "bad-byte", "text": "caf\xe9 au lait"}\n')
    monkeypatch.setattr(ingest, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(ingest, "BATCH_LINES", 4)
    serial = load([str(path)])
    parallel = load([str(path)], options=InputOptions(workers=2))
    assert parallel == serial
    assert [s.line for s in serial if isinstance(s, Skipped)] == [4, 10, 13]
    empty = tmp_path / "blank.jsonl"
    empty.write_text("\n\n")
    assert load([str(empty)], options=InputOptions(workers=2)) == load([str(empty)])
