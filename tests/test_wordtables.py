"""The cached word tables answer as the packages do, and a damaged cache is built again.

``reconcile.text.wordtables`` keeps wordfreq's, symspellpy's, codespell's and simplemma's tables in
SQLite files in the user's cache dir; ``reconcile.text.lexicon`` reads them word by word and computes
wordfreq's Zipf figure itself where the tokens are plain to see.  These tests hold every shortcut to
the package it replaces, and check that a missing, truncated, foreign or unwritable cache changes
nothing but the time.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from reconcile.text import lexicon, wordtables
from reconcile.text.wordtables import Table
from tests.conftest import ROOT, seed

# --- a table of its own -----------------------------------------------------------------------


def _table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: dict[str, int] | None = None) -> Table[int]:
    monkeypatch.setenv(wordtables.CACHE_ENV, str(tmp_path / "cache"))
    source = tmp_path / "source.txt"
    if not source.exists():
        source.write_text("x")
    data = rows if rows is not None else {f"w{i}": i for i in range(2000)}
    calls = []

    def build() -> tuple[object, dict[str, str]]:
        calls.append(1)
        return data.items(), {"total": str(sum(data.values()))}

    table: Table[int] = Table("test", [source], build)
    table.builds = calls  # type: ignore[attr-defined]
    return table


def _fresh(table: Table[int]) -> Table[int]:
    """The same table as another process would open it."""
    again: Table[int] = Table(table.name, table.sources, table.build)
    again.builds = table.builds  # type: ignore[attr-defined]
    return again


def test_table_is_built_once_then_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    table = _table(tmp_path, monkeypatch)
    assert table["w7"] == 7 and table.get("nope") is None and "w1999" in table and "w2000" not in table
    assert len(table) == 2000 and table.meta["total"] == str(sum(range(2000)))
    assert table.path.is_file() and table.path.parent == tmp_path / "cache"
    again = _fresh(table)
    assert again.get("w42") == 42 and dict(again.items()) == {f"w{i}": i for i in range(2000)}
    assert len(table.builds) == 1  # type: ignore[attr-defined]
    assert not [p for p in table.path.parent.iterdir() if p.name.endswith(".partial")]


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),  # cut short
        lambda p: p.write_bytes(b"not a database at all" * 100),
        lambda p: p.write_bytes(b""),
        lambda p: p.unlink(),
    ],
    ids=["truncated", "garbage", "empty", "missing"],
)
def test_a_damaged_table_is_built_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage) -> None:
    table = _table(tmp_path, monkeypatch)
    assert table["w5"] == 5
    damage(table.path)
    again = _fresh(table)
    assert again["w5"] == 5 and again.get("w1999") == 1999 and len(again) == 2000
    assert len(table.builds) == 2  # type: ignore[attr-defined]
    assert _fresh(table)["w6"] == 6 and len(table.builds) == 2  # type: ignore[attr-defined]


def test_a_table_damaged_inside_is_built_again_on_query(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A flipped page passes the header check; the failing query builds the table again."""
    table = _table(tmp_path, monkeypatch, {f"word{i:06d}": i for i in range(50_000)})
    assert table["word000001"] == 1
    data = bytearray(table.path.read_bytes())
    page = 4096
    for offset in range(2 * page, len(data) - page, page):  # every page after the schema's
        data[offset : offset + 64] = b"\xff" * 64
    table.path.write_bytes(bytes(data))
    again = _fresh(table)
    assert again["word049999"] == 49_999 and again.get("word000123") == 123
    assert len(table.builds) == 2  # type: ignore[attr-defined]


def test_a_table_built_from_other_files_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    table = _table(tmp_path, monkeypatch)
    assert table["w1"] == 1
    old_path = table.path
    source = table.sources[0]
    source.write_text("a new version of the package")
    os.utime(source, ns=(1, 1))
    changed = _table(tmp_path, monkeypatch, {"w1": 100})
    assert changed.path != old_path and changed["w1"] == 100


