"""Reconciliation: alignment with the engine's matching, decisions written into a consensus
assignment with provenance and audit entries, consensus ratings, blinding of the coders."""

from __future__ import annotations

import pytest

from observer_app.coding import agreement as ag
from observer_app.coding.errors import AccessDenied, BlindingViolation, Conflict, InputError
from observer_app.services.consensus import ConsensusService, EventEdit, Reconciliation
from tests.reliability.lab import Lab


def _open(lab: Lab) -> tuple[ConsensusService, Reconciliation]:
    svc = lab.manager().consensus
    return svc, svc.open(lab.recordings[0])


def test_blind_second_coder_never_sees_the_first_coders_work(lab: Lab) -> None:
    rec = lab.recordings[0]
    ana_aid, ben_aid = lab.assignments[(rec, "Ana Alves")], lab.assignments[(rec, "Ben Brook")]
    lab.admin.assignments.reopen(ben_aid)
    ben = lab.as_("Ben Brook")
    with pytest.raises(BlindingViolation):
        ben.events.for_assignment(ana_aid)
    with pytest.raises(BlindingViolation):
        ben.ratings.for_assignment(ana_aid)
    with pytest.raises(BlindingViolation):
        ben.assignments.get(ana_aid)
    assert [a.id for a in ben.assignments.mine() if a.recording_id == rec] == [ben_aid]
    assert all(a.purpose is None for a in ben.assignments.mine())
    with pytest.raises(AccessDenied):
        ben.consensus.open(rec)
    with pytest.raises(AccessDenied):
        ben.reliability.versions_with_data()
    # and the consensus (which shows both coders' work) is blind too
    svc, recon = _open(lab)
    recon = svc.start(recon)
    assert recon.consensus_id is not None
    with pytest.raises(BlindingViolation):
        ben.events.for_assignment(recon.consensus_id)


def test_alignment_uses_the_engines_matching_in_time_order(lab: Lab) -> None:
    _, recon = _open(lab)
    mia = lab.manager()
    a = mia.events.for_assignment(recon.assignment_a)
    b = mia.events.for_assignment(recon.assignment_b)
    pairs = ag.match_point_events(
        [(e.code, e.onset_ms) for e in a], [(e.code, e.onset_ms) for e in b], 2000
    )
    expected = {(a[i].id, b[j].id) for i, j in pairs}
    got = {(i.a.id, i.b.id) for i in recon.items if i.a is not None and i.b is not None}
    assert got == expected
    assert sum(i.a is not None for i in recon.items) == len(a)
    assert sum(i.b is not None for i in recon.items) == len(b)
    times = [i.time_ms for i in recon.items]
    assert times == sorted(times)
    assert len({i.key for i in recon.items}) == len(recon.items)
    for i in recon.items:
        if i.kind == "matched":
            assert i.a is not None and i.b is not None and i.a.code == i.b.code
        elif i.kind == "mismatched":
            assert i.a is not None and i.b is not None and i.a.code != i.b.code
        assert i.is_disagreement == (i.kind != "matched" or i.a.modifiers != i.b.modifiers)  # type: ignore[union-attr]
    # navigation: next/previous walk the disagreements in time order
    dis = recon.disagreements
    assert dis, "the seeded coding has disagreements"
    walked = []
    here = -1
    while (nxt := recon.next_disagreement(here)) is not None:
        walked.append(nxt.key)
        here = nxt.time_ms
    firsts = [d.key for k, d in enumerate(dis) if k == 0 or d.time_ms > dis[k - 1].time_ms]
    assert walked == firsts
    last = dis[-1]
    prev = recon.previous_disagreement(last.time_ms)
    assert prev is None or prev.time_ms < last.time_ms
    assert dis[0].seek_ms() == max(0, dis[0].time_ms - 3000)


