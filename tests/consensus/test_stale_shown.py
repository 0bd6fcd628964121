"""Issue 13: a consensus whose sources changed after it was completed is marked stale
everywhere a manager looks: the planner's assignment list, the reliability dashboard, the
``assignments list`` command and the export's Consensus sheet (tested in tests/export)."""

from __future__ import annotations

import io
import json

import pytest
from PySide6.QtCore import QThreadPool
from pytestqt.qtbot import QtBot

from observer_app.cli import main
from observer_app.ui.manager.dashboard import ReliabilityPage
from observer_app.ui.manager.planner import PlannerPage
from tests.reliability.lab import Lab


def _stale_consensus(lab: Lab) -> tuple[int, int]:
    """A completed consensus, then its first source reopened, changed and completed again."""
    mia = lab.manager()
    svc = mia.consensus
    recon = svc.start(svc.open(lab.recordings[0]))
    for item in recon.undecided:
        recon = svc.decide(recon, item.key, "accept_a" if item.a else "accept_b")
    svc.accept_equal_ratings(recon)
    for c in svc.ratings(recon):
        if c.differs:
            svc.decide_rating(recon, c.instrument_version_id, c.item_id, "accept_a")
    assert recon.consensus_id is not None
    assert mia.assignments.complete(recon.consensus_id) == []
    mia.assignments.reopen(recon.assignment_a)
    mia.events.log(recon.assignment_a, "WD", 1234)
    assert mia.assignments.complete(recon.assignment_a) == []
    mia.close()
    return recon.consensus_id, recon.assignment_a


def test_the_planner_marks_a_stale_consensus(lab: Lab, qtbot: QtBot) -> None:
    cid, source = _stale_consensus(lab)
    study = lab.manager()
    page = PlannerPage(study)
    qtbot.addWidget(page)
    model = page.assignment_model
    row = next(k for k, a in enumerate(model.rows()) if a.id == cid)
    status = model.index(row, 4)
    assert model.data(status) == "complete, stale"
    tip = model.data(status, 3)  # Qt.ToolTipRole
    assert f"assignment #{source}: 1 event(s) added" in tip
    fresh = next(k for k, a in enumerate(model.rows()) if a.id == source)
    assert model.data(model.index(fresh, 4)) == "complete"
    study.close()


def test_the_dashboard_names_the_stale_consensus_and_what_changed(lab: Lab, qtbot: QtBot) -> None:
    study = lab.manager()
    pool = QThreadPool()
    pool.setMaxThreadCount(1)
    page = ReliabilityPage(study, pool)
    qtbot.addWidget(page)
    assert page.stale_note.isHidden()
    cid, source = _stale_consensus(lab)
    page.refresh()
    assert not page.stale_note.isHidden()
    text = page.stale_note.text()
    assert f"consensus #{cid}" in text and f"assignment #{source} reopened" in text
    assert "not used as analysis data" in text
    study.close()


def test_assignments_list_says_which_consensus_is_stale(
    lab: Lab, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cid, source = _stale_consensus(lab)
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret\n"))
    code = main(["assignments", "list", str(lab.path), "--json", "--as", "Mia Manager"])
    out, _ = capsys.readouterr()
    assert code == 0
    rows = {r["id"]: r for r in json.loads(out)}
    assert f"assignment #{source}: 1 event(s) added" in rows[cid]["stale"]
    assert all(r["stale"] == "" for i, r in rows.items() if i != cid)
