"""Fixtures of the manager-window tests: real SQLite studies in tmp_path, real files."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from observer_app.coding.resources import resource_path
from observer_app.services.study import Study


@dataclass(frozen=True)
class FakeProbeResult:
    duration_ms: int
    has_video: bool = True
    fps: float = 25.0


class GatedProbe:
    """A media probe that can be held (to test cancelling) and counts its calls."""

    def __init__(self, duration_ms: int = 3_000_000) -> None:
        self.duration_ms = duration_ms
        self.gate = threading.Event()
        self.gate.set()
        self.calls: list[Path] = []
        self.entered = threading.Event()

    def __call__(self, path: Path) -> FakeProbeResult:
        self.calls.append(Path(path))
        self.entered.set()
        self.gate.wait(10)
        return FakeProbeResult(self.duration_ms)


def make_media(folder: Path, name: str, seed: int, size: int = 64 * 1024) -> Path:
    """Distinct bytes per seed (the services fingerprint media as opaque files)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    block = bytes((seed * 31 + i) % 251 for i in range(1024))
    path.write_bytes(block * (size // 1024))
    return path


@dataclass
class Lab:
    path: Path
    study: Study
    probe: GatedProbe
    coders: dict[str, int]
    recordings: list[int]
    media: Path


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[Lab]:
    probe = GatedProbe()
    study = Study.create(tmp_path / "lab.db", "Manager UI test", probe=probe)
    coders = {name: study.coders.add(name).id for name in ("Ana Alves", "Ben Brook", "Cy Cole")}
    coders["Mo Master"] = study.coders.add("Mo Master", role="manager").id
    media = tmp_path / "media"
    recordings = [
        study.recordings.add(make_media(media, f"s{i:02d}.mp4", i), session_number=i).id
        for i in range(1, 9)
    ]
    yield Lab(tmp_path / "lab.db", study, probe, coders, recordings, media)
    study.close()


@pytest.fixture
def demo_media(tmp_path: Path) -> Path:
    """The shipped demo recordings (real video and audio) copied into tmp_path."""
    folder = tmp_path / "demo_media"
    folder.mkdir()
    for name in ("demo_session_1.mp4", "demo_session_2.ogg"):
        shutil.copy(resource_path("demo", name), folder / name)
    return folder
