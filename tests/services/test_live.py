"""Live progress (issue 17): one workstation sees another's work without restarting
(PostgreSQL: LISTEN/NOTIFY; SQLite: a cheap summary compared on each poll)."""

from __future__ import annotations

import time

from .conftest import Lab


def _wait(feed: object, seconds: float = 5.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if feed.poll():  # type: ignore[attr-defined]
            return True
        time.sleep(0.05)
    return False


def test_a_manager_and_a_coder_see_changes_made_elsewhere(lab: Lab) -> None:
    a = lab.admin.assignments.create(lab.rec1, lab.ana).id
    mia = lab.as_("Mia Manager", "s3cret")
    ana_here, ana_there = lab.as_("Ana Alves"), lab.as_("Ana Alves")
    dashboard, queue = mia.change_feed(), ana_here.change_feed()
    assert not dashboard.poll() and not queue.poll()  # nothing happened yet
    ana_there.events.log(a, "withdrawal", 1_000)  # another workstation
    assert _wait(dashboard) and _wait(queue)
    assert not dashboard.poll() and not queue.poll()  # each change is seen once
    mia.assignments.complete(a)
    assert _wait(queue)
    dashboard.close()
    queue.close()
