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


def complete(study: Study, assignment_id: int) -> None:
    problems = study.assignments.complete(assignment_id)
    assert problems == [], problems


@dataclass
class Coded:
    """A study with double-coded, completed work for a scheme and an instrument, and calibration
    of two coders against a master coder."""

    lab: Lab
    scheme_id: int
    instrument_id: int
    pairs: dict[int, tuple[int, int]]  # recording -> (Ana's primary, Ben's reliability)
    calibration: list[int]


def code_study(lab: Lab, seed: int = 7, *, calibration: bool = True) -> Coded:
    """Events (jittered copies of a seeded 'true' sequence, some codes changed, some dropped)
    and instrument ratings (true value plus occasional +-1), all completed."""
    import random

    study = lab.study
    scheme_id = study.definitions.import_builtin("scheme", "3rs").id
    instrument_id = study.definitions.import_builtin("instrument", "alliance-quick-demo").id
    scheme = study.definitions.scheme(scheme_id)
    inst = study.definitions.instrument(instrument_id)
    codes = [c.id for c in scheme.codes if c.kind == "point"][:6]
    rng = random.Random(seed)
    ana, ben = lab.coders["Ana Alves"], lab.coders["Ben Brook"]

    def code(aid: int, truth: list[tuple[int, str]], noise: float, rec_seed: int) -> None:
        r = random.Random(rec_seed)
        for onset, true_code in truth:
            if r.random() < noise / 2:
                continue  # dropped
            c = true_code
            if r.random() < noise:
                c = codes[(codes.index(c) + 1) % len(codes)]
            study.events.log(aid, c, max(0, onset + r.randint(-800, 800)), is_state=False)
        for item in inst.items:
            scale = inst.scale_of(item)
            true_value = random.Random(f"{aid // 1000}/{item.id}/{truth[0][0]}").randint(
                scale.min, scale.max
            )
            value = true_value + (r.choice((-1, 1)) if r.random() < noise else 0)
            study.ratings.set(aid, instrument_id, item.id, min(scale.max, max(scale.min, value)))
        complete(study, aid)

    pairs: dict[int, tuple[int, int]] = {}
    for rid in lab.recordings[:5]:
        truth = sorted(
            (rng.randint(0, 600_000), rng.choice(codes)) for _ in range(rng.randint(6, 12))
        )
        a = study.assignments.create(rid, ana, scheme_version_id=scheme_id).id
        b = study.assignments.create(
            rid, ben, purpose="reliability", scheme_version_id=scheme_id
        ).id
        code(a, truth, 0.1, rid * 10 + 1)
        code(b, truth, 0.25, rid * 10 + 2)
        pairs[rid] = (a, b)
    master, cy = lab.coders["Mo Master"], lab.coders["Cy Cole"]
    calibrated: list[int] = []
    for k, rid in enumerate(lab.recordings[5:8] if calibration else []):
        truth = sorted((rng.randint(0, 600_000), rng.choice(codes)) for _ in range(10))
        m = study.assignments.create(
            rid,
            master,
            purpose="calibration",
            scheme_version_id=scheme_id,
            reference={"role": "master"},
        ).id
        ref = {"master_coder_id": master, "master_assignment_id": m}
        c = study.assignments.create(
            rid, cy, purpose="calibration", scheme_version_id=scheme_id, reference=ref
        ).id
        code(m, truth, 0.0, rid * 10 + 3)
        code(c, truth, 0.1 + 0.2 * k, rid * 10 + 4)  # Cy drifts
        calibrated += [m, c]
    return Coded(lab, scheme_id, instrument_id, pairs, calibrated)
