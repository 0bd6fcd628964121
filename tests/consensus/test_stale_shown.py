"""Issue 13: a consensus whose sources changed after it was completed is marked stale on the
command line too (``assignments list``); the planner and the dashboard are tested in
tests/manager_ui/test_stale_consensus_pages.py, the export in tests/export."""

from __future__ import annotations

import io
import json

import pytest

from observer_app.cli import main
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
