"""Phase and sequence services on real SQLite studies: which codings count, known answers,
access rules, settings stored in the study, and the demo study's phase difference."""

from __future__ import annotations

import pytest

from observer_app.coding.errors import AccessDenied, InputError
from observer_app.coding.phases import Phase
from observer_app.services.sequences import SequenceSettings, parse_window
from observer_app.services.study import Study
from tests.sequences.conftest import Lab


def recording(lab: Lab, name: str, session: int, dyad: str = "D1") -> int:
    path = lab.media / name
    path.write_bytes(name.encode() * 100)
    return lab.study.recordings.add(
        path, dyad_id=dyad, therapist_id="T1", client_id=dyad, session_number=session
    ).id


def coded(lab: Lab, rec: int, coder: str, events: list[tuple[str, float]], **kw: object) -> int:
    a = lab.study.assignments.create(
        rec, lab.coders[coder], scheme_version_id=lab.scheme_id, **kw
    ).id
    for code, seconds in events:
        lab.study.events.log(a, code, int(seconds * 1000))
    assert lab.study.assignments.complete(a) == []
    return a


def test_known_answers_through_the_service(lab: Lab) -> None:
    r1 = recording(lab, "s1.mp4", 2)
    r2 = recording(lab, "s2.mp4", 7)
    coded(lab, r1, "Ana", [("W1", 10), ("R1", 18.5), ("C1", 100), ("X", 101)])
    coded(lab, r1, "Ben", [("W1", 11), ("R2", 21)], purpose="reliability")
    coded(lab, r1, "Cy", [("W1", 1)], purpose="calibration")  # practice: not analysed
    coded(lab, r2, "Ana", [("C1", 0), ("W1", 10), ("R1", 20)])
    open_work = lab.study.assignments.create(r2, lab.coders["Ben"], scheme_version_id=lab.scheme_id)
    lab.study.events.log(open_work.id, "W1", 5000)  # incomplete: not analysed

    report = lab.study.sequences.report(permutation=False)
    assert sorted((c.coder, c.recording.id) for c in report.sessions) == [
        ("Ana", r1),
        ("Ana", r2),
        ("Ben", r1),
    ]
    got = sorted(
        (
            row.session.coder,
            row.session.recording.id,
            row.repair.rupture.code,
            row.repair.time_to_repair_ms,
        )
        for row in report.ruptures
    )
    assert got == [
        ("Ana", r1, "C1", None),
        ("Ana", r1, "W1", 8500),
        ("Ana", r2, "C1", None),
        ("Ana", r2, "W1", 10_000),
        ("Ben", r1, "W1", 10_000),
    ]
    (phase1,) = [s for s in report.summary("phase") if s.key.startswith("1 ")]
    assert (phase1.codings, phase1.summary.ruptures, phase1.summary.resolved) == (2, 3, 2)
    assert phase1.summary.per_hour == pytest.approx(3 / (2 * 600_000 / 3_600_000))
    assert phase1.summary.median_ms == pytest.approx(9250)
    assert report.lag.count("withdrawal", "resolution") == 3


def test_consensus_replaces_the_coders(lab: Lab) -> None:
    rec = recording(lab, "s1.mp4", 1)
    a = coded(lab, rec, "Ana", [("W1", 10), ("R1", 12)])
    b = coded(lab, rec, "Ben", [("W1", 10), ("R1", 12)], purpose="reliability")
    # a consensus names its two sources (they agree here: nothing is left undecided)
    sources = {"sources": [a, b], "decisions": {}}
    coded(lab, rec, "Cy", [("W1", 10), ("R1", 15)], purpose="consensus", reference=sources)
    report = lab.study.sequences.report(permutation=False)
    assert [(c.coder, c.source) for c in report.sessions] == [("Cy", "consensus")]
    assert [r.repair.time_to_repair_ms for r in report.ruptures] == [5000]


def test_settings_window_and_segment_rule(lab: Lab) -> None:
    rec = recording(lab, "s1.mp4", 1)
    coded(lab, rec, "Ana", [("W1", 290), ("R1", 305), ("W1", 310), ("R2", 371)])
    assert [r.repair.resolved for r in lab.study.sequences.report(permutation=False).ruptures] == [
        True,
        False,
    ]
    lab.study.sequences.set_settings(SequenceSettings(window_s=None))
    assert lab.study.sequences.settings().window_s is None
    report = lab.study.sequences.report(permutation=False)
    assert [r.repair.resolved for r in report.ruptures] == [False, True]  # 5-min segments
    assert "same" in report.rules
    assert parse_window("90s") == 90 and parse_window("1.5min") == 90
    with pytest.raises(InputError, match="window"):
        parse_window("soon")


