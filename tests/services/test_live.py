"""Live progress (issue 17): one workstation sees another's work without restarting
(PostgreSQL: LISTEN/NOTIFY; SQLite: a cheap summary compared on each poll)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

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


_OTHER_WORKSTATION = """
import sys
from observer_app.services.study import Study
path, aid, to = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with Study.open(path, as_coder="Mia Manager", password="s3cret", backup=False) as mia:
    mia.assignments.reassign(aid, to)
"""


def test_a_coders_queue_sees_work_reassigned_by_another_process(lab: Lab) -> None:
    """Issue 17: a second process (the manager's workstation) reassigns Ana's work to Ben;
    Ana's and Ben's feeds both fire (NOTIFY on PostgreSQL, polling on SQLite), and their
    queues read the move."""
    a = lab.admin.assignments.create(lab.rec1, lab.ana).id
    ana, ben = lab.as_("Ana Alves"), lab.as_("Ben Brook")
    ana_feed, ben_feed = ana.change_feed(), ben.change_feed()
    assert not ana_feed.poll() and not ben_feed.poll()
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-c", _OTHER_WORKSTATION, str(lab.path), str(a), str(lab.ben)],
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert _wait(ana_feed) and _wait(ben_feed)
    assert [x.id for x in ana.assignments.mine()] == []
    assert [x.recording_id for x in ben.assignments.mine()] == [lab.rec1]
    assert ana.assignments.get(a).status == "cancelled"
    ana_feed.close()
    ben_feed.close()


def test_a_coders_feed_sees_a_soft_delete(lab: Lab) -> None:
    """Deleting an assignment changes neither its status nor its position: the coder's
    summary must still notice it (on PostgreSQL the trigger announces every update)."""
    a = lab.admin.assignments.create(lab.rec1, lab.ana).id
    feed = lab.as_("Ana Alves").change_feed()
    lab.as_("Mia Manager", "s3cret").assignments.delete(a)
    assert _wait(feed)
    feed.close()
