"""One open assignment: its definitions, its events and ratings, and the undo stack.

``CodingSession`` is the window's single door to the services: every change is a reversible edit
(``observer_app.coding.edits``) applied through ``StudyEditPort`` — one committed transaction —
then pushed on a ``QUndoStack`` through :class:`EditCommand`. Views listen to its signals; none of
them writes to the study themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from observer_app.coding.definitions.instrument import Instrument
from observer_app.coding.definitions.scheme import Code, Scheme
from observer_app.coding.definitions.textpack import TextPack
from observer_app.coding.edits import (
    DeleteEvent,
    Edit,
    RatingKey,
    Response,
    SetRating,
    UpdateEvent,
    edit_for_plan,
    logged_event_id,
)
from observer_app.coding.errors import ObserverError
from observer_app.coding.state_logic import (
    KeyPlan,
    format_ms,
    open_states,
    overlapping_exclusive,
    plan_key_press,
)
from observer_app.services.editing import StudyEditPort, rating_key, response_of
from observer_app.services.instrument_keys import KEY_NOT_CHECKED
from observer_app.services.records import (
    AssignmentInfo,
    EventRecord,
    Problem,
    RatingRecord,
    RecordingInfo,
)
from observer_app.services.study import Study
from observer_app.ui.save_guard import SaveGuard


@dataclass(frozen=True)
class FormSpec:
    """An instrument the coder completes on this assignment, with its units and item texts."""

    version_id: int
    instrument: Instrument
    units: tuple[tuple[str, int], ...]
    pack: TextPack | None
    #: "key checked by ... on ..." or "key not checked" (shown in the form header).
    key_check: str = KEY_NOT_CHECKED

    @property
    def per_segment(self) -> bool:
        return self.instrument.unit == "segment"


def asks_modifiers(code: Code) -> bool:
    """Whether a key press opens the modifier picker: when the code has a required modifier or
    one to choose (single, multiple, range). Optional free-text modifiers (a note) are not asked
    for at the key press, so coding flows; they are written in the event log afterwards."""
    return any(m.required or m.type != "text" for m in code.modifiers)


def key_press_time(position_ms: int, reaction_lag_ms: int) -> int:
    """The event time of a key pressed while ``position_ms`` is on screen: that frame minus the
    coder's reaction lag, never before the start of the recording."""
    return max(0, position_ms - reaction_lag_ms)


# -- the missing-media rule (issue 11) ----------------------------------------------------------
# Without a playing recording there is no clock: a key press is never timed by a frozen player
# (events at 00:00:00.000), only by a time the coder enters on purpose, and the resume position
# is never overwritten by a session that had no media.
NO_MEDIA_CLOCK = (
    "the recording is not playing, so there is no clock to time the event: "
    "locate the file, or enter the event's time"
)


def event_time(
    media_clock: bool, position_ms: int, reaction_lag_ms: int, entered_ms: int | None = None
) -> int:
    """The time of an event logged now: the coder's ``entered_ms`` if given (coding without
    media, an explicit choice), else the frame on screen minus the lag; :class:`ObserverError`
    when there is neither a media clock nor an entered time."""
    if entered_ms is not None:
        if entered_ms < 0:
            raise ObserverError(f"an event's time cannot be negative ({entered_ms} ms)")
        return entered_ms
    if not media_clock:
        raise ObserverError(NO_MEDIA_CLOCK)
    return key_press_time(position_ms, reaction_lag_ms)


class EditCommand(QUndoCommand):
    """A ``QUndoCommand`` over a reversible domain edit that has already been applied once."""

    def __init__(self, edit: Edit, session: CodingSession) -> None:
        super().__init__(edit.label)
        self.edit = edit
        self._session = session
        self._applied = True

    def redo(self) -> None:
        if self._applied:  # QUndoStack.push calls redo(); the edit was committed just before.
            self._applied = False
            return
        self._session._run_quietly(self.edit.apply, f"redo {self.edit.label}")

    def undo(self) -> None:
        self._session._run_quietly(self.edit.revert, f"undo {self.edit.label}")


