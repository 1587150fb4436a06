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
