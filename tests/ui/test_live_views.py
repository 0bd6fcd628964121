"""Issue 17: views refresh when another workstation changes the study (SQLite polling here; the
feed itself is tested on both engines in tests/services/test_live.py)."""

from __future__ import annotations

from typing import Any

from pytestqt.qtbot import QtBot

from observer_app.ui.startup import QueueDialog
from tests.ui.test_coding_window import open_window


def _ids(dialog: QueueDialog) -> list[int]:
    return [dialog.model.assignment(i).id for i in range(dialog.model.rowCount())]


def test_queue_shows_new_work_and_drops_reassigned_work(qtbot: QtBot, lab: Any) -> None:
    ana = lab.open_as("Ana Alves")
    dialog = QueueDialog(ana, interval_ms=50)
    qtbot.addWidget(dialog)
    before = _ids(dialog)
    assert before == [lab.mine, lab.reliability]
    mia = lab.open_as("Mia Manager")  # the manager's workstation
    mia.assignments.cancel(lab.reliability)
    qtbot.waitUntil(lambda: _ids(dialog) == [lab.mine], timeout=5000)
    mia.assignments.reopen(lab.reliability)  # back in the queue
    qtbot.waitUntil(lambda: _ids(dialog) == before, timeout=5000)
    cy = mia.coders.add("Cy Cole").id
    cys = QueueDialog(lab.open_as("Cy Cole"), interval_ms=50)
    qtbot.addWidget(cys)
    assert _ids(cys) == []
    moved = mia.assignments.reassign(lab.reliability, cy)
    qtbot.waitUntil(lambda: _ids(dialog) == [lab.mine], timeout=5000)
    qtbot.waitUntil(lambda: _ids(cys) == [moved.id], timeout=5000)
    cys.done(0)
    dialog.done(0)


def test_coding_window_follows_a_managers_complete_reopen_and_cancel(
    qtbot: QtBot, lab: Any, fake_player: Any, settings: Any
) -> None:
    window = open_window(qtbot, lab, fake_player, settings)
    watch = window.assignment_watch
    banner = watch.banner
    assert window.session is not None and not window.session.read_only
    mia = lab.open_as("Mia Manager")
    for _ in range(20):  # the required answers (one named per form at a time), then complete
        problems = mia.assignments.complete(lab.mine)
        if not problems:
            break
        for p in problems:
            assert p.item_id is not None and p.instrument_version_id is not None
            mia.ratings.set(
                lab.mine,
                p.instrument_version_id,
                p.item_id,
                3,
                unit_kind=p.unit_kind or "session",
                unit_index=p.unit_index or 0,
            )
    assert mia.assignments.get(lab.mine).status == "complete"
    with qtbot.waitSignal(watch.readOnlyChanged, timeout=5000) as ro:
        qtbot.waitUntil(lambda: (watch.live.poll(), banner.isVisible())[1], timeout=5000)
    assert ro.args == [True]
    assert window.session.read_only and "completed" in banner.label.text()
    assert not window.actions_by_id["complete"].isEnabled()
    qtbot.wait(200)
    assert banner.isVisible()  # it stays
    mia.assignments.reopen(lab.mine)
    qtbot.waitUntil(
        lambda: (watch.live.poll(), not window.session.read_only)[1],  # type: ignore[union-attr]
        timeout=5000,
    )
    assert "reopened" in banner.label.text() and banner.isVisible()
    assert window.actions_by_id["complete"].isEnabled()
    mia.assignments.cancel(lab.mine)
    qtbot.waitUntil(
        lambda: (watch.live.poll(), window.session.read_only)[1],  # type: ignore[union-attr]
        timeout=5000,
    )
    assert "cancelled or reassigned" in banner.label.text()
    window.close()


def _complete_elsewhere(mia: Any, assignment: int) -> None:
    """The manager answers what is required (one named per form at a time), then completes."""
    for _ in range(20):
        problems = mia.assignments.complete(assignment)
        if not problems:
            return
        for p in problems:
            assert p.item_id is not None and p.instrument_version_id is not None
            mia.ratings.set(
                assignment,
                p.instrument_version_id,
                p.item_id,
                3,
                unit_kind=p.unit_kind or "session",
                unit_index=p.unit_index or 0,
            )
    raise AssertionError("could not complete")


def test_the_banner_and_the_actions_follow_every_status_set_elsewhere(
    qtbot: QtBot, lab: Any, fake_player: Any, settings: Any
) -> None:
    """Cancelled, reopened, completed, reopened, reassigned on the manager's workstation: the
    window's banner names what happened (not "Complete" for cancelled work), shows when it was
    completed (the assignment is read again, not only its status), and the editing actions,
    the pad and the forms follow."""
    window = open_window(qtbot, lab, fake_player, settings)
    watch, banner = window.assignment_watch, window.complete_banner
    mia = lab.open_as("Mia Manager")
    editing = ("complete", "delete_event", "code:nod")

    def state() -> tuple[bool, list[bool], bool, bool]:
        session = window.session
        assert session is not None
        enabled = [window.actions_by_id[a].isEnabled() for a in editing]
        return session.read_only, enabled, window.event_model.read_only, banner.isVisible()

    mia.assignments.cancel(lab.mine)
    watch.check()
    assert state() == (True, [False] * 3, True, True)
    assert "Cancelled" in banner.label.text() and "Complete" not in banner.label.text()
    mia.assignments.reopen(lab.mine)
    watch.check()
    assert state() == (False, [True] * 3, False, False)
    _complete_elsewhere(mia, lab.mine)
    watch.check()
    assert state() == (True, [False] * 3, True, True)
    completed = mia.assignments.get(lab.mine).completed_at
    assert completed is not None and window.session.info.completed_at == completed  # type: ignore[union-attr]
    assert f"<b>Complete</b> on {completed.astimezone():%Y-%m-%d %H:%M}" in banner.label.text()
    mia.assignments.reopen(lab.mine)
    watch.check()
    assert state() == (False, [True] * 3, False, False)
    assert window.session.info.completed_at is None  # type: ignore[union-attr]
    cy = mia.coders.add("Cy Cole").id
    mia.assignments.reassign(lab.mine, cy)
    watch.check()
    assert state() == (True, [False] * 3, True, True)
    assert "Cancelled" in banner.label.text() and "reassigned" in banner.label.text()
    window.close()
    mia.close()


