"""``SaveGuard`` on its own (issue 17): order kept, nothing repeated, nothing shown as saved.

The storage fault is injected at the port (a wrapper of the real port on a real study that
refuses while ``down`` is set); the real faults are in test_save_faults.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from observer_app.coding.edits import Compound, EventSpec, LogEvent, UpdateEvent
from observer_app.coding.errors import InputError, StorageError
from observer_app.services.editing import StudyEditPort
from observer_app.ui.save_guard import SaveGuard

from .conftest import UiLab


class FlakyPort:
    """The real port; while ``down`` every call fails as a full disk would."""

    def __init__(self, real: StudyEditPort) -> None:
        self.real = real
        self.down = False
        self.calls = 0

    def _check(self) -> None:
        self.calls += 1
        if self.down:
            raise StorageError("not saved: the disk is full")

    def log_event(self, spec: EventSpec) -> int:
        self._check()
        return self.real.log_event(spec)

    def update_event(self, event_id: int, changes: Mapping[str, Any]) -> None:
        self._check()
        self.real.update_event(event_id, changes)

    def delete_event(self, event_id: int) -> None:
        self._check()
        self.real.delete_event(event_id)

    def restore_event(self, event_id: int) -> None:
        self._check()
        self.real.restore_event(event_id)

    def set_rating(self, key: Any, response: Any) -> None:
        self._check()
        self.real.set_rating(key, response)

    def clear_rating(self, key: Any) -> None:
        self._check()
        self.real.clear_rating(key)


class DownAfterFirst(FlakyPort):
    def _check(self) -> None:
        super()._check()
        if self.calls == 1:
            self.down = True


def _spec(code: str, onset: int, state: bool = False) -> EventSpec:
    return EventSpec(code=code, onset_ms=onset, is_state=state)


def _onsets(lab: UiLab) -> list[tuple[str, int, int | None]]:
    with lab.open_as("Ana Alves") as study:
        return [(e.code, e.onset_ms, e.offset_ms) for e in study.events.for_assignment(lab.mine)]


def test_a_two_step_press_half_saved_is_finished_not_repeated(lab: UiLab, tmp_path: Path) -> None:
    study = lab.open_as("Ana Alves")
    real = StudyEditPort(study, lab.mine)
    talk = real.log_event(_spec("talk", 1_000, state=True))
    port = DownAfterFirst(real)
    changes: list[bool] = []
    guard = SaveGuard(port, lambda: changes.append(guard.failing))
    # close "talk" and open "silence": two commits; the disk fills after the first
    switch = Compound(
        [
            UpdateEvent(talk, {"offset_ms": None}, {"offset_ms": 5_000}),
            LogEvent(_spec("silence", 5_000, state=True)),
        ],
        "switch",
    )
    assert guard.apply(switch) is False
    assert guard.failing and not guard.accepting and guard.unsaved == 1
    assert "disk is full" in (guard.banner_text() or "")
    assert changes == [True]
    assert _onsets(lab) == [("talk", 1_000, 5_000)]  # the first step stays saved
    with pytest.raises(StorageError, match="NOT SAVED"):
        guard.apply(LogEvent(_spec("nod", 6_000)))  # coding is paused while failing
    assert guard.retry() == [] and guard.failing  # still full
    port.down = False
    [saved] = guard.retry()
    assert not guard.failing and guard.banner_text() is None and changes == [True, False]
    assert _onsets(lab) == [("talk", 1_000, 5_000), ("silence", 5_000, None)]
    saved.revert(real)  # the saved edit is a normal undo step: it reverts both parts
    assert _onsets(lab) == [("talk", 1_000, None)]
    study.close()


def test_presses_kept_in_order_and_rule_refusals_not_kept(lab: UiLab) -> None:
    study = lab.open_as("Ana Alves")
    port = FlakyPort(StudyEditPort(study, lab.mine))
    guard = SaveGuard(port)
    assert guard.apply(LogEvent(_spec("nod", 1_000)))
    port.down = True
    assert not guard.apply(LogEvent(_spec("nod", 2_000)))
    port.down = False
    assert len(guard.retry()) == 1
    assert [o for _c, o, _ in _onsets(lab)] == [1_000, 2_000]
    with pytest.raises(InputError, match="before the start"):
        guard.apply(LogEvent(_spec("nod", -5)))
    assert not guard.failing  # a rule's refusal is not a save failure: nothing kept
    study.close()
