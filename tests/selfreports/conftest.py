"""Fixtures: the generated three-perspective study of :mod:`tests.selfreports.lab`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.selfreports.lab import PerspectiveLab, build_lab


@pytest.fixture
def plab(tmp_path: Path) -> Iterator[PerspectiveLab]:
    lab = build_lab(tmp_path)
    yield lab
    lab.study.close()