def test_decisions_write_consensus_events_with_provenance_and_audit(lab: Lab) -> None:
    svc, recon = _open(lab)
    recon = svc.start(recon)
    cid = recon.consensus_id
    assert cid is not None
    mia = lab.manager()
    info = mia.assignments.get(cid)
    assert (info.purpose, info.coder_name, info.blind) == ("consensus", "Mia Manager", True)
    assert info.reference["sources"] == [recon.assignment_a, recon.assignment_b]
    agreed = [i for i in recon.items if not i.is_disagreement]
    assert all(i.decision == "agree" for i in agreed)
    events = mia.events.for_assignment(cid)
    assert len(events) == len(agreed)
    for e in events:
        assert e.source["decision"] == "agree" and len(e.source["events"]) == 2
    dis = list(recon.disagreements)
    with_a = next(i for i in dis if i.a is not None)
    with_b = next(i for i in dis if i.b is not None and i.key != with_a.key)
    only_a = next((i for i in dis if i.kind == "unmatched_a"), None)

    recon = svc.decide(recon, with_a.key, "accept_a")
    recon = svc.decide(recon, with_b.key, "accept_b")
    new = [e for e in mia.events.for_assignment(cid) if e.source["key"] == with_a.key]
    assert len(new) == 1 and with_a.a is not None
    e = new[0]
    assert (e.code, e.onset_ms, e.modifiers) == (
        with_a.a.code,
        with_a.a.onset_ms,
        with_a.a.modifiers,
    )
    assert e.source["decision"] == "accept_a"
    assert e.source["from_event"] == with_a.a.id
    assert e.source["coders"][0] == recon.coder_a
    assert e.source["events"] == [x.id for x in (with_a.a, with_a.b) if x is not None]
    # the audit log has the insert with the decision as its context
    entries = mia.audit.entries(entity="event", entity_id=e.id)
    assert [(x.action, x.context, x.actor_name) for x in entries] == [
        ("insert", "reconcile: accept A", "Mia Manager")
    ]
    # re-deciding replaces: the earlier consensus event is soft-deleted, audited
    recon = svc.decide(
        recon, with_a.key, "edit", EventEdit("CF", with_a.time_ms + 100, comment="agreed CF")
    )
    live = [x for x in mia.events.for_assignment(cid) if x.source["key"] == with_a.key]
    assert [(x.code, x.source["decision"], x.comment) for x in live] == [
        ("CF", "edit", "agreed CF")
    ]
    gone = mia.events.get(e.id)
    assert gone.deleted
    ctx = [x.context for x in mia.audit.entries(entity="event", entity_id=e.id)]
    assert ctx == ["reconcile: accept A", "reconcile: edit"]
    assert recon.item(with_a.key).decision == "edit"
    # both / neither
    if with_a.b is not None and with_a.a is not None:
        recon = svc.decide(recon, with_a.key, "both")
        both = [x for x in mia.events.for_assignment(cid) if x.source["key"] == with_a.key]
        assert sorted(x.source["from_event"] for x in both) == sorted([with_a.a.id, with_a.b.id])
    recon = svc.decide(recon, with_a.key, "neither")
    assert not [x for x in mia.events.for_assignment(cid) if x.source["key"] == with_a.key]
    assert recon.item(with_a.key).decision == "neither"
    audit = mia.audit.entries(entity="assignment", entity_id=cid)
    assert "reconcile: neither" in [x.context for x in audit]
    if only_a is not None:
        with pytest.raises(InputError, match="coder B logged no event"):
            svc.decide(recon, only_a.key, "accept_b")
    with pytest.raises(InputError, match="decision"):
        svc.decide(recon, with_a.key, "maybe")
    with pytest.raises(InputError, match="not in coding scheme"):
        svc.decide(recon, with_a.key, "edit", EventEdit("NOPE", 1000))
    # reopening the reconciliation shows the decisions
    again = svc.open(lab.recordings[0])
    assert again.consensus_id == cid
    assert again.item(with_b.key).decision == "accept_b"
    assert again.next_disagreement(-1, undecided_only=True) != again.item(with_b.key)


