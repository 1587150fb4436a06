"""The dedup stage as a library: sketching, verification, decisions, policies, incremental runs."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from reconcile.dedup.feeds import FeedItem, Rejected
from reconcile.dedup.index import MemoryIndex, Params, SQLiteIndex
from reconcile.dedup.stream import (
    Counts,
    Policy,
    decide_stream,
    keys_found_in_rows,
    shared_with,
    sketch,
)
from reconcile.pairing.features import Thresholds, copy_relation, jaccard, overlap

RNG_WORDS = [f"w{n}" for n in range(3000)]


def story(rng: random.Random, words: int = 120) -> str:
    return " ".join(rng.choice(RNG_WORDS) for _ in range(words)) + "."


def item(item_id: str, text: str, date: str = "", source: str = "", line: int = 1) -> FeedItem:
    return FeedItem("feed.jsonl", line, item_id, text, date=date, source=source)


def decide(items, index=None, policy: Policy | None = None, run: str = "r", batch_size: int = 3):
    index = index or MemoryIndex(Params())
    decisions = [d for _, d in decide_stream(items, index, run, policy or Policy(), batch_size=batch_size)]
    index.close()
    return decisions


@given(
    st.sets(st.integers(0, 2**32 - 1), max_size=60),
    st.sets(st.integers(0, 2**32 - 1), max_size=60),
)
def test_exact_scores_match_set_arithmetic(a: set[int], b: set[int]) -> None:
    arr_a = np.array(sorted(a), dtype=np.uint32)
    arr_b = np.array(sorted(b), dtype=np.uint32)
    union = len(a | b)
    assert abs(jaccard(arr_a, arr_b) - (len(a & b) / union if union else 0.0)) < 1e-12
    smaller = min(len(a), len(b))
    assert abs(overlap(arr_a, arr_b) - (len(a & b) / smaller if smaller else 0.0)) < 1e-12


@given(
    st.sets(st.integers(0, 2**32 - 1), max_size=40),
    st.lists(st.sets(st.integers(0, 2**32 - 1), max_size=40), max_size=6),
)
def test_shared_counts_match_set_intersections(item: set[int], others: list[set[int]]) -> None:
    # others may overlap the item a lot: reuse some of its members
    others = [o | set(sorted(item)[: len(o) % 7]) for o in others]
    arrays = [np.array(sorted(o), dtype=np.uint32) for o in others]
    got = shared_with(np.array(sorted(item), dtype=np.uint32), arrays)
    assert got == [len(item & o) for o in others]


def test_copy_relation_uses_the_pairing_thresholds() -> None:
    t = Thresholds()
    enough = t.min_contained_shingles
    assert copy_relation(t.duplicate, 0.0, enough) == "duplicate"
    assert copy_relation(t.near_duplicate, 0.0, enough) == "near-duplicate"
    assert copy_relation(0.1, t.containment, enough) == "near-duplicate"
    assert copy_relation(0.1, t.containment, enough - 1) is None
    assert copy_relation(t.near_duplicate - 0.01, t.containment - 0.01, enough) is None


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000))
def test_sketches_are_deterministic_and_estimate_jaccard(seed: int) -> None:
    rng = random.Random(seed)
    a = story(rng, 200)
    words = a.split()
    b = " ".join(words[:150] + [rng.choice(RNG_WORDS) for _ in range(50)])
    first, again = sketch([a, b]), sketch([a, b])
    sa, sb = first.shingles(0), first.shingles(1)
    assert np.array_equal(first.keyed, again.keyed)
    assert np.array_equal(first.signatures, again.signatures) and np.array_equal(first.keys, again.keys)
    # a batch sketches each text as it would alone
    assert np.array_equal(sketch([b]).signatures[0], first.signatures[1])
    assert np.array_equal(sketch([b]).shingles(0), sb)
    exact = jaccard(sa, sb)
    estimate = float(np.mean(first.signatures[0] == first.signatures[1]))
    # 64 bins: standard error sqrt(J(1-J)/64) <= 0.0625
    assert abs(estimate - exact) < 0.3


def test_identical_text_shares_every_band_key_and_folding_applies() -> None:
    sketches = sketch(
        [
            "The \u201cFlood\u201d hit Orvenna on Friday night, officials said.",
            'the "flood" hit ORVENNA on friday night officials said',
        ]
    )
    assert len(sketches.shingles(0)) == 5
    assert np.array_equal(sketches.shingles(0), sketches.shingles(1))
    assert np.array_equal(sketches.keys[0], sketches.keys[1])


def test_short_texts_have_a_set_and_empty_ones_none() -> None:
    sketches = sketch(["Flood.", "Flood warning", "Flood warning issued", "!!! ...", ""])
    assert list(sketches.sizes()[:3] > 0) == [True, True, True]
    assert list(sketches.sizes()[3:]) == [0, 0]
    assert not np.array_equal(sketches.shingles(1), sketches.shingles(2))


def test_other_shingle_sizes_shingle_by_that_many_words() -> None:
    from reconcile.dedup.index import Params

    texts = ["one two three four five six seven", "one two three four five six eight", "one two"]
    three = sketch(texts, Params(shingle_size=3))
    # a text shorter than a shingle is one shingle of all its words, as at every size (and in scan)
    assert list(three.sizes()) == [5, 5, 1]
    assert jaccard(three.shingles(0), three.shingles(1)) == 4 / 6


@given(
    st.lists(st.sets(st.integers(0, 2**32 - 1), max_size=30), min_size=1, max_size=5),
    st.lists(st.tuples(st.integers(0, 4), st.sets(st.integers(0, 2**32 - 1), max_size=30)), max_size=8),
)
def test_batch_shared_counts_match_set_intersections(sets: list[set[int]], pairs: list[tuple[int, set[int]]]) -> None:
    from reconcile.dedup.stream import Sketches

    keyed = np.array(sorted((row << 32) | v for row, s in enumerate(sets) for v in s), dtype=np.uint64)
    bounds = np.searchsorted(keyed >> np.uint64(32), np.arange(len(sets) + 1, dtype=np.uint64))
    batch = Sketches(keyed, bounds, np.empty(0), np.empty(0))
    pairs = [(row % len(sets), other | set(sorted(sets[row % len(sets)])[:3])) for row, other in pairs]
    got = keys_found_in_rows(batch, [r for r, _ in pairs], [np.array(sorted(o), dtype=np.uint32) for _, o in pairs])
    assert got == [len(sets[r] & o) for r, o in pairs]


def test_exact_and_near_copies_removed_others_kept() -> None:
    rng = random.Random(1)
    original, other = story(rng), story(rng)
    words = original.split()
    near = " ".join([*words[:100], "changed", *words[101:]])
    decisions = decide(
        [item("a", original), item("b", other), item("a-copy", original), item("a-near", near), item("c", story(rng))]
    )
    by_id = {d.id: d for d in decisions}
    assert [by_id[i].decision for i in ("a", "b", "a-copy", "a-near", "c")] == [
        "kept",
        "kept",
        "removed",
        "removed",
        "kept",
    ]
    assert by_id["a-copy"].relation == "duplicate" and by_id["a-copy"].canonical == "a"
    assert by_id["a-near"].relation in ("duplicate", "near-duplicate") and by_id["a-near"].score < 1.0
    assert by_id["a-copy"].cluster == by_id["a"].cluster != by_id["b"].cluster


def test_short_report_inside_a_longer_one_is_removed_by_containment() -> None:
    """Jaccard 0.44 (below near-duplicate), containment 1.0.  LSH finds such a pair with
    probability 1 - (1 - 0.44^3)^16 = 0.76, so a much shorter excerpt can be missed."""
    rng = random.Random(2)
    long_text = story(rng, 400)
    short = " ".join(long_text.split()[100:280])
    decisions = decide([item("long", long_text), item("short", short)])
    assert decisions[1].decision == "removed"
    # Removed for containment: its Jaccard alone is below the near-duplicate line.
    assert decisions[1].containment >= Thresholds().containment
    assert decisions[1].score < Thresholds().near_duplicate


def test_rejects_are_counted_not_lost() -> None:
    reads = [item("a", "Some words here."), Rejected("feed.jsonl", 2, "not JSON"), item("b", "!!! ...")]
    decisions = decide(reads)
    assert [d.decision for d in decisions] == ["kept", "rejected", "rejected"]
    assert decisions[1].line == 2 and decisions[1].reason == "not JSON"
    assert decisions[2].reason == "no words in text"


def test_earliest_policy_lets_an_earlier_copy_take_over_and_records_it() -> None:
    rng = random.Random(4)
    text = story(rng)
    decisions = decide(
        [
            item("late", text, date="2022-03-26"),
            item("early", text, date="2022-03-24"),
            item("middle", text, date="2022-03-25"),
        ],
        policy=Policy("earliest"),
    )
    late, early, middle = decisions
    assert late.decision == "kept"
    assert early.decision == "kept" and early.replaces == "late" and early.cluster == late.cluster
    assert middle.decision == "removed" and middle.canonical == "early"


def test_longest_and_prefer_policies() -> None:
    rng = random.Random(5)
    base = story(rng, 200)
    longer = base + " " + " ".join(base.split()[:20])
    longest = decide([item("short", base), item("long", longer)], policy=Policy("longest"))
    assert longest[1].decision == "kept" and longest[1].replaces == "short"
    prefer = Policy("prefer", ("Northline Wire", "Herald"))
    chosen = decide(
        [
            item("digest", base, source="Daily Digest"),
            item("wire", base, source="northline wire"),
            item("herald", base, source="Herald"),
        ],
        policy=prefer,
    )
    assert [d.decision for d in chosen] == ["kept", "kept", "removed"]
    assert chosen[1].replaces == "digest" and chosen[2].canonical == "wire"


def test_first_policy_never_replaces() -> None:
    rng = random.Random(6)
    text = story(rng)
    decisions = decide([item("a", text, date="2022-03-26"), item("b", text, date="2022-01-01")], policy=Policy("first"))
    assert [d.decision for d in decisions] == ["kept", "removed"]


def test_tomorrows_run_finds_todays_duplicates(tmp_path: Path) -> None:
    rng = random.Random(7)
    today = [item(f"t{n}", story(rng)) for n in range(5)]
    path = tmp_path / "index.sqlite"
    first = decide(today, SQLiteIndex(path, Params()), run="day1")
    assert all(d.decision == "kept" for d in first)
    tomorrow = [item("new", story(rng)), item("again", today[2].text)]
    second = decide(tomorrow, SQLiteIndex(path, Params()), run="day2")
    assert [d.decision for d in second] == ["kept", "removed"]
    assert second[1].canonical == "t2" and second[1].cluster == first[2].cluster


def test_the_same_run_replays_its_journal(tmp_path: Path) -> None:
    rng = random.Random(8)
    text = story(rng)
    items = [item("a", text), item("b", story(rng)), item("c", text)]
    path = tmp_path / "index.sqlite"
    first = decide(items, SQLiteIndex(path, Params()), run="same")
    again = decide(items, SQLiteIndex(path, Params()), run="same")
    other = decide(items, SQLiteIndex(path, Params()), run="other")
    assert again == first
    assert [d.decision for d in other] == ["removed", "removed", "removed"]


def test_counts_balance() -> None:
    assert Counts(10, 6, 3, 1).balanced()
    assert not Counts(10, 6, 3, 0).balanced()
    assert Counts(10, 6, 3, 1).line() == "read 10, kept 6, removed 3, rejected 1"


@settings(max_examples=15, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 6), st.booleans(), st.sampled_from(["", "2022-03-24", "2022-03-26"])),
        min_size=1,
        max_size=25,
    ),
    st.sampled_from(["earliest", "longest", "first"]),
)
def test_stream_invariants(plan: list[tuple[int, bool, str]], kind: str) -> None:
    """Whatever the order: every item decided once, each cluster keeps one copy at a time,
    and a removed item's canonical is a kept item of its cluster."""
    rng = random.Random(0)
    stories = [story(rng, 60) for _ in range(7)]
    items = []
    for n, (k, edited, date) in enumerate(plan):
        words = stories[k].split()
        if edited:
            words[n % len(words)] = "edited"
        items.append(item(f"i{n}", " ".join(words), date=date, line=n + 1))
    decisions = decide(items, policy=Policy(kind))
    assert len(decisions) == len(items)
    # a batch decides as the items would one at a time
    assert decide(items, policy=Policy(kind), batch_size=1) == decisions
    assert decide(items, policy=Policy(kind), batch_size=len(items)) == decisions
    current: dict[str, str] = {}
    for d in decisions:
        if d.decision == "kept":
            if d.replaces:
                assert current[d.cluster] == d.replaces
            else:
                assert d.cluster not in current
            current[d.cluster] = d.id
        else:
            assert d.decision == "removed"
            assert current[d.cluster] == d.canonical
    # seven distinct stories, each edited copy still a near copy: one cluster per story used
    assert len(current) == len({k for k, _, _ in plan})


