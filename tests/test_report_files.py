"""Which pairs get their own files with ``-o``: all of them for a small corpus, fewer on request."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from reconcile.cli import main
from reconcile.pipeline import load_documents, scan
from reconcile.report import pair_files_for, write_reports
from tests.conftest import SAMPLES


def test_closer_pairs_only_skips_related_pairs_and_their_links(tmp_path: Path) -> None:
    docs, _ = load_documents([str(SAMPLES / "articles")])
    result = scan(docs)
    related = [p for p in result.pairs if p.relation in ("related", "unrelated")]
    closer = [p for p in result.pairs if p not in related]
    assert related and closer, "the samples have both kinds of pair"
    write_reports(result, tmp_path, pair_files="closer")
    assert len(list((tmp_path / "pairs").glob("*.html"))) == len(closer)
    assert len(list((tmp_path / "pairs").glob("*.json"))) == len(closer)
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    for pair in related:
        assert f"{pair.a}__{pair.b}" not in index
        assert f"{pair.a} ↔ {pair.b}" in index  # still listed, without a link
    for pair in closer:
        assert f"pairs/{pair.a}__{pair.b}.html" in index
    assert len(list((tmp_path / "clusters").glob("*.html"))) == len(result.clusters)


def test_auto_writes_every_pair_for_a_small_corpus() -> None:
    docs, _ = load_documents([str(SAMPLES / "articles")])
    result = scan(docs)
    assert pair_files_for(result) == pair_files_for(result, "all")


def test_pair_files_none_from_the_cli(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = CliRunner().invoke(main, ["scan", str(SAMPLES / "articles"), "-o", str(out), "--pair-files", "none"])
    assert run.exit_code == 0, run.output
    assert (out / "report.json").is_file() and (out / "index.html").is_file()
    assert not (out / "pairs").exists()
