"""Word knowledge shared by the stages: stop words, word frequency, misspellings, lemmas, counts.

Stop words are the most frequent English words by wordfreq, not a hand list;
misspellings and British/American pairs come from codespell's dictionaries as
shipped in its PyPI package; word and bigram counts are symspellpy's, lemmas
simplemma's.  The big tables are read through ``reconcile.text.wordtables``: built
once from the packages' files into the user's cache dir, then looked up word by
word, so a process that asks about a few thousand words does not parse them all.
"""

from __future__ import annotations

import functools
import json
import math
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

from reconcile.text.wordtables import Table, package_dir, read_meta_list

STOPWORD_COUNT = 250


@functools.cache
def stopwords() -> frozenset[str]:
    """The most frequent English words, which say little about what a story is."""
    top = read_meta_list(frequencies("en").meta["top"])
    return frozenset(top) | {"s", "said", "says", "also"}


TABLE_LANGUAGES = frozenset({"en", "de", "fr", "es", "it", "nl", "cs", "pl", "pt"})
"""Languages whose wordfreq lookups go through the cached table.  wordfreq treats all six alike
(regex tokenizer, NFC, case folding, no mark removal or transliteration), so a folded word of
Latin letters is one token that is looked up as it is; other words and languages ask wordfreq."""
LATIN_END = "\u0250"
"""Latin letters, with Latin-1 and Latin Extended-A and -B, lie below this code point."""


@functools.cache
def frequencies(lang: str) -> Table[float]:
    """wordfreq's frequency table of a language ('best' list), as ``wordfreq.get_frequency_dict``."""
    data = package_dir("wordfreq")
    lists = data / "data"
    sources = [data / "__init__.py", lists / f"large_{lang}.msgpack.gz", lists / f"small_{lang}.msgpack.gz"]

    def build() -> tuple[Any, dict[str, str]]:
        import wordfreq

        from reconcile.text.wordtables import meta_list

        meta = {"top": meta_list(wordfreq.top_n_list(lang, STOPWORD_COUNT))}
        return wordfreq.get_frequency_dict(lang, "best").items(), meta

    return Table(f"wordfreq-{lang}", sources, build)


def _plain(part: str) -> bool:
    """Latin letters only (Latin-1, Extended-A and -B), case-folded and NFC: one token to wordfreq,
    looked up as it is.  An ASCII apostrophe between letters, after the third letter ("don't",
    "armenia's"), does not break a token; nearer the start it may (French elision: "d'arc")."""
    if part.isascii():
        if "'" in part:
            pieces = part.split("'")
            return len(pieces[0]) >= 3 and all(p.isalpha() and p.islower() for p in pieces)
        return part.isalpha() and part.islower()
    latin = part.isalpha() and max(part) < LATIN_END
    return latin and part == part.casefold() and unicodedata.is_normalized("NFC", part)


def table_tokens(word: str) -> list[str] | None:
    """The tokens ``wordfreq.lossy_tokenize`` makes of ``word`` in the ``TABLE_LANGUAGES`` where that is
    plain to see (NFC, case folded, split at hyphens, curly apostrophes straightened), else None."""
    key = word.lower() if word.isascii() else unicodedata.normalize("NFC", word).casefold().replace("\u2019", "'")
    if "-" not in key:  # most words: one part, or none
        return ([key] if _plain(key) else None) if key else []
    parts = [part for part in key.split("-") if part]
    return parts if all(_plain(part) for part in parts) else None


ZIPF_FLOOR = 10**0 / 1e9
"""``wordfreq.zipf_to_freq(0)``: the least frequency ``zipf_frequency`` reports (its ``minimum=0``)."""


def zipf_of_tokens(tokens: Sequence[str], table: Mapping[str, float]) -> float:
    """``wordfreq.zipf_frequency`` of a word made of ``tokens``, whose frequencies are in ``table``."""
    return zipf_of_frequencies([table.get(token) for token in tokens])


def zipf_of_frequencies(found: Sequence[float | None]) -> float:
    """Zipf frequency of a word from its tokens' frequencies (None: a token the list lacks), step by step
    as wordfreq 3 computes it: no token, or one missing, gives the floor as it is; else the frequencies
    combine as 1/f = 1/f1 + 1/f2 + ..., floored and rounded to three significant digits; then to Zipf,
    rounded to two decimals."""
    frequency = ZIPF_FLOOR
    if found and None not in found:
        unrounded = max(1.0 / sum([1.0 / f for f in cast("Sequence[float]", found)]), ZIPF_FLOOR)
        leading_zeroes = math.floor(-math.log(unrounded, 10))
        frequency = round(unrounded, leading_zeroes + 3)
    return round(math.log(frequency, 10) + 9, 2)