def test_reader_process_decides_as_one_process_does(tmp_path: Path) -> None:
    from reconcile.dedup.stream import dedup_files, map_rows

    rng = random.Random(9)
    stories = [story(rng, 80) for _ in range(40)]
    feed = tmp_path / "feed.jsonl"
    with feed.open("w", encoding="utf-8") as out:
        for n in range(300):
            text = stories[n % 40] if n % 3 else story(rng, 80)
            out.write(json.dumps({"id": f"i{n}", "text": text, "published": f"2022-03-{1 + n % 28:02d}"}) + "\n")
        out.write("{broken\n")
    outputs = {}
    for reader_process in (False, True):
        target = tmp_path / f"{reader_process}"
        counts = dedup_files(
            [feed],
            target / "kept.jsonl",
            str(target / "index.sqlite"),
            target / "map.csv",
            batch_size=64,
            reader_process=reader_process,
        )
        assert counts.read == 301 and counts.rejected == 1 and counts.removed > 100
        outputs[reader_process] = ((target / "kept.jsonl").read_bytes(), (target / "map.csv").read_text())
    assert outputs[True] == outputs[False]
    assert len(map_rows(outputs[True][1])) == 301


def test_a_rerun_with_another_batch_size_replays_what_was_journaled(tmp_path: Path) -> None:
    rng = random.Random(10)
    texts = [story(rng, 60) for _ in range(6)]
    items = [item(f"i{n}", texts[n % 6] if n % 4 else story(rng, 60), line=n + 1) for n in range(23)]
    clean = decide(items, SQLiteIndex(tmp_path / "clean.sqlite", Params()), run="r", batch_size=5)
    # a run that got through 10 items in batches of 5, then one finishing in batches of 4 and of 7
    path = tmp_path / "index.sqlite"
    first = decide(items[:10], SQLiteIndex(path, Params()), run="r", batch_size=5)
    assert first == clean[:10]
    index = SQLiteIndex(path, Params())
    assert sorted(index.recorded("r", 3, 9)) == [3, 4, 5, 6, 7, 8]
    index.close()
    assert decide(items, SQLiteIndex(path, Params()), run="r", batch_size=4) == clean
    assert decide(items, SQLiteIndex(path, Params()), run="r", batch_size=7) == clean


