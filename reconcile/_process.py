"""Process settings the command line makes before its imports.

- **One BLAS thread.** numpy's OpenBLAS starts a pool of threads when it loads; the tool's numpy
  work is element-wise or on small matrices and never calls into BLAS in parallel, so the pool only
  costs time at start-up (60-100 ms of a ``reconcile compare`` on this 2-core machine, more when
  other jobs hold the cores).  The command line asks for one BLAS thread unless the user set
  ``OPENBLAS_NUM_THREADS`` already.
- **No garbage collection while importing.** Importing the command line's modules (numpy,
  rapidfuzz, click, ``reconcile``'s own, with their dataclasses and patterns) allocates some 40,000
  container objects, none of them garbage, and CPython's collector walks the ever larger heap again
  and again on the way: 10-15% of a whole ``reconcile compare`` (about 40 ms of 330 on this
  machine).  ``pause_collection`` turns the collector off before the imports and
  ``resume_collection`` (at the end of ``reconcile.cli``) freezes what the imports made
  (``gc.freeze``: later collections skip those objects, which live as long as the process) and
  turns it on again, so the comparison or scan itself runs with the collector as usual.

The library (``import reconcile``) leaves both alone: only ``reconcile.cli`` imports this module.
"""

from __future__ import annotations

import gc
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

_paused = False


def pause_collection() -> None:
    """Turn the garbage collector off for the imports, if it is on (someone else may have turned it off)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume_collection() -> None:
    """Freeze the objects the imports made and turn the collector back on, if ``pause_collection`` turned it off."""
    global _paused
    if _paused:
        gc.freeze()
        gc.enable()
        _paused = False


pause_collection()
