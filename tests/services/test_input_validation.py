"""Impossible data is refused by the services (issue 13): events outside the recording, a
segment outside the plan, an instrument of another perspective, near-duplicate coder names."""

from __future__ import annotations

from pathlib import Path

import pytest

from observer_app.coding.errors import Conflict, InputError
from tests.reliability.lab import DURATION_MS, build_lab


@pytest.fixture
def lab(tmp_path: Path):
    return build_lab(tmp_path, n_recordings=1, coders_per_recording=1, complete=False)


def test_event_after_the_end_of_the_recording_is_refused(lab) -> None:
    aid = lab.assignments[(lab.recordings[0], "Ana Alves")]
    n = len(lab.admin.events.for_assignment(aid))
    with pytest.raises(InputError, match="after the end of the recording"):
        lab.admin.events.log(aid, "WD", 10 * 3600 * 1000)  # 10 h in a short recording
    ok = lab.admin.events.log(aid, "WD", DURATION_MS - 1)
    with pytest.raises(InputError, match="after the end"):
        lab.admin.events.update(ok.id, onset_ms=DURATION_MS + 1)
    assert len(lab.admin.events.for_assignment(aid)) == n + 1


def test_rating_placement(lab, tmp_path: Path) -> None:
    admin = lab.admin
    aid = lab.assignments[(lab.recordings[0], "Ana Alves")]
    client = admin.definitions.import_builtin("instrument", "wai-c-s").id
    admin.definitions.attach(client)
    item = admin.definitions.instrument(client).items[0].id
    with pytest.raises(InputError, match="client-perspective instrument"):
        admin.ratings.set(aid, client, item, 3)
    inst = lab.instrument_id
    first = admin.definitions.instrument(inst).items[0].id
    with pytest.raises(InputError, match="unit index 0"):
        admin.ratings.set(aid, inst, first, 3, unit_index=100)
    admin.ratings.set(aid, inst, first, 3)


def test_segment_index_outside_the_plan(lab) -> None:
    """The lab's scheme has 1-minute segments and its recordings last 5 minutes."""
    admin = lab.admin
    aid = lab.assignments[(lab.recordings[0], "Ana Alves")]
    seg = admin.definitions.import_builtin("instrument", "3rs-segment").id
    admin.definitions.attach(seg)
    item = admin.definitions.instrument(seg).items[0].id
    with pytest.raises(InputError, match=r"segment 100 is outside .* \(segments 1-5\)"):
        admin.ratings.set(aid, seg, item, 2, unit_kind="segment", unit_index=99)
    admin.ratings.set(aid, seg, item, 2, unit_kind="segment", unit_index=4)


def test_near_duplicate_coder_names(lab) -> None:
    with pytest.raises(Conflict, match="already exists"):
        lab.admin.coders.add("ana  alves ")
    info = lab.admin.coders.add("  Dana   Diaz ")
    assert info.name == "Dana Diaz"
    with pytest.raises(Conflict):
        lab.admin.coders.add("DANA DIAZ")
