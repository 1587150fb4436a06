"""The one reader (``reconcile.io``): scan and dedup read alike, streamed formats in bounded
memory, one huge record skipped by line, web addresses, sources, cheap checks before repairs."""

from __future__ import annotations

import csv
import gzip
import html
import http.server
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import ftfy
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from reconcile.cli import main
from reconcile.dedup.feeds import FeedItem, Fields, Rejected, read_feed
from reconcile.io.atomic import AtomicFile
from reconcile.io.fields import InputOptions
from reconcile.io.lines import Oversize, bounded_lines
from reconcile.io.read import iter_load, load, split_loaded
from reconcile.model import Document, Skipped
from reconcile.text.dates import dateline
from reconcile.text.normalize import repair
from tests.conftest import ROOT, SAMPLES

EXIT_SKIPPED = 3
STORY = (
    "The harbour of Lisvane reopened on Monday after a week of repairs to the quay, the port "
    "authority said, and the first ferry left for the islands at noon with forty passengers aboard."
)
ARTICLE = (SAMPLES / "articles" / "wire_copy.txt").read_text(encoding="utf-8")


def _records(n: int, prefix: str = "r") -> list[dict[str, str]]:
    """Unrelated reports (each of its own random words out of 5,000), with accents to decode."""
    rng = random.Random(n)
    letters = "bcdfghklmnprstvz"
    vowels = "aeiou"
    words = ["".join(rng.choice(letters) + rng.choice(vowels) for _ in range(3)) for _ in range(5000)]
    return [
        {"id": f"{prefix}{i}", "text": " ".join(rng.choice(words) for _ in range(40)) + ". Café owners agreed."}
        for i in range(n)
    ]


# --- scan and dedup read the same records the same way -------------------------------------------


def _scan_view(path: Path) -> list[tuple[str, str, int | None]]:
    return [(d.id, d.text, d.line) for d in iter_load([str(path)]) if isinstance(d, Document)]


def _dedup_view(path: Path) -> list[tuple[str, str, int | None]]:
    reads = list(read_feed(path, Fields()))
    assert not [r for r in reads if isinstance(r, Rejected)], reads
    return [(r.id, r.text, r.line) for r in reads if isinstance(r, FeedItem)]


def test_a_record_without_id_gzip_and_latin1_are_read_by_scan_and_dedup_alike(tmp_path: Path) -> None:
    records = _records(3)
    del records[1]["id"]
    plain = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    gz = tmp_path / "feed.jsonl.gz"
    gz.write_bytes(gzip.compress(plain.encode("utf-8")))
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes(plain.encode("latin-1"))
    for path in (gz, latin):
        scanned = _scan_view(path)
        assert scanned == _dedup_view(path)
        assert [doc_id for doc_id, _, _ in scanned] == ["r0", f"{path.name.split('.')[0]}:2", "r2"]
        assert all("Café owners agreed" in text for _, text, _ in scanned)


def test_dedup_of_a_gzipped_feed_writes_gzip_with_the_kept_lines(tmp_path: Path) -> None:
    records = _records(4)
    records.append(dict(records[0], id="copy"))
    lines = [json.dumps(r) + "\n" for r in records]
    feed = tmp_path / "feed.jsonl.gz"
    feed.write_bytes(gzip.compress("".join(lines).encode()))
    out = tmp_path / "kept.jsonl.gz"
    result = CliRunner().invoke(main, ["dedup", str(feed), "-o", str(out)])
    assert result.exit_code == 0, result.output
    kept = gzip.decompress(out.read_bytes()).decode()
    assert kept == "".join(lines[:4])


# --- streamed formats in bounded memory, whole-file formats capped ------------------------------


def test_streamed_formats_ignore_max_bytes_and_whole_file_formats_obey_it(tmp_path: Path) -> None:
    records = _records(400)
    jsonl = tmp_path / "big.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    gz = tmp_path / "big2.jsonl.gz"
    gz.write_bytes(gzip.compress(jsonl.read_bytes().replace(b'"r', b'"g')))
    csv_file = tmp_path / "big3.csv"
    csv_file.write_text("id,text\n" + "".join(f'c{i},"{r["text"]}"\n' for i, r in enumerate(records)), encoding="utf-8")
    page = tmp_path / "long.txt"
    page.write_text(STORY * 200, encoding="utf-8")
    assert min(p.stat().st_size for p in (jsonl, csv_file)) > 50_000 and page.stat().st_size > 20_000
    options = InputOptions(max_bytes=10_000)
    docs, skipped = split_loaded(load([str(jsonl), str(gz), str(csv_file), str(page)], options=options))
    assert len(docs) == 1200
    assert [(s.path, s.error.split(",")[0]) for s in skipped] == [(str(page), f"file is {page.stat().st_size} bytes")]