class CodingSession(QObject):
    eventChanged = Signal(object)  # EventRecord (deleted ones too: views drop them)
    ratingChanged = Signal(object, object)  # RatingKey, RatingRecord | None
    saved = Signal(object)  # datetime of the last commit
    failed = Signal(str)  # a refused action, in words fit for the status bar
    statusChanged = Signal(str)  # assignment status
    saveStateChanged = Signal()  # the save guard started or stopped failing (issue 17)

    def __init__(self, study: Study, assignment_id: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.study = study
        self.info: AssignmentInfo = study.assignments.get(assignment_id)
        self.recording: RecordingInfo = study.recordings.get(self.info.recording_id)
        self.scheme: Scheme | None = (
            study.definitions.scheme(self.info.scheme_version_id)
            if self.info.scheme_version_id is not None
            else None
        )
        self.forms: list[FormSpec] = self._forms()
        self.events: dict[int, EventRecord] = {
            e.id: e for e in study.events.for_assignment(assignment_id)
        }
        self.ratings: dict[RatingKey, RatingRecord] = {
            rating_key(r): r for r in study.ratings.for_assignment(assignment_id)
        }
        self._open: dict[int, EventRecord] = {k: e for k, e in self.events.items() if e.is_open}
        self.port = StudyEditPort(study, assignment_id, self)
        self.undo_stack = QUndoStack(self)
        # issue 17 hook: every edit goes through the save guard (ui/save_guard.py).
        self.save_guard = SaveGuard(self.port, self.saveStateChanged.emit)
        #: The subject the next key press is about (the scheme's first in "focal" mode).
        self.focal_subject: str | None = (
            self.scheme.subjects[0].id if self.scheme is not None and self.scheme.subjects else None
        )
        #: Whether the recording is loaded and its clock runs (set by the window): without it
        #: no event is timed by the player and the resume position is left alone.
        self.media_clock = False

    def _forms(self) -> list[FormSpec]:
        definitions = self.study.definitions
        checks = {v: s.text for v, s in self.study.instrument_keys.signoffs().items()}
        return [
            FormSpec(
                a.version_id,
                a.instrument,
                tuple(a.units),
                definitions.text_pack(a.version_id),
                checks.get(a.version_id, KEY_NOT_CHECKED),
            )
            for a in definitions.assigned_instruments(self.info.id)
        ]

    # -- facts -----------------------------------------------------------------------------
    @property
    def assignment_id(self) -> int:
        return self.info.id

    @property
    def read_only(self) -> bool:
        return self.info.status in ("complete", "cancelled")

    @property
    def status(self) -> str:
        return self.info.status

    def status_changed_elsewhere(self, status: str, info: AssignmentInfo | None = None) -> None:
        """A manager changed this assignment on another workstation (``ui/assignment_watch``):
        ``info`` is the assignment as read now (when completed, ``completed_at``), None when it
        is no longer readable (only the status changes)."""
        if info is not None:
            self.info = info
        self._set_status(status)

    @property
    def duration_ms(self) -> int:
        return int(self.recording.duration_ms or 0)

    @property
    def media_path(self) -> Path:
        return Path(self.recording.media_path)

    @property
    def last_saved(self) -> dt.datetime | None:
        return self.port.last_saved

    def segment_bounds(self) -> tuple[tuple[int, int], ...]:
        if self.scheme is None or self.scheme.segments is None:
            return ()
        return self.study.definitions.segment_bounds(self.scheme, self.duration_ms)

    def segment_form(self) -> FormSpec | None:
        return next((f for f in self.forms if f.per_segment), None)

    def session_forms(self) -> list[FormSpec]:
        return [f for f in self.forms if not f.per_segment]

    def responses(self, version_id: int, unit_kind: str, unit_index: int) -> dict[str, Response]:
        return {
            k.item_id: Response(r.value, r.missing_reason)
            for k, r in self.ratings.items()
            if k.instrument_version_id == version_id
            and k.unit_kind == unit_kind
            and k.unit_index == unit_index
        }

    def segments_rated(self, n_segments: int) -> list[bool]:
        """Per segment, whether every required item of the per-segment instrument is answered
        (all True when there is no per-segment instrument)."""
        spec = self.segment_form()
        if spec is None:
            return [True] * n_segments
        required = [i.id for i in spec.instrument.items if i.required]
        return [
            all(i in self.responses(spec.version_id, "segment", n) for i in required)
            for n in range(n_segments)
        ]

    def open_states(
        self, subject: str | None = None, *, all_subjects: bool = True
    ) -> list[EventRecord]:
        """The open states (of ``subject`` only, unless ``all_subjects``)."""
        states = [e for e in self._open.values() if all_subjects or e.subject == subject]
        return sorted(states, key=lambda e: (e.onset_ms, e.id))

    @property
    def asks_subject(self) -> bool:
        """Whether each key press asks for its subject (the scheme's "ask" mode)."""
        return bool(self.scheme and self.scheme.subjects and self.scheme.subject_mode == "ask")

    # -- listener of the edit port --------------------------------------------------------
    def event_changed(self, record: EventRecord) -> None:
        if record.deleted:
            self.events.pop(record.id, None)
        else:
            self.events[record.id] = record
        if record.is_open and not record.deleted:
            self._open[record.id] = record
        else:
            self._open.pop(record.id, None)
        self.eventChanged.emit(record)
        self._saved()

    def rating_changed(self, key: RatingKey, record: RatingRecord | None) -> None:
        if record is None:
            self.ratings.pop(key, None)
        else:
            self.ratings[key] = record
        self.ratingChanged.emit(key, record)
        self._saved()

    def _saved(self) -> None:
        if self.info.status == "not_started":
            self._set_status("in_progress")
        self.saved.emit(self.port.last_saved)

    def _set_status(self, status: str) -> None:
        self.info = replace(self.info, status=status)
        self.statusChanged.emit(status)

    # -- doing things ----------------------------------------------------------------------
    def run(self, edit: Edit) -> bool:
        """Apply ``edit`` now (committed) and push it on the undo stack; False if refused."""
        if self.read_only:
            self.failed.emit("this assignment is complete and read-only")
            return False
        try:
            saved = self.save_guard.apply(edit)  # issue 17 hook (was: edit.apply(self.port))
        except ObserverError as exc:
            self.failed.emit(str(exc))
            return False
        if not saved:  # kept in memory by the guard; the banner says so until it is saved
            self.failed.emit(self.save_guard.banner_text() or "not saved")
            return False
        self.undo_stack.push(EditCommand(edit, self))
        return True

    def retry_saves(self) -> int:
        """Try the unsaved changes again (issue 17); the saved ones go on the undo stack."""
        saved = self.save_guard.retry()
        for edit in saved:
            self.undo_stack.push(EditCommand(edit, self))
        return len(saved)

    def _run_quietly(self, step: Callable[[StudyEditPort], None], what: str) -> None:
        if self.save_guard.failing:  # issue 17: no undo/redo while a change is unsaved
            self.failed.emit(f"cannot {what}: {self.save_guard.banner_text()}")
            return
        try:
            step(self.port)
        except ObserverError as exc:
            self.failed.emit(f"cannot {what}: {exc}")

    def plan(self, code_id: str, time_ms: int, subject: str | None = None) -> KeyPlan:
        """What pressing ``code_id`` at ``time_ms`` about ``subject`` would do (raises
        InputError if refused): states pair and exclude each other within one subject."""
        if self.scheme is None:
            raise ObserverError("this assignment has no coding scheme")
        mine = [e for e in self._open.values() if e.subject == subject]
        return plan_key_press(self.scheme, code_id, time_ms, open_states(mine))

    def press(
        self,
        code_id: str,
        time_ms: int,
        modifiers: Mapping[str, Any] | None = None,
        source: Mapping[str, Any] | None = None,
        subject: str | None = None,
    ) -> bool:
        """A code key pressed at ``time_ms`` (reaction lag already subtracted), about
        ``subject`` (default: the focal subject)."""
        if self.read_only:
            self.failed.emit("this assignment is complete and read-only")
            return False
        subject = subject if subject is not None else self.focal_subject
        try:
            plan = self.plan(code_id, time_ms, subject)
        except ObserverError as exc:
            self.failed.emit(str(exc))
            return False
        assert self.scheme is not None
        edit = edit_for_plan(self.scheme, plan, modifiers=modifiers, source=source, subject=subject)
        return self.run(edit)

    def last_edit(self) -> tuple[str | None, int | None]:
        """The text of the command on top of the undo stack (None without one) and the id of
        the event its edit logged (None when it logged none)."""
        command = self.undo_stack.command(self.undo_stack.index() - 1)
        edit = getattr(command, "edit", None)
        new_id = logged_event_id(edit) if edit is not None else None
        return (command.text() if command else None), new_id

    def delete_event(self, event_id: int) -> bool:
        return self.run(DeleteEvent(event_id, "delete event"))

    def update_event(self, event_id: int, label: str = "edit event", **changes: Any) -> bool:
        record = self.events.get(event_id)
        if record is None:
            self.failed.emit(f"event #{event_id} is not in this assignment")
            return False
        before = {k: getattr(record, k) for k in changes}
        if before == changes:
            return True
        if not self.run(UpdateEvent(event_id, before, dict(changes), label)):
            return False
        self._warn_overlaps(event_id)
        return True

    def retime_event(self, event_id: int, onset_ms: int, offset_ms: int | None) -> bool:
        """Move an event to ``onset_ms`` (a drag on the timeline); an interval's offset moves to
        ``offset_ms``, a point or an open state keeps having none."""
        changes: dict[str, Any] = {"onset_ms": onset_ms}
        record = self.events.get(event_id)
        if record is not None and record.offset_ms is not None:
            changes["offset_ms"] = offset_ms
        return self.update_event(event_id, "retime event", **changes)

    def _warn_overlaps(self, event_id: int) -> None:
        """An edit may make exclusive states overlap: allowed (it can be fixed next), but said."""
        record = self.events.get(event_id)
        if self.scheme is None or record is None or not record.is_state:
            return
        rivals = set(self.scheme.exclusive_with(record.code))
        if not rivals:
            return
        states = [e for e in self.events.values() if e.code in rivals or e.id == event_id]
        for a, b in overlapping_exclusive(self.scheme, states):
            if event_id in (a, b):
                other = self.events[b if a == event_id else a]
                self.failed.emit(
                    f"note: {record.code} now overlaps {other.code} at "
                    f"{format_ms(other.onset_ms)}, which is mutually exclusive with it"
                )
                return

    def rate(self, key: RatingKey, response: Response | None) -> bool:
        before = response_of(self.ratings.get(key))
        if before == response:
            return True
        label = "clear rating" if response is None else f"rate item {key.item_id}"
        return self.run(SetRating(key, before, response, label))

    def remember_position(self, position_ms: int) -> None:
        """Save where the coder is, unless the recording is not playing here (missing media):
        a session without media never overwrites the resume position."""
        if not self.media_clock:
            return
        try:
            self.study.assignments.set_position(self.info.id, position_ms)
        except ObserverError as exc:
            self.failed.emit(f"could not remember the position: {exc}")

    def problems(self) -> list[Problem]:
        return self.study.assignments.problems(self.info.id)

    def complete(self) -> list[Problem]:
        """Complete the assignment if nothing is missing; the problems otherwise."""
        try:
            problems = self.study.assignments.complete(self.info.id)
        except ObserverError as exc:
            self.failed.emit(str(exc))
            return []
        if not problems:
            self.info = self.study.assignments.get(self.info.id)
            self.undo_stack.clear()
            self.statusChanged.emit(self.info.status)
        return problems

    def relink(self, path: Path) -> RecordingInfo:
        self.recording = self.study.recordings.relink(self.recording.id, path)
        return self.recording
