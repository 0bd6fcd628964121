"""Assignment planner: seeded preview before applying, calibration against a master, reopen."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from observer_app.ui.manager.planner import PlannerPage

from .conftest import Lab


def _page(lab: Lab, qtbot: QtBot) -> PlannerPage:
    lab.study.definitions.import_builtin("scheme", "3rs")
    page = PlannerPage(lab.study)
    qtbot.addWidget(page)
    return page


def test_the_plan_is_previewed_reproducibly_then_applied(
    lab: Lab, qtbot: QtBot, qtmodeltester
) -> None:
    page = _page(lab, qtbot)
    pool = [lab.coders[n] for n in ("Ana Alves", "Ben Brook", "Cy Cole")]
    page.set_pool(pool)
    assert page.share.value() == 25
    page.seed.setValue(4242)
    first = page.preview()
    assert first is not None and page.apply_button.isEnabled()
    assert lab.study.assignments.list_all() == []  # a preview writes nothing
    shown = page.plan_model.rows()
    assert len(shown) == 8 + 2  # every recording once, 25% of 8 double-coded
    assert "2 of them (25% share rounded up, seed 4242) get a blind" in page.plan_summary.text()
    qtmodeltester.check(page.plan_model)
    # same inputs, same seed: the same plan; changing the seed invalidates the preview
    page.seed.setValue(1)
    assert page.plan is None and not page.apply_button.isEnabled()
    page.seed.setValue(4242)
    assert page.preview() == first
    ids = page.apply()
    assert len(ids) == 10
    created = lab.study.assignments.list_all()
    planned = {(p.recording_id, p.coder_id, p.purpose) for p in first.assignments}
    assert {(a.recording_id, a.coder_id, a.purpose) for a in created} == planned
    scheme_id = lab.study.definitions.study_scheme().id
    assert all(a.blind and a.scheme_version_id == scheme_id for a in created)
    assert page.assignment_model.rowCount() == 10
    qtmodeltester.check(page.assignment_model)
    open_load = {n: sum(1 for a in created if a.coder_name == n) for n in ("Ana Alves",)}
    labels = [page.pool.item(i).text() for i in range(page.pool.count())]
    assert f"Ana Alves (coder) - {open_load['Ana Alves']} open" in labels
    # everything has a primary coder now: the next plan is empty and says so
    page.preview()
    assert "already has a primary coder" in page.plan_summary.text()
    assert not page.apply_button.isEnabled()


def test_a_pool_of_one_cannot_double_code(lab: Lab, qtbot: QtBot) -> None:
    page = _page(lab, qtbot)
    page.set_pool([lab.coders["Ana Alves"]])
    assert page.preview() is None
    assert "at least two coders" in page.status.text()


def test_calibration_against_a_master_coder(lab: Lab, qtbot: QtBot) -> None:
    page = _page(lab, qtbot)
    master = lab.coders["Mo Master"]
    page.master.setCurrentIndex(page.master.findData(master))
    for i in range(page.trainees.count()):
        item = page.trainees.item(i)
        if item.text().startswith(("Ana", "Ben")):
            item.setCheckState(Qt.CheckState.Checked)
    page.calibration_recordings.item(0).setSelected(True)
    page.calibration_recordings.item(2).setSelected(True)
    created = page.create_calibration()
    assert len(created) == 2 * 3  # per recording: the master's own plus Ana's and Ben's
    cal = [a for a in lab.study.assignments.list_all() if a.purpose == "calibration"]
    mine = [a for a in cal if a.coder_id == master]
    assert len(mine) == 2 and all(a.reference == {"role": "master"} for a in mine)
    for a in cal:
        if a.coder_id != master:
            master_a = next(m for m in mine if m.recording_id == a.recording_id)
            assert a.reference == {"master_coder_id": master, "master_assignment_id": master_a.id}
            assert a.blind
    # asking again creates nothing twice and says why
    assert page.create_calibration() == []
    assert "already has a calibration assignment" in page.status.text()


def test_reopen_a_completed_assignment(lab: Lab, qtbot: QtBot) -> None:
    page = _page(lab, qtbot)
    a = lab.study.assignments.create(lab.recordings[0], lab.coders["Ana Alves"])
    assert lab.study.assignments.complete(a.id) == []
    page.refresh()
    page.assignment_view.selectRow(0)
    assert page.reopen_button.isEnabled()
    page.reopen_button.click()
    assert lab.study.assignments.get(a.id).status == "in_progress"
    assert not page.reopen_button.isEnabled()
    assert page.status.text().startswith(f"Reopened assignment #{a.id}")


def test_top_up_stratified_and_moving_work_from_the_planner(lab: Lab, qtbot: QtBot) -> None:
    page = _page(lab, qtbot)
    pool = [lab.coders[n] for n in ("Ana Alves", "Ben Brook", "Cy Cole")]
    page.set_pool(pool)
    page.share.setValue(0)
    page.seed.setValue(7)
    page.preview()
    page.apply()
    page.share.setValue(25)
    page.top_up.setChecked(True)
    page.stratify.setCurrentIndex(page.stratify.findData("phase"))
    plan = page.preview()
    assert plan is not None and plan.strata_by == "phase"
    doubled = plan.for_purpose("reliability")
    assert doubled and not plan.for_purpose("primary")
    assert (
        "Top-up:" in page.plan_summary.text() and "stratified by phase" in page.plan_summary.text()
    )
    assert "seed 7" in page.plan_summary.text()
    page.apply()
    page.assignment_view.selectRow(0)
    first = page.selected_assignment()
    assert first is not None and page.reassign_button.isEnabled()
    others = {c.name for c in lab.study.coders.all() if c.role == "coder"} - {first.coder_name}
    page.reassign_selected(sorted(others)[0])
    assert lab.study.assignments.get(first.id).status == "cancelled"
    assert "reassigned to" in page.status.text()
    page.assignment_view.selectRow(1)
    second = page.selected_assignment()
    assert second is not None and page.cancel_button.isEnabled()
    page.cancel_button.click()
    assert lab.study.assignments.get(second.id).status == "cancelled"
