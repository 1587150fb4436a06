"""The CLI contract, driven through click's CliRunner."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconcile.cli import EXIT_SKIPPED, main
from tests.conftest import SAMPLES, seed


def run(*args: str, input: bytes | None = None):
    return CliRunner().invoke(main, list(args), input=input)


def divergences(result) -> list[dict]:
    return json.loads(result.output)["pairs"][0]["divergences"]


def test_compare_seeds_flags_the_three_known_slips(seeds: Path) -> None:
    result = run("compare", str(seed("000")), str(seed("001")), "--format", "json")
    assert result.exit_code == 0, result.output
    found = {(d["a"].casefold(), d["b"].casefold()): d for d in divergences(result)}
    assert found[("cleansing", "cleaning")]["kind"] == "real-word"
    assert found[("trilateral", "tai-lateral")]["kind"] == "typo"
    variant = found[("deescalate", "de-escalate")]
    assert variant["kind"] == "spelling-variant"
    assert variant["in_quote"] is True


def test_scan_seeds_relations_and_no_chrome_among_unique_claims(seeds: Path) -> None:
    result = run("scan", str(seeds), "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    relation = {(p["a"][:3], p["b"][:3]): p["relation"] for p in report["pairs"]}
    assert relation[("000", "001")] == "same-story"
    assert relation.get(("002", "003"), "unrelated") not in {"same-story", "near-duplicate", "duplicate"}
    sentences = {d["id"]: d["sentences"] for d in report["documents"]}
    chrome_words = ("leave a reply", "source link", "read next", "read previous", "see also", "email address")
    for pair in report["pairs"]:
        for side in ("a", "b"):
            for i in pair["unique"][side]:
                text = sentences[pair[side]][i]["text"].casefold()
                assert not any(text.startswith(w) for w in chrome_words), text


def test_json_contract_fields() -> None:
    result = run("scan", str(SAMPLES / "articles"), "--format", "json")
    report = json.loads(result.output)
    assert {"documents", "pairs", "clusters", "skipped"} <= report.keys()
    doc = report["documents"][0]
    assert {"id", "path", "source", "title", "published", "sentences"} <= doc.keys()
    assert {"i", "start", "end", "text"} <= doc["sentences"][0].keys()
    pair = report["pairs"][0]
    assert {"a", "b", "relation", "scores", "alignments", "divergences", "unique"} <= pair.keys()
    assert {"a", "b", "a_text", "b_text", "score"} <= pair["alignments"][0].keys()
    assert {"id", "documents", "canonical"} <= report["clusters"][0].keys()


def test_bad_inputs_are_named_and_the_rest_still_runs(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 4)
    latin = "Le ministre a déclaré que la réunion aura lieu à Genève.\n".encode("latin-1")
    (tmp_path / "latin.txt").write_bytes(latin)
    good = SAMPLES / "articles"
    result = run("scan", str(good), str(tmp_path), str(tmp_path / "missing.txt"), "--format", "json")
    assert result.exit_code == EXIT_SKIPPED
    report = json.loads(result.stdout)
    skipped = {Path(s["path"]).name: s["error"] for s in report["skipped"]}
    assert set(skipped) == {"empty.txt", "binary.txt", "missing.txt"}
    ids = {d["id"] for d in report["documents"]}
    assert "latin" in ids and "wire_original" in ids
    latin_doc = next(d for d in report["documents"] if d["id"] == "latin")
    assert "Genève" in latin_doc["sentences"][0]["text"]
    messages = [line for line in result.stderr.splitlines() if line.startswith("reconcile: skipped")]
    assert len(messages) == 3 and all(len(m.splitlines()) == 1 for m in messages)
    assert any("missing.txt" in m and "no such file" in m for m in messages)


def test_stdin_and_jsonl_with_a_broken_line(tmp_path: Path) -> None:
    feed = (SAMPLES / "feed.jsonl").read_text(encoding="utf-8").splitlines()
    feed.insert(2, "{not json")
    result = run("scan", "-", "--format", "json", input="\n".join(feed).encode())
    assert result.exit_code == EXIT_SKIPPED
    report = json.loads(result.stdout)
    assert report["skipped"] == [{"path": "<stdin>", "line": 3, "error": report["skipped"][0]["error"]}]
    assert len(report["documents"]) == len(feed) - 1


def test_output_dir_gets_reports(tmp_path: Path) -> None:
    result = run("scan", str(SAMPLES / "articles"), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0
    assert (tmp_path / "out" / "report.json").is_file() and (tmp_path / "out" / "index.html").is_file()
    assert (tmp_path / "out" / "report.md").read_text(encoding="utf-8").startswith("# Reconciliation report")
    assert list((tmp_path / "out" / "pairs").glob("*.md"))
    markdown = run("scan", str(SAMPLES / "articles"), "-o", str(tmp_path / "md"), "--format", "md")
    assert markdown.exit_code == 0 and markdown.stdout.startswith("# Reconciliation report")
    assert {p.suffix for p in (tmp_path / "md").rglob("*") if p.is_file()} == {".md"}


def test_compare_needs_two_readable_reports(tmp_path: Path) -> None:
    result = run("compare", str(tmp_path / "nope.txt"), str(SAMPLES / "articles" / "wire_copy.txt"))
    assert result.exit_code == 1
    assert "nope.txt" in result.stderr


def test_scan_with_nothing_readable_names_the_inputs_and_fails(tmp_path: Path) -> None:
    (tmp_path / "empty.jsonl").write_bytes(b"\n")
    (tmp_path / "broken.jsonl").write_bytes(b'{"id": "a", "text": "Half a rec\n')
    result = run("scan", str(tmp_path / "empty.jsonl"), str(tmp_path / "broken.jsonl"), "--format", "json")
    assert result.exit_code == 1
    assert "no readable reports among the inputs" in result.stderr
    assert sum(line.startswith("reconcile: skipped") for line in result.stderr.splitlines()) == 2
    assert "broken.jsonl:1: invalid JSON" in result.stderr


@pytest.mark.parametrize(
    ("flags", "line"),
    [
        (["--workers", "1000"], "Error: --workers 1000 is out of bounds: give 1 to 64"),
        (["--workers", "0"], "Error: --workers 0 is out of bounds: give 1 to 64"),
        (["--max-bytes", "100G"], "Error: --max-bytes 100G is out of bounds: give 1 byte to 8G"),
        (["--max-bytes", "0"], "Error: --max-bytes 0 is out of bounds: give 1 byte to 8G"),
        (["--max-bytes", "lots"], "Error: --max-bytes 'lots' is not a size (examples: 500000, 64K, 10MB, 1G)"),
    ],
)
def test_scan_size_parameters_are_bounded_in_one_line(tmp_path: Path, flags: list[str], line: str) -> None:
    result = CliRunner().invoke(main, ["scan", str(SAMPLES / "articles"), "-o", str(tmp_path / "out"), *flags])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [line]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("flag", ["-o", "--tables"])
def test_an_output_folder_that_cannot_be_made_is_a_user_error_naming_it(tmp_path: Path, flag: str) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way")
    targets = [(blocker / "out", blocker)]
    if Path("/proc/self").exists():
        targets.append((Path("/proc/nope"), Path("/proc")))
    for target, where in targets:
        result = CliRunner().invoke(main, ["scan", str(SAMPLES / "articles"), flag, str(target)])
        assert result.exit_code == 1
        (line,) = result.output.strip().splitlines()
        assert line.startswith(f"Error: {flag} {target}: cannot write in {where} (") and "internal" not in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_no_readable_input_leaves_no_output_folder(tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    result = CliRunner().invoke(main, ["scan", str(missing), "-o", str(tmp_path / "out" / "deeper")])
    assert result.exit_code == 1
    assert not (tmp_path / "out").exists()


def test_an_output_failing_while_written_is_named_in_one_line(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "report.json" / "in-the-way").mkdir(parents=True)  # a folder where the report goes
    result = CliRunner().invoke(main, ["scan", str(SAMPLES / "articles"), "-o", str(out)])
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"Error: -o {out}: cannot write ") and "report.json" in line and "internal" not in line


@pytest.mark.parametrize("width", [80, 50])
def test_command_summaries_are_whole_sentences(width: int) -> None:
    result = CliRunner().invoke(main, ["--help"], terminal_width=width)
    assert result.exit_code == 0
    commands = result.output.split("Commands:")[1]
    assert "..." not in commands and "…" not in commands
    for name in ("compare", "dedup", "scan"):
        summary = main.commands[name].short_help  # type: ignore[attr-defined]
        assert summary and summary.endswith(".")
        assert " ".join(summary.split()) in " ".join(commands.split())


def test_the_command_line_collects_garbage_after_its_imports_and_the_library_never_stops_it() -> None:
    """``reconcile._process`` turns the collector off while ``reconcile.cli`` imports (a tenth of a
    ``compare``'s time went to collections of a heap that only grows), and the end of the module turns
    it on again with the imported objects frozen; ``import reconcile`` and the pipeline leave it alone,
    and a collector the caller turned off stays off."""
    import subprocess
    import sys

    code = (
        "import gc, sys\n"
        "import reconcile.pipeline\n"
        "assert gc.isenabled() and gc.get_freeze_count() == 0, 'the library left the collector alone'\n"
        "if sys.argv[1] == 'off':\n    gc.disable()\n"
        "import reconcile.cli\n"
        "print(gc.isenabled(), gc.get_freeze_count() > 0)"
    )
    shown = {}
    for state in ("on", "off"):
        done = subprocess.run([sys.executable, "-c", code, state], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        shown[state] = done.stdout.split()
    assert shown == {"on": ["True", "True"], "off": ["False", "False"]}


def test_no_fluency_switches_the_model_off_for_the_run_and_its_workers(monkeypatch, tmp_path: Path) -> None:
    from reconcile.text import fluency

    monkeypatch.delenv(fluency.DISABLE_ENV, raising=False)
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("The plane took off from a nearby airport on Sunday.\n", encoding="utf-8")
    b.write_text("The plane tuck off from a nearby airport on Sunday.\n", encoding="utf-8")
    result = run("compare", str(a), str(b), "--no-fluency", "--format", "json")
    assert result.exit_code == 0, result.output
    assert os.environ[fluency.DISABLE_ENV] == "1"  # the switch worker processes inherit
    assert not fluency.available()
    monkeypatch.undo()
    fluency.available.cache_clear()


def test_fluency_without_the_model_is_a_usage_error(monkeypatch, tmp_path: Path) -> None:
    from reconcile.text import fluency

    monkeypatch.setenv(fluency.DISABLE_ENV, "1")  # restored after the test, whatever the flag did
    monkeypatch.setattr(fluency, "model_path", lambda: None)
    fluency.available.cache_clear()
    a = tmp_path / "a.txt"
    a.write_text("One sentence.\n", encoding="utf-8")
    result = run("compare", str(a), str(a), "--fluency")
    assert result.exit_code == 2
    assert "--fluency needs the fluency extra" in result.output
    monkeypatch.undo()
    fluency.available.cache_clear()