def table_zipf(word: str, lang: str) -> float | None:
    """Zipf frequency of ``word`` from the cached table, or None where only wordfreq can tell."""
    if lang not in TABLE_LANGUAGES:
        return None
    tokens = table_tokens(word)
    return None if tokens is None else zipf_of_tokens(tokens, frequencies(lang))


def tokenized_zipf(word: str, lang: str) -> float:
    """``wordfreq.zipf_frequency(word, lang)`` of a table language, step by step as wordfreq 3.1's
    ``_word_frequency``: wordfreq's own tokens (``lossy_tokenize``, digit sequences smashed to
    zeroes and weighed by ``digit_freq``), their frequencies read from the cached table.

    For the words ``table_tokens`` leaves to wordfreq (digits, marks, odd apostrophes).  Asking
    wordfreq itself builds its dict of the whole list, 0.12-0.36 s a language, and a scan's
    divergence workers asked about such words in all nine table languages: ~1.8 s a process."""
    from wordfreq import lossy_tokenize
    from wordfreq.numbers import digit_freq, smash_numbers

    table = frequencies(lang)
    found: list[float | None] = []
    for token in lossy_tokenize(word, lang):
        smashed = smash_numbers(token)
        frequency = table.get(smashed)
        found.append(frequency * digit_freq(token) if frequency is not None and smashed != token else frequency)
    return zipf_of_frequencies(found)


@functools.cache
def zipf(word: str, lang: str = "en") -> float:
    """Zipf frequency (0 = never seen, 7 = "the") of a folded word in a language (wordfreq's code)."""
    if lang in TABLE_LANGUAGES:  # ``table_zipf``, or wordfreq's tokens for words with marks, digits or odd apostrophes
        tokens = table_tokens(word)
        return zipf_of_tokens(tokens, frequencies(lang)) if tokens is not None else tokenized_zipf(word, lang)
    import wordfreq  # other languages

    return float(wordfreq.zipf_frequency(word, lang))


@functools.lru_cache(maxsize=65536)
def joined(word: str) -> str:
    """A word without hyphens, apostrophes or a possessive ending."""
    if "\u2019" in word:
        word = word.replace("\u2019", "'")
    if "'" in word:
        word = _SUFFIX.sub("", word)
    return word.replace("-", "").replace("'", "")


def is_known_word(word: str, lang: str = "en") -> bool:
    """A word wordfreq has seen, judging hyphenated compounds by their joined form.

    wordfreq splits "tai-lateral" and averages its parts, so a compound counts as
    a word when its joined form does or when every part is a common word.
    """
    if zipf(joined(word), lang) > 0:
        return True
    parts = [p for p in word.split("-") if p]
    return len(parts) > 1 and all(zipf(p, lang) >= 3.6 for p in parts)


def _codespell_file(name: str) -> Path:
    return package_dir("codespell_lib") / "data" / name


def _codespell_lines(name: str) -> list[str]:
    return _codespell_file(name).read_text(encoding="utf-8").splitlines()


def _read_misspellings() -> Iterator[tuple[str, tuple[str, ...]]]:
    for line in _codespell_lines("dictionary.txt"):
        wrong, _, right = line.partition("->")
        if right:
            yield wrong.strip(), tuple(r.strip() for r in right.split(",") if r.strip())


CORRECTIONS_SEPARATOR = "\t"


def _decode_corrections(stored: str) -> tuple[str, ...]:
    return tuple(stored.split(CORRECTIONS_SEPARATOR)) if stored else ()


@functools.cache
def misspellings() -> Mapping[str, tuple[str, ...]]:
    """codespell's main dictionary: known misspelling -> suggested corrections."""

    def build() -> tuple[Any, dict[str, str]]:
        rows = ((wrong, CORRECTIONS_SEPARATOR.join(right)) for wrong, right in _read_misspellings())
        return rows, {}

    return Table("codespell-misspellings", [_codespell_file("dictionary.txt")], build, _decode_corrections)


