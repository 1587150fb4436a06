"""Shared fixtures: the repository root, the samples, and the seeds beside the project."""

from __future__ import annotations

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


@pytest.fixture(autouse=True)
def bigram_judgement(request, monkeypatch) -> None:
    """Judge by the bigram counts unless a test asks for the language model (``fluency`` marker).

    The model is an optional extra: the suite's expectations hold on either install, and the tests
    of the model (tests/test_fluency.py) run where it is installed and skip where it is not.
    """
    from reconcile.text import fluency

    if request.node.get_closest_marker("fluency") is None:
        monkeypatch.setenv(fluency.DISABLE_ENV, "1")
    else:
        monkeypatch.delenv(fluency.DISABLE_ENV, raising=False)
    fluency.available.cache_clear()
