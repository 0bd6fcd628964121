"""Fixtures: a double-coded study (three coders, each recording coded by all three)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .lab import Lab, build_lab


@pytest.fixture(scope="module")
def crossed(tmp_path_factory: pytest.TempPathFactory, module_study_location: str) -> Lab:
    """Six recordings, each coded by all three coders (a fully crossed design); on both
    engines."""
    return build_lab(
        tmp_path_factory.mktemp("crossed"),
        n_recordings=6,
        coders_per_recording=3,
        location=module_study_location,
    )


@pytest.fixture
def pairs(tmp_path: Path, study_location: str) -> Lab:
    """Four recordings, each coded by two of the three coders (round robin); both engines."""
    return build_lab(tmp_path, n_recordings=4, coders_per_recording=2, location=study_location)
