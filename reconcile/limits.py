"""Bounds of the size parameters, each with the figures that chose it.

A mistyped size (the tester's ``--num-perm 1048576``) must be refused at once in one
line, not run until the machine kills the process for memory (21 GB) with partial files left.
"""

from __future__ import annotations

MAX_NUM_PERM = 1024
"""The most MinHash bins: each item's signature takes ``num_perm`` x 4 bytes and every cluster
keeps a ``num_perm``-byte sketch in memory, so 1,024 (16 x the default 64, more than
datasketch's usual 128-256) is already generous; the tester's 1,048,576 ran out of memory at 21 GB."""
MAX_SHINGLE_SIZE = 25
"""The most words per shingle: beyond a sentence's length every edit breaks every shingle."""
MAX_BATCH_SIZE = 50_000
"""The most items to a batch: a batch is held several times over (its reads, its sketches, up to
``READ_AHEAD`` more batches ready in the reader), so 50,000 news items (~5 KB each) already take
one to two GB; past a few thousand a larger batch is no faster."""
MAX_WORKERS = 64
"""The most ``scan`` processes: each holds its share of the corpus and the pairing tables, so
past the cores more only cost memory; 64 is eight times the largest machine the figures were
measured on."""
MAX_INPUT_BYTES = 8 << 30
"""The largest ``--max-bytes``: files other than JSON Lines are read whole, and parsing a page or
table takes several times its size in memory, so beyond 8 GiB a file can only exhaust it."""
