"""Moving work (issue 13): reassign, cancel, reopen, soft-delete, hand over, top up, stratified
sampling, shares rounded up, same seed same plan."""

from __future__ import annotations

from pathlib import Path

import pytest

from observer_app.coding.errors import AccessDenied, Conflict
from observer_app.coding.planning import plan_assignments, share_count
from tests.reliability.lab import build_lab


def test_shares_are_rounded_up() -> None:
    """25 % of 10 recordings is 3 (round half to even gave 2)."""
    assert share_count(0.25, 10) == 3
    assert share_count(0.3, 10) == 3
    assert share_count(0.2, 10) == 2
    plan = plan_assignments(list(range(10)), [1, 2, 3], double_share=0.25, seed=4)
    assert len(plan.for_purpose("reliability")) == 3


def test_stratified_share_covers_every_stratum_and_is_reproducible() -> None:
    recs = list(range(1, 21))
    strata = {r: (1 if r <= 10 else 2) for r in recs}
    for seed in range(30):
        plan = plan_assignments(recs, [1, 2, 3], double_share=0.1, seed=seed, strata=strata)
        doubled = [a.recording_id for a in plan.for_purpose("reliability")]
        assert sorted(strata[r] for r in doubled) == [1, 2]
        again = plan_assignments(recs, [1, 2, 3], double_share=0.1, seed=seed, strata=strata)
        assert again == plan


def test_reassign_cancel_reopen_delete(tmp_path: Path) -> None:
    lab = build_lab(tmp_path, n_recordings=2, coders_per_recording=1, complete=False)
    admin = lab.admin
    rec = lab.recordings[0]
    old = lab.assignments[(rec, "Ana Alves")]
    before = {e.id for e in admin.events.for_assignment(old)}
    assert before
    new = admin.assignments.reassign(old, lab.coders["Ben Brook"])
    assert new.coder_name == "Ben Brook" and new.status == "not_started"
    assert admin.events.for_assignment(new.id) == []  # nothing of the old coder's work
    gone = admin.assignments.get(old)
    assert gone.status == "cancelled" and gone.reference["reassigned_to"] == new.id
    with Study_as(lab, "Ana Alves") as ana:
        assert old not in {a.id for a in ana.assignments.mine()}
        with pytest.raises(AccessDenied, match="cancelled"):
            ana.events.log(old, "WD", 1000)
    kept = admin.assignments.reassign(new.id, lab.coders["Cy Cole"], keep_work=True)
    assert kept.status == "not_started"
    audit = [e for e in admin.audit.entries() if "reassign" in (e.context or "")]
    assert len(audit) >= 2
    with pytest.raises(Conflict, match="reassigned"):
        admin.assignments.reopen(old)
    other = lab.assignments[(lab.recordings[1], "Ben Brook")]
    admin.assignments.cancel(other)
    assert admin.assignments.reopen(other).status == "in_progress"
    admin.assignments.cancel(other)
    admin.assignments.delete(other)
    assert other not in {a.id for a in admin.assignments.list_all()}


def test_keep_work_copies_the_old_coders_events(tmp_path: Path) -> None:
    lab = build_lab(tmp_path, n_recordings=1, coders_per_recording=1, complete=False)
    admin = lab.admin
    old = lab.assignments[(lab.recordings[0], "Ana Alves")]
    n = len(admin.events.for_assignment(old))
    new = admin.assignments.reassign(old, lab.coders["Cy Cole"], keep_work=True)
    assert len(admin.events.for_assignment(new.id)) == n
    assert new.status == "in_progress"


def test_hand_over_a_deactivated_coders_work(tmp_path: Path) -> None:
    lab = build_lab(tmp_path, n_recordings=3, coders_per_recording=1, complete=False)
    admin = lab.admin
    ana = lab.coders["Ana Alves"]
    admin.coders.set_active(ana, False)
    mine = [a for a in admin.assignments.list_all() if a.coder_id == ana]
    moved = admin.assignments.hand_over(ana, lab.coders["Cy Cole"])
    assert len(moved) == len(mine) and all(m.coder_name == "Cy Cole" for m in moved)
    assert all(admin.assignments.get(a.id).status == "cancelled" for a in mine)


def test_top_up_double_coding_later(tmp_path: Path) -> None:
    lab = build_lab(tmp_path, n_recordings=4, coders_per_recording=1)
    admin = lab.admin
    ids = [lab.coders[n] for n in ("Ana Alves", "Ben Brook", "Cy Cole")]
    assert admin.assignments.plan(ids, double_share=0.5, seed=1).assignments == ()
    plan = admin.assignments.plan_top_up(ids, double_share=0.5, seed=1)
    assert len(plan.assignments) == 2 and plan.seed == 1
    assert plan == admin.assignments.plan_top_up(ids, double_share=0.5, seed=1)
    admin.assignments.apply_plan(plan, scheme_version_id=lab.scheme_id)
    assert admin.assignments.plan_top_up(ids, double_share=0.5, seed=1).assignments == ()
    by_phase = admin.assignments.plan_top_up(ids, double_share=0.5, seed=2, strata_by="phase")
    assert by_phase.strata_by == "phase"


def Study_as(lab, name: str):
    from observer_app.services.study import Study

    return Study.open(lab.path, as_coder=name, backup=False)
