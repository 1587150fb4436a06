"""Pairing: features, relations, LSH parameters and candidates, clusters, and the seeds' relations."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from reconcile.cli import main
from reconcile.model import Document, Pair, PairScores
from reconcile.pairing import minhash
from reconcile.pairing.clusters import Member, clusters
from reconcile.pairing.features import (
    batch_sets,
    body_text,
    estimated_date,
    features,
    relation,
    unsegmented_body,
)
from reconcile.pairing.tokens import _FOLD_BYTES as _FOLD
from reconcile.pipeline import prepare, scan
from reconcile.text.dates import find_dates
from tests.conftest import SAMPLES

_LETTERS = np.array(list("abcdefghijklmnopqrstuvwxyz"))
WORDS = ["".join(np.random.default_rng(k).choice(_LETTERS, 7)) for k in range(3000)]
"""Made-up words: random stories share almost none, so only planted copies pair."""


def story(seed: int, n: int = 120) -> str:
    rng = np.random.default_rng(seed)
    sentences = []
    for _ in range(n // 8):
        words = [WORDS[k] for k in rng.integers(0, len(WORDS), 8)]
        sentences.append(" ".join(words).capitalize() + f" {int(rng.integers(0, 10_000))}.")
    return "\n".join(sentences)


def doc(doc_id: str, text: str, published: str | None = None) -> Document:
    return Document(id=doc_id, text=text, published=published)


def test_relation_ladder_from_scores() -> None:
    base = PairScores(0.0, 0.0, 0.0, 0.0, 0.0, None, 0.0, shorter_shingles=300)
    assert relation(PairScores(0.97, 0.99, 1, 1, 1, 0, 1.0, 300)) == "duplicate"
    assert relation(PairScores(0.5, 0.6, 1, 1, 1, 0, 1.0, 300)) == "near-duplicate"
    # a short report lifted whole into a long one
    assert relation(PairScores(0.2, 0.95, 0.3, 0.3, 1, 0, 1.0, 300)) == "near-duplicate"
    # containment of a handful of shingles proves nothing
    assert relation(PairScores(0.02, 1.0, 0.1, 0.1, 1, 0, 0.0, 3)) == "related"
    same = PairScores(0.05, 0.09, 0.43, 0.42, 0.7, 0, 0.73, 300)
    assert relation(same) == "same-story"
    a_year_apart = PairScores(0.05, 0.09, 0.43, 0.42, 0.7, 372, 0.73, 300)
    assert relation(a_year_apart) == "related"
    assert relation(base) == "unrelated"


def test_weekday_anchored_date_takes_the_year_where_the_weekday_fits() -> None:
    text = "The war of 2020 ended in November. The ministry spoke on Friday, August 5."
    assert estimated_date(text, today=dt.date(2026, 1, 1)) == dt.date(2022, 8, 5)
    assert estimated_date("Nothing dated here.") is None


def test_features_hash_sets_and_match_for_identical_text() -> None:
    a, b = prepare([doc("a", story(1)), doc("b", story(1))])
    fa, fb = features(a), features(b)
    assert np.array_equal(fa.shingles, fb.shingles)
    assert np.all(np.diff(fa.shingles.astype(np.float64)) > 0)  # sorted, distinct
    assert len(fa.content) <= len(fa.words)


def test_scan_finds_copies_through_lsh_on_a_corpus_above_the_exact_limit() -> None:
    docs = [doc(f"d{k:03d}", story(k)) for k in range(230)]
    docs.append(doc("copy-of-7", docs[7].text))
    edited = docs[11].text.replace(WORDS[0], "lake").replace(".", " extra.", 3)
    docs.append(doc("edit-of-11", edited))
    result = scan(docs, workers=1)
    found = {frozenset((p.a, p.b)): p.relation for p in result.pairs}
    assert found[frozenset(("copy-of-7", "d007"))] == "duplicate"
    assert found[frozenset(("edit-of-11", "d011"))] in {"duplicate", "near-duplicate"}
    assert len(found) == 2
    clustered = {frozenset(c.documents) for c in result.clusters}
    assert frozenset({"copy-of-7", "d007"}) in clustered


def test_clusters_canonical_earliest_then_longest_and_stable_ids() -> None:
    members = [Member("b", "2022-03-02", 500), Member("a", "2022-03-03", 900), Member("c", None, 100)]
    scores = PairScores(0.9, 0.9, 0.9, 0.9, 1, 0, 1)
    pairs = [Pair("a", "b", "near-duplicate", "copied-text", scores), Pair("b", "c", "same-story", "topic", scores)]
    (first,) = clusters(members, pairs)
    assert first.canonical == "b" and first.relation == "same-story"
    assert first.documents == ("a", "b", "c")
    (again,) = clusters(list(reversed(members)), list(reversed(pairs)))
    assert again.id == first.id
    (longest,) = clusters(members, pairs, canonical="longest")
    assert longest.canonical == "a"
    related_only = [Pair("a", "b", "related", "topic", scores)]
    assert clusters(members, related_only) == []


def test_lsh_params_meet_the_recall_they_promise() -> None:
    params = minhash.params_for_recall(0.45, 0.95)
    assert params.bands * params.rows <= minhash.NUM_PERM
    assert params.probability(0.45) >= 0.95
    assert params.probability(0.05) < 0.01


def test_batch_sets_keep_texts_apart() -> None:
    texts = [story(1), story(2), story(1)]
    sets = batch_sets(texts)
    sig = minhash.flat_signatures(sets.shingle_doc, sets.shingles, sets.count)
    assert np.array_equal(sig[0], sig[2])
    assert minhash.estimate_jaccard(sig[0], sig[1]) < 0.2
    assert set(np.unique(sets.shingle_doc)) == {0, 1, 2}


def test_seeds_relations_from_the_cli(seeds: Path) -> None:
    result = CliRunner().invoke(main, ["scan", str(seeds), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    relation_of = {(p["a"][:3], p["b"][:3]): p["relation"] for p in report["pairs"]}
    assert relation_of[("000", "001")] == "same-story"
    assert relation_of.get(("002", "003"), "unrelated") == "related"
    for (a, b), rel in relation_of.items():
        if (a, b) != ("000", "001"):
            assert rel in {"related", "unrelated"}, (a, b, rel)
    scores = next(p["scores"] for p in report["pairs"] if p["a"].startswith("000") and p["b"].startswith("001"))
    assert {"shingle_jaccard", "containment", "content_jaccard", "name_overlap", "date_gap_days"} <= scores.keys()


def test_threshold_option_trades_pairs() -> None:
    def pairs(*extra: str) -> int:
        result = CliRunner().invoke(main, ["scan", str(SAMPLES / "articles"), "--format", "json", *extra])
        assert result.exit_code == 0, result.output
        return len(json.loads(result.stdout)["pairs"])

    assert pairs("--threshold", "0.5") < pairs() <= pairs("--threshold", "0.0")


@pytest.mark.parametrize("canonical", ["earliest", "longest"])
def test_canonical_option(canonical: str) -> None:
    result = CliRunner().invoke(main, ["scan", str(SAMPLES / "articles"), "--format", "json", "--canonical", canonical])
    assert result.exit_code == 0
    clusters_json = json.loads(result.stdout)["clusters"]
    assert all(c["canonical"] in c["documents"] for c in clusters_json)


def test_progress_bar_stays_off_when_stderr_is_not_a_terminal() -> None:
    result = CliRunner().invoke(main, ["scan", str(SAMPLES / "articles"), "--format", "json"])
    assert result.exit_code == 0
    assert "reading" not in result.stderr and "pairing" not in result.stderr


def test_progress_wrapper_passes_every_item_through() -> None:
    from reconcile.cli import _progress

    items = list(range(120))
    assert list(_progress(iter(items), "pairing", len(items))) == items


def test_large_scan_mode_splits_sentences_only_where_it_aligns() -> None:
    docs = [doc(f"d{k:03d}", story(k)) for k in range(30)]
    docs.append(doc("copy-of-3", docs[3].text))
    result = scan(docs, workers=1, align_all=False)
    (pair,) = result.pairs
    assert {pair.a, pair.b} == {"d003", "copy-of-3"} and pair.relation == "duplicate"
    assert pair.scores.aligned is False and pair.alignments == ()
    assert all(d.sentences == () and d.notes for d in result.documents)
    # the same copies, and the same relations, as the full path
    full = scan(docs, workers=1)
    assert [(p.a, p.b, p.relation) for p in full.pairs] == [(p.a, p.b, p.relation) for p in result.pairs]


def test_same_story_pairs_with_little_shared_content_do_not_chain_clusters() -> None:
    from reconcile.pairing.features import joins_cluster

    thin = PairScores(0.0, 0.0, 0.3, 0.22, 0.5, 0, 1.0, 10)
    thick = PairScores(0.0, 0.0, 0.5, 0.42, 0.7, 0, 0.7, 300)
    assert relation(thin) == relation(thick) == "same-story"
    assert not joins_cluster(Pair("a", "b", "same-story", "same-story-wording", thin))
    assert joins_cluster(Pair("a", "b", "same-story", "same-story-wording", thick))
    assert joins_cluster(Pair("a", "b", "near-duplicate", "copied-text", thin))


def test_batch_sets_match_hashing_each_token_alone() -> None:
    """The vectorised token table gives exactly the hashes of ``minhash.token_hash`` per word,
    for short, 8-byte, long and non-ASCII tokens, repeated across calls; a text of fewer words
    than a shingle has one shingle of them all."""
    from reconcile.pairing.tokens import _FOLD_BYTES, SHINGLE_SIZE, _plain_bytes, comparison_text, is_rare
    from reconcile.text.lexicon import stem, stopwords

    texts = [
        "Abcdefgh abcdefghi x 'quoted' --dash-- Ünïcode café naïve " + "w" * 30 + " " + "v" * 17,
        story(3),
        "",
        "a b",
        "Abcdefgh abcdefghij incomprehensibilities straße " + story(4, 40),
    ]
    for _ in range(2):
        sets = batch_sets(texts)
        for k, text in enumerate(texts):
            folded = _plain_bytes([comparison_text(text)]).translate(_FOLD_BYTES)
            words = [t.decode("utf-8", "replace").strip("'-") for t in folded.split()]
            hashes = np.array([minhash.token_hash(w) for w in words], dtype=np.uint64)
            expected_shingles = minhash.shingle_hashes(hashes, SHINGLE_SIZE)
            assert np.array_equal(minhash.sorted_unique(sets.shingles[sets.shingle_doc == k]), expected_shingles)
            rare = [
                minhash.token_hash(stem(w))
                for w in words
                if w and w not in stopwords() and len(w) > 1 and is_rare(stem(w))
            ]
            expected_rare = minhash.set_hashes(np.array(rare, dtype=np.uint64))
            assert np.array_equal(minhash.sorted_unique(sets.rare[sets.rare_doc == k]), expected_rare)


@given(
    st.lists(
        st.text(
            alphabet=st.sampled_from(list("aZ Σσςİıé'\u2019\u2014\u00a0\u201c-.\n\x01ÅΑΣ\u0307ß"))
            | st.characters(codec="utf-8"),
            max_size=12,
        ),
        max_size=5,
    )
)
def test_plain_bytes_text_by_text_are_the_batchs(texts: list[str]) -> None:
    """``_plain_bytes`` lowers and searches only the non-ASCII texts, one at a time; the bytes are
    those of lowering and searching the whole batch at once (as it did before)."""
    from reconcile.pairing.tokens import _PUNCTUATION_RE, _plain_bytes, _plain_mark, comparison_text

    texts = [comparison_text(t) for t in texts]
    joined = " " + " \x01 ".join(texts) + " "
    whole = (
        joined.encode("ascii")
        if joined.isascii()
        else _PUNCTUATION_RE.sub(_plain_mark, joined.lower().encode("utf-8", "surrogatepass"))
    )
    assert _plain_bytes(texts).translate(_FOLD) == whole.translate(_FOLD)


@given(
    st.lists(
        st.sampled_from(["Friday, August 5", "March 3, 2021", "on 4 July", "in 2019", "2020-02-29", "no date", "."]),
        max_size=6,
    ),
    st.sampled_from([None, "2022-03-25"]),
)
def test_feature_dates_are_the_dates_the_text_names(parts: list[str], published: str | None) -> None:
    """Skipping the date search when no date could be estimated loses none."""
    text = " ".join(parts) or "Nothing."
    feat = features(prepare([doc("a", text, published)])[0])
    year = feat.published.year if feat.published else None
    prepared = prepare([doc("a", text)])[0]
    # a text all chrome (a lone dateline) is read whole: a report is never all chrome
    body = body_text(prepared) if prepared.sentences else unsegmented_body(prepared)
    assert feat.dates == frozenset(d for _, _, d in find_dates(body, year))
