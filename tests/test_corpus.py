"""The compact corpus a scan holds: compressed texts, features on disk, candidates from signatures."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconcile import pipeline
from reconcile.io.store import Subset, TextStore
from reconcile.model import Document
from reconcile.pairing.features import features_of, score
from reconcile.pairing.scale import held_texts, pair_corpus
from reconcile.pipeline import scan
from reconcile.report.files import to_json
from reconcile.text.normalize import short_lines, source_recurring_lines
from tests.test_pair import WORDS, story


@given(st.lists(st.text(), max_size=5))
def test_text_store_gives_back_every_text_as_stored(texts: list[str]) -> None:
    store = TextStore()
    for text in texts:
        store.append(text)
    assert list(store) == texts
    assert [store[k] for k in range(len(texts))] == texts
    assert list(Subset(store, list(range(len(texts)))[::-1])) == texts[::-1]


def test_text_store_keeps_lone_surrogates_and_unmaps_a_block_once_its_texts_are_taken() -> None:
    store = TextStore(block_bytes=64)
    incompressible = "".join(random.Random(1).choices("abcdefghijklmnopqrstuvwxyz0123456789", k=500))
    texts = ["caf\u00e9 \ud800 \u201cquoted\u201d", "a", incompressible, "c"]
    for text in texts:
        store.append(text)
    assert store._block.tolist() == [0, 0, 1, 2]  # the long text gets a block of its own
    assert store.take(0) == texts[0]
    with pytest.raises(KeyError):
        store[0]
    assert store._blocks[0] is not None and store[1] == "a"
    assert store.take(1) == "a" and store._blocks[0] is None
    assert list(store[2:]) == texts[2:]


def _corpus(n: int) -> list[Document]:
    docs = [Document(f"d{k:03d}", story(k), source=f"s{k % 3}") for k in range(n)]
    docs.append(Document("copy-of-7", docs[7].text))
    docs.append(Document("edit-of-11", docs[11].text.replace(WORDS[0], "lake").replace(".", " extra.", 3)))
    return docs


def test_the_scale_path_in_workers_finds_what_it_finds_in_one_process() -> None:
    """``pairing.scale`` over forked workers and in this process: the same verified pairs and
    counts, and the counts are the exact scores of ``pair.features``."""
    docs = _corpus(205)
    texts = [d.text for d in docs]
    serial = pair_corpus(held_texts(texts), workers=1)
    parallel = pair_corpus(held_texts(texts), workers=2)
    assert serial.pairs.tolist() == parallel.pairs.tolist()
    assert serial.counts.tolist() == parallel.counts.tolist()
    found = {tuple(p): k for k, p in enumerate(serial.pairs.tolist())}
    assert (7, 205) in found and (13, 205) not in found  # the copy is found, a random pair is not
    feats = features_of([Document(d.id, d.text) for d in docs], segmented=False)
    for (i, j), k in found.items():
        shingles = score(feats[i], feats[j])
        assert round(float(serial.shingle_jaccard()[k]), 4) == shingles.shingle_jaccard
        assert round(float(serial.content_jaccard()[k]), 4) == shingles.content_jaccard


def test_a_text_dropped_unread_frees_its_block_like_one_taken() -> None:
    store = TextStore(block_bytes=64)
    for text in ("first text", "second", "third text in a block of its own" * 3):
        store.append(text)
    assert store._block.tolist()[:2] == [0, 0]
    store.drop(0)
    with pytest.raises(KeyError):
        store[0]
    with pytest.raises(KeyError):
        store.drop(0)
    assert store._blocks[0] is not None and store.take(1) == "second" and store._blocks[0] is None
    assert store[2] == "third text in a block of its own" * 3


def test_source_recurring_lines_read_lazily_match_the_eager_rule() -> None:
    furniture = "Subscribe to our daily briefing today"
    docs = [Document(f"d{k}", f"{story(k, 24)}\n{furniture}", source="wire" if k < 3 else None) for k in range(6)]
    store = TextStore()
    for d in docs:
        store.append(d.text)
    lazy = pipeline._source_recurring(docs, store, [short_lines(d.text) for d in docs])
    assert lazy == source_recurring_lines((d.source, d.text) for d in docs)
    assert lazy == {"wire": frozenset({furniture.casefold()})}


def test_scan_of_a_stream_in_workers_matches_a_list_in_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Above the align-all limit, in two workers, from a generator: the same report as serial."""
    docs = _corpus(230)
    monkeypatch.setattr(pipeline, "PARALLEL_LIMIT", 50)
    monkeypatch.setattr(pipeline, "ALIGN_ALL_LIMIT", 100)
    monkeypatch.setattr(pipeline, "CHUNK", 16)
    streamed = scan((d for d in docs), workers=2)
    serial = scan(docs, workers=1)
    assert to_json(streamed) == to_json(serial)
    assert [d.text for d in streamed.documents] == [d.text for d in docs]
    found = {frozenset((p.a, p.b)): p for p in streamed.pairs}
    assert found[frozenset(("copy-of-7", "d007"))].relation == "duplicate"
    assert found[frozenset(("edit-of-11", "d011"))].scores.aligned is False  # copied: no alignment needed
    assert pipeline.UNSEGMENTED_NOTE in {n for d in streamed.documents for n in d.notes}


def test_a_large_scan_without_kept_texts_reports_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """Texts left out are those no report shows: the JSON and Markdown do not change."""
    from reconcile.report.files import to_markdown

    docs = _corpus(230)
    docs += [Document(f"copy-{n}-of-20", docs[20].text) for n in (1, 2)]  # a cluster of three: witnesses
    monkeypatch.setattr(pipeline, "ALIGN_ALL_LIMIT", 100)
    kept, lean = scan(docs, workers=1), scan(docs, workers=1, keep_texts=False)
    assert to_json(lean) == to_json(kept) and to_markdown(lean) == to_markdown(kept)
    texts = {d.id: d.text for d in lean.documents}
    assert texts["d020"] == docs[20].text and texts["copy-2-of-20"] == docs[20].text
    assert texts["d013"] == "" and texts["d007"] == ""  # neither aligned nor a witness
