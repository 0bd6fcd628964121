"""Fixtures: a double-coded study (three coders, each recording coded by all three)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .lab import Lab, build_lab


@pytest.fixture(scope="module")
def crossed(tmp_path_factory: pytest.TempPathFactory) -> Lab:
    """Six recordings, each coded by all three coders (a fully crossed design)."""
    return build_lab(tmp_path_factory.mktemp("crossed"), n_recordings=6, coders_per_recording=3)


@pytest.fixture
def pairs(tmp_path: Path) -> Lab:
    """Four recordings, each coded by two of the three coders (round robin)."""
    return build_lab(tmp_path, n_recordings=4, coders_per_recording=2)
