"""A corpus held compactly while ``scan`` runs: texts compressed in memory.

A 100,000-report scan that kept every text as a ``str`` (3.5 KiB a report on average:
one curly quote makes Python store a whole text at 2 bytes a character) and every
report's features (8.5 KiB of 64-bit hash sets) for the whole run peaked at 2.7 GB.
Pairing reads a report's text when its worker tokenises it and when it is paired, aligned
or the run is over, so texts are kept zlib-compressed in memory (about 1.4 KiB a report);
features are computed only for paired reports, in the workers that score them
(``pipeline._score_chunk``), and never held for the whole corpus.
"""

from __future__ import annotations

import mmap
import zlib
from array import array
from collections.abc import Iterator, Sequence
from typing import overload


def _pack(text: str) -> bytes:
    """A text as raw deflate, Huffman codes only (no string matching): the parent of a scan packs
    every text as it reads, alone, while the workers parse.  Measured on the 20,000-report bench
    corpus, 0.82 CPU s where level 1 took 1.17 (unpacking 0.28 against 0.35), at 60% of the UTF-8
    size against 59% (the sample articles: 60% against 57%).  Memory level 8, not 9: zlib sets up
    half the state for each text (35 against 47 µs a bench report, the same bytes out for a text
    under 16 KiB, 0.2% larger for one of 50 KB)."""
    # surrogatepass: a JSON string may hold a lone surrogate; the text must come back as read.
    packer = zlib.compressobj(1, zlib.DEFLATED, -15, 8, zlib.Z_HUFFMAN_ONLY)
    return packer.compress(text.encode("utf-8", "surrogatepass")) + packer.flush()


def _unpack(blob: bytes) -> str:
    return zlib.decompress(blob, -15).decode("utf-8", "surrogatepass")


BLOCK_BYTES = 16 << 20
"""Compressed texts are packed into anonymous memory maps of this size, each unmapped as soon as
every text in it has been taken: the memory goes back to the system, where 100,000 freed
1.4 KiB ``bytes`` would leave holes in the heap that 3.5 KiB texts cannot reuse."""


class TextStore(Sequence[str]):
    """Texts by index, each deflated (Huffman codes only, ``_pack``: news text shrinks to ~60%, at
    ~40 µs a report)."""

    def __init__(self, block_bytes: int = BLOCK_BYTES) -> None:
        self._block_bytes = block_bytes
        self._blocks: list[mmap.mmap | None] = []
        self._left: list[int] = []
        """Texts not yet taken, per block."""
        self._used = 0
        self._block = array("i")
        self._start = array("q")
        self._size = array("q")
        self._taken = bytearray()

    def append(self, text: str) -> None:
        blob = _pack(text)
        if not self._blocks or self._used + len(blob) > len(self._blocks[-1] or b""):
            self._blocks.append(mmap.mmap(-1, max(self._block_bytes, len(blob))))
            self._left.append(0)
            self._used = 0
        block = self._blocks[-1]
        assert block is not None
        block[self._used : self._used + len(blob)] = blob
        self._block.append(len(self._blocks) - 1)
        self._start.append(self._used)
        self._size.append(len(blob))
        self._taken.append(0)
        self._left[-1] += 1
        self._used += len(blob)

    def __len__(self) -> int:
        return len(self._start)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...

    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            return [self[k] for k in range(*index.indices(len(self)))]
        if self._taken[index]:
            raise KeyError(f"text {index} was taken out of the store")
        block = self._blocks[self._block[index]]
        assert block is not None
        start = self._start[index]
        return _unpack(block[start : start + self._size[index]])

    def __iter__(self) -> Iterator[str]:
        for k in range(len(self)):
            yield self[k]

    def take(self, index: int) -> str:
        """The text, dropping the compressed copy: the caller holds the text from now on."""
        text = self[index]
        self.drop(index)
        return text

    def drop(self, index: int) -> None:
        """Drop a text unread, as ``take`` does once it has read it: a block's memory is given back
        when every text in it is gone."""
        if self._taken[index]:
            raise KeyError(f"text {index} was taken out of the store")
        self._taken[index] = 1
        number = self._block[index]
        self._left[number] -= 1
        block = self._blocks[number]
        if self._left[number] == 0 and block is not None:
            block.close()
            self._blocks[number] = None


class Subset(Sequence[str]):
    """The texts of some indices of a store, in order, read lazily."""

    def __init__(self, texts: Sequence[str], indices: Sequence[int]) -> None:
        self._texts = texts
        self._indices = indices

    def __len__(self) -> int:
        return len(self._indices)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...

    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            return [self._texts[k] for k in self._indices[index]]
        return self._texts[self._indices[index]]
