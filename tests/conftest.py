"""Shared fixtures: the repository root, the samples, and the seeds beside the project."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SEEDS = ROOT.parent / "shared" / "seeds"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture
def seeds() -> Path:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is absent")
    return SEEDS


def seed(prefix: str) -> Path:
    """The seed file whose name starts with ``prefix`` ("000")."""
    return next(SEEDS.glob(f"{prefix}_*.txt"))


# The suite judges by the bigram counts: the language model is an optional extra, and the suite's
# expectations hold on either install.  Set for the whole session, before any fixture starts a
# process (Dask workers, the CLI), so those processes judge the same way.  The tests of the model
# (tests/test_fluency.py, marked ``fluency``) lift it for their own run.
os.environ["RECONCILE_NO_FLUENCY"] = "1"


@pytest.fixture(autouse=True)
def sentence_reading(request, monkeypatch) -> Iterator[None]:
    """The language model reads sentences only in tests marked ``fluency``."""
    from reconcile.text import fluency

    if request.node.get_closest_marker("fluency") is not None:
        monkeypatch.delenv(fluency.DISABLE_ENV, raising=False)
    fluency.available.cache_clear()
    yield
    fluency.available.cache_clear()
