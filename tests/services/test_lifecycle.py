"""Audit trail, completion and reopening, passwords, recordings, planning through the facade."""

from __future__ import annotations

from pathlib import Path

import pytest

from observer_app.coding.errors import (
    AccessDenied,
    AuthenticationError,
    Conflict,
    InputError,
    NotFound,
)
from observer_app.services.study import Study
from observer_app.store.migrate import head_revision

from .conftest import Lab, make_media


def test_every_change_is_audited_with_actor_before_and_after(lab: Lab) -> None:
    a = lab.admin.assignments.create(lab.rec1, lab.ana).id
    ana = lab.as_("Ana Alves")
    ev = ana.events.log(a, "withdrawal", 1_000)
    ana.events.update(ev.id, onset_ms=1_040, comment="late")
    ana.events.delete(ev.id)
    log = lab.admin.audit.entries(entity="event", entity_id=ev.id)
    assert [e.action for e in log] == ["insert", "update", "update"]
    assert all(e.actor_name == "Ana Alves" for e in log)
    assert log[0].after is not None and log[0].after["onset_ms"] == 1_000
    assert log[1].before is not None
    assert (log[1].before["onset_ms"], log[1].before["comment"]) == (1_000, "")
    assert log[1].after is not None and log[1].after["onset_ms"] == 1_040
    assert log[2].context == "delete event" and log[2].after is not None
    assert log[2].after["deleted"] is True
    with pytest.raises(AccessDenied):
        ana.audit.entries()


def test_failed_action_writes_nothing(lab: Lab) -> None:
    a = lab.admin.assignments.create(lab.rec1, lab.ana).id
    ana = lab.as_("Ana Alves")
    before = len(lab.admin.audit.entries())
    with pytest.raises(InputError):
        ana.events.log(a, "withdrawal", 5_000, offset_ms=4_000)
    assert ana.events.for_assignment(a) == []
    assert len(lab.admin.audit.entries()) == before


def test_complete_is_read_only_until_a_manager_reopens(lab: Lab) -> None:
    a = lab.admin.assignments.create(lab.rec1, lab.ana).id
    ana = lab.as_("Ana Alves")
    ev = ana.events.log(a, "confrontation", 2_000, is_state=True)
    problems = ana.assignments.complete(a)
    assert [p.kind for p in problems] == ["open_state"] and problems[0].event_id == ev.id
    assert ana.assignments.get(a).status == "in_progress"
    ana.events.update(ev.id, offset_ms=9_000)
    assert ana.assignments.complete(a) == []
    assert ana.assignments.get(a).status == "complete"
    with pytest.raises(AccessDenied, match="read-only"):
        ana.events.log(a, "withdrawal", 1)
    with pytest.raises(AccessDenied):
        ana.assignments.reopen(a)
    lab.as_("Mia Manager", "s3cret").assignments.reopen(a)
    assert ana.events.log(a, "withdrawal", 1).code == "withdrawal"


def test_passwords_and_inactive_coders(lab: Lab) -> None:
    with pytest.raises(AuthenticationError, match="wrong password"):
        lab.as_("Mia Manager", "nope")
    with pytest.raises(AuthenticationError, match="wrong password"):
        lab.as_("Mia Manager")
    with pytest.raises(AuthenticationError, match="no coder named"):
        lab.as_("Nobody")
    lab.admin.coders.set_active(lab.ben, False)
    with pytest.raises(AuthenticationError, match="deactivated"):
        lab.as_("Ben Brook")
    stored = lab.admin.coders.get("Mia Manager")
    assert stored.has_password
    with pytest.raises(AccessDenied):
        lab.as_("Ana Alves").coders.add("Eve")


def test_recordings_duplicates_missing_and_relink(lab: Lab, tmp_path: Path) -> None:
    with pytest.raises(Conflict, match="already in the study"):
        lab.admin.recordings.add(tmp_path / "s01.mp4")
    with pytest.raises(InputError, match="no such file"):
        lab.admin.recordings.add(tmp_path / "missing.mp4")
    moved = tmp_path / "moved"
    moved.mkdir()
    (tmp_path / "s02.mp4").rename(moved / "renamed.mp4")
    make_media(moved, "other.mp4", seed=9)
    found = lab.admin.recordings.find_moved(moved)
    assert found == {lab.rec2: moved / "renamed.mp4"}
    with pytest.raises(InputError, match="fingerprint differs"):
        lab.admin.recordings.relink(lab.rec2, moved / "other.mp4")
    info = lab.admin.recordings.relink(lab.rec2, moved / "renamed.mp4")
    assert info.media_path == str(moved / "renamed.mp4")


def test_plan_is_reproducible_balanced_and_blind(lab: Lab, tmp_path: Path) -> None:
    for i in range(3, 13):
        lab.admin.recordings.add(make_media(tmp_path, f"s{i:02}.mp4", seed=i))
    coders = [lab.ana, lab.ben, lab.admin.coders.add("Cy Cole").id]
    plan = lab.admin.assignments.plan(coders, double_share=0.25, seed=7)
    again = lab.admin.assignments.plan(coders, double_share=0.25, seed=7)
    assert plan == again
    lab.admin.assignments.apply_plan(plan)
    rows = lab.admin.assignments.list_all()
    primaries = [r for r in rows if r.purpose == "primary"]
    reliab = [r for r in rows if r.purpose == "reliability"]
    assert len(primaries) == 12 and len(reliab) == 3
    loads = [sum(r.coder_id == c for r in primaries) for c in coders]
    assert max(loads) - min(loads) <= 1
    by_rec = {r.recording_id: r.coder_id for r in primaries}
    assert all(by_rec[r.recording_id] != r.coder_id for r in reliab)
    assert all(r.blind for r in rows)
    # Re-planning finds nothing new to assign.
    assert lab.admin.assignments.plan(coders, double_share=0.25, seed=7).assignments == ()


def test_open_missing_and_create_twice(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="no such study database"):
        Study.open(tmp_path / "none.db")
    Study.create(tmp_path / "x.db", "X").close()
    with pytest.raises(Conflict, match="already exists"):
        Study.create(tmp_path / "x.db", "X")


def test_info_counts(lab: Lab) -> None:
    a = lab.admin.assignments.create(lab.rec1, lab.ana).id
    lab.as_("Ana Alves").events.log(a, "withdrawal", 10)
    info = lab.admin.info()
    assert (info.recordings, info.coders, info.events, info.ratings) == (2, 3, 1, 0)
    assert info.assignments_by_status == {
        "not_started": 0,
        "in_progress": 1,
        "complete": 0,
        "cancelled": 0,
    }
    assert info.schema_version == head_revision()
