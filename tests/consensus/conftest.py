"""Fixtures: a study whose recordings are each coded by two coders (blind)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.lab import Lab, build_lab


@pytest.fixture
def lab(tmp_path: Path, study_location: str) -> Lab:
    """Two recordings coded blind by two coders each, on both engines."""
    return build_lab(
        tmp_path, n_recordings=2, coders_per_recording=2, seed=11, location=study_location
    )