def test_a_file_under_the_right_name_for_another_key_is_rebuilt(tmp_path: Path, monkeypatch) -> None:
    table = _table(tmp_path, monkeypatch)
    assert table["w3"] == 3
    conn = sqlite3.connect(table.path)
    conn.execute("UPDATE meta SET v = 'something else' WHERE k = 'key'")
    conn.commit()
    conn.close()
    assert _fresh(table)["w3"] == 3 and len(table.builds) == 2  # type: ignore[attr-defined]


def test_an_unwritable_cache_dir_still_answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    table = _table(tmp_path, monkeypatch)
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache dir should be")
    assert table["w9"] == 9 and table.meta["total"] == str(sum(range(2000)))
    assert blocker.is_file()


_FORKED: list[Table[int]] = []


def _lookup_in_child(key: str) -> tuple[int, int]:
    table = _FORKED[0]
    return table[key], table._pid


def test_a_forked_child_opens_its_own_connection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    table = _table(tmp_path, monkeypatch)
    assert table["w10"] == 10
    _FORKED[:] = [table]
    with multiprocessing.get_context("fork").Pool(2) as pool:
        found = pool.map(_lookup_in_child, ["w1", "w2", "w3", "w1999"])
    assert [value for value, _ in found] == [1, 2, 3, 1999]
    assert os.getpid() not in {pid for _, pid in found} and table._pid == os.getpid()


# --- each cached table answers as its package ---------------------------------------------------