def test_work_deleted_elsewhere_is_announced_once(
    qtbot: QtBot, lab: Any, fake_player: Any, settings: Any
) -> None:
    """Deleted by a manager: the window goes read-only and says so once; a dismissed banner
    does not come back on the next checks."""
    window = open_window(qtbot, lab, fake_player, settings)
    watch = window.assignment_watch
    mia = lab.open_as("Mia Manager")
    mia.assignments.delete(lab.mine)
    announced: list[str] = []
    watch.changedElsewhere.connect(lambda status, _msg: announced.append(status))
    watch.check()
    assert window.session is not None and window.session.read_only
    assert len(announced) == 1 and watch.banner.isVisible()
    watch.banner.hide()  # the coder dismisses it
    watch.check()
    watch.check()
    assert len(announced) == 1 and not watch.banner.isVisible()
    window.close()


def test_undo_comes_back_when_a_manager_reopens_the_work(
    qtbot: QtBot, lab: Any, fake_player: Any, settings: Any
) -> None:
    window = open_window(qtbot, lab, fake_player, settings)
    session = window.session
    assert session is not None
    window.keys.set_read_only(False)
    assert window.actions_by_id["undo"].isEnabled() == session.undo_stack.canUndo()
    window.keys.set_read_only(True)
    assert not window.actions_by_id["undo"].isEnabled()
    window.keys.set_read_only(False)
    assert window.actions_by_id["undo"].isEnabled() == session.undo_stack.canUndo()
    window.close()


def _listeners(url: str) -> int:
    """PostgreSQL sessions of this study's database that are LISTENing (the change feeds)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            return int(
                conn.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        " AND query LIKE 'LISTEN %' AND pid <> pg_backend_pid()"
                    )
                )
            )
    finally:
        engine.dispose()


def test_the_coding_window_and_its_queue_share_one_change_feed(
    qtbot: QtBot, lab_on_both: Any, fake_player: Any, settings: Any, monkeypatch: Any
) -> None:
    """One listener per window (on PostgreSQL one LISTEN session, not one per part), and the
    queue and the assignment watch both still follow a manager's change."""
    from observer_app.app import queue_dialog
    from observer_app.services.study import Study

    lab = lab_on_both
    feeds: list[Any] = []
    make_feed = Study.change_feed

    def counted(study: Study) -> Any:
        feeds.append(make_feed(study))
        return feeds[-1]

    monkeypatch.setattr(Study, "change_feed", counted)
    window = open_window(qtbot, lab, fake_player, settings)
    dialog = queue_dialog(window)
    qtbot.addWidget(dialog)
    dialog.show()
    assert len(feeds) == 1
    on_server = str(lab.path).startswith("postgresql")
    if on_server:
        assert _listeners(str(lab.path)) == 1
    assert _ids(dialog) == [lab.mine, lab.reliability]
    mia = lab.open_as("Mia Manager")
    mia.assignments.cancel(lab.mine)  # the open assignment, on the manager's workstation
    qtbot.waitUntil(
        lambda: (window.live.poll(), _ids(dialog) == [lab.reliability])[1], timeout=5000
    )
    assert window.session is not None and window.session.read_only
    assert window.assignment_watch.banner.isVisible()
    dialog.done(0)
    mia.assignments.reopen(lab.mine)
    qtbot.waitUntil(
        lambda: (window.live.poll(), not window.session.read_only)[1],  # type: ignore[union-attr]
        timeout=5000,
    )
    assert _ids(dialog) == [lab.reliability]  # a closed queue no longer listens
    window.close()
    if on_server:
        qtbot.waitUntil(lambda: _listeners(str(lab.path)) == 0, timeout=5000)  # closed with it
    mia.close()
    window.study.close()


def test_a_managers_coding_window_shares_its_feed_with_the_manager_window(
    qtbot: QtBot, lab: Any, fake_player: Any, settings: Any, monkeypatch: Any
) -> None:
    from observer_app.services.study import Study
    from observer_app.ui.coding_window import CodingWindow

    feeds: list[Any] = []
    make_feed = Study.change_feed
    monkeypatch.setattr(Study, "change_feed", lambda s: feeds.append(make_feed(s)) or feeds[-1])
    study = lab.open_as("Mia Manager")
    window = CodingWindow(study, fake_player, settings=settings, surface_factory=None)
    qtbot.addWidget(window)
    window.manage_study()
    manager = window._manager_window
    qtbot.addWidget(manager)
    assert len(feeds) == 1 and manager.live is window.live
    seen: list[bool] = []
    manager.live.changed.connect(lambda: seen.append(True))
    with Study.open(lab.path, as_coder="Ana Alves", backup=False) as ana:  # another workstation
        ana.events.log(lab.mine, "nod", 1_000)
    qtbot.waitUntil(lambda: (window.live.poll(), bool(seen))[1], timeout=5000)
    assert "changed on another workstation" in manager.statusBar().currentMessage()
    manager.close()  # closing the manager window leaves the coding window's feed running
    assert window.live.active
    window.close()
    assert not window.live.active
    study.close()
