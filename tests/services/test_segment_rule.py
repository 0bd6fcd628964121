"""A short last segment joins the previous one, in every segment plan (study setting)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from observer_app.coding.errors import AccessDenied, InputError
from observer_app.services.study import Study

from .conftest import Lab


@dataclass(frozen=True)
class Probe:
    duration_ms: int
    has_video: bool = True
    fps: float = 25.0


def _segmented(lab: Lab, tmp_path: Path, duration_ms: int) -> tuple[Study, int, int]:
    admin = Study.open(lab.path, probe=lambda _p: Probe(duration_ms), backup=False)
    media = tmp_path / "tail.mp4"
    media.write_bytes(b"T" * 5000)
    rec = admin.recordings.add(media)
    scheme_id = admin.definitions.import_builtin("scheme", "3rs").id
    admin.definitions.import_builtin("instrument", "3rs-segment")
    a = admin.assignments.create(rec.id, lab.ana, scheme_version_id=scheme_id).id
    return admin, rec.id, a


def test_a_12_second_tail_is_not_a_segment_to_rate(lab: Lab, tmp_path: Path) -> None:
    admin, _rec, a = _segmented(lab, tmp_path, 10 * 60_000 + 12_000)  # 5-minute segments
    assert admin.definitions.min_last_segment_ms() == 60_000
    units = admin.definitions.assigned_instruments(a)[0].units
    assert units == (("segment", 0), ("segment", 1))
    unrated = [p.unit_index for p in admin.assignments.problems(a) if p.kind == "unrated_segment"]
    assert unrated == [0, 1]
    admin.definitions.set_min_last_segment(0)  # a study that wants every tail rated
    assert len(admin.definitions.assigned_instruments(a)[0].units) == 3
    admin.definitions.set_min_last_segment(120)
    assert len(admin.definitions.assigned_instruments(a)[0].units) == 2
    with pytest.raises(InputError):
        admin.definitions.set_min_last_segment(-1)
    with lab.as_("Ana Alves") as ana, pytest.raises(AccessDenied):
        ana.definitions.set_min_last_segment(10)
    admin.close()


def test_segment_plans_follow_a_rechecked_duration(lab: Lab, tmp_path: Path) -> None:
    # a 16 kHz MP3 stored as 4:00 that really is 7:00 (the dictaphone file)
    admin, rec, a = _segmented(lab, tmp_path, 4 * 60_000)
    assert len(admin.definitions.assigned_instruments(a)[0].units) == 1
    [change] = admin.recordings.apply_measurements({rec: Probe(7 * 60_000, has_video=False)})
    assert (change.before_ms, change.after_ms, change.changed) == (240_000, 420_000, True)
    assert len(admin.definitions.assigned_instruments(a)[0].units) == 2  # 0-5:00, 5:00-7:00
    [*_, entry] = admin.audit.entries(entity="recording", entity_id=rec)
    assert entry.after is not None and entry.after["duration_ms"] == 420_000
    admin.close()
