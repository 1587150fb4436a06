"""Process settings the command line makes before numpy is imported.

numpy's OpenBLAS starts a pool of threads when it loads; the tool's numpy work is element-wise or
on small matrices and never calls into BLAS in parallel, so the pool only costs time at start-up
(60-100 ms of a ``reconcile compare`` on this 2-core machine, more when other jobs hold the cores).
The command line asks for one BLAS thread unless the user set ``OPENBLAS_NUM_THREADS`` already;
the library (``import reconcile``) leaves the setting alone.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
