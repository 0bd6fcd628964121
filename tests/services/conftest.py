"""Fixtures: a real SQLite study file in tmp_path with two coders and a manager."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from observer_app.services.study import Study


@dataclass
class Lab:
    #: A SQLite file or a PostgreSQL URL: every service test runs on both engines.
    path: str
    admin: Study
    ana: int
    ben: int
    mia: int
    rec1: int
    rec2: int

    def as_(self, name: str, password: str | None = None) -> Study:
        return Study.open(self.path, as_coder=name, password=password, backup=False)


def make_media(folder: Path, name: str, size: int = 3 * 1024 * 1024, seed: int = 0) -> Path:
    """A file with distinct content (the services treat media as opaque bytes)."""
    path = folder / name
    block = bytes((seed * 31 + i) % 251 for i in range(1024))
    path.write_bytes(block * (size // 1024))
    return path


@pytest.fixture
def lab(tmp_path: Path, study_location: str) -> Lab:
    path = study_location
    admin = Study.create(path, "Alliance pilot")
    ana = admin.coders.add("Ana Alves").id
    ben = admin.coders.add("Ben Brook").id
    mia = admin.coders.add("Mia Manager", role="manager", password="s3cret").id
    rec1 = admin.recordings.add(make_media(tmp_path, "s01.mp4", seed=1), session_number=1).id
    rec2 = admin.recordings.add(make_media(tmp_path, "s02.mp4", seed=2), session_number=2).id
    return Lab(path, admin, ana, ben, mia, rec1, rec2)