def test_rating_reconciliation_with_provenance(lab: Lab) -> None:
    svc, recon = _open(lab)
    table = svc.ratings(recon)
    assert [c.item_id for c in table] == ["1", "2", "3", "4", "5", "6"]
    mia = lab.manager()
    a = {r.item_id: r.value for r in mia.ratings.for_assignment(recon.assignment_a)}
    b = {r.item_id: r.value for r in mia.ratings.for_assignment(recon.assignment_b)}
    for c in table:
        assert (c.value_a, c.value_b) == (a[c.item_id], b[c.item_id])
        assert c.difference == b[c.item_id] - a[c.item_id]  # type: ignore[operator]
        assert c.differs == (a[c.item_id] != b[c.item_id])
    n_equal = svc.accept_equal_ratings(recon)
    recon = svc.open(lab.recordings[0])
    assert n_equal == sum(not c.differs for c in table)
    differing = [c for c in table if c.differs]
    for k, c in enumerate(differing):
        if k % 2:
            out = svc.decide_rating(recon, c.instrument_version_id, c.item_id, "accept_b")
            assert out.consensus == c.value_b and out.decision == "accept_b"
        else:
            out = svc.decide_rating(recon, c.instrument_version_id, c.item_id, "edit", value=3)
            assert out.consensus == 3 and out.decision == "edit"
    assert recon.consensus_id is not None
    stored = {r.item_id: r for r in mia.ratings.for_assignment(recon.consensus_id)}
    assert set(stored) == set(a)
    for c in table:
        src = stored[c.item_id].source
        assert src["values"] == {"A": c.value_a, "B": c.value_b}
        assert src["coders"] == [recon.coder_a, recon.coder_b]
        assert len(src["ratings"]) == 2
        contexts = [
            x.context for x in mia.audit.entries(entity="rating", entity_id=stored[c.item_id].id)
        ]
        assert contexts[0].startswith("reconcile rating: ")
    with pytest.raises(InputError, match="needs a value"):
        svc.decide_rating(recon, lab.instrument_id, "1", "edit")
    with pytest.raises(InputError):
        svc.decide_rating(recon, lab.instrument_id, "1", "edit", value=9)  # off the 1..5 scale
    # consensus data in analyses: the completed consensus replaces the primary coder's work
    before = svc.analysis_assignments()
    assert before[lab.recordings[0]] == lab.assignments[(lab.recordings[0], "Ana Alves")]
    # the service itself refuses completion while disagreements are undecided (issue 13: it
    # was checked only in the GUI)
    assert recon.undecided
    problems = mia.assignments.complete(recon.consensus_id)
    assert [p.kind for p in problems] == ["undecided_disagreement"]
    assert f"{len(recon.undecided)} disagreement(s)" in problems[0].message
    assert mia.assignments.get(recon.consensus_id).status != "complete"
    for item in recon.undecided:
        recon = svc.decide(recon, item.key, "accept_a" if item.a else "accept_b")
    assert mia.assignments.complete(recon.consensus_id) == []
    after = svc.analysis_assignments()
    assert after[lab.recordings[0]] == recon.consensus_id
    assert svc.analysis_assignments(prefer_consensus=False) == before
    with pytest.raises(Conflict, match="complete"):
        svc.decide(recon, recon.items[0].key, "neither")


def test_only_manager_profiles_reconcile(lab: Lab) -> None:
    admin = lab.admin.consensus
    recon = admin.open(lab.recordings[0])
    with pytest.raises(AccessDenied, match="manager profile"):
        admin.start(recon)
    assert [d.recording_id for d in admin.double_coded()] == lab.recordings
    with pytest.raises(InputError, match="tolerance"):
        admin.open(lab.recordings[0], tolerance_ms=-5)


def test_decisions_on_changed_source_events_are_reported_stale(lab: Lab) -> None:
    svc, recon = _open(lab)
    item = next(i for i in recon.disagreements if i.a is not None)
    recon = svc.decide(recon, item.key, "accept_a")
    assert recon.stale == ()
    mia = lab.manager()
    mia.assignments.reopen(recon.assignment_a)
    assert item.a is not None
    mia.events.delete(item.a.id)
    again = svc.open(lab.recordings[0])
    assert again.stale == (item.key,)
    assert item.key not in {i.key for i in again.items}


def test_a_completed_consensus_goes_stale_when_a_source_changes(lab: Lab) -> None:
    """Issue 13: after a source coder's assignment was reopened and changed, the consensus
    stayed complete and stayed the analysis data."""
    svc, recon = _open(lab)
    recon = svc.start(recon)
    for item in recon.undecided:
        recon = svc.decide(recon, item.key, "accept_a" if item.a else "accept_b")
    svc.accept_equal_ratings(recon)
    mia = lab.manager()
    for c in svc.ratings(recon):
        if c.differs:
            svc.decide_rating(recon, c.instrument_version_id, c.item_id, "accept_a")
    assert mia.assignments.complete(recon.consensus_id) == []
    rec = lab.recordings[0]
    assert svc.analysis_assignments()[rec] == recon.consensus_id
    assert svc.stale() == {}
    mia.assignments.reopen(recon.assignment_a)
    changed = mia.events.log(recon.assignment_a, "WD", 1234)
    assert mia.assignments.complete(recon.assignment_a) == []
    stale = svc.stale()
    assert set(stale) == {recon.consensus_id}
    assert f"assignment #{recon.assignment_a} reopened" in stale[recon.consensus_id]
    assert f"assignment #{recon.assignment_a}: 1 event(s) added" in stale[recon.consensus_id]
    # not analysis data while stale: the completed primary coding is used
    assert svc.analysis_assignments()[rec] == lab.assignments[(rec, "Ana Alves")]
    # re-reconcile from the changes only: reopen; only the new event comes back undecided
    mia.assignments.reopen(recon.consensus_id)
    again = svc.open(rec)
    assert [i.a.id for i in again.undecided if i.a is not None] == [changed.id]
    for item in again.undecided:
        again = svc.decide(again, item.key, "accept_a" if item.a else "accept_b")
    assert mia.assignments.complete(again.consensus_id) == []
    assert svc.stale() == {}
    assert svc.analysis_assignments()[rec] == again.consensus_id
