"""The pure rules behind a code key press and the reversible edits (no Qt, no database)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from observer_app.coding.definitions import parse_scheme
from observer_app.coding.edits import (
    Compound,
    DeleteEvent,
    EventSpec,
    LogEvent,
    RatingKey,
    Response,
    SetRating,
    UpdateEvent,
    edit_for_plan,
    logged_event_id,
)
from observer_app.coding.errors import InputError
from observer_app.coding.state_logic import (
    OpenState,
    format_ms,
    open_states,
    overlapping_exclusive,
    parse_time,
    plan_key_press,
)

SCHEME = parse_scheme((Path(__file__).parent / "scheme.toml").read_text(), "scheme.toml")


@dataclass
class Ev:
    id: int
    code: str
    onset_ms: int
    offset_ms: int | None
    is_state: bool
    deleted: bool = False


class MemoryPort:
    """An in-memory EditPort: the reference behaviour the services port must match."""

    def __init__(self) -> None:
        self.events: dict[int, Ev] = {}
        self.ratings: dict[RatingKey, Response] = {}
        self.next_id = 1

    def log_event(self, spec: EventSpec) -> int:
        ev = Ev(self.next_id, spec.code, spec.onset_ms, spec.offset_ms, spec.is_state)
        self.events[ev.id] = ev
        self.next_id += 1
        return ev.id

    def delete_event(self, event_id: int) -> None:
        self.events[event_id].deleted = True

    def restore_event(self, event_id: int) -> None:
        self.events[event_id].deleted = False

    def update_event(self, event_id: int, changes: Any) -> None:
        for key, value in changes.items():
            setattr(self.events[event_id], key, value)

    def set_rating(self, key: RatingKey, response: Response) -> None:
        self.ratings[key] = response

    def clear_rating(self, key: RatingKey) -> None:
        self.ratings.pop(key, None)

    def live(self) -> list[Ev]:
        return [e for e in self.events.values() if not e.deleted]


def press(port: MemoryPort, code: str, t: int) -> Compound:
    plan = plan_key_press(SCHEME, code, t, open_states(port.live()))
    edit = edit_for_plan(SCHEME, plan)
    edit.apply(port)
    return edit


def test_point_code_logs_one_event_at_the_press_time() -> None:
    port = MemoryPort()
    press(port, "nod", 1234)
    [ev] = port.live()
    assert (ev.code, ev.onset_ms, ev.offset_ms, ev.is_state) == ("nod", 1234, None, False)


def test_state_first_press_opens_second_closes() -> None:
    port = MemoryPort()
    press(port, "talk", 1000)
    assert open_states(port.live()) == [OpenState(1, "talk", 1000)]
    press(port, "talk", 4000)
    [ev] = port.live()
    assert (ev.onset_ms, ev.offset_ms) == (1000, 4000)
    assert open_states(port.live()) == []


def test_opening_an_exclusive_state_closes_the_open_one_at_the_same_time() -> None:
    port = MemoryPort()
    press(port, "talk", 1000)
    press(port, "laugh", 1500)  # not exclusive with talk: stays open
    press(port, "silence", 3000)
    by_code = {e.code: e for e in port.live()}
    assert by_code["talk"].offset_ms == 3000
    assert by_code["silence"].onset_ms == 3000 and by_code["silence"].offset_ms is None
    assert by_code["laugh"].offset_ms is None
    assert overlapping_exclusive(SCHEME, port.live()) == []


def test_closing_before_the_onset_is_refused_with_a_message() -> None:
    port = MemoryPort()
    press(port, "talk", 5000)
    with pytest.raises(InputError, match="opened later"):
        press(port, "talk", 2000)


def test_unknown_code_is_refused() -> None:
    with pytest.raises(InputError, match="no code"):
        plan_key_press(SCHEME, "nope", 0, [])


def test_compound_reverts_in_reverse_order_and_redo_restores_the_same_row() -> None:
    port = MemoryPort()
    press(port, "talk", 1000)
    edit = press(port, "silence", 3000)
    new_id = logged_event_id(edit)
    edit.revert(port)
    assert [(e.code, e.offset_ms) for e in port.live()] == [("talk", None)]
    edit.apply(port)  # redo: restores the soft-deleted row, same id
    assert logged_event_id(edit) == new_id
    assert {e.code for e in port.live()} == {"talk", "silence"}


def test_update_delete_and_rating_edits_round_trip() -> None:
    port = MemoryPort()
    ev_id = port.log_event(EventSpec("nod", 100))
    upd = UpdateEvent(ev_id, {"onset_ms": 100}, {"onset_ms": 250})
    upd.apply(port)
    assert port.events[ev_id].onset_ms == 250
    upd.revert(port)
    assert port.events[ev_id].onset_ms == 100
    delete = DeleteEvent(ev_id)
    delete.apply(port)
    assert port.live() == []
    delete.revert(port)
    assert len(port.live()) == 1
    key = RatingKey(7, "q1")
    rate = SetRating(key, None, Response(3.0))
    rate.apply(port)
    assert port.ratings[key] == Response(3.0)
    rate.revert(port)
    assert key not in port.ratings
    with pytest.raises(ValueError, match="same fields"):
        UpdateEvent(ev_id, {"onset_ms": 1}, {"comment": "x"})


def test_a_failing_part_rolls_back_the_parts_already_applied() -> None:
    port = MemoryPort()
    first = LogEvent(EventSpec("nod", 1))
    broken = UpdateEvent(999, {"onset_ms": 0}, {"onset_ms": 5})
    with pytest.raises(KeyError):
        Compound([first, broken], "x").apply(port)
    assert port.live() == []


@given(
    st.lists(
        st.tuples(st.sampled_from(["nod", "talk", "silence", "laugh"]), st.integers(0, 10_000)),
        max_size=40,
    )
)
def test_exclusive_states_never_overlap_and_undo_all_restores_nothing(
    presses: list[tuple[str, int]],
) -> None:
    port = MemoryPort()
    done: list[Compound] = []
    t = 0
    for code, step in presses:
        t += step
        done.append(press(port, code, t))
        assert overlapping_exclusive(SCHEME, port.live()) == []
    for edit in reversed(done):
        edit.revert(port)
    assert port.live() == []


@given(st.integers(0, 100 * 3_600_000))
def test_time_format_round_trips(ms: int) -> None:
    assert parse_time(format_ms(ms)) == ms


def test_parse_time_forms_and_errors() -> None:
    assert parse_time("1:02.5") == 62_500
    assert parse_time("1500") == 1500
    assert parse_time("00:00:01.250") == 1250
    with pytest.raises(InputError, match="not a time"):
        parse_time("abc")
