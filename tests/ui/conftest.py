"""Fixtures of the coding-window tests: a real SQLite study in tmp_path coded with a fictional
scheme (point codes, state codes, an exclusive pair, a code with a required modifier, 1-minute
segments rated with a segment form, a session form), and the media engine's ``FakePlayer``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from observer_app.media import FakePlayer, MediaError, MediaInfo
from observer_app.services.study import Study

HERE = Path(__file__).parent
DURATION_MS = 190_000  # three segments: 0-60 s, 60-120 s, 120-190 s (a tail under 60 s would join)
FPS = 25.0


def probe_stub(path: Path) -> Any:
    """Stands in for libvlc's probe on the fixture's opaque media bytes."""
    return SimpleNamespace(duration_ms=DURATION_MS, has_video=True, fps=FPS)


@dataclass
class UiLab:
    path: Path  # or a PostgreSQL URL (``lab_on_both``)
    media: Path
    ana: int
    ben: int
    manager: int
    mine: int  # Ana's primary, blind assignment
    reliability: int  # Ana's reliability assignment (blind: purpose hidden)
    bens: int  # Ben's assignment
    scheme_version: int

    def open_as(self, name: str, password: str | None = None) -> Study:
        return Study.open(self.path, as_coder=name, password=password, backup=False)


def build_study(
    folder: Path, media: Path, probe: Any = probe_stub, location: Path | str | None = None
) -> UiLab:
    path = folder / "ui.db" if location is None else location
    with Study.create(path, "UI test study", probe=probe) as admin:
        scheme = admin.definitions.import_text((HERE / "scheme.toml").read_text(), "scheme.toml")
        admin.definitions.import_text((HERE / "segment.toml").read_text(), "segment.toml")
        admin.definitions.import_text((HERE / "session.toml").read_text(), "session.toml")
        ana = admin.coders.add("Ana Alves").id
        ben = admin.coders.add("Ben Brook", password="pw-ben").id
        manager = admin.coders.add("Mia Manager", role="manager").id
        rec = admin.recordings.add(media, session_number=1).id
        mine = admin.assignments.create(rec, ana, scheme_version_id=scheme.id).id
        rel = admin.assignments.create(
            rec, ana, purpose="reliability", scheme_version_id=scheme.id
        ).id
        bens = admin.assignments.create(rec, ben, scheme_version_id=scheme.id).id
    return UiLab(path, media, ana, ben, manager, mine, rel, bens, scheme.id)  # type: ignore[arg-type]


def opaque_media(folder: Path, name: str = "session.mp4") -> Path:
    path = folder / name
    path.write_bytes(bytes(range(256)) * 4096)
    return path


@pytest.fixture
def lab(tmp_path: Path) -> UiLab:
    return build_study(tmp_path, opaque_media(tmp_path))


@pytest.fixture
def lab_on_both(tmp_path: Path, study_location: str) -> UiLab:
    """The same study in a SQLite file, then (second run) in a PostgreSQL database."""
    return build_study(tmp_path, opaque_media(tmp_path), location=study_location)


@pytest.fixture
def make_lab() -> Any:
    """``build_study(folder, media, probe)`` for tests that bring their own media."""
    return build_study


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def fake_media_info(path: Path) -> MediaInfo:
    """What the FakePlayer reports for a recording file that exists (any bytes)."""
    if not Path(path).is_file():
        raise MediaError(f"{path}: no such file")
    return MediaInfo(str(path), DURATION_MS, FPS, 320, 240, True, True)


@pytest.fixture
def fake_player(qapp: Any) -> Iterator[FakePlayer]:
    """The media engine's FakePlayer: time moves only when the test seeks or advances it."""
    player = FakePlayer(probe=fake_media_info)
    yield player
    player.close()