BRITISH_PAST_FORMS = {
    "burnt": "burned",
    "dreamt": "dreamed",
    "dwelt": "dwelled",
    "knelt": "kneeled",
    "leant": "leaned",
    "leapt": "leaped",
    "learnt": "learned",
    "smelt": "smelled",
    "spelt": "spelled",
    "spilt": "spilled",
    "spoilt": "spoiled",
}
"""Past forms in -t that British English keeps beside the -ed of American English ("the spoilt flour" /
"spoiled flour" in the WMT21 references): codespell's en-GB list spells endings, not these verbs."""


@functools.cache
def british_american() -> frozenset[tuple[str, str]]:
    """Unordered British/American spelling pairs ("colour", "color")."""
    pairs = {pair for gb, us in BRITISH_PAST_FORMS.items() for pair in ((gb, us), (us, gb))}
    for line in _codespell_lines("dictionary_en-GB_to_en-US.txt"):
        gb, _, us = line.partition("->")
        us = us.split(",")[0].strip()
        if gb and us:
            pairs.add((gb.strip(), us))
            pairs.add((us, gb.strip()))
    return frozenset(pairs)


def _symspell_file(name: str) -> Path:
    return package_dir("symspellpy") / name


UNIGRAM_FILE = "frequency_dictionary_en_82_765.txt"
BIGRAM_FILE = "frequency_bigramdictionary_en_243_342.txt"


@functools.cache
def word_counts() -> tuple[Mapping[str, int], int]:
    """symspellpy's English word counts, and their sum."""

    def build() -> tuple[Any, dict[str, str]]:
        counts: dict[str, int] = {}
        for line in _symspell_file(UNIGRAM_FILE).read_text(encoding="utf-8").splitlines():
            word, _, count = line.partition(" ")
            if count:
                counts[word] = int(count)
        return counts.items(), {"total": str(sum(counts.values()))}

    table: Table[int] = Table("symspell-words", [_symspell_file(UNIGRAM_FILE)], build)
    return table, int(table.meta["total"])


@functools.cache
def bigram_counts() -> Mapping[str, int]:
    """symspellpy's English bigram counts, keyed "first second"."""

    def build() -> tuple[Any, dict[str, str]]:
        lines = _symspell_file(BIGRAM_FILE).read_text(encoding="utf-8").splitlines()
        split = [line.rpartition(" ") for line in lines]
        return ((pair, int(count)) for pair, _, count in split if pair and count.isdigit()), {}

    return Table("symspell-bigrams", [_symspell_file(BIGRAM_FILE)], build)


class _LemmaTables:
    """simplemma's ``DictionaryFactory`` protocol over cached tables: the same dictionaries as its
    default factory, looked up word by word instead of decoded whole (0.7 s for English)."""

    def __init__(self) -> None:
        self._tables: dict[str, Table[str]] = {}

    def get_dictionary(self, lang: str) -> Mapping[str, str]:
        if lang not in self._tables:
            from simplemma.strategies.dictionaries import dictionary_factory

            if lang not in dictionary_factory.SUPPORTED_LANGUAGES:
                raise ValueError(f"Unsupported language: {lang}")
            root = Path(dictionary_factory.__file__).parent
            sources = [root / "dictionary_factory.py", root / "frontcode.py", root / "data" / f"{lang}.plzma"]

            def build() -> tuple[Any, dict[str, str]]:
                shipped = dictionary_factory.DefaultDictionaryFactory(cache_max_size=0).get_dictionary(lang)
                return shipped.items(), {}

            self._tables[lang] = Table(f"simplemma-{lang}", sources, build)
        return self._tables[lang]


@functools.cache
def simplemma_lemmatizer() -> Any:
    """simplemma's lemmatizer as ``simplemma.lemmatize`` builds it (not greedy), on cached tables."""
    from simplemma import Lemmatizer
    from simplemma.strategies import DefaultStrategy

    return Lemmatizer(lemmatization_strategy=DefaultStrategy(greedy=False, dictionary_factory=_LemmaTables()))


def _simplemma_sources(lang: str) -> list[Path]:
    """The files a lemma depends on: simplemma's version (an install rewrites its files, code and all)
    and the language's dictionary."""
    root = package_dir("simplemma")
    return [
        root / "__metadata__.py",
        root / "lemmatizer.py",
        root / "strategies" / "dictionaries" / "data" / f"{lang}.plzma",
    ]


