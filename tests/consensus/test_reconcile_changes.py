"""Issue 13: a stale consensus is re-reconciled from the changes only, on both engines."""

from __future__ import annotations

from pathlib import Path

from tests.reliability.lab import build_lab


def test_reopened_stale_consensus_lists_only_the_changed_items(
    tmp_path: Path, study_location: str
) -> None:
    lab = build_lab(
        tmp_path, n_recordings=1, coders_per_recording=2, seed=11, location=study_location
    )
    svc = lab.manager().consensus
    rec_id = lab.recordings[0]
    recon = svc.start(svc.open(rec_id))
    for item in recon.undecided:
        recon = svc.decide(recon, item.key, "accept_a" if item.a else "accept_b")
    svc.accept_equal_ratings(recon)
    for c in svc.ratings(recon):
        if c.differs:
            svc.decide_rating(recon, c.instrument_version_id, c.item_id, "accept_a")
    mia = lab.manager()
    assert recon.consensus_id is not None
    assert mia.assignments.complete(recon.consensus_id) == []
    assert svc.open_changes(rec_id).items == ()  # nothing changed: nothing to decide
    decided = len(recon.items)
    mia.assignments.reopen(recon.assignment_a)
    added = mia.events.log(recon.assignment_a, "WD", 1234)
    assert mia.assignments.complete(recon.assignment_a) == []
    assert "1 event(s) added" in svc.stale()[recon.consensus_id]
    mia.assignments.reopen(recon.consensus_id)
    changes = svc.open_changes(rec_id)
    assert [i.a.id for i in changes.items if i.a is not None] == [added.id]
    assert all(i.decision is None for i in changes.items)
    assert len(svc.open(rec_id).items) > len(changes.items)  # the full list is still there
    for item in changes.items:
        changes = svc.decide(changes, item.key, "accept_a" if item.a else "accept_b")
    assert mia.assignments.complete(recon.consensus_id) == []
    assert svc.stale() == {}
    assert len(svc.open(rec_id).items) >= decided