def test_bounded_lines_hold_at_most_the_limit_of_a_long_line() -> None:
    import io

    data = b"short\n" + b"x" * 50_000 + b"\nafter\n" + b"y" * 3000
    lines = list(bounded_lines(io.BytesIO(data), 1000))
    assert lines == [b"short\n", Oversize(50_001), b"after\n", Oversize(3000)]


def test_one_huge_record_is_skipped_by_file_and_line_and_the_others_read(tmp_path: Path) -> None:
    feed = tmp_path / "dump.jsonl"
    records = _records(12)
    huge = json.dumps({"id": "huge", "text": STORY * 12_000})  # about 2 MB, over the default 1 MB
    lines = [json.dumps(r) for r in records[:5]] + [huge] + [json.dumps(r) for r in records[5:]]
    feed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["scan", str(feed), "--format", "json"])
    assert result.exit_code == EXIT_SKIPPED, result.output
    report = json.loads(result.stdout)
    assert sorted(d["id"] for d in report["documents"]) == sorted(r["id"] for r in records)
    (skip,) = report["skipped"]
    assert (skip["path"], skip["line"]) == (str(feed), 6)
    assert "per-document limit (--max-doc-bytes)" in skip["error"]
    assert f"{feed}:6:" in result.stderr
    # dedup: the same skip, with the line, and the good records kept
    out = tmp_path / "kept.jsonl"
    dedup = CliRunner().invoke(main, ["dedup", str(feed), "-o", str(out)])
    assert dedup.exit_code == EXIT_SKIPPED
    assert f"{feed}:6: record of" in dedup.output
    assert len(out.read_text().splitlines()) == 12


# --- web addresses ------------------------------------------------------------------------------