@functools.cache
def lemmas(lang: str) -> Table[str] | None:
    """simplemma's lemma (``simplemma_lemmatizer().lemmatize``) of every word in wordfreq's list of
    ``lang``, worked out once into a table; None where either package has no list for it, or where
    the table is not in the cache dir and cannot be written there.

    Importing simplemma costs about 70 ms (its rules for every language compile at import), most
    of a ``compare`` that asks for a handful of lemmas; a word the lexicon knows (what
    ``evidence.same_lemma`` is asked about) is then looked up instead.  Building the English table
    takes some 6 s, once per machine and version of the two packages."""
    data = package_dir("wordfreq") / "data"
    if not (data / f"large_{lang}.msgpack.gz").exists() and not (data / f"small_{lang}.msgpack.gz").exists():
        return None
    simplemma_data = package_dir("simplemma") / "strategies" / "dictionaries" / "data" / f"{lang}.plzma"
    if not simplemma_data.exists():
        return None
    words = frequencies(lang)

    def build() -> tuple[Any, dict[str, str]]:
        lemmatize = simplemma_lemmatizer().lemmatize
        return ((word, lemmatize(word, lang)) for word in words), {}

    table: Table[str] = Table(f"simplemma-lemmas-{lang}", [*words.sources, *_simplemma_sources(lang)], build)
    # Built for one process alone (a cache dir that cannot be written), the table would cost
    # seconds where simplemma's import costs 70 ms.
    return table if table.stored_or_storable() else None


class Lemmatizer:
    """``simplemma_lemmatizer()`` answering from the ``lemmas`` table where it holds the word, so a
    process imports simplemma only for a word outside wordfreq's lists (or a language without one)."""

    def lemmatize(self, token: str, lang: str) -> str:
        table = lemmas(lang) if isinstance(lang, str) else None
        found = table.get(token) if table is not None else None
        if found is not None:
            return str(found)
        return str(simplemma_lemmatizer().lemmatize(token, lang))


@functools.cache
def lemmatizer() -> Lemmatizer:
    """simplemma's lemmas (``simplemma.lemmatize``, not greedy), from the cached tables."""
    return Lemmatizer()


TOKENIZER_FILE = "l2_supercat_tokenizer_config.json"
"""wordllama's tokenizer, under ``tokenizers/`` in its package: ``WordLlama.load`` looks under ``tokenizer/``
and then tries the network, so the files are opened here directly."""
ALWAYS_TOKENS = re.compile(r"<0x[0-9A-F]{2}>")
"""Byte-fallback tokens: any text may need them."""
MAX_TRIMMED_CHARS = 64
"""Texts longer than this are tokenized by the whole tokenizer (a word is far shorter)."""


def _byte_token_names(char: str) -> list[str]:
    """The byte-fallback tokens BPE spells a character with when its vocabulary lacks it (UTF-8 bytes)."""
    return [f"<0x{byte:02X}>" for byte in char.encode("utf-8")]


@functools.cache
def _tokenizer_table() -> Table[Any]:
    """The BPE vocabulary ("v" + token -> id) and merges ("m" + merged token -> [[rank, left, right], ...])
    of wordllama's tokenizer, and the rest of its configuration with only the tokens any text may use."""
    path = package_dir("wordllama") / "tokenizers" / TOKENIZER_FILE

    def build() -> tuple[Any, dict[str, str]]:
        config = json.loads(path.read_text(encoding="utf-8"))
        model = config["model"]
        rows: dict[str, Any] = {f"v{token}": int(i) for token, i in model["vocab"].items()}
        merged: dict[str, list[list[Any]]] = {}
        for rank, merge in enumerate(model["merges"]):
            left, right = merge.split(" ", 1) if isinstance(merge, str) else merge
            merged.setdefault(left + right, []).append([rank, left, right])
        rows.update((f"m{result}", json.dumps(found)) for result, found in merged.items())
        special = {t["content"] for t in config.get("added_tokens", ())}
        always = {t: i for t, i in model["vocab"].items() if t in special or ALWAYS_TOKENS.fullmatch(t)}
        skeleton = {**config, "model": {**model, "vocab": always, "merges": []}}
        return rows.items(), {"skeleton": json.dumps(skeleton), "special": json.dumps(sorted(special))}

    return Table("wordllama-tokenizer", [path], build)


