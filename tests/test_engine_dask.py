"""``scan --engine dask`` on a real local Dask cluster (two worker processes started here): the
same relations and clusters as ``--engine local`` on the samples, the seeds and a generated
20,000-document corpus, and the same again when a worker is killed mid-run."""

from __future__ import annotations

import importlib.util
import itertools
import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

distributed = pytest.importorskip("distributed")

from distributed_corpus import write_reports  # noqa: E402

from reconcile.cli import main  # noqa: E402
from reconcile.engine import dask as engine  # noqa: E402
from reconcile.model import Document, Reconciliation  # noqa: E402
from reconcile.pipeline import scan as scan_local  # noqa: E402
from reconcile.pipeline import stream_documents  # noqa: E402
from reconcile.report.files import to_json, to_markdown  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "articles"
SEEDS = ROOT.parent / "shared" / "seeds"

Found = tuple[list[tuple[str, str, str]], list[tuple[tuple[str, ...], str, str]]]


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster,
        distributed.Client(cluster) as connected,
    ):
        yield connected


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Found]:
    """The 20,000-document corpus and what ``--engine local`` finds in it."""
    path = write_reports(tmp_path_factory.mktemp("corpus") / "reports.jsonl", 20_000, seed=11)
    return path, local_found([str(path)])


def local_found(paths: list[str]) -> Found:
    documents = [d for d in stream_documents(paths) if isinstance(d, Document)]
    result = scan_local(documents, workers=2)
    pairs = sorted((p.a, p.b, p.relation) for p in result.pairs)
    clusters = sorted((c.documents, c.canonical, c.relation) for c in result.clusters)
    return pairs, clusters


def dask_found(output: Path) -> Found:
    pairs = engine.read_table(output, "pairs")
    clusters = engine.read_table(output, "clusters")
    found_pairs = sorted(zip(pairs["a"], pairs["b"], pairs["relation"], strict=True)) if len(pairs) else []
    found_clusters = (
        sorted(
            (tuple(docs), canonical, relation)
            for docs, canonical, relation in zip(
                clusters["documents"], clusters["canonical"], clusters["relation"], strict=True
            )
        )
        if len(clusters)
        else []
    )
    return found_pairs, found_clusters


def test_the_samples_give_the_same_relations_and_clusters(client: Any, tmp_path: Path) -> None:
    expected = local_found([str(SAMPLES)])
    result = engine.scan([str(SAMPLES)], tmp_path, client=client)
    assert dask_found(tmp_path) == expected
    assert result.documents == 6 and result.pairs == len(expected[0]) and result.clusters == len(expected[1])
    assert {"near-duplicate", "same-story"} <= {relation for _, _, relation in expected[0]}


def test_the_divergences_table_holds_what_the_local_scan_finds(client: Any, tmp_path: Path) -> None:
    documents = [d for d in stream_documents([str(SAMPLES)]) if isinstance(d, Document)]
    local = scan_local(documents, workers=2)
    expected = sorted((p.a, p.b, d.kind, d.severity, d.a, d.b, d.reason) for p in local.pairs for d in p.divergences)
    engine.scan([str(SAMPLES)], tmp_path, client=client)
    table = engine.read_table(tmp_path, "divergences")
    found = sorted(
        zip(
            table["a"],
            table["b"],
            table["kind"],
            table["severity"],
            table["a_text"],
            table["b_text"],
            table["reason"],
            strict=True,
        )
    )
    assert found == expected and any(kind == "real-word" for _, _, kind, *_ in found)
    pairs = engine.read_table(tmp_path, "pairs")
    assert int(pairs["divergences"].sum()) == len(table)


def test_the_seeds_give_the_same_relations_and_clusters(client: Any, tmp_path: Path) -> None:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is absent")
    expected = local_found([str(SEEDS)])
    result = engine.scan([str(SEEDS)], tmp_path, client=client)
    assert dask_found(tmp_path) == expected
    assert result.report is not None and to_json(result.report) == to_json(local_result([str(SEEDS)]))


def local_result(paths: list[str]) -> Reconciliation:
    documents = [d for d in stream_documents(paths) if isinstance(d, Document)]
    return scan_local(documents, workers=1)