def test_zipf_from_the_table_is_wordfreqs() -> None:
    """Words of each table language, as they come in the lists and as the tool meets them
    (capitalised, hyphenated, possessive, curly apostrophes, misspelt), against wordfreq itself."""
    import wordfreq

    rng = random.Random(14)
    for lang in sorted(lexicon.TABLE_LANGUAGES):
        listed = list(wordfreq.iter_wordlist(lang))
        words = listed[:: max(1, len(listed) // 1500)]
        words += [w.capitalize() for w in words[:300]] + [w.upper() for w in words[300:400]]
        words += [f"{a}-{b}" for a, b in zip(words[:200], words[200:400], strict=True)]
        words += [f"{w}'s" for w in words[:200]] + [f"{w}\u2019s" for w in words[200:300]]
        words += [f"d'{w}" for w in words[:50]] + [f"l'{w}" for w in words[50:100]] + [f"{w}'" for w in words[:50]]
        words += ["".join(rng.sample(w, len(w))) + rng.choice("qxz") for w in words[:400]]
        words += ["", "-", "--", "a--b", "x-", "-x", "Straße", "İstanbul", "naïve", "Zoë", "o'clock", "rock'n'roll"]
        answered = 0
        for word in words:
            fast = lexicon.table_zipf(word, lang)
            if fast is not None:
                answered += 1
                assert fast == wordfreq.zipf_frequency(word, lang), (lang, word)
        assert answered >= 0.85 * len(words), (lang, answered, len(words))  # Czech: 0.88, marks on many words


def test_stopwords_are_wordfreqs_most_frequent() -> None:
    import wordfreq

    assert lexicon.stopwords() == frozenset(wordfreq.top_n_list("en", lexicon.STOPWORD_COUNT)) | {
        "s",
        "said",
        "says",
        "also",
    }


def test_rare_word_table_is_wordfreqs_dict() -> None:
    import wordfreq

    table = lexicon.frequencies("en")
    shipped = wordfreq.get_frequency_dict("en")
    assert len(table) == len(shipped)
    for word in [*list(shipped)[::97], "qzqzqz", "Armenia"]:
        assert table.get(word, 0.0) == shipped.get(word, 0.0), word


def test_misspellings_are_codespells() -> None:
    shipped = dict(lexicon._read_misspellings())
    table = lexicon.misspellings()
    assert dict(table.items()) == shipped
    assert table.get("goverment") == shipped["goverment"] and "government" not in table


def test_symspell_counts_are_its_files() -> None:
    words, total = lexicon.word_counts()
    lines = (lexicon._symspell_file(lexicon.UNIGRAM_FILE)).read_text(encoding="utf-8").splitlines()
    parsed = {w: int(c) for w, _, c in (line.partition(" ") for line in lines) if c}
    assert dict(words.items()) == parsed and total == sum(parsed.values())
    bigrams = lexicon.bigram_counts()
    lines = (lexicon._symspell_file(lexicon.BIGRAM_FILE)).read_text(encoding="utf-8").splitlines()
    parsed = {p: int(c) for p, _, c in (line.rpartition(" ") for line in lines) if p and c.isdigit()}
    assert len(bigrams) == len(parsed)
    for pair in [*list(parsed)[::50], "ethnic cleansing", "not a bigram"]:
        assert bigrams.get(pair) == parsed.get(pair), pair


def test_lemmas_are_simplemmas() -> None:
    import simplemma

    rng = random.Random(7)
    for lang in ("en", "de", "fr"):
        shipped = simplemma.strategies.dictionaries.dictionary_factory.DefaultDictionaryFactory().get_dictionary(lang)
        keys = list(shipped)
        words = rng.sample(keys, 400) + [k.upper() for k in rng.sample(keys, 50)]
        words += ["cleansing", "cleaning", "manifestations", "de-escalate", "tai-lateral", "Armenia's", "qzqz"]
        # the words of wordfreq's list are answered from the lemma table, the others by simplemma
        table = lexicon.lemmas(lang)
        assert table is not None
        listed = list(lexicon.frequencies(lang))
        sample = rng.sample(listed, 400)
        assert all(word in table for word in sample)
        words += sample
        for word in words:
            assert lexicon.lemmatizer().lemmatize(word, lang) == simplemma.lemmatize(word, lang=lang), (lang, word)
    with pytest.raises(ValueError):
        lexicon.lemmatizer().lemmatize("word", "xx")


def test_word_vectors_are_wordllamas() -> None:
    from importlib import resources

    import wordllama
    from safetensors import safe_open
    from wordllama.inference import WordLlamaInference
    from wordllama.wordllama import WordLlama

    root = resources.files(wordllama)
    tokenizer = WordLlama.load_tokenizer(root / "tokenizers" / "l2_supercat_tokenizer_config.json")
    with safe_open(str(root / "weights" / "l2_supercat_256.safetensors"), framework="np", device="cpu") as f:
        embedding = f.get_tensor("embedding.weight")
    shipped = WordLlamaInference(embedding, tokenizer, binary=False)
    ours = lexicon.WordVectors()
    pairs = [
        ("cleansing", "cleaning"),
        ("incident", "accident"),
        ("fraction", "faction"),
        ("season", "session"),
        ("alert", "alarm"),
        ("manifestations", "demonstrations"),
        ("Armenophobia", "anti-Armenian"),
        ("", "word"),
        ("naïve", "Zoë"),
    ]
    for x, y in pairs:
        assert ours.similarity(x, y) == shipped.similarity(x, y), (x, y)
        assert ours.tokenizer.encode(x, add_special_tokens=False).tokens == (
            shipped.tokenizer.encode(x, add_special_tokens=False).tokens
        )


# --- the whole command ------------------------------------------------------------------------


def _compare(cache: Path) -> bytes:
    env = {**os.environ, wordtables.CACHE_ENV: str(cache)}
    done = subprocess.run(
        [sys.executable, "-m", "reconcile.cli", "compare", str(seed("000")), str(seed("001")), "--format", "json"],
        capture_output=True,
        env=env,
        cwd=ROOT,
        check=True,
    )
    return done.stdout


def test_compare_is_the_same_from_an_empty_a_warm_and_a_damaged_cache(seeds: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cold = _compare(cache)
    built = sorted(p.name for p in cache.iterdir())
    assert any(name.startswith("wordfreq-en-") for name in built), built
    warm = _compare(cache)
    for path in cache.iterdir():
        path.write_bytes(path.read_bytes()[:1000])
    damaged = _compare(cache)
    assert cold == warm == damaged
    report = json.loads(cold)
    assert report["pairs"][0]["divergences"], "the seeds' pair has divergences to judge"
    assert sorted(p.name for p in cache.iterdir()) == built


def test_the_trimmed_tokenizer_is_the_whole_one() -> None:
    """Tokens and ids of the per-text tokenizer against wordllama's whole tokenizer file, on words of
    several scripts and shapes, byte-fallback characters and a text with a special token."""
    import wordfreq
    from tokenizers import Tokenizer

    whole = Tokenizer.from_file(str(wordtables.package_dir("wordllama") / "tokenizers" / lexicon.TOKENIZER_FILE))
    whole.enable_padding()
    whole.no_truncation()
    trimmed = lexicon.TrimmedTokenizer()
    rng = random.Random(5)
    words: list[str] = []
    for lang in ("en", "de", "ru", "el", "zh", "ar"):
        listed = list(wordfreq.iter_wordlist(lang))
        words += rng.sample(listed[:20_000], 150)
    words += [w.capitalize() for w in words[:100]] + [w.upper() for w in words[100:150]]
    words += ["de-escalate", "tai-lateral", "Armenia's", "Armenia\u2019s", "two words", " lead", "trail "]
    words += [
        "🙂x",
        "\x00",
        "",
        "a" * 40,
        "ab" * 40,
        "<s>word",
        "x</s>",
        "Zoë",
        "naïve",
        "ǅ",
        "\u00ad",
        "\U0001f1fa\U0001f1f8",
    ]
    for word in words:
        ours = trimmed.encode(word, add_special_tokens=False)
        theirs = whole.encode(word, add_special_tokens=False)
        assert (ours.tokens, ours.ids) == (theirs.tokens, theirs.ids), word
        (batch,) = trimmed.encode_batch([word], is_pretokenized=False, add_special_tokens=False)
        assert (batch.ids, batch.attention_mask) == (theirs.ids, theirs.attention_mask), word
    # ``encode_each``: one bare tokenizer (BPE model and normalizer) for two texts at once
    for word, partner in zip(words, [*words[1:], words[0]], strict=True):
        theirs = whole.encode(word, add_special_tokens=False)
        each, _ = trimmed.encode_each([word, partner], add_special_tokens=False)
        assert (each.tokens, each.ids, each.attention_mask) == (theirs.tokens, theirs.ids, theirs.attention_mask), (
            word,
            partner,
        )


def test_ftfy_patterns_from_the_cache_are_ftfys() -> None:
    from reconcile.text import normalize

    for name, make in (("touches", normalize._ftfy_touches), ("marks", normalize._mojibake_marks),
                       ("entity", normalize._html_entity), ("altered", normalize._altered_utf8)):  # fmt: skip
        made = make()
        cached = normalize.ftfy_pattern(name)
        assert (cached.pattern, cached.flags) == (made.pattern, made.flags), name


def test_a_clean_compare_does_not_import_ftfy_or_wordfreq(seeds: Path) -> None:
    """Reading and comparing the seeds (curly quotes, no mojibake) needs neither package whole, nor
    simplemma (lemmas of listed words come from a table), a charset guesser, a web client, worker
    processes, the large-scan pairing or an HTML parser; nor datasketch, polars, pyarrow, jsonschema or
    the HTML and table writers (a JSON report to a pipe needs none of them)."""
    code = (
        "import sys; from reconcile.cli import main\n"
        'try:\n    main(["compare", sys.argv[1], sys.argv[2], "--format", "json"])\n'
        "except SystemExit:\n    pass\n"
        "heavy = ('ftfy', 'wordfreq', 'wordllama', 'polars', 'jinja2', 'simplemma', 'charset_normalizer',\n"
        "         'http.client', 'multiprocessing', 'reconcile.pairing.scale', 'html.parser', 'datasketch',\n"
        "         'jsonschema', 'pyarrow', 'pandas', 'symspellpy', 'reconcile.report.html',\n"
        "         'reconcile.report.tables')\n"
        "print(sorted(m for m in heavy if m in sys.modules), file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(seed("000")), str(seed("001"))], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "[]"


def test_many_lookups_read_the_table_whole_with_the_same_answers(tmp_path: Path, monkeypatch) -> None:
    rows = {f"w{i}": i for i in range(3 * wordtables.BULK_AFTER)}
    table = _table(tmp_path, monkeypatch, rows)
    asked = [f"w{i}" for i in range(0, 3 * wordtables.BULK_AFTER, 2)] + [f"absent{i}" for i in range(500)]
    answers = [table.get(key) for key in asked]
    assert table._all is not None, "read whole after BULK_AFTER distinct keys"
    assert answers == [rows.get(key) for key in asked]
    assert [key in table for key in ("w1", "w3", "absent3")] == [True, True, False]


_inherited: list[Table[int]] = []


def _queries_in_child(keys: list[str]) -> tuple[list[int | None], int]:
    """In a forked worker: the answers of the table the parent held, and the SQLite queries asked."""
    (table,) = _inherited
    count = 0
    query = table._query

    def counted(*args: object) -> list[object]:
        nonlocal count
        count += 1
        return query(*args)  # type: ignore[arg-type]

    table._query = counted  # type: ignore[method-assign]
    return [table.get(key) for key in keys], count


def test_a_table_loaded_before_a_fork_answers_the_child_without_a_query(tmp_path: Path, monkeypatch) -> None:
    """``Table.load`` reads the table whole: a worker forked afterwards answers from the copy it
    inherits, with the answers of one-by-one lookups, and asks SQLite nothing."""
    import multiprocessing

    rows = {f"w{i}": i for i in range(50)}
    table = _table(tmp_path, monkeypatch, rows)
    keys = ["w1", "w7", "absent", "w49"]
    _inherited[:] = [table]
    try:
        with multiprocessing.get_context("fork").Pool(1) as pool:
            lazy, lazy_queries = pool.apply(_queries_in_child, (keys,))
        table.load()
        with multiprocessing.get_context("fork").Pool(1) as pool:
            loaded, loaded_queries = pool.apply(_queries_in_child, (keys,))
    finally:
        _inherited.clear()
    assert lazy == loaded == [1, 7, None, 49]
    assert lazy_queries == 4 and loaded_queries == 0


def test_a_listed_words_lemma_comes_from_the_table_without_simplemma() -> None:
    """A word of wordfreq's list is answered from the lemma table (simplemma's import is most of a
    clean compare's start-up); an unlisted one from simplemma, with the same answer as it gives."""
    code = (
        "import sys; from reconcile.text.lexicon import lemmatizer\n"
        "print(lemmatizer().lemmatize('running', 'en'), 'simplemma' in sys.modules)\n"
        "print(lemmatizer().lemmatize('qzqzings', 'en'), 'simplemma' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    import simplemma

    assert done.stdout.splitlines() == ["run False", f"{simplemma.lemmatize('qzqzings', lang='en')} True"]


def test_no_lemma_table_where_the_cache_dir_cannot_take_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Building the lemma table for one process alone would cost seconds: with the cache dir blocked
    (a file in its place) the lemmas come from simplemma, the same answers."""
    import simplemma

    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache dir should be")
    monkeypatch.setenv(wordtables.CACHE_ENV, str(blocker / "inside"))
    for cached in (lexicon.lemmas, lexicon.frequencies, lexicon.lemmatizer, lexicon.simplemma_lemmatizer):
        cached.cache_clear()
    try:
        assert lexicon.lemmas("en") is None
        assert lexicon.lemmatizer().lemmatize("running", "en") == simplemma.lemmatize("running", lang="en")
    finally:
        for cached in (lexicon.lemmas, lexicon.frequencies, lexicon.lemmatizer, lexicon.simplemma_lemmatizer):
            cached.cache_clear()


def _build_slowly_and_count() -> tuple[object, dict[str, str]]:
    """A builder that takes its time and leaves a mark for each build, seen across processes."""
    import time

    with open(os.environ["BUILD_MARKS"], "a", encoding="utf-8") as marks:
        marks.write(f"{os.getpid()}\n")
    time.sleep(0.5)
    return {"w1": 1, "w2": 2}.items(), {}


def _lookup_racing(key: str) -> int:
    return _FORKED[0][key]


def test_processes_starting_together_build_a_table_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A scan's workers on a fresh install: the first builds, the others wait for its table."""
    import multiprocessing

    monkeypatch.setenv(wordtables.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setenv("BUILD_MARKS", str(tmp_path / "marks"))
    source = tmp_path / "source.txt"
    source.write_text("x")
    _FORKED[:] = [Table("race", [source], _build_slowly_and_count)]  # not opened before the fork
    with multiprocessing.get_context("fork").Pool(3) as pool:
        assert pool.map(_lookup_racing, ["w2", "w1", "w2"], chunksize=1) == [2, 1, 2]
    assert len((tmp_path / "marks").read_text().split()) == 1