PARAGRAPHS = "".join(f"<p>{html.escape(p)}</p>" for p in ARTICLE.split("\n") if p.strip())
PAGE = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Harbour reopens | Coast Post</title>
<meta property="og:site_name" content="Coast Post"><meta property="og:title" content="Harbour reopens">
</head><body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<main><article><h1>Harbour reopens</h1>{PARAGRAPHS}
</article></main><footer><p>Privacy policy</p></footer></body></html>
"""


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[int, str, bytes]]] = {}

    def do_GET(self) -> None:
        if self.path == "/slow":
            time.sleep(2)
        status, content_type, body = self.routes.get(self.path, (404, "text/plain", b"not found"))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    bare = PAGE.replace('<meta property="og:site_name" content="Coast Post">', "").replace(" | Coast Post", "")
    _Handler.routes = {
        "/a.html": (200, "text/html; charset=utf-8", PAGE.encode()),
        "/b.html": (200, "text/html", PAGE.replace("Orvenna", "Orvena").encode()),
        "/bare.html": (200, "text/html", bare.encode()),
        "/report.pdf": (200, "application/pdf", b"%PDF-1.4"),
        "/big.html": (200, "text/html", PAGE.encode() * 40),
        "/slow": (200, "text/html", PAGE.encode()),
    }
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_compare_fetches_web_addresses_as_pages(server: str) -> None:
    result = CliRunner().invoke(main, ["compare", f"{server}/a.html", f"{server}/b.html", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    docs = report["documents"]
    assert [d["path"] for d in docs] == [f"{server}/a.html", f"{server}/b.html"]
    assert [d["source"] for d in docs] == ["Coast Post", "Coast Post"]
    assert docs[0]["title"] == "Harbour reopens"
    text = " ".join(s["text"] for s in docs[0]["sentences"])
    assert "Orvenna" in text and "Home" not in text and "Privacy" not in text
    assert report["pairs"][0]["relation"] in ("duplicate", "near-duplicate")


def test_a_page_naming_no_site_gets_its_host_as_source(server: str) -> None:
    (doc,) = load([f"{server}/bare.html"])
    assert isinstance(doc, Document) and doc.source == server.removeprefix("http://")  # host and port


def test_web_addresses_that_give_no_page_are_one_line_each(server: str) -> None:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    options = InputOptions(max_bytes=len(PAGE.encode()) * 2, fetch_timeout=0.5)
    urls = [
        f"{server}/missing",
        f"{server}/report.pdf",
        f"{server}/big.html",
        f"{server}/slow",
        f"http://127.0.0.1:{port}/x",
    ]
    loaded = load(urls, options=options)
    assert all(isinstance(s, Skipped) for s in loaded)
    reasons = {s.path: s.error for s in loaded if isinstance(s, Skipped)}
    assert reasons[urls[0]] == "HTTP 404 Not Found"
    assert reasons[urls[1]] == "content type application/pdf is not a page, feed or text"
    assert "over the" in reasons[urls[2]] and "--max-bytes" in reasons[urls[2]]
    assert reasons[urls[3]] == "no answer within 0.5 s"
    assert reasons[urls[4]].startswith("cannot fetch (") and "\n" not in reasons[urls[4]]
    # offline, or no such site (.invalid never resolves, RFC 6761)
    (offline,) = load(["http://no-such-host.invalid/a.html"], options=options)
    assert isinstance(offline, Skipped) and offline.error == "cannot resolve the host (offline, or no such site)"
    # the CLI: a clear line naming the address, no traceback
    result = CliRunner().invoke(main, ["compare", urls[4], f"{server}/a.html"])
    assert result.exit_code == 1
    assert f"skipped {urls[4]}: cannot fetch" in result.output and "Traceback" not in result.output


# --- sources --------------------------------------------------------------------------------------


def test_source_from_option_folder_record_and_page(tmp_path: Path) -> None:
    folder = tmp_path / "Coast Post"
    folder.mkdir()
    (folder / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "b.jsonl").write_text(
        "".join(
            json.dumps(r) + "\n"
            for r in ({"id": "own", "text": STORY, "source": "Wire"}, {"id": "none", "text": STORY})
        ),
        encoding="utf-8",
    )
    (folder / "c.html").write_text(PAGE.replace("Coast Post", "Harbour Times"), encoding="utf-8")

    def sources(*args: str) -> dict[str, str | None]:
        result = CliRunner().invoke(main, ["scan", str(folder), "--format", "json", *args])
        assert result.exit_code == 0, result.output
        return {d["id"]: d["source"] for d in json.loads(result.stdout)["documents"]}

    assert sources() == {"a": None, "own": "Wire", "none": None, "c": "Harbour Times"}
    assert sources("--source", "Desk") == {"a": "Desk", "own": "Wire", "none": "Desk", "c": "Harbour Times"}
    folder_named = {"a": "Coast Post", "own": "Wire", "none": "Coast Post", "c": "Harbour Times"}
    assert sources("--source-from-folder") == folder_named


# --- base install ---------------------------------------------------------------------------------


def test_pages_and_feeds_need_no_extra() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    base = " ".join(project["dependencies"])
    assert "trafilatura" in base and "feedparser" in base
    assert "web" not in project["optional-dependencies"]
    for path in (ROOT / "reconcile").rglob("*.py"):
        assert "reconcile[web]" not in path.read_text(encoding="utf-8"), path


_IMPORT_GRAPH = """
import ast, json, sys
from pathlib import Path

package = Path(sys.argv[1])
modules = {}
for path in sorted(package.rglob("*.py")):
    name = ".".join(("reconcile", *path.relative_to(package).with_suffix("").parts)).removesuffix(".__init__")
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):  # inside functions too
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("reconcile"):
            found.add(node.module)
            for alias in node.names:
                if (package / node.module.replace(".", "/")[len("reconcile/") :] / f"{alias.name}.py").exists():
                    found.add(f"{node.module}.{alias.name}")
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("reconcile")}
    modules[name] = sorted(found)
