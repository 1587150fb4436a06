"""Which pairs get their own files with ``-o``: all of them for a small corpus, fewer on request."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from reconcile.cli import main
from reconcile.pipeline import load_documents, scan
from reconcile.report.files import pair_files_for, write_reports
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


def _copies(count: int):
    """``count`` copies of one report in one duplicate cluster, each paired with the first (as
    the pairing links a large bucket of copies): ``count - 1`` pairs."""
    from dataclasses import replace

    from reconcile.model import Cluster, Reconciliation
    from reconcile.pipeline import compare

    (original,), _ = load_documents([str(SAMPLES / "articles" / "wire_original.txt")])
    first, second = (replace(original, id=f"copy{k:04d}") for k in range(2))
    compared = compare(first, second)
    (template,) = compared.pairs
    prepared = compared.documents[0]  # with its sentences
    docs = [replace(prepared, id=f"copy{k:04d}") for k in range(count)]
    pairs = tuple(replace(template, b=doc.id) for doc in docs[1:])
    cluster = Cluster("c0001", tuple(d.id for d in docs), docs[0].id, "duplicate")
    return Reconciliation(tuple(docs), pairs, (cluster,))


def _sizes(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_size for p in folder.rglob("*") if p.is_file()}


def test_output_grows_linearly_with_a_cluster(tmp_path: Path) -> None:
    """Pair files name their cluster by id, not with its members: doubling a cluster of copies
    doubles the output (before, every pair file listed the whole cluster: 20,000 copies, 11 GB)."""
    import json

    small, large = _sizes_of(tmp_path / "small", 60), _sizes_of(tmp_path / "large", 120)
    pair_files = [name for name in small if name.startswith("pairs/")]
    assert len(pair_files) == 59 * 3
    # a pair's own files are the same size whatever the size of its cluster (but for its count, "120 documents")
    assert all(abs(large[name] - small[name]) <= 2 for name in pair_files)
    assert 1.9 < sum(large.values()) / sum(small.values()) < 2.1
    data = json.loads((tmp_path / "large" / "pairs" / "copy0000__copy0007.json").read_text(encoding="utf-8"))
    assert data["clusters"] == [] and data["pairs"][0]["cluster"] == "c0001"
    assert {d["id"] for d in data["documents"]} == {"copy0000", "copy0007"}
    markdown = (tmp_path / "large" / "pairs" / "copy0000__copy0007.md").read_text(encoding="utf-8")
    assert "In cluster **c0001** (duplicate, 120 documents, canonical **copy0000**)." in markdown
    assert "copy0008" not in markdown
    report = json.loads((tmp_path / "large" / "report.json").read_text(encoding="utf-8"))
    assert len(report["clusters"][0]["documents"]) == 120  # the members, listed once
    assert {p["cluster"] for p in report["pairs"]} == {"c0001"}


def _sizes_of(folder: Path, count: int) -> dict[str, int]:
    write_reports(_copies(count), folder)
    return _sizes(folder)


def test_format_json_or_md_with_an_output_folder_writes_that_format_alone(tmp_path: Path) -> None:
    """``-o DIR`` writes every format; with ``--format json`` (or ``md``) that format's files alone,
    each byte for byte the file of the full set."""

    def tree(folder: Path) -> dict[str, bytes]:
        return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}

    runs = {}
    for name, flags in (("all", []), ("json", ["--format", "json"]), ("md", ["--format", "md"])):
        ran = CliRunner().invoke(main, ["scan", str(SAMPLES / "articles"), "-o", str(tmp_path / name), *flags])
        assert ran.exit_code == 0, ran.output
        runs[name] = tree(tmp_path / name)
    everything = runs["all"]
    assert {"report.json", "report.md", "index.html"} <= set(everything)
    assert any(name.startswith("clusters/") for name in everything)
    for fmt, suffix in (("json", ".json"), ("md", ".md")):
        expected = {name: data for name, data in everything.items() if name.endswith(suffix)}
        assert len(expected) > 3 and any(name.startswith("pairs/") for name in expected)
        assert runs[fmt] == expected, fmt
