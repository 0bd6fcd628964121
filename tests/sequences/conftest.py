"""Real SQLite studies for the sequence and phase services."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from observer_app.coding.resources import resource_path
from observer_app.services.demo import ensure_demo_study
from observer_app.services.study import Study

#: A small scheme (no instruments, so assignments complete without ratings) whose categories
#: say which codes are rupture markers and which are strategies.
SCHEME = """
kind = "scheme"
format_version = 1
id = "mini-3rs"
name = "Mini rupture scheme (tests)"
version = "1"
citation = "test scheme"
license = "test scheme"

[segments]
minutes = 5

[[categories]]
id = "withdrawal"
label = "Withdrawal rupture marker"

[[categories]]
id = "confrontation"
label = "Confrontation rupture marker"

[[categories]]
id = "resolution"
label = "Resolution strategy"

[[categories]]
id = "other"
label = "Something else"

[[codes]]
id = "W1"
label = "Denial"
category = "withdrawal"
kind = "point"

[[codes]]
id = "C1"
label = "Complaint"
category = "confrontation"
kind = "point"

[[codes]]
id = "R1"
label = "Clarifies"
category = "resolution"
kind = "point"

[[codes]]
id = "R2"
label = "Invites"
category = "resolution"
kind = "point"

[[codes]]
id = "X"
label = "Other"
category = "other"
kind = "point"
"""


@dataclass(frozen=True)
class ProbeResult:
    duration_ms: int
    has_video: bool = False
    fps: float = 0.0


def manifest_probe(path: Path) -> ProbeResult:
    """The demo files' real durations from the shipped manifest (no libvlc needed)."""
    manifest = json.loads(resource_path("demo", "manifest.json").read_text(encoding="utf-8"))
    durations = {f["file"]: int(f["duration_ms"]) for f in manifest["files"]}
    return ProbeResult(durations.get(Path(path).name, 600_000))


@dataclass
class Lab:
    study: Study
    scheme_id: int
    coders: dict[str, int]
    media: Path


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[Lab]:
    media = tmp_path / "media"
    media.mkdir()
    study = Study.create(tmp_path / "lab.db", "sequences", probe=lambda p: ProbeResult(600_000))
    scheme = study.definitions.import_text(SCHEME, "mini.toml")
    coders = {n: study.coders.add(n).id for n in ("Ana", "Ben", "Cy")}
    study.coders.add("Mo", role="manager")
    yield Lab(study, scheme.id, coders, media)
    study.close()


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ensure_demo_study(tmp_path_factory.mktemp("demo"), probe=manifest_probe)