print(json.dumps(modules))
"""


def _import_graph(package: Path) -> dict[str, list[str]]:
    """Each module's imports of the package, parsed in a fresh interpreter: CPython 3.11.7 can raise "AST
    constructor recursion depth mismatch" from ``ast.parse`` late in a long test session, in any thread
    (fixed in 3.11.8, gh-106905)."""
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_GRAPH, str(package)], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def test_no_module_imports_itself_through_others() -> None:
    modules = _import_graph(ROOT / "reconcile")

    def reaches(start: str, target: str, seen: set[str]) -> bool:
        for nxt in modules.get(start, ()):
            if nxt == target or (nxt not in seen and (seen.add(nxt) or reaches(nxt, target, seen))):
                return True
        return False

    assert "reconcile.io.read" in modules and "reconcile.io.formats" in modules["reconcile.io.read"]
    assert not [m for m in sorted(modules) if reaches(m, m, set())]


# --- cheap checks before expensive repairs --------------------------------------------------------

TRICKY = "aeAE1 .,;#'\"\n\r\t&<>" + "éèàâÃÂÐÑØÙ©®°±²³µ·»«¿¡€£¥™œŒ×÷ß’‘“”–—…\xa0\xad\x85\x96ﬁＡ　\u2028ВГРСвЂβΓā√≈"


def _ftfy_in_full(text: str) -> str:
    return ftfy.fix_text(text, uncurl_quotes=False, fix_line_breaks=True, normalization="NFC", explain=False)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=TRICKY, max_size=60))
def test_repair_runs_ftfy_only_where_it_would_change_something_and_gives_what_ftfy_gives(text: str) -> None:
    assert repair(text)[0] == _ftfy_in_full(text)


def test_the_first_look_is_the_union_of_the_three_classes_it_joins() -> None:
    """``needs_ftfy`` says no at once for a text holding no character of ``ftfy_first_look``: that
    class is every character of the three it joins, and no other, over all of Unicode."""
    from reconcile.text.normalize import first_characters, ftfy_first_look, ftfy_pattern

    look = ftfy_first_look()
    assert look is not None
    every = "".join(map(chr, range(0x110000)))
    parts = [ftfy_pattern("touches"), ftfy_pattern("marks"), first_characters("altered")]
    joined = sorted({ch for part in parts if part for ch in part.findall(every)})
    assert look.findall(every) == joined


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.text(alphabet=TRICKY, max_size=12), st.text(alphabet="ab \n", max_size=20)), max_size=8))
def test_likely_mojibake_is_ftfys_mojibake_test(pieces: list[tuple[str, str]]) -> None:
    """``likely_mojibake`` asks ftfy's ``is_bad`` of the stretches around its marks alone, and
    ``normalize.fix_text`` skips ftfy's encoding steps where it says no: the same answer as
    ``is_bad`` on the whole text, marks near each other, far apart, at either end."""
    from ftfy.badness import is_bad

    from reconcile.text.normalize import likely_mojibake

    text = "".join(marked + filler for marked, filler in pieces)
    assert likely_mojibake(text) == bool(is_bad(text))


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=TRICKY + "ÅÎáãðå\x80\x9f\xa1\xbf ", max_size=40))
def test_the_altered_utf8_pattern_matches_only_texts_holding_one_of_its_first_characters(text: str) -> None:
    """``needs_ftfy`` runs ftfy's "altered" pattern only on a text holding a character of
    ``first_characters("altered")``: the pattern has such a class, and finds nothing elsewhere."""
    from reconcile.text.normalize import first_characters, ftfy_pattern

    first = first_characters("altered")
    assert first is not None
    altered = ftfy_pattern("altered").search(text)
    assert altered is None or first.match(text, altered.start())


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet=TRICKY + "ﬂﬃＬＯ\x00\x1b[31m\ufeff<b>&amp;&#233;", max_size=80),
    st.sampled_from(["latin-1", "cp1252", "mac_roman", "cp437", None]),
)
def test_fix_text_is_ftfys_fix_text(text: str, misread_as: str | None) -> None:
    """``normalize.fix_text`` runs ftfy's fixers in ftfy's order, skipping only a ``translate`` that
    would change nothing: the same text as ``ftfy.fix_text``, mojibake (UTF-8 read in another
    charset, which makes ligatures and full-width forms of its own) and all."""
    from reconcile.text.normalize import fix_text

    if misread_as is not None:
        text = text.encode("utf-8", "surrogatepass").decode(misread_as, "replace")
    assert fix_text(text) == _ftfy_in_full(text)


@pytest.mark.parametrize(
    "text",
    ["sÃ³ the cafÃ© opened", "voilÃ le travail", "â€œquotedâ€\x9d", "Ð¿Ñ€Ð¸Ð²ÐµÑ‚ friends", "ﬁne ＡＢＣ", "a\r\nb"],
)
def test_mojibake_and_odd_characters_are_still_repaired(text: str) -> None:
    fixed, _ = repair(text)
    assert fixed == _ftfy_in_full(text) != text


def test_typographic_english_is_not_sent_through_ftfy(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    monkeypatch.setattr(ftfy, "fix_text", lambda *a, **k: calls.append(a) or a[0])
    text = "The minister’s office said “no comment” — again… " * 50
    assert repair(text) == (text, ())
    assert calls == []


def test_datelines_are_found_only_in_the_head_of_a_text() -> None:
    one_line = "LISVANE, 4 April 2022 - " + STORY
    assert dateline(one_line) is not None
    assert dateline(STORY * 20 + " It happened on 4 April 2022.") is None


# --- the one atomic writer --------------------------------------------------------------------------


def test_atomic_file_is_whole_or_absent_and_a_dead_runs_temporary_is_cleared(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    dead = os.fork()
    if dead == 0:
        os._exit(0)
    os.waitpid(dead, 0)
    stale = tmp_path / f".out.csv.{dead}.abc.partial"
    stale.write_text("half")
    writing = AtomicFile(target)
    assert not stale.exists()
    writing.handle.write("new\n")
    assert target.read_text() == "old\n"
    writing.abort()
    assert target.read_text() == "old\n" and not writing.tmp.exists()
    done = AtomicFile(target)
    done.handle.write("new\n")
    done.commit()
    assert target.read_text() == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_parallel_reading_stays_a_bounded_number_of_batches_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    from reconcile.io import lines as lines_module

    monkeypatch.setattr(lines_module, "BATCH_LINES", 10)
    records = [(json.dumps(r) + "\n").encode() for r in _records(600)]
    consumed = 0

    def source() -> Iterator[bytes]:
        nonlocal consumed
        for raw in records:
            consumed += 1
            yield raw

    options = InputOptions(workers=2)
    reading = lines_module.parallel_jsonl_documents(source(), "feed.jsonl", options)
    ahead = []
    ids = []
    for doc in reading:
        assert isinstance(doc, Document)
        ids.append(doc.id)
        ahead.append(consumed - len(ids))
    assert ids == [f"r{i}" for i in range(600)]
    bound = (lines_module.AHEAD_PER_WORKER * options.workers + 1) * lines_module.BATCH_LINES
    assert max(ahead) <= bound < 600


def test_stdin_json_lines_are_streamed_past_max_bytes_and_a_page_is_capped(tmp_path: Path) -> None:
    feed = "".join(json.dumps(r) + "\n" for r in _records(300)).encode()
    assert len(feed) > 20_000
    for data in (feed, gzip.compress(feed)):
        result = CliRunner().invoke(main, ["scan", "-", "--max-bytes", "10K", "--format", "json"], input=data)
        assert result.exit_code == 0, result.output
        assert len(json.loads(result.stdout)["documents"]) == 300
    page = (STORY + "\n\n") * 200
    result = CliRunner().invoke(main, ["scan", "-", "--max-bytes", "10K", "--format", "json"], input=page)
    assert result.exit_code == 1
    assert "<stdin>: over the 10240-byte limit (--max-bytes)" in result.output


def test_a_huge_csv_record_is_skipped_by_line_and_the_records_after_it_read(tmp_path: Path) -> None:
    table = tmp_path / "export.csv"
    rows = [f'a{i},"{r["text"]}"\n' for i, r in enumerate(_records(4))]
    table.write_text("id,text\n" + rows[0] + rows[1] + f'huge,"{STORY * 200}"\n' + rows[2] + rows[3], encoding="utf-8")
    docs, skipped = split_loaded(load([str(table)], options=InputOptions(max_doc_bytes=10_000)))
    assert [d.id for d in docs] == ["a0", "a1", "a2", "a3"]
    assert [(s.line, "per-document limit" in s.error) for s in skipped] == [(4, True)]


def test_dedup_takes_the_source_option_for_items_without_one(tmp_path: Path) -> None:
    records = _records(2)
    records.append(dict(records[0], id="wire-copy", source="Northline Wire"))
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")

    def decision(*extra: str) -> dict[str, str]:
        run = tmp_path / f"run{len(extra)}"
        args = ["dedup", str(feed), "-o", str(run / "out.jsonl"), "--map", str(run / "map.csv")]
        result = CliRunner().invoke(main, [*args, "--index", str(run / "index.sqlite"), *extra])
        assert result.exit_code == 0, result.output
        return {r["id"]: r for r in csv.DictReader((run / "map.csv").open(encoding="utf-8"))}["wire-copy"]

    prefer = ("--prefer", "Desk,Northline Wire")
    # r0 names no source: the copy from a preferred wire takes its cluster over
    assert decision(*prefer)["decision"] == "kept"
    # r0 is the desk's own (--source), preferred to the wire: the copy is removed
    named = decision(*prefer, "--source", "Desk")
    assert (named["decision"], named["canonical"]) == ("removed", "r0")
