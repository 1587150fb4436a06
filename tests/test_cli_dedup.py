"""``reconcile dedup`` end to end: formats, map, rejects, dry run, refusal, kill-and-rerun, two workers."""

from __future__ import annotations

import csv
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from reconcile.cli import EXIT_SKIPPED, main
from reconcile.dedup.stream import MAP_COLUMNS
from tests.conftest import ROOT, SAMPLES
from tests.redis_server import redis_url  # noqa: F401 - fixture

COUNTS = re.compile(r"read (\d+), kept (\d+), removed (\d+), rejected (\d+)")
WORDS = [f"word{n}" for n in range(5000)]


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def counts(output: str) -> tuple[int, int, int, int]:
    match = COUNTS.search(output)
    assert match, output
    read, kept, removed, rejected = map(int, match.groups())
    assert kept + removed + rejected == read
    return read, kept, removed, rejected


def read_map(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def synthetic_feed(path: Path, stories: int, copies: float, seed: int, prefix: str = "") -> None:
    """News-length items of random words; a share are exact or lightly edited copies of earlier ones."""
    rng = random.Random(seed)
    earlier: list[tuple[str, str]] = []
    with path.open("w", encoding="utf-8") as out:
        for n in range(stories):
            if earlier and rng.random() < copies:
                origin, text = rng.choice(earlier)
                words = text.split()
                words[rng.randrange(len(words))] = rng.choice(WORDS)
                item = {"id": f"{prefix}copy{n}-of-{origin}", "text": " ".join(words)}
            else:
                text = " ".join(rng.choice(WORDS) for _ in range(120))
                item = {"id": f"{prefix}story{n}", "text": text}
                earlier.append((item["id"], text))
            item["published"] = "2022-03-25"
            out.write(json.dumps(item) + "\n")


def test_samples_feed_dedup_with_counts_line(tmp_path: Path) -> None:
    out, map_path = tmp_path / "kept.jsonl", tmp_path / "map.csv"
    result = run("dedup", str(SAMPLES / "feed.jsonl"), "-o", str(out), "--map", str(map_path))
    assert result.exit_code == 0, result.output
    read, kept, _removed, rejected = counts(result.output)
    source_lines = (SAMPLES / "feed.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    assert read == len(source_lines) and rejected == 0
    rows = read_map(map_path)
    assert [r["id"] for r in rows] == [json.loads(line)["id"] for line in source_lines]
    by_id = {r["id"]: r for r in rows}
    # the wire copy and the original are the same syndicated text
    assert by_id["wire_original"]["decision"] == "removed"
    assert by_id["wire_original"]["canonical"] == "wire_copy"
    assert by_id["wire_original"]["cluster"] == by_id["wire_copy"]["cluster"]
    # two outlets' translations of one statement are the same story, not copies: both kept
    assert by_id["statement_outlet_a"]["decision"] == by_id["statement_outlet_b"]["decision"] == "kept"
    kept_lines = out.read_text(encoding="utf-8").splitlines(keepends=True)
    assert len(kept_lines) == kept
    assert kept_lines == [line for line, r in zip(source_lines, rows, strict=True) if r["decision"] == "kept"]


def test_prefer_policy_records_the_canonical_change(tmp_path: Path) -> None:
    map_path = tmp_path / "map.csv"
    result = run(
        "dedup",
        str(SAMPLES / "feed.jsonl"),
        "-o",
        str(tmp_path / "k.jsonl"),
        "--map",
        str(map_path),
        "--prefer",
        "Northline Wire",
    )
    assert result.exit_code == 0, result.output
    by_id = {r["id"]: r for r in read_map(map_path)}
    assert by_id["wire_original"]["decision"] == "kept"
    assert by_id["wire_original"]["replaces"] == "wire_copy"


def test_bad_lines_go_to_the_reject_file_and_good_ones_are_kept(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        '{"id": "a", "text": "Heavy rain pushed the river over its banks on Friday night."}\n'
        "{not json\n"
        '{"id": "b"}\n'
        '["a list"]\n'
        '{"id": "c", "text": "A start-up unveiled a home storage battery built on sodium-ion chemistry."}\n',
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    result = run("dedup", str(feed), "-o", str(out))
    assert result.exit_code == EXIT_SKIPPED
    assert counts(result.output) == (5, 2, 0, 3)
    assert f"{feed}:2:" in result.output
    rejects = [json.loads(line) for line in (tmp_path / "out.jsonl.rejects.jsonl").read_text().splitlines()]
    assert [(r["line"], r["raw"]) for r in rejects] == [(2, "{not json"), (3, '{"id": "b"}'), (4, '["a list"]')]
    assert all(r["reason"] for r in rejects)
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == ["a", "c"]


def test_missing_input_is_named_and_others_still_processed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    result = run("dedup", str(tmp_path / "absent.jsonl"), str(SAMPLES / "feed.jsonl"), "-o", str(out))
    assert result.exit_code == EXIT_SKIPPED
    assert "absent.jsonl:0: cannot read" in result.output
    assert (out / "feed.jsonl").read_text().count("\n") == counts(result.output)[1]


def test_csv_records_copied_byte_for_byte(tmp_path: Path) -> None:
    feed = tmp_path / "feed.csv"
    rng = random.Random(1)
    text = " ".join(rng.choice(WORDS) for _ in range(60))
    other = " ".join(rng.choice(WORDS) for _ in range(60))
    feed.write_bytes(
        b"story_id,body,when\r\n"
        + f'1,"{text}\nsecond line, with comma",2022-03-25\r\n'.encode()
        + f'2,"{text}\nsecond line, with comma",2022-03-26\r\n'.encode()
        + f'3,"{other} ""quoted""",2022-03-27\r\n'.encode()
    )
    out = tmp_path / "out.csv"
    result = run(
        "dedup",
        str(feed),
        "-o",
        str(out),
        "--id-field",
        "story_id",
        "--text-field",
        "body",
        "--date-field",
        "when",
        "--map",
        str(tmp_path / "map.csv"),
    )
    assert result.exit_code == 0, result.output
    assert counts(result.output) == (3, 2, 1, 0)
    header, first, _second, third, tail = feed.read_bytes().split(b"\r\n")
    assert tail == b""
    assert out.read_bytes() == header + b"\r\n" + first + b"\r\n" + third + b"\r\n"
    assert [r["line"] for r in read_map(tmp_path / "map.csv")] == ["2", "4", "6"]


def test_parquet_kept_rows_untouched(tmp_path: Path) -> None:
    rng = random.Random(2)
    texts = [" ".join(rng.choice(WORDS) for _ in range(50)) for _ in range(4)]
    frame = pl.DataFrame(
        {"id": ["a", "b", "c", "d", "e"], "text": [*texts, texts[1]], "score": [1.5, 2.0, None, 4.0, 5.0]}
    )
    feed = tmp_path / "feed.parquet"
    frame.write_parquet(feed)
    out = tmp_path / "out.parquet"
    result = run("dedup", str(feed), "-o", str(out), "--batch-size", "2")
    assert result.exit_code == 0, result.output
    assert counts(result.output) == (5, 4, 1, 0)
    kept = pl.read_parquet(out)
    assert kept.schema == frame.schema
    assert kept.equals(frame.head(4))


RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
  <channel>
    <title>Tarn Valley Herald</title>
    <item>
      <title>Flood</title>
      <guid>urn:1</guid>
      <description><![CDATA[<p>{a}</p>]]></description>
      <pubDate>Fri, 25 Mar 2022 10:00:00 GMT</pubDate>
    </item>
    <item>
      <title>Flood again</title>
      <guid>urn:2</guid>
      <description>{a}</description>
      <pubDate>Sat, 26 Mar 2022 11:00:00 GMT</pubDate>
    </item>
    <item>
      <title>Battery</title>
      <guid>urn:3</guid>
      <description>{b}</description>
    </item>
  </channel>
</rss>
"""


def test_rss_removed_items_cut_out_rest_untouched(tmp_path: Path) -> None:
    import feedparser

    rng = random.Random(3)
    a, b = (" ".join(rng.choice(WORDS) for _ in range(40)) for _ in range(2))
    feed = tmp_path / "feed.xml"
    feed.write_text(RSS.format(a=a, b=b), encoding="utf-8")
    out = tmp_path / "out.xml"
    result = run("dedup", str(feed), "-o", str(out), "--map", str(tmp_path / "map.csv"))
    assert result.exit_code == 0, result.output
    assert counts(result.output) == (3, 2, 1, 0)
    written = out.read_text(encoding="utf-8")
    assert "urn:2" not in written and "Flood again" not in written
    parsed = feedparser.parse(written)
    assert [e.id for e in parsed.entries] == ["urn:1", "urn:3"]
    original = feed.read_text(encoding="utf-8")
    start = original.index("    <item>\n      <title>Flood again")
    end = original.index("    <item>\n      <title>Battery")
    assert written == original[:start] + original[end:]
    assert [r["line"] for r in read_map(tmp_path / "map.csv")] == ["5", "11", "17"]


def test_dry_run_prints_removals_and_writes_nothing(tmp_path: Path) -> None:
    index = tmp_path / "index.sqlite"
    out = tmp_path / "out.jsonl"
    result = run("dedup", str(SAMPLES / "feed.jsonl"), "--dry-run", "--index", str(index), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "would remove wire_original (near-duplicate of wire_copy" in result.output
    assert not out.exists()
    # the index learned nothing: a real run still keeps the same items
    real = run("dedup", str(SAMPLES / "feed.jsonl"), "--index", str(index), "-o", str(out))
    assert counts(real.output)[1:] == counts(result.output)[1:]


def test_dry_run_creates_no_index(tmp_path: Path) -> None:
    result = run("dedup", str(SAMPLES / "feed.jsonl"), "--dry-run", "--index", str(tmp_path / "new" / "i.sqlite"))
    assert result.exit_code == 0, result.output
    assert list(tmp_path.iterdir()) == []


def _without_root_powers(command: list[str]) -> list[str]:
    """``command`` run so that file modes bind it: root keeps its user id but loses its
    capabilities (``setpriv``), since root may write a read-only file."""
    if os.geteuid() != 0:
        return command
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: a read-only file cannot be made")
    return ["setpriv", "--bounding-set=-all", "--inh-caps=-all", "--securebits=+noroot", *command]


def test_dry_run_reads_a_read_only_index(tmp_path: Path) -> None:
    folder = tmp_path / "indexes"
    index = folder / "index.sqlite"
    first = run("dedup", str(SAMPLES / "feed.jsonl"), "--index", str(index), "-o", str(tmp_path / "1.jsonl"))
    assert first.exit_code == 0, first.output
    before = index.read_bytes()
    index.chmod(0o444)
    # the same items under other ids: a run of its own, which finds them all in the index
    lines = (SAMPLES / "feed.jsonl").read_text(encoding="utf-8").splitlines()
    tomorrow = tmp_path / "tomorrow.jsonl"
    tomorrow.write_text("".join(json.dumps({**json.loads(x), "id": "t-" + json.loads(x)["id"]}) + "\n" for x in lines))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        for mode in (0o555, 0o755):  # the folder takes no -shm file, then it does
            folder.chmod(mode)
            dry = subprocess.run(
                _without_root_powers(_cli(str(tomorrow), "--dry-run", "--index", str(index))),
                env=env,
                capture_output=True,
                text=True,
            )
            assert dry.returncode == 0, dry.stderr
            # what the index saw is removed: every item would go
            read, kept, removed, _ = counts(dry.stderr)
            assert kept == 0 and removed == read > 0
            assert index.read_bytes() == before
        # a real run on it says what is wrong, naming the file, in one line
        real = subprocess.run(
            _without_root_powers(_cli(str(tomorrow), "--index", str(index), "-o", str(tmp_path / "2.jsonl"))),
            env=env,
            capture_output=True,
            text=True,
        )
        assert real.returncode == 1
        assert real.stderr.strip().splitlines() == [
            f"Error: index {index} cannot be written (attempt to write a readonly database): "
            "give write access, or only read it with a dry run"
        ]
    finally:
        folder.chmod(0o755)


def test_dry_run_on_a_read_only_index_with_a_pending_log_says_so(tmp_path: Path) -> None:
    """A killed writer can leave commits in the -wal file; read-only, in a folder that takes no
    -shm file, they cannot be read: the run says so rather than dedup against a stale index."""
    index = tmp_path / "index.sqlite"
    first = run("dedup", str(SAMPLES / "feed.jsonl"), "--index", str(index), "-o", str(tmp_path / "1.jsonl"))
    assert first.exit_code == 0, first.output
    copy = tmp_path / "copy"
    copy.mkdir()
    writer = sqlite3.connect(index)
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("INSERT INTO meta VALUES ('note', 'a commit still in the log')")
    writer.commit()
    for name in ("index.sqlite", "index.sqlite-wal"):  # the files as a killed writer leaves them
        shutil.copy(tmp_path / name, copy / name)
    writer.close()
    assert (copy / "index.sqlite-wal").stat().st_size > 0
    for path in copy.iterdir():
        path.chmod(0o444)
    copy.chmod(0o555)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        dry = subprocess.run(
            _without_root_powers(_cli(str(SAMPLES / "feed.jsonl"), "--dry-run", "--index", str(copy / "index.sqlite"))),
            env=env,
            capture_output=True,
            text=True,
        )
    finally:
        copy.chmod(0o755)
    assert dry.returncode == 1
    assert dry.stderr.strip().splitlines() == [
        f"Error: index {copy / 'index.sqlite'} cannot be read without writing: index.sqlite-wal holds commits "
        "not yet in the file, and its folder takes no -shm file; open it once with write access"
    ]


def test_second_run_against_the_index_removes_what_it_saw(tmp_path: Path) -> None:
    index = tmp_path / "index.sqlite"
    first = run("dedup", str(SAMPLES / "feed.jsonl"), "--index", str(index), "-o", str(tmp_path / "1.jsonl"))
    renamed = tmp_path / "tomorrow.jsonl"
    lines = (SAMPLES / "feed.jsonl").read_text(encoding="utf-8").splitlines()
    renamed.write_text("\n".join(json.dumps({**json.loads(x), "id": "t-" + json.loads(x)["id"]}) for x in lines) + "\n")
    second = run("dedup", str(renamed), "--index", str(index), "-o", str(tmp_path / "2.jsonl"))
    assert counts(first.output)[1] > 0
    assert counts(second.output) == (len(lines), 0, len(lines), 0)
    assert (tmp_path / "2.jsonl").read_text() == ""


def test_other_parameters_are_refused_in_one_line(tmp_path: Path) -> None:
    index = tmp_path / "index.sqlite"
    out = str(tmp_path / "out.jsonl")
    assert run("dedup", str(SAMPLES / "feed.jsonl"), "--index", str(index), "-o", out).exit_code == 0
    result = run("dedup", str(SAMPLES / "feed.jsonl"), "--index", str(index), "--dry-run", "--bands", "12")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "bands=16" in lines[0] and "bands=12" in lines[0]


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "reconcile.cli", "dedup", *args]


def _journaled(index: Path) -> int:
    """Items journaled so far (an entry per batch, its last position inclusive)."""
    try:
        with sqlite3.connect(index, timeout=1) as db:
            return int(db.execute("SELECT coalesce(sum(last - first + 1), 0) FROM journal").fetchone()[0])
    except sqlite3.Error:
        return 0


def test_killed_run_rerun_gives_the_same_output_and_map(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    synthetic_feed(feed, 3000, copies=0.3, seed=11)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    clean = tmp_path / "clean"
    subprocess.run(
        _cli(
            str(feed),
            "-o",
            str(clean / "out.jsonl"),
            "--map",
            str(clean / "map.csv"),
            "--index",
            str(clean / "index.sqlite"),
            "--batch-size",
            "100",
        ),
        check=True,
        env=env,
        capture_output=True,
    )

    killed = tmp_path / "killed"
    # commit every batch, so the kill lands between commits with work both done and to do
    args = _cli(
        str(feed),
        "-o",
        str(killed / "out.jsonl"),
        "--map",
        str(killed / "map.csv"),
        "--index",
        f"sqlite:///{killed / 'index.sqlite'}?commit_seconds=0",
        "--batch-size",
        "100",
    )
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while _journaled(killed / "index.sqlite") < 800 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done_when_killed = _journaled(killed / "index.sqlite")
    assert 0 < done_when_killed < 3000, "the run was not killed midway"
    assert not (killed / "out.jsonl").exists() and not (killed / "map.csv").exists()

    rerun = subprocess.run(args, env=env, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    read, _kept, removed, _ = counts(rerun.stderr)
    assert read == 3000 and removed > 500
    assert (killed / "out.jsonl").read_bytes() == (clean / "out.jsonl").read_bytes()
    assert (killed / "map.csv").read_bytes() == (clean / "map.csv").read_bytes()
    assert not [p for p in killed.iterdir() if p.name.startswith(".")], "temporary files left behind"


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _running(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie waiting for a reaper has ended)."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


_KILLED_PARENT = """
import sys
from pathlib import Path
import reconcile.dedup.stream as dedup
if sys.argv[3] == "pipe only":
    dedup.die_with_parent = lambda: None
dedup.dedup_files([Path(sys.argv[1])], Path(sys.argv[2]), batch_size=50, reader_process=True)
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds processes through /proc (Linux)")
@pytest.mark.parametrize("ending", ["prctl", "pipe only"])
def test_killed_dedup_leaves_no_reader_process_behind(tmp_path: Path, ending: str) -> None:
    """``kill -9`` of dedup while its reader is blocked sending (the parent stopped reading):
    the reader ends too, by the kernel's parent-death signal, or else by the broken pipe."""
    feed = tmp_path / "feed.jsonl"
    synthetic_feed(feed, 3000, copies=0.3, seed=3)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    parent = subprocess.Popen(
        [sys.executable, "-c", _KILLED_PARENT, str(feed), str(tmp_path / "out.jsonl"), ending],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    readers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while not (readers := _children(parent.pid)) and parent.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(readers) == 1, "the reader process did not start"
        parent.send_signal(signal.SIGSTOP)  # the parent stops taking batches: the reader fills the pipe
        time.sleep(1.0)
        assert _running(readers[0]), "the reader ended before the parent was killed"
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 5
        while _running(readers[0]) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not _running(readers[0]), "the reader outlived its killed parent"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        for pid in readers:  # a reader left behind by a failure here is ended, by its id
            if _running(pid):
                os.kill(pid, signal.SIGKILL)
    assert not (tmp_path / "out.jsonl").exists()


def test_two_workers_on_redis_never_keep_the_same_story_twice(tmp_path: Path, redis_url: str) -> None:  # noqa: F811
    """Worker a meets the shared stories first to last, worker b last to first, so they race
    where they meet; each batch works from a view of the index that the other may have changed."""
    rng = random.Random(5)
    shared = [" ".join(rng.choice(WORDS) for _ in range(120)) for _ in range(1500)]
    feeds = []
    for worker, order in (("a", range(len(shared))), ("b", reversed(range(len(shared))))):
        path = tmp_path / f"{worker}.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for n in order:
                out.write(json.dumps({"id": f"{worker}-s{n}", "text": shared[n]}) + "\n")
                if n % 5 == 0:
                    own = " ".join(rng.choice(WORDS) for _ in range(120))
                    out.write(json.dumps({"id": f"{worker}-own{n}", "text": own}) + "\n")
        feeds.append(path)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            _cli(
                str(feed),
                "-o",
                str(tmp_path / f"out-{feed.stem}.jsonl"),
                "--map",
                str(tmp_path / f"map-{feed.stem}.csv"),
                "--index",
                redis_url,
                "--batch-size",
                "100",
                "--canonical",
                "first",
            ),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for feed in feeds
    ]
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    kept = {
        feed.stem: [json.loads(line)["id"] for line in (tmp_path / f"out-{feed.stem}.jsonl").read_text().splitlines()]
        for feed in feeds
    }
    kept_shared = sorted(int(i.split("-s")[1]) for ids in kept.values() for i in ids if "-s" in i)
    assert kept_shared == list(range(len(shared))), "a shared story kept twice or not at all"
    assert all(any("-s" in i for i in ids) for ids in kept.values()), "the workers did not overlap"
    assert sum(1 for ids in kept.values() for i in ids if "-own" in i) == 2 * len(range(0, len(shared), 5))
    total = [counts(err) for _, err in results]
    assert sum(c[2] for c in total) == len(shared)
    rows = [r for feed in feeds for r in read_map(tmp_path / f"map-{feed.stem}.csv")]
    assert set(rows[0]) == set(MAP_COLUMNS)
    removed = [r for r in rows if r["decision"] == "removed"]
    assert all(r["canonical"].split("-s")[1] == r["id"].split("-s")[1] for r in removed)


def test_readme_shows_what_the_samples_dedup_prints(tmp_path: Path, monkeypatch) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Feed deduplication") :]
    command = re.search(r"^reconcile (dedup samples/feed\.jsonl .*)$", section, re.MULTILINE)
    shown = COUNTS.search(section)
    assert command and shown
    monkeypatch.chdir(tmp_path)
    (tmp_path / "samples").symlink_to(SAMPLES)
    result = run(*command.group(1).split())
    assert result.exit_code == 0, result.output
    assert COUNTS.search(result.output).group(0) == shown.group(0)


@pytest.mark.parametrize(
    ("flags", "line"),
    [
        (["--num-perm", "1048576"], "Error: --num-perm 1048576 is out of bounds: give 1 to 1,024"),
        (["--num-perm", "0"], "Error: --num-perm 0 is out of bounds: give 1 to 1,024"),
        (["--bands", "100000"], "Error: --bands 100000 is out of bounds: give 1 to 1,024"),
        (["--rows", "x"], "Error: --rows 'x' is not a whole number"),
        (["--shingle-size", "1000"], "Error: --shingle-size 1000 is out of bounds: give 1 to 25"),
        (["--batch-size", "100000000"], "Error: --batch-size 100000000 is out of bounds: give 1 to 50,000"),
        (["--batch-size", "0"], "Error: --batch-size 0 is out of bounds: give 1 to 50,000"),
        (["--num-perm", "96"], "Error: num_perm must be a power of two (one-permutation MinHash), not 96"),
        (["--bands", "30"], "Error: bands x rows (30 x 3) exceeds num_perm 64"),
    ],
)
def test_size_parameters_are_bounded_in_one_line(tmp_path: Path, flags: list[str], line: str) -> None:
    out = tmp_path / "out.jsonl"
    result = run("dedup", str(SAMPLES / "feed.jsonl"), "-o", str(out), "--index", str(tmp_path / "i.db"), *flags)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [line]
    assert list(tmp_path.iterdir()) == [], "nothing is written"


def test_an_output_that_cannot_be_written_is_a_user_error_naming_it(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way")
    feed = str(SAMPLES / "feed.jsonl")
    for args, line in (
        (["-o", str(blocker / "out.jsonl")], f"Error: -o {blocker / 'out.jsonl'}: cannot write in {blocker} ("),
        (
            ["-o", str(tmp_path / "o.jsonl"), "--map", str(blocker / "m.csv")],
            f"Error: --map {blocker / 'm.csv'}: cannot write in {blocker} (",
        ),
        (
            ["-o", str(tmp_path / "o.jsonl"), "--rejects", str(blocker / "r.jsonl")],
            f"Error: --rejects {blocker / 'r.jsonl'}: cannot write in {blocker} (",
        ),
        *(
            [(["-o", "/proc/nope"], "Error: -o /proc/nope: cannot write in /proc (")]
            if Path("/proc/self").exists()
            else []
        ),
    ):
        result = run("dedup", feed, "--index", str(tmp_path / "i.db"), *args)
        assert result.exit_code == 1
        (shown,) = result.output.strip().splitlines()
        assert shown.startswith(line), shown
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"], "nothing written, not even the index"


def test_an_unusable_index_is_named_with_what_is_wrong(tmp_path: Path) -> None:
    feed = str(SAMPLES / "feed.jsonl")
    truncated = tmp_path / "truncated.sqlite"
    other = tmp_path / "big.jsonl"
    synthetic_feed(other, 2000, copies=0.1, seed=2)
    assert run("dedup", str(other), "--index", str(truncated), "-o", str(tmp_path / "o.jsonl")).exit_code == 0
    with truncated.open("r+b") as handle:
        handle.truncate(truncated.stat().st_size // 2)
    text = tmp_path / "notes.txt"
    text.write_text("hello\n" * 200)
    for index, words in (
        (truncated, "is damaged (database disk image is malformed): restore it from a copy or start a new index"),
        (text, "is not an index: not a SQLite database file"),
        (tmp_path, "is a folder, not an index file"),
    ):
        for dry in ([], ["--dry-run"]):
            result = run("dedup", feed, "--index", str(index), "-o", str(tmp_path / "out.jsonl"), *dry)
            assert result.exit_code == 1
            assert result.output.strip().splitlines() == [f"Error: index {index} {words}"]
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.parametrize(
    "url",
    ["redis:/127.0.0.1:6399/0", "Redis://127.0.0.1:6399/0", "postgres://x/y", "memory:", "redis://127.0.0.1:6399/abc"],
)
def test_a_mistyped_index_is_refused_and_no_file_is_made(tmp_path: Path, monkeypatch, url: str) -> None:
    monkeypatch.chdir(tmp_path)
    for dry in (["-o", "out.jsonl"], ["--dry-run"]):
        result = run("dedup", str(SAMPLES / "feed.jsonl"), "--index", url, *dry)
        assert result.exit_code == 1
        (line,) = result.output.strip().splitlines()
        assert line.startswith(f"Error: index address {url!r}: ")
        assert line.endswith("give a file path, sqlite:///PATH, redis://HOST:PORT/DB (DB a number) or memory")
    assert list(tmp_path.iterdir()) == []