def test_a_small_run_gives_the_local_report_byte_for_byte(client: Any, tmp_path: Path) -> None:
    """400 generated documents: above ``EXACT_LIMIT`` (signatures, LSH, screen and verify in the
    workers) and at most ``REPORT_LIMIT`` (every pair aligned): report.json and report.md from
    the tables are the local scan's, clusters of three and more with their witnesses included."""
    path = write_reports(tmp_path / "reports.jsonl", 400, seed=5)
    result = engine.scan([str(path)], tmp_path / "out", client=client)
    expected = local_result([str(path)])
    assert result.documents == 400 and result.report is not None
    assert max(len(c.documents) for c in expected.clusters) >= 3 and len(expected.pairs) > 100
    assert to_json(result.report) == to_json(expected)
    assert to_markdown(result.report) == to_markdown(expected)


WITNESSED = (
    "US Secretary of State {name} Blinken held telephone calls with President Ilham Aliyev and Prime Minister "
    "Nikol Pashinyan on Friday.\n\nThe State Department said the secretary urged both leaders to return to "
    "direct talks and to avoid any further escalation along the border.\n\nOfficials in Baku and Yerevan "
    "confirmed the calls and said the conversations covered the peace treaty and the release of detainees.\n"
)


def test_a_cluster_of_three_judges_its_pairs_with_the_third_as_witness(client: Any, tmp_path: Path) -> None:
    """The third report writes 'Antony': the spelling variant between the first two favours the
    side that writes it, in the ``divergences`` table as in the local scan."""
    path = tmp_path / "three.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for doc_id, name in (("a", "Antony"), ("b", "Anthony"), ("c", "Antony")):
            f.write(json.dumps({"id": doc_id, "text": WITNESSED.format(name=name), "published": "2022-08-05"}) + "\n")
    result = engine.scan([str(path)], tmp_path / "out", client=client)
    table = engine.read_table(tmp_path / "out", "divergences")
    (row,) = table[(table["kind"] == "spelling-variant") & (table["a"] == "a") & (table["b"] == "b")].itertuples()
    assert row.favours == "a" and "1 of 1 other sources write 'Antony'" in row.evidence
    assert result.report is not None and to_json(result.report) == to_json(local_result([str(path)]))


def test_a_generated_corpus_gives_the_same_relations_and_clusters(
    client: Any, generated: tuple[Path, Found], tmp_path: Path
) -> None:
    path, expected = generated
    result = engine.scan([str(path)], tmp_path, client=client, piece_bytes=1_000_000)
    pairs, clusters = dask_found(tmp_path)
    assert result.documents == 20_000
    assert len(list((tmp_path / "documents").glob("part-*.parquet"))) > 10  # read as many partitions
    assert len(expected[0]) > 5000 and len(expected[1]) > 1000  # the corpus has its copies to find
    assert pairs == expected[0]
    assert clusters == expected[1]
    assert result.report is None  # above REPORT_LIMIT: the tables are the result
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["pairs"] == len(pairs) and summary["clusters"] == len(clusters)


def test_a_worker_killed_mid_run_gives_the_same_result(
    client: Any, generated: tuple[Path, Found], tmp_path: Path
) -> None:
    """A worker process is killed (SIGKILL, by its pid) while it runs a task of the sign stage: the
    scheduler runs its lost tasks again on the other worker and the nanny's new one."""
    path, expected = generated
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = engine.scan([str(path)], tmp_path, client=client, piece_bytes=1_000_000)
        except BaseException as err:
            outcome["error"] = err

    thread = threading.Thread(target=run)
    thread.start()
    killed = None
    deadline = time.monotonic() + 120
    while thread.is_alive() and time.monotonic() < deadline:
        busy = [worker for worker, tasks in client.processing().items() if any("_sign_part" in str(t) for t in tasks)]
        if busy and (tmp_path / "_signatures").exists():
            pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
            os.kill(pid, signal.SIGKILL)
            killed = pid
            break
        time.sleep(0.05)
    thread.join(timeout=300)
    assert killed is not None, "no sign task was seen running"
    assert "error" not in outcome, outcome.get("error")
    assert killed not in client.run(os.getpid).values()
    assert dask_found(tmp_path) == expected


