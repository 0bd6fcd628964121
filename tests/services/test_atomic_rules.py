"""The database refuses what the services refuse, on both engines (issue 17).

Observations: importing a built-in scheme failed on PostgreSQL (a 71-character hash in a
64-character column); an event could be saved into an assignment completed a moment before.
"""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

import observer_app.services.events as events_module
from observer_app.coding.errors import AccessDenied
from observer_app.services.context import lock_or_raise
from observer_app.store.engine import StudySession, to_url
from observer_app.store.models import Assignment

from .conftest import Lab


def test_builtin_scheme_and_instrument_import_on_both_engines(lab: Lab) -> None:
    scheme = lab.admin.definitions.import_builtin("scheme", "3rs")
    assert scheme.content_hash.startswith("sha256:") and len(scheme.content_hash) == 71
    again = lab.admin.definitions.import_builtin("scheme", "3rs")
    assert again.id == scheme.id
    assert lab.admin.definitions.study_scheme() is not None


def _complete_one(lab: Lab) -> tuple[int, int]:
    a = lab.admin.assignments.create(lab.rec1, lab.ana).id
    ana = lab.as_("Ana Alves")
    event = ana.events.log(a, "withdrawal", 1_000).id
    assert ana.assignments.complete(a) == []
    return a, event


def test_raw_sql_cannot_write_to_a_complete_assignment(lab: Lab) -> None:
    a, event = _complete_one(lab)
    engine = create_engine(to_url(lab.path))
    statements = [
        f"INSERT INTO event (assignment_id, code, onset_ms, is_state, modifiers, comment, "
        f"deleted, source, created_at, updated_at) VALUES ({a}, 'x', 5, false, '{{}}', '', "
        f"false, '{{}}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        f"UPDATE event SET onset_ms = 7 WHERE id = {event}",
        f"UPDATE event SET deleted = true WHERE id = {event}",
    ]
    for sql in statements:
        with pytest.raises(DBAPIError, match="complete and read-only"), engine.begin() as conn:
            conn.execute(text(sql))
    with engine.connect() as conn:
        rows = conn.execute(text(f"SELECT onset_ms, deleted FROM event WHERE assignment_id={a}"))
        assert [tuple(r) for r in rows] == [(1_000, False)]
    engine.dispose()


def test_reopened_assignment_accepts_writes_again(lab: Lab) -> None:
    a, event = _complete_one(lab)
    ana = lab.as_("Ana Alves")
    with pytest.raises(AccessDenied, match="complete"):
        ana.events.update(event, onset_ms=2_000)
    lab.admin.assignments.reopen(a)
    assert ana.events.update(event, onset_ms=2_000).onset_ms == 2_000


def test_stale_check_is_caught_by_the_database(lab: Lab, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write whose status check was skipped (as a check made before the lock would be stale)
    is still refused: the trigger refuses inside the write; the service says so in one line."""
    a, _event = _complete_one(lab)
    ana = lab.as_("Ana Alves")

    def no_status_check(s: StudySession, ctx: object, assignment_id: int) -> Assignment:
        return lock_or_raise(s, Assignment, assignment_id, "assignment")

    monkeypatch.setattr(events_module, "require_writable", no_status_check)
    with pytest.raises(AccessDenied, match="complete and read-only"):
        ana.events.log(a, "withdrawal", 3_000)
    monkeypatch.undo()
    assert [e.onset_ms for e in ana.events.for_assignment(a)] == [1_000]