def test_phases_are_study_data_edited_by_a_manager(lab: Lab, tmp_path) -> None:
    rec = lab.study.recordings.get(recording(lab, "s1.mp4", 4, dyad="A"))
    assert lab.study.phases.phase_of(rec).number == 1  # type: ignore[union-attr]
    lab.study.phases.set_dyad_start("A", "challenge", 4)
    assert lab.study.phases.phase_of(rec).id == "challenge"  # type: ignore[union-attr]
    lab.study.phases.set_phases([Phase("early", "Early", 1), Phase("late", "Late", 3)])
    assert lab.study.phases.plan().dyads == {}  # the old phase's dyad start is gone
    assert lab.study.phases.by_recording() == {rec.id: lab.study.phases.phase_of(rec)}
    assert any(e.context == "set phases" for e in lab.study.audit.entries())
    location = lab.study.location
    with Study.open(location, as_coder="Ana") as coder:
        assert coder.phases.plan().phases[1].id == "late"  # reading is allowed
        with pytest.raises(AccessDenied):
            coder.phases.set_dyad_start("A", "late", 2)
        with pytest.raises(AccessDenied):
            coder.sequences.report()
        with pytest.raises(AccessDenied):
            coder.sequences.set_settings(SequenceSettings(shuffles=5))
        with pytest.raises(AccessDenied):
            coder.sequences.category_choices()
    assert lab.study.sequences.settings().shuffles == 1000  # the refused change wrote nothing


def test_demo_study_shows_a_phase_difference(demo_path) -> None:
    with Study.open(demo_path, backup=False) as study:
        report = study.sequences.report(permutation=False)
        phases = {s.key: s.summary for s in report.summary("phase")}
        assert set(phases) == {"1 Alliance building", "2 Challenge"}
        one, two = phases["1 Alliance building"], phases["2 Challenge"]
        assert one.ruptures > 0 and two.ruptures > 0
        assert (one.share_resolved, one.median_ms) != (two.share_resolved, two.median_ms)
        segments = study.sequences.segments(report)
        assert any(s.markers for s in segments)
        assert all("resolution" in s.ratings for s in segments)
        assert study.sequences.sdis().startswith("Timed ")


def test_subject_where_coded_and_category_summaries(lab: Lab) -> None:
    rec = recording(lab, "s1.mp4", 1)
    a = lab.study.assignments.create(rec, lab.coders["Ana"], scheme_version_id=lab.scheme_id).id
    # this scheme has no subject field: a subject given as a modifier would be refused, so the
    # coding has none and the report says nothing about subjects (issue 12 adds event subjects)
    for code, seconds in (("W1", 1), ("R1", 3), ("C1", 100)):
        lab.study.events.log(a, code, seconds * 1000)
    assert lab.study.assignments.complete(a) == []
    report = lab.study.sequences.report(permutation=False)
    assert [r.repair.rupture.subject for r in report.ruptures] == [None, None]
    assert report.summary("subject") == []
    cats = {s.key: s.summary for s in report.summary("category")}
    assert (cats["withdrawal"].resolved, cats["confrontation"].resolved) == (1, 0)


def test_subject_is_read_from_the_event_field_or_a_modifier() -> None:
    import dataclasses

    from observer_app.services.records import EventRecord
    from observer_app.services.sequences.gather import subject_of

    plain = EventRecord(1, 1, "W1", 0, None, False, {}, "", False, {})
    assert subject_of(plain) is None
    assert subject_of(dataclasses.replace(plain, modifiers={"subject": "client"})) == "client"

    @dataclasses.dataclass(frozen=True)
    class WithSubject(EventRecord):  # the shape issue 12 gives events
        subject: str | None = None

    e = WithSubject(1, 1, "W1", 0, None, False, {}, "", False, {}, subject="therapist")
    assert subject_of(e) == "therapist"


def test_unsaved_categories_apply_and_the_choices_are_the_schemes(lab: Lab) -> None:
    """The Analysis page computes with the settings on screen before they are saved: the
    categories it names decide which codes are ruptures and strategies."""
    rec = recording(lab, "s1.mp4", 1)
    coded(lab, rec, "Ana", [("W1", 10), ("C1", 20), ("X", 25)])
    assert ("withdrawal", "Withdrawal rupture marker") in lab.study.sequences.category_choices()
    assert [c for c, _ in lab.study.sequences.category_choices()] == [
        "withdrawal",
        "confrontation",
        "resolution",
        "other",
    ]
    default = lab.study.sequences.report(permutation=False)
    assert sorted(r.repair.rupture.code for r in default.ruptures) == ["C1", "W1"]
    only_confrontation = SequenceSettings(
        rupture_categories=("confrontation",), resolution_categories=("other",)
    )
    report = lab.study.sequences.report(only_confrontation, permutation=False)
    assert [(r.repair.rupture.code, r.repair.resolved) for r in report.ruptures] == [("C1", True)]
    assert lab.study.sequences.settings().rupture_categories == ()  # nothing was saved