class TrimmedTokenizer:
    """wordllama's BPE tokenizer (``tokenizers.Tokenizer``) for a few words at a time, with the same
    tokens and ids as the whole one, without parsing its 1.8 MB file (60-150 ms) in every process.

    BPE only ever merges two adjacent pieces of a text into a longer piece of it, so a tokenizer whose
    vocabulary holds the text's substrings (and the byte-fallback and special tokens) and whose merges
    are those that make one of them, in their original order, tokenizes the text as the whole one does.
    Each call builds such a tokenizer from the cached table; a long text, or one holding a special
    token, goes to the whole tokenizer.
    """

    def __init__(self) -> None:
        from tokenizers import Tokenizer

        self._table = _tokenizer_table()
        self._skeleton = json.loads(self._table.meta["skeleton"])
        self._special = json.loads(self._table.meta["special"])
        self._normalizer = Tokenizer.from_str(self._table.meta["skeleton"]).normalizer
        always = self._skeleton["model"]["vocab"]
        self._byte_tokens = {token: i for token, i in always.items() if ALWAYS_TOKENS.fullmatch(token)}
        self._special_vocab = {token: i for token, i in always.items() if token not in self._byte_tokens}
        model = self._skeleton["model"]
        self._bpe_options = {k: v for k, v in model.items() if k not in {"type", "vocab", "merges"} and v is not None}

    @functools.cached_property
    def _whole(self) -> Any:
        from tokenizers import Tokenizer

        whole = Tokenizer.from_file(str(package_dir("wordllama") / "tokenizers" / TOKENIZER_FILE))
        whole.enable_padding()
        whole.no_truncation()
        return whole

    def _whole_needed(self, texts: Sequence[str]) -> bool:
        return any(len(t) > MAX_TRIMMED_CHARS or any(s in t for s in self._special) for t in texts)

    def _trimmed_model(self, texts: Sequence[str]) -> tuple[dict[str, int], list[tuple[str, str]]]:
        """The vocabulary and merges (in rank order) of a tokenizer trimmed to ``texts``.

        Two lookups, each of fewer keys than one of both kinds for every substring (a key costs about a
        microsecond): the substrings that are tokens, then the merges of those only, since every merge
        makes a token.  The byte-fallback tokens come in only for a character the vocabulary lacks: BPE
        spells a character in bytes only then, so the others change nothing but the model's build time.
        """
        pieces: set[str] = set()
        for text in texts:
            norm = self._normalizer.normalize_str(text) if self._normalizer is not None else text
            pieces.update(norm[i:j] for i in range(len(norm)) for j in range(i + 1, len(norm) + 1))
        found = self._table.get_many([f"v{p}" for p in pieces])
        made = self._table.get_many([f"m{key[1:]}" for key in found])
        vocab = dict(self._special_vocab)
        for piece in pieces:
            if len(piece) == 1 and f"v{piece}" not in found:
                vocab.update((byte, self._byte_tokens[byte]) for byte in _byte_token_names(piece))
        vocab.update((key[1:], value) for key, value in found.items())
        # Each merge row is a JSON list of [rank, left, right]: read in one parse, not one a row.
        merges = sorted(tuple(merge) for row in json.loads(f"[{','.join(made.values())}]") for merge in row)
        return vocab, [(a, b) for _, a, b in merges]

    def _for(self, texts: Sequence[str]) -> Any:
        if self._whole_needed(texts):
            return self._whole
        from tokenizers import Tokenizer

        vocab, merges = self._trimmed_model(texts)
        model = {**self._skeleton["model"], "vocab": vocab, "merges": [f"{a} {b}" for a, b in merges]}
        trimmed = Tokenizer.from_str(json.dumps({**self._skeleton, "model": model}))
        trimmed.enable_padding()
        trimmed.no_truncation()
        return trimmed

    def _bare_for(self, texts: Sequence[str]) -> Any:
        """``_for`` without special tokens, post-processor, decoder or padding, built from the BPE model
        and the normalizer directly rather than from JSON (a third of the time): all that ``encode``
        reads of a text without special tokens, asked not to add them."""
        if self._whole_needed(texts):
            return self._whole
        from tokenizers import Tokenizer
        from tokenizers.models import BPE

        vocab, merges = self._trimmed_model(texts)
        bare = Tokenizer(BPE(vocab, merges, **self._bpe_options))
        bare.normalizer = self._normalizer
        return bare

    def encode(self, text: str, add_special_tokens: bool = True) -> Any:
        return self._for([text]).encode(text, add_special_tokens=add_special_tokens)

    def encode_batch(self, texts: list[str], is_pretokenized: bool = False, add_special_tokens: bool = True) -> Any:
        tokenizer = self._for(texts)
        return tokenizer.encode_batch(texts, is_pretokenized=is_pretokenized, add_special_tokens=add_special_tokens)

    def encode_each(self, texts: Sequence[str], add_special_tokens: bool = True) -> list[Any]:
        """``encode`` of each text, from one tokenizer built for all of them: a tokenizer trimmed to
        several texts' substrings tokenizes each as the one trimmed to it alone (a merge that applies
        to a text makes a substring of it), and building one costs most of a word's encoding."""
        tokenizer = self._for(texts) if add_special_tokens else self._bare_for(texts)
        return [tokenizer.encode(text, add_special_tokens=add_special_tokens) for text in texts]


