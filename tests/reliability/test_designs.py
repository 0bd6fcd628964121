"""Reliability designs (issue 13): the reliability pair is the design unit; calibration and
extra coders are analysed separately and never shrink the main analysis; the ICC form matches
the design; the minimum-units rule; counts that say what they are."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from observer_app.coding.errors import InputError
from observer_app.services.demo import ensure_demo_study
from observer_app.services.reliability import ReliabilityRequest
from observer_app.services.study import Study

from .lab import Lab, build_lab


@pytest.fixture(scope="module")
def demo_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ensure_demo_study(tmp_path_factory.mktemp("demo"))


def _numbers(study: Study) -> dict[tuple[int, str], tuple]:
    out: dict[tuple[int, str], tuple] = {}
    svc = study.reliability
    for vid in svc.versions_with_data():
        rep = svc.compute(ReliabilityRequest(vid, bootstrap=50))
        for s in rep.scores:
            out[(vid, s.id)] = (s.icc.name, s.icc.value, s.icc.ci95, s.icc.n_units, s.matrix)
        for c in rep.codes:
            out[(vid, c.code)] = (c.matched, c.specific_agreement, c.count_icc.value)
    return out


def _complete_calibration(path: Path) -> int:
    """Cy Cole codes and rates the demo's calibration session and completes it."""
    with Study.open(path, backup=False) as admin:
        mine = [a for a in admin.assignments.list_all() if a.purpose == "calibration"]
    assert len(mine) == 1
    aid = mine[0].id
    with Study.open(path, as_coder="Cy Cole", backup=False) as cy:
        scheme = cy.definitions.scheme(mine[0].scheme_version_id)
        for t in (10_000, 25_000, 41_000):
            cy.events.log(aid, scheme.codes[0].id, t)
        for assigned in cy.definitions.assigned_instruments(aid):
            inst = assigned.instrument
            for kind, index in assigned.units:
                for k, item in enumerate(inst.items):
                    scale = inst.scale_of(item)
                    value = scale.min + (k + index) % (scale.max - scale.min + 1)
                    cy.ratings.set(
                        aid, assigned.version_id, item.id, value, unit_kind=kind, unit_index=index
                    )
        assert cy.assignments.complete(aid) == []
        return aid


def test_completed_calibration_leaves_the_main_analysis_unchanged(
    demo_copy: Path, tmp_path: Path
) -> None:
    """Demo: Cy Cole completes the calibration session (recording 1, master Ana Alves). Before
    the fix every item ICC became "undefined, 1 unit, 4 dropped" and 9 were flagged."""
    path = tmp_path / "demo.db"
    shutil.copy(demo_copy, path)
    with Study.open(path, backup=False) as admin:
        before = _numbers(admin)
    aid = _complete_calibration(path)
    with Study.open(path, backup=False) as admin:
        after = _numbers(admin)
        assert after.keys() == before.keys()
        for key, old in before.items():
            new = after[key]
            if len(old) == 5:
                assert new[:4] == old[:4], key
                assert new[4] == old[4], key
            else:
                assert new == old, key
        svc = admin.reliability
        for vid in svc.versions_with_data():
            rep = svc.compute(ReliabilityRequest(vid, bootstrap=0))
            assert "calibration: 1" in rep.counts
            assert rep.master_coder is not None and rep.master_coder.name == "Ana Alves"
            calibration = [p for p in rep.drift if p.assignment_id == aid]
            assert len(calibration) == 1 and calibration[0].coder_name == "Cy Cole"
            assert all(s.matrix.coders == ("rating 1", "rating 2") for s in rep.scores)


def test_design_and_headline_form_of_the_demo(demo_copy: Path) -> None:
    with Study.open(demo_copy, backup=False) as admin:
        svc = admin.reliability
        for vid in svc.versions_with_data():
            rep = svc.compute(ReliabilityRequest(vid, bootstrap=0))
            # five double-coded sessions by varying pairs: one-way, ICC(1,1) in the headline
            assert rep.design == "one-way"
            assert rep.icc_form == "ICC(1,1)"
            assert rep.notes[0].startswith("Design: one-way; ICC(1,1) because")
            assert all(s.icc.name == "ICC(1,1)" for s in rep.scores)
            if rep.kind == "instrument" and rep.unit == "session":
                # five units < 10: "not enough units (5)", never labelled, never flagged
                for s in rep.scores:
                    assert s.insufficient == "not enough units (5)"
                    assert s.icc.label is None and not s.flagged
            other = svc.compute(ReliabilityRequest(vid, bootstrap=0, icc_form="ICC(A,1)"))
            assert other.icc_form == "ICC(A,1)" and "chosen" in other.icc_reason


def test_subset_double_coded_counts_single_coded_not_dropped(tmp_path: Path) -> None:
    """Eight recordings coded once, two of them double-coded (by varying pairs): the eight are
    "single-coded", never "dropped", and the two are the units."""
    lab: Lab = build_lab(tmp_path, n_recordings=10, coders_per_recording=2, single_coded=8)
    rep = lab.manager().reliability.compute(ReliabilityRequest(lab.instrument_id, bootstrap=0))
    assert rep.counts == "single-coded: 8, double-coded: 2"
    assert rep.scores[0].icc.n_dropped == 0 and rep.scores[0].icc.n_units == 2
    assert rep.scores[0].insufficient == "not enough units (2)"
    assert rep.design == "one-way" and rep.icc_form == "ICC(1,1)"


def test_minimum_units_setting(tmp_path: Path) -> None:
    lab = build_lab(tmp_path, n_recordings=6, coders_per_recording=3)
    admin = lab.manager()
    req = ReliabilityRequest(lab.instrument_id, bootstrap=0)
    assert admin.reliability.compute(req).scores[0].insufficient == "not enough units (6)"
    admin.settings.set("reliability_min_units", 5)
    rep = admin.reliability.compute(req)
    assert rep.min_units == 5 and rep.scores[0].insufficient is None
    assert rep.design == "fully crossed" and rep.icc_form == "ICC(A,1)"
    with pytest.raises(InputError, match="5 or more"):
        admin.settings.set("reliability_min_units", 3)
    with pytest.raises(InputError):
        ReliabilityRequest(lab.instrument_id, min_units=4).check()
