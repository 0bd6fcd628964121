"""Blinding is enforced in the services layer: a coder cannot read or list another coder's
work on a blind assignment; managers see everything."""

from __future__ import annotations

import pytest

from observer_app.coding.errors import AccessDenied, BlindingViolation

from .conftest import Lab


def _double_coded(lab: Lab) -> tuple[int, int]:
    a = lab.admin.assignments.create(lab.rec1, lab.ana, purpose="primary").id
    b = lab.admin.assignments.create(lab.rec1, lab.ben, purpose="reliability").id
    return a, b


def test_coder_cannot_read_or_list_blind_work_of_another(lab: Lab) -> None:
    a, b = _double_coded(lab)
    ana, ben = lab.as_("Ana Alves"), lab.as_("Ben Brook")
    ana.events.log(a, "withdrawal", 12_000)
    ana.ratings.set(a, instrument_version_id=_instrument(lab), item_id="1", value=5)
    with pytest.raises(BlindingViolation, match="blind"):
        ben.events.for_assignment(a)
    with pytest.raises(BlindingViolation):
        ben.ratings.for_assignment(a)
    with pytest.raises(BlindingViolation):
        ben.assignments.get(a)
    with pytest.raises(AccessDenied):
        ben.events.all_in_study()
    with pytest.raises(AccessDenied):
        ben.assignments.list_all()
    ev = ana.events.for_assignment(a)[0]
    with pytest.raises(BlindingViolation):
        ben.events.get(ev.id)
    with pytest.raises(BlindingViolation):
        ben.events.update(ev.id, comment="peek")
    assert [x.id for x in ben.assignments.mine()] == [b]


def test_manager_sees_all_and_queue_hides_purpose_from_coder(lab: Lab) -> None:
    a, _ = _double_coded(lab)
    lab.as_("Ana Alves").events.log(a, "withdrawal", 1_000)
    mia = lab.as_("Mia Manager", "s3cret")
    assert len(mia.events.for_assignment(a)) == 1
    assert {x.purpose for x in mia.assignments.list_all()} == {"primary", "reliability"}
    ben_queue = lab.as_("Ben Brook").assignments.mine()
    assert [x.purpose for x in ben_queue] == [None]  # a blind coder is not told it is a re-code


def test_non_blind_work_is_readable_but_not_writable_by_another_coder(lab: Lab) -> None:
    a = lab.admin.assignments.create(lab.rec2, lab.ana, blind=False).id
    ev = lab.as_("Ana Alves").events.log(a, "withdrawal", 500)
    ben = lab.as_("Ben Brook")
    assert [e.id for e in ben.events.for_assignment(a)] == [ev.id]
    with pytest.raises(AccessDenied):
        ben.events.delete(ev.id)


def _instrument(lab: Lab) -> int:
    return lab.admin.definitions.import_builtin("instrument", "alliance-quick-demo").id


def test_refusals_by_event_id_do_not_name_the_blind_assignment(lab: Lab) -> None:
    """Asked about an event id, the refusal must not say which assignment (hence which recording
    and colleague) owns it: issue 17 found "assignment #N is blind" in these messages."""
    a, _b = _double_coded(lab)
    ana, ben = lab.as_("Ana Alves"), lab.as_("Ben Brook")
    ev = ana.events.log(a, "withdrawal", 12_000)
    for attempt in (
        lambda: ben.events.get(ev.id),
        lambda: ben.events.update(ev.id, comment="peek"),
        lambda: ben.events.delete(ev.id),
    ):
        with pytest.raises(BlindingViolation) as info:
            attempt()
        assert f"#{a}" not in str(info.value) and "assignment #" not in str(info.value)
        assert "Ana" not in str(info.value)