class WordVectors:
    """wordllama's static token embeddings, from the files its PyPI package ships (never downloaded),
    with ``WordLlamaInference``'s tokenizer settings and its ``similarity`` step for step (mean of the
    token vectors in float32, then cosine), but without importing wordllama (pydantic, requests: 0.5 s),
    parsing its whole tokenizer (``TrimmedTokenizer``) or converting all 32,000 vectors: only the rows a
    word uses are read from the safetensors file.
    """

    def __init__(self) -> None:
        from safetensors import safe_open

        root = package_dir("wordllama")
        self.tokenizer = TrimmedTokenizer()
        weights = safe_open(str(root / "weights" / "l2_supercat_256.safetensors"), framework="np", device="cpu")
        self._embedding = weights.get_slice("embedding.weight")
        self._vocabulary, self._width = (int(n) for n in self._embedding.get_shape())
        self._rows: dict[int, Any] = {}

    def _row(self, token_id: int) -> Any:
        import numpy as np

        if token_id not in self._rows:
            self._rows[token_id] = self._embedding[token_id : token_id + 1][0].astype(np.float32)
        return self._rows[token_id]

    def embed(self, text: str) -> Any:
        """``WordLlamaInference.embed(text)[0]``: average pooling over the attention mask."""
        return self.pooled(self.tokenizer.encode_batch([text], is_pretokenized=False, add_special_tokens=False))

    def pooled(self, encoded: Sequence[Any]) -> Any:
        """``embed``'s average pooling of the first of ``encoded``, a batch of tokenizer encodings."""
        import numpy as np

        input_ids = np.array([enc.ids for enc in encoded], dtype=np.int32)
        attention_mask = np.array([enc.attention_mask for enc in encoded], dtype=np.float32)
        np.clip(input_ids, 0, self._vocabulary - 1, out=input_ids)
        vectors = np.empty((*input_ids.shape, self._width), dtype=np.float32)
        for i, row in enumerate(input_ids):
            for j, token_id in enumerate(row.tolist()):
                vectors[i, j] = self._row(token_id)
        mask_sum = np.maximum(attention_mask.sum(axis=1, keepdims=True), 1.0).astype(np.float32)
        pooled = np.sum(vectors * attention_mask[..., np.newaxis], axis=1, dtype=np.float32) / mask_sum
        return pooled[0]

    def similarity(self, text1: str, text2: str) -> float:
        """``WordLlamaInference.similarity``: the cosine of the two embeddings (wordllama's dense
        ``vector_similarity``)."""
        return self.cosine(self.embed(text1), self.embed(text2))

    def cosine(self, embedded1: Any, embedded2: Any) -> float:
        """``similarity``'s cosine of two ``embed`` results."""
        import numpy as np

        a = embedded1[np.newaxis, :]
        b = embedded2[np.newaxis, :]
        norms_a = np.linalg.norm(a, axis=1, keepdims=True)
        norms_b = np.linalg.norm(b, axis=1, keepdims=True)
        norms_a = np.where(norms_a == 0, 1.0, norms_a)
        norms_b = np.where(norms_b == 0, 1.0, norms_b)
        return float(np.dot(a / norms_a, (b / norms_b).T).astype(np.float32).item())


def is_misspelling(word: str) -> bool:
    """A non-word, or a misspelling codespell knows even if it is common on the web."""
    return word in misspellings() or not is_known_word(word)


_SUFFIX = re.compile(r"(?:'s|s')$")


def stem(word: str) -> str:
    """A light normal form: drop possessives and plural -s, so "talks" meets "talk"."""
    if "'" in word:  # the possessive pattern needs one; most words have none
        word = _SUFFIX.sub("", word)
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word