def test_the_cli_on_an_existing_scheduler_writes_the_local_reports(client: Any, tmp_path: Path) -> None:
    """``-o DIR --format json`` on the samples: report.json and the pairs' JSON files (the JSON alone,
    with ``--format json``) byte for byte those of ``--engine local`` (the same writer), the same
    JSON on stdout, and the Parquet tables beside them under ``DIR/tables``."""
    address = client.scheduler.address.removeprefix("tcp://")
    runner = CliRunner()
    runs = {}
    for engine_name in ("local", f"dask://{address}"):
        out = tmp_path / engine_name.split(":")[0]
        result = runner.invoke(
            main, ["scan", str(SAMPLES), "--engine", engine_name, "-o", str(out), "--format", "json"]
        )
        assert result.exit_code == 0, result.output
        files = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
        runs[engine_name.split(":")[0]] = (result.stdout, files)
    local_stdout, local_files = runs["local"]
    dask_stdout, dask_files = runs["dask"]
    reports = {name: data for name, data in dask_files.items() if name.parts[0] != "tables"}
    assert dask_stdout == local_stdout and json.loads(dask_stdout)["pairs"]
    assert reports == local_files and Path("report.json") in reports and len(reports) > 10
    assert sorted(p.name for p in (tmp_path / "dask" / "tables").iterdir()) == [
        "clusters",
        "divergences",
        "documents",
        "pairs",
        "summary.json",
    ]


