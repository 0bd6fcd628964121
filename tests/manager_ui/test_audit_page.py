"""The manager's audit viewer (issue 13): who changed what, when, before/after, filterable."""

from __future__ import annotations

from pathlib import Path

from observer_app.ui.manager.audit_page import AuditPage
from tests.reliability.lab import build_lab


def test_audit_page_lists_and_filters(tmp_path: Path, qtbot) -> None:
    lab = build_lab(tmp_path, n_recordings=1, coders_per_recording=1, complete=False)
    admin = lab.admin
    aid = lab.assignments[(lab.recordings[0], "Ana Alves")]
    admin.assignments.reassign(aid, lab.coders["Ben Brook"])
    page = AuditPage(admin)
    qtbot.addWidget(page)
    page.refresh()
    total = len(admin.audit.entries())
    assert page.model.rowCount() == total
    first = page.model.row_at(0)
    assert first.id == max(e.id for e in admin.audit.entries())  # newest first
    page.what.setCurrentText("assignment")
    page.refresh()
    rows = page.model.rows()
    assert rows and all(e.entity == "assignment" for e in rows)
    changed = [e for e in rows if e.action == "update"]
    assert any("cancelled" in page.model.index(rows.index(e), 6).data() for e in changed)
    page.what.setCurrentText("(any)")
    page.text.setText("reassign")
    page.refresh()
    assert page.model.rowCount() >= 1 and page.model.rowCount() < total
    page.who.setCurrentText("nobody-at-all")
    page.refresh()
    assert "of" in page.status.text()
