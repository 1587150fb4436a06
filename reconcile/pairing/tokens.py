"""The one tokeniser of pairing: texts to word, shingle, content-word and rare-word sets.

Every stage that compares two reports' words (``scan``'s LSH, verification and scores,
``dedup`` against its index, ``compare``, the pairing benchmark) takes its sets from
``batch_sets`` here, so the same two texts give the same sets and the same scores
wherever they meet.

A text is first put in its comparison form (``comparison_text``: NFKC; for the whole
batch, other scripts lower-cased and typographic punctuation made plain); then ASCII
lower-casing and punctuation to spaces run in C over a whole batch, tokens are found,
keyed and looked up with numpy (``_LeanVocab``), and shingles are rolled across the batch
with the windows that straddle two texts dropped.  A token is a run of letters, digits,
inner hyphens and apostrophes ("de-escalate", "azerbaijan's"); "U.S." is two tokens and
"1,200" two.  Python sees each distinct token once per process, to hash it (blake2b, stable
across runs and machines) and to find its content form (``content_form``).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from reconcile.model import Span
from reconcile.pairing import minhash
from reconcile.text.lexicon import frequencies, stem, stopwords
from reconcile.text.normalize import PUNCTUATION, find_chrome
from reconcile.text.wordtables import load_whole

SHINGLE_SIZE = 5
"""Words a shingle: five-word windows tell copied text from shared phrases."""


def comparison_text(text: str) -> str:
    """``text`` in NFKC, where it is not already (the check costs a twentieth of normalising).

    The rest of the comparison form is made for the whole batch: other scripts lower-cased and
    typographic punctuation made plain (``_plain_bytes``), then ASCII lower case and punctuation
    to spaces by one ``bytes.translate`` (``_FOLD_BYTES``).  Not
    ``normalize.fold``, whose whitespace split and case folding of the whole text cost several
    times as much (about 250 µs a non-ASCII news report here) for no token boundary the
    tokeniser does not draw anyway."""
    if text.isascii() or unicodedata.is_normalized("NFKC", text):
        return text
    return unicodedata.normalize("NFKC", text)


_PUNCTUATION_BYTES = {char.encode("utf-8"): plain.encode("utf-8") for char, plain in PUNCTUATION.items()}
_PUNCTUATION_RE = re.compile(b"|".join(re.escape(char) for char in sorted(_PUNCTUATION_BYTES, key=len, reverse=True)))


def _plain_mark(match: re.Match[bytes]) -> bytes:
    return _PUNCTUATION_BYTES[match.group()]


def _plain_bytes(texts: Sequence[str]) -> bytes:
    """The batch's texts joined by `` \x01 `` (with a space at each end) as UTF-8, with non-ASCII
    text lower-cased and its typographic quotes, apostrophes, dashes and invisible spaces made
    plain (``normalize.PUNCTUATION``): "Azerbaijan\u2019s" is one token, as "Azerbaijan's" is.

    Text by text: an ASCII text is only encoded (``_FOLD_BYTES`` lowers its letters, and it holds
    no typographic mark), and only the others are lowered and searched for marks, where lowering
    and searching the whole batch cost 9 µs an item of a feed whose texts are nine in ten ASCII.
    The same bytes as for the batch at once: the separators are spaces, so no text's lowering
    ("Σ" at a word's end) looks into its neighbour, and each mark is one character."""
    parts = [
        text.encode("ascii")
        if text.isascii()
        else _PUNCTUATION_RE.sub(_plain_mark, text.lower().encode("utf-8", "surrogatepass"))
        for text in texts
    ]
    return b" " + b" \x01 ".join(parts) + b" "


def without_spans(text: str, spans: Sequence[Span]) -> str:
    """``text`` with the ``spans`` (its chrome lines) cut out: the body pairing reads."""
    kept, at = [], 0
    for span in sorted(spans, key=lambda s: s.start):
        kept.append(text[at : span.start])
        at = max(at, span.end)
    kept.append(text[at:])
    return "".join(kept)


_WORD_CHARACTER = re.compile(r"[^\W_]")


def without_chrome(text: str, chrome: Sequence[Span]) -> str:
    """The body pairing reads: ``text`` without its ``chrome`` lines, or the whole text when they
    would leave no word.  A rule that takes a whole report for chrome is wrong about it: a feed
    item that is one line starting "Read More: ..." would otherwise have no words to compare,
    and ``dedup`` would reject it."""
    if not chrome:
        return text
    body = without_spans(text, chrome)
    return body if _WORD_CHARACTER.search(body) else text


def stream_body(text: str) -> str:
    """The body of a report read on its own (``dedup``): without the chrome its own lines show
    (``normalize.find_chrome`` with no corpus), as ``scan`` reads it but for lines that recur
    across a corpus, which a stream cannot know."""
    return without_chrome(text, find_chrome(text))


_content_cache: dict[str, str | None] = {}


def content_form(word: str) -> str | None:
    """The content channel's form of a folded word, or None for a stop word (cached)."""
    if word in _content_cache:
        return _content_cache[word]
    form = stem(word) if word not in stopwords() and len(word) > 1 else None
    if len(_content_cache) < 1_000_000:
        _content_cache[word] = form
    return form


RARE_ZIPF = 4.5
"""Content words rarer than this (wordfreq Zipf) sign the content channel: "said",
"year" and "people" make unrelated reports look alike; names and specifics do not."""


@functools.cache
def _frequencies() -> Mapping[str, float]:
    return frequencies("en")  # wordfreq's table, looked up word by word


def is_rare(word: str) -> bool:
    """Zipf frequency below ``RARE_ZIPF``, read straight from wordfreq's table (no re-tokenising)."""
    return _frequencies().get(word, 0.0) < 10 ** (RARE_ZIPF - 9)


_FOLD_BYTES = bytes(
    (b | 0x20 if 0x41 <= b <= 0x5A else b) if (b >= 0x80 or chr(b).isalnum() or b in b"'-\x01") else 0x20
    for b in range(256)
)
"""ASCII lower case, punctuation to spaces, UTF-8 bytes of other scripts kept: one C pass."""
_SEPARATOR = b"\x01"


_FIBONACCI = np.uint64(0x9E3779B97F4A7C15)
_LOW_BYTES = np.array([(1 << (8 * k)) - 1 for k in range(8)] + [(1 << 64) - 1], dtype=np.uint64)
"""``_LOW_BYTES[k]`` keeps the low ``k`` bytes of a word."""


class _LeanVocab:
    """Per-process token table for ``batch_sets``: raw token key -> index, and per index the
    token's hash and its content and rare-content hashes.

    Tokens are found and keyed in numpy (``token_keys``), then looked up in an
    open-addressing table (linear probing, at most a quarter full) held in two numpy
    arrays, so the per-token work is a few vectorised gathers; Python sees each distinct
    token once, to apply ``content_form``.
    Index 0 is the separator between texts.
    """

    def __init__(self, bits: int = 16) -> None:
        self.bits = bits
        self.slot_keys = np.zeros(1 << bits, dtype=np.uint64)
        self.slot_ids = np.zeros(1 << bits, dtype=np.int64)
        self.hashes: list[int] = [0]
        self.content: list[int] = [0]
        self.rare: list[bool] = [False]
        self.hash_array = np.zeros(1, dtype=np.uint64)
        self.content_array = np.zeros(1, dtype=np.uint64)
        self.rare_array = np.zeros(1, dtype=np.uint64)
        """Per index the token's hash, its content form's hash mixed by splitmix64 (0: a stop
        word), and that hash again where the form is rare (0: not rare)."""

    @staticmethod
    def token_keys(folded: bytes, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """A 64-bit key per token ``folded[start:end]``, never 0.

        The token's bytes are read eight at a time as little-endian words (an unaligned
        view of the buffer: one gather per word, no pass over every byte), masked to its
        length; a longer token folds each further word into the mixed key so far.
        """
        words = np.ndarray((len(folded) + 1,), dtype="<u8", buffer=folded + bytes(8), strides=(1,))
        lengths = ends - starts
        with np.errstate(over="ignore"):
            keys = words[starts] & _LOW_BYTES[np.minimum(lengths, 8)]
            keys ^= lengths.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
            longer = np.flatnonzero(lengths > 8)
            offset = 8
            while len(longer):
                word = words[starts[longer] + offset] & _LOW_BYTES[np.minimum(lengths[longer] - offset, 8)]
                keys[longer] = minhash.splitmix64(keys[longer]) ^ word
                offset += 8
                longer = longer[lengths[longer] > offset]
        return (keys * _FIBONACCI) | np.uint64(1)

    def _probe(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Indices of ``keys`` (-1 where absent), and the positions of the absent ones.

        Most keys sit in their home slot: one gather of keys and one of indices for all,
        then the few others walk on.
        """
        mask = (1 << self.bits) - 1
        slots = (keys >> np.uint64(64 - self.bits)).astype(np.int64)
        found = self.slot_keys[slots]
        ids = self.slot_ids[slots]
        pending = np.flatnonzero(found != keys)
        ids[pending] = -1
        found = found[pending]
        absent = []
        while len(pending):
            empty = found == 0
            absent.append(pending[empty])
            pending = pending[~empty]
            slots[pending] = (slots[pending] + 1) & mask
            at = slots[pending]
            found = self.slot_keys[at]
            hit = found == keys[pending]
            ids[pending[hit]] = self.slot_ids[at[hit]]
            pending, found = pending[~hit], found[~hit]
        return ids, np.concatenate(absent) if absent else pending

    def _place(self, keys: np.ndarray, ids: np.ndarray) -> None:
        """Put distinct keys that are not in the table into it, all at once: each round, every
        key still waiting takes its slot if free (the first of several that want it), and
        the others move one slot on; a key passes only occupied slots, as linear probing
        needs."""
        mask = (1 << self.bits) - 1
        slots = (keys >> np.uint64(64 - self.bits)).astype(np.int64)
        pending = np.arange(len(keys))
        placed = np.zeros(len(keys), dtype=bool)
        while len(pending):
            free = pending[self.slot_keys[slots[pending]] == 0]
            taken, first = np.unique(slots[free], return_index=True)
            winners = free[first]
            self.slot_keys[taken], self.slot_ids[taken] = keys[winners], ids[winners]
            placed[winners] = True
            pending = pending[~placed[pending]]
            slots[pending] = (slots[pending] + 1) & mask

    def _insert_many(self, keys: np.ndarray, ids: np.ndarray) -> None:
        """``_place``, doubling the table first while it would be over a quarter full."""
        while 4 * (np.count_nonzero(self.slot_keys) + len(keys)) > (1 << self.bits):
            occupied = self.slot_keys != 0
            old_keys, old_ids = self.slot_keys[occupied], self.slot_ids[occupied]
            self.bits += 1
            self.slot_keys = np.zeros(1 << self.bits, dtype=np.uint64)
            self.slot_ids = np.zeros(1 << self.bits, dtype=np.int64)
            self._place(old_keys, old_ids)
        self._place(keys, ids)

    def add(self, tokens: list[bytes]) -> list[int]:
        """Index new tokens, in order: their hashes, and content hashes (0: a stop word) with
        whether each content form is rare."""
        words = [token.decode("utf-8", "replace").strip("'-") for token in tokens]
        forms = [content_form(word) if word else None for word in words]
        first = len(self.hashes)
        self.hashes.extend(map(minhash.token_hash, words))
        self.content.extend(minhash.token_hash(form) if form is not None else 0 for form in forms)
        self.rare.extend(form is not None and is_rare(form) for form in forms)
        return list(range(first, len(self.hashes)))

    def lookup(self, joined: bytes) -> np.ndarray:
        """The index of every token of ``joined`` (folded bytes, tokens split by spaces, which
        must start and end with a space so that token edges alternate start, end).

        Tokens not yet in the table are found by one sort of the absent tokens' keys
        (``minhash.bucket_order``), indexed together (``add``) and placed together."""
        in_token = np.frombuffer(joined, dtype=np.uint8) != 0x20
        edges = np.flatnonzero(in_token[1:] != in_token[:-1]) + 1
        starts, ends = edges[0::2], edges[1::2]
        keys = self.token_keys(joined, starts, ends)
        ids, absent = self._probe(keys)
        if len(absent):
            order, ordered = minhash.bucket_order(keys[absent])
            new = np.r_[True, ordered[1:] != ordered[:-1]]
            new_keys, at = ordered[new], absent[order[new]]
            tokens = [joined[start:end] for start, end in zip(starts[at].tolist(), ends[at].tolist(), strict=True)]
            words = [k for k, token in enumerate(tokens) if token != _SEPARATOR]
            indices = np.zeros(len(tokens), dtype=np.int64)  # the separator is index 0
            indices[words] = self.add([tokens[k] for k in words])
            self._insert_many(new_keys, indices)
            ids[absent[order]] = indices[np.cumsum(new) - 1]
        return ids

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per index: the token's hash, its content hash and its rare-content hash (0: none)."""
        if len(self.hash_array) != len(self.hashes):
            self.hash_array = np.array(self.hashes, dtype=np.uint64)
            content = np.array(self.content, dtype=np.uint64)
            # Mixed here, once per word, rather than at every use (0 stays "not content").
            self.content_array = np.where(content != 0, minhash.splitmix64(content), np.uint64(0))
            self.rare_array = np.where(np.array(self.rare, dtype=bool), self.content_array, np.uint64(0))
        return self.hash_array, self.content_array, self.rare_array


_vocab = _LeanVocab()


def warm_up(whole: bool = False) -> None:
    """Open the word lists ``batch_sets`` needs, so worker processes forked afterwards share them;
    ``whole`` reads wordfreq's table into memory (``Table.load``): each worker of a large corpus
    looks up tens of thousands of words and would otherwise read it itself (0.5 s a worker)."""
    table = _frequencies()
    if whole:
        load_whole(table)
    stopwords()


@dataclass(frozen=True)
class BatchSets:
    """A batch of texts' sets, flat: element ``k`` of ``shingles`` belongs to text ``shingle_doc[k]``,
    and so on.  Repeats are kept (MinHash does not need them gone); ``sorted_sets`` removes them."""

    count: int
    shingle_doc: np.ndarray
    shingles: np.ndarray
    """64-bit shingle hashes (``shingle_keys`` keeps their top 32 bits for verification)."""
    rare_doc: np.ndarray
    rare: np.ndarray
    content_doc: np.ndarray
    content: np.ndarray
    """Every content word (stop words out, stemmed), mixed 64-bit hashes."""
    word_doc: np.ndarray
    words: np.ndarray
    """Every token's 64-bit hash."""


def batch_sets(texts: Sequence[str], shingle_size: int = SHINGLE_SIZE, shingles_only: bool = False) -> BatchSets:
    """Word ``shingle_size``-gram hashes, content-word, rare-word and word hashes of many texts at once
    (``shingles_only``: the shingles, the others left empty, as ``dedup`` needs).

    A text of fewer words than ``shingle_size`` (but some) has one shingle: all its words.
    """
    joined = _plain_bytes([comparison_text(t) for t in texts])
    ids = _vocab.lookup(joined.translate(_FOLD_BYTES))
    hash_array, content_array, rare_array = _vocab.arrays()
    doc = np.cumsum(ids == 0)  # each token's text; a separator (index 0) counts towards the next
    token_hashes = hash_array[ids]
    n = len(ids)
    width = shingle_size
    shingles = np.empty(0, dtype=np.uint64)
    shingle_doc = np.empty(0, dtype=np.int64)
    if n >= width:
        count = n - width + 1
        with np.errstate(over="ignore"):
            rolled = token_hashes[:count].copy()
            for k in range(1, width):
                rolled *= minhash._ROLL
                rolled += token_hashes[k : k + count]
        # A window is clean when no separator lies in it: the text count after its first token
        # equals the count at its last.
        clean = doc[width - 1 :] == doc[:count]
        clean &= ids[:count] != 0
        shingles = minhash.splitmix64(rolled[clean])
        shingle_doc = doc[:count][clean]
    is_word = ids != 0
    word_counts = np.bincount(doc[is_word], minlength=len(texts))
    short = np.flatnonzero((word_counts > 0) & (word_counts < width))
    if len(short):
        word_positions = np.flatnonzero(is_word)
        starts = np.searchsorted(doc[word_positions], short)
        extra = []
        with np.errstate(over="ignore"):
            for text, start in zip(short.tolist(), starts.tolist(), strict=True):
                window = token_hashes[word_positions[start : start + int(word_counts[text])]]
                rolled_one = window[:1].copy()
                for value in window[1:]:
                    rolled_one = rolled_one * minhash._ROLL + value
                extra.append(rolled_one)
        shingles = np.concatenate([shingles, minhash.splitmix64(np.concatenate(extra))])
        shingle_doc = np.concatenate([shingle_doc, short])
        order = np.argsort(shingle_doc, kind="stable")
        shingles, shingle_doc = shingles[order], shingle_doc[order]
    if shingles_only:
        nothing = np.empty(0, dtype=np.uint64)
        return BatchSets(len(texts), shingle_doc, shingles, *([nothing.astype(np.int64), nothing] * 3))
    content = content_array[ids]
    has_content = content != 0
    rare = rare_array[ids]
    is_rare_word = rare != 0
    return BatchSets(
        len(texts),
        shingle_doc,
        shingles,
        doc[is_rare_word],
        rare[is_rare_word],
        doc[has_content],
        content[has_content],
        doc[is_word],
        token_hashes[is_word],
    )


def shingle_keys(shingles: np.ndarray) -> np.ndarray:
    """The 32 bits of each 64-bit shingle hash that verification compares (its top bits), uint32.

    Two distinct shingles of a pair of 400-shingle reports share a key with probability about
    400 x 400 / 2^32 (4e-5): exact scores on keys are the scores on shingles.
    """
    return (np.asarray(shingles, dtype=np.uint64) >> np.uint64(32)).astype(np.uint32)


def sorted_sets(doc: np.ndarray, hashes: np.ndarray, count: int) -> list[np.ndarray]:
    """Each text's distinct hashes, sorted, from a flat ``doc``/``hashes`` pair of ``BatchSets``."""
    bounds = np.searchsorted(doc, np.arange(count + 1))
    return [minhash.sorted_unique(hashes[bounds[k] : bounds[k + 1]]) for k in range(count)]