def test_the_cli_writes_only_tables_with_tables_alone(client: Any, tmp_path: Path) -> None:
    address = client.scheduler.address.removeprefix("tcp://")
    result = CliRunner().invoke(
        main, ["scan", str(SAMPLES), "--engine", f"dask://{address}", "--tables", str(tmp_path / "t"), "--format", "md"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == to_markdown(local_result([str(SAMPLES)]))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t"]
    assert json.loads((tmp_path / "t" / "summary.json").read_text())["documents"] == 6
    assert f"{engine.REPORT_LIMIT:,} documents" in " ".join(CliRunner().invoke(main, ["scan", "--help"]).output.split())


def test_the_cli_names_a_bad_engine_and_a_missing_output(tmp_path: Path) -> None:
    runner = CliRunner()
    bad = runner.invoke(main, ["scan", str(SAMPLES), "--engine", "spark", "-o", str(tmp_path)])
    assert bad.exit_code == 1 and "expected local, dask or dask://HOST:PORT" in bad.output
    missing = runner.invoke(main, ["scan", str(SAMPLES), "--engine", "dask"])
    assert missing.exit_code == 1 and "-o DIR (or --tables DIR)" in missing.output


def test_bad_lines_are_skipped_by_line_and_the_rest_scanned(client: Any, tmp_path: Path) -> None:
    corpus = tmp_path / "in"
    corpus.mkdir()
    good = [
        json.dumps({"id": f"x{k}", "text": f"Report number {k} says the harbour opened on time."}) for k in range(3)
    ]
    (corpus / "a.jsonl").write_text("\n".join([good[0], "{broken", good[1], good[1]]) + "\n")
    (corpus / "b.jsonl").write_text(good[2] + "\n")
    result = engine.scan([str(corpus / "*.jsonl")], tmp_path / "out", client=client)
    assert [item.message() for item in result.skipped] == [
        f"{corpus / 'a.jsonl'}:2: invalid JSON (Expecting property name enclosed in double quotes)"
    ]
    ids = engine.read_table(tmp_path / "out", "documents")["id"].tolist()
    assert ids == ["x0", "x1", "x1#2", "x2"]  # repeated ids numbered as the local reader numbers them


def test_the_engine_calls_the_one_pairing_path() -> None:
    """No second tokeniser, signature, banding, screen or verification: the engine's stages are the
    library's functions (the forked local path calls the same ones)."""
    import inspect

    from reconcile import pipeline
    from reconcile.pairing import minhash, scale

    assert engine.sign_texts is scale.sign_texts and engine.screen_keep is scale.screen_keep
    assert engine.verify_counts is scale.verify_counts and engine.Verified is scale.Verified
    assert "sign_texts(" in inspect.getsource(scale.process_chunk)
    assert "screen_keep(" in inspect.getsource(scale.screened_band_pairs)
    assert "verify_counts(" in inspect.getsource(scale.verify)
    assert "minhash.band_codes(" in inspect.getsource(engine._bucket_codes) and minhash.band_codes
    assert "score_pairs(" in inspect.getsource(pipeline._score_chunk)
    source = inspect.getsource(engine)
    for name in ("batch_sets", "flat_signatures", "band_keys", "pair_equal_bins", "shared_counts"):
        assert name not in source


def test_the_same_input_writes_byte_identical_tables(client: Any, tmp_path: Path) -> None:
    runs = []
    for name in ("first", "second"):
        engine.scan([str(SAMPLES)], tmp_path / name, client=client)
        runs.append({p.relative_to(tmp_path / name): p.read_bytes() for p in (tmp_path / name).rglob("*.parquet")})
    assert runs[0] == runs[1] and len(runs[0]) >= 3


def test_components_of_a_long_chain_take_few_rounds_in_the_workers(client: Any) -> None:
    """A chain of 300 documents linked in a shuffled order, and a separate triangle: each node's
    label is its component's smallest node, after about log2(300) rounds (pointer jumping), not 300."""
    import random

    import dask.dataframe as dd
    import pandas as pd

    order = list(range(300))
    random.Random(3).shuffle(order)
    links = [(min(a, b), max(a, b)) for a, b in itertools.pairwise(order)] + [(400, 401), (401, 402), (400, 402)]
    edges = dd.from_pandas(pd.DataFrame(links, columns=["i", "j"], dtype="int64"), npartitions=3)
    labels, rounds = engine.components(edges, 3)
    found = labels.compute().set_index("node")["label"].to_dict()
    assert found == {**dict.fromkeys(range(300), 0), **dict.fromkeys((400, 401, 402), 400)}
    assert rounds <= 10, rounds


def test_urls_are_read_through_fsspec(client: Any, tmp_path: Path) -> None:
    """``file://`` URLs take the path object storage takes (fsspec: listing, sizes, byte ranges,
    whole files): a folder's JSON Lines file cut into byte ranges gives the documents and pairs
    of the plain path; a glob lists what ``glob.glob`` lists."""
    corpus = tmp_path / "in"
    corpus.mkdir()
    write_reports(corpus / "reports.jsonl", 150, seed=2)
    (corpus / ".hidden.jsonl").write_text('{"id": "no", "text": "left out"}\n')
    (corpus / "notes.bin").write_text("not a known format")
    engine.scan([corpus.as_uri()], tmp_path / "url", client=client, piece_bytes=10_000)
    engine.scan([str(corpus)], tmp_path / "plain", client=client, piece_bytes=10_000)
    by_url, plain = (engine.read_table(tmp_path / name, "documents") for name in ("url", "plain"))
    assert len(list((tmp_path / "url" / "documents").glob("*.parquet"))) > 5
    assert by_url["id"].tolist() == plain["id"].tolist() and by_url["text"].tolist() == plain["text"].tolist()
    assert by_url["path"].iloc[0] == (corpus / "reports.jsonl").as_uri()
    pairs = engine.read_table(tmp_path / "url", "pairs")
    assert len(pairs) > 10 and pairs.equals(engine.read_table(tmp_path / "plain", "pairs"))
    listed, skipped = engine.input_files(
        [corpus.as_uri() + "/*.jsonl", corpus.as_uri() + "/*.xml"], engine.DEFAULT_OPTIONS
    )
    assert listed == [(corpus / "reports.jsonl").as_uri()]
    assert [item.message() for item in skipped] == [corpus.as_uri() + "/*.xml: no file matches this pattern"]


def test_object_storage_without_its_filesystem_package_is_named(tmp_path: Path) -> None:
    if importlib.util.find_spec("s3fs") is not None:
        pytest.skip("s3fs is installed: this test would reach the network")
    with pytest.raises(engine.EngineError, match=r"s3://bucket/archive/: .*install 'reconcile\[s3\]'"):
        engine.input_files(["s3://bucket/archive/"], engine.DEFAULT_OPTIONS)


def _forget_the_switch() -> None:
    from reconcile.text import fluency

    os.environ.pop(fluency.DISABLE_ENV, None)
    fluency.available.cache_clear()


def _switch() -> str | None:
    from reconcile.text import fluency

    return os.environ.get(fluency.DISABLE_ENV)


def test_workers_judge_as_the_client_asks_though_they_never_saw_its_environment(client: Any, tmp_path: Path) -> None:
    """A worker started on another machine does not inherit ``--no-fluency`` (the environment): the choice
    travels with the judging tasks.  Here the workers forget the switch the suite set before they started."""
    client.run(_forget_the_switch)
    assert set(client.run(_switch).values()) == {None}
    assert os.environ.get("RECONCILE_NO_FLUENCY") == "1"  # the client judges without the model
    engine.scan([str(SAMPLES)], tmp_path, client=client)
    assert "1" in client.run(_switch).values()  # every worker that judged a pair (the samples make few tasks)