def test_stored_candidates_pass_the_sketch_screen_only_when_alike() -> None:
    from reconcile.dedup.index import View
    from reconcile.dedup.stream import low_bytes, stored_candidates

    rng = random.Random(11)
    text = story(rng, 120)
    words = text.split()
    near = " ".join([*words[:60], "changed", *words[61:]])
    sketches = sketch([text, near, story(rng, 120)])
    alike, unlike = bytes(low_bytes(sketches, [1])[0]), bytes(low_bytes(sketches, [2])[0])
    key = int(sketches.keys[0][0])
    view = View.of({key: ["near", "other", "gone"]}, {"near": alike, "other": unlike})
    assert stored_candidates([0], sketches, view) == [["near"]]


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 6), st.integers(1, 8))
def test_stored_candidates_match_a_plain_loop(seed: int, count: int, clusters: int) -> None:
    from reconcile.dedup.index import View
    from reconcile.dedup.stream import SCREEN_JACCARD, low_bytes, stored_candidates

    rng = random.Random(seed)
    base = [story(rng, 40) for _ in range(3)]
    texts = [" ".join(rng.choice(base).split()[: rng.randint(10, 40)]) for _ in range(count)]
    sketches = sketch(texts)
    names = [f"c{k}" for k in range(clusters)]
    pool = [int(k) for k in sketches.keys.ravel()[:: rng.randint(1, 5)]] + [rng.getrandbits(40) for _ in range(3)]
    buckets = {key: rng.sample(names, rng.randint(1, clusters)) for key in rng.sample(pool, min(len(pool), 12))}
    own = [bytes(b) for b in low_bytes(sketches, list(range(count)))]
    stored = {c: rng.choice([*own, bytes(64), bytes(8)]) for c in names if rng.random() < 0.8}
    view = View.of(buckets, stored)
    rows = rng.sample(range(count), rng.randint(1, count))

    def plain(row: int) -> list[str]:
        named = {c for key in sketches.keys[row].tolist() for c in buckets.get(key, ()) if c in stored}
        mine = own[row]
        return sorted(
            c
            for c in named
            if len(stored[c]) != len(mine)
            or sum(a == b for a, b in zip(mine, stored[c], strict=True)) >= SCREEN_JACCARD * len(mine)
        )

    assert stored_candidates(rows, sketches, view) == [plain(row) for row in rows]
