"""Issue 13: the dashboard and the planner's assignment list mark a stale consensus and say what
changed in its sources; issue 17: the manager window reloads them when the study changes."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QThreadPool
from pytestqt.qtbot import QtBot

from observer_app.ui.manager.dashboard import ReliabilityPage
from observer_app.ui.manager.planner import PlannerPage
from tests.export.conftest import reconcile_first
from tests.reliability.lab import build_lab


def test_dashboard_and_planner_mark_the_stale_consensus(tmp_path: Path, qtbot: QtBot) -> None:
    lab = build_lab(tmp_path, n_recordings=2, coders_per_recording=2, seed=5)
    cid = reconcile_first(lab)
    mia = lab.manager()
    dashboard, planner = ReliabilityPage(mia, QThreadPool(), None), PlannerPage(mia)
    qtbot.addWidget(dashboard)
    qtbot.addWidget(planner)
    dashboard.refresh()
    planner.refresh()
    assert not dashboard.stale_note.isVisibleTo(dashboard)
    model = planner.assignment_model
    row = next(i for i in range(model.rowCount()) if str(model.index(i, 0).data()) == str(cid))
    assert model.index(row, 7).data() == ""
    elsewhere = lab.manager()  # another workstation changes a source
    source = int(elsewhere.assignments.get(cid).reference["sources"][0])
    elsewhere.assignments.reopen(source)
    elsewhere.events.log(source, "WD", 4321)
    dashboard.refresh()
    planner.refresh()
    assert dashboard.stale_note.isVisibleTo(dashboard)
    assert f"Consensus #{cid} is stale" in dashboard.stale_note.text()
    assert f"assignment #{source}: 1 event(s) added" in dashboard.stale_note.text()
    assert str(model.index(row, 7).data()).startswith("STALE: ")
    assert "reopened" in str(model.index(row, 7).data())
    assert ReliabilityPage.live_refresh and PlannerPage.live_refresh
