"""Reversible edits of a coder's work (pure): what an undo stack holds.

Each edit knows how to apply and revert itself through an :class:`EditPort` (the services layer
implements it on a study: ``observer_app.services.editing.StudyEditPort``). Nothing here touches
storage or Qt; the UI wraps edits in ``QUndoCommand`` objects.

Undo semantics:

* logging an event is undone by a (soft) delete and redone by restoring the same row, so its
  id, audit trail and any reference to it survive the round trip;
* deleting is undone by restoring;
* an update remembers the fields it changed, before and after;
* setting a rating remembers the previous response (or that there was none);
* a :class:`Compound` applies its parts in order and reverts them in reverse order (a state
  key press that closes an exclusive state and opens a new one is one undo step).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from observer_app.coding.definitions.scheme import Scheme
from observer_app.coding.state_logic import KeyPlan


@dataclass(frozen=True)
class EventSpec:
    """A new event as the coder logged it."""

    code: str
    onset_ms: int
    offset_ms: int | None = None
    is_state: bool = False
    modifiers: Mapping[str, Any] = field(default_factory=dict)
    comment: str = ""
    source: Mapping[str, Any] = field(default_factory=dict)
    subject: str | None = None  # who the event is about (a subject id of the scheme)


@dataclass(frozen=True)
class RatingKey:
    """Which response: instrument version, unit (session or segment n) and item."""

    instrument_version_id: int
    item_id: str
    unit_kind: str = "session"
    unit_index: int = 0


@dataclass(frozen=True)
class Response:
    """A value on the scale, or none with the reason (``"not_rated"``)."""

    value: float | None
    missing_reason: str | None = None


class EditPort(Protocol):
    """Where edits are committed (one committed transaction per call)."""

    def log_event(self, spec: EventSpec) -> int: ...
    def delete_event(self, event_id: int) -> None: ...
    def restore_event(self, event_id: int) -> None: ...
    def update_event(self, event_id: int, changes: Mapping[str, Any]) -> None: ...
    def set_rating(self, key: RatingKey, response: Response) -> None: ...
    def clear_rating(self, key: RatingKey) -> None: ...


class Edit(Protocol):
    @property
    def label(self) -> str: ...
    def apply(self, port: EditPort) -> None: ...
    def revert(self, port: EditPort) -> None: ...


class LogEvent:
    """Log a new event; after the first apply, ``event_id`` names its row."""

    def __init__(self, spec: EventSpec, label: str = "log event") -> None:
        self.spec = spec
        self.label = label
        self.event_id: int | None = None

    def apply(self, port: EditPort) -> None:
        if self.event_id is None:
            self.event_id = port.log_event(self.spec)
        else:
            port.restore_event(self.event_id)

    def revert(self, port: EditPort) -> None:
        if self.event_id is not None:
            port.delete_event(self.event_id)


@dataclass
class DeleteEvent:
    event_id: int
    label: str = "delete event"

    def apply(self, port: EditPort) -> None:
        port.delete_event(self.event_id)

    def revert(self, port: EditPort) -> None:
        port.restore_event(self.event_id)


@dataclass
class UpdateEvent:
    """Change some fields of an event; ``before`` holds their old values."""

    event_id: int
    before: Mapping[str, Any]
    after: Mapping[str, Any]
    label: str = "edit event"

    def __post_init__(self) -> None:
        if set(self.before) != set(self.after):
            raise ValueError("before and after must name the same fields")

    def apply(self, port: EditPort) -> None:
        port.update_event(self.event_id, dict(self.after))

    def revert(self, port: EditPort) -> None:
        port.update_event(self.event_id, dict(self.before))


@dataclass
class SetRating:
    """Give (``after``) or clear (``after`` None) a response; ``before`` is what was there."""

    key: RatingKey
    before: Response | None
    after: Response | None
    label: str = "rate item"

    def apply(self, port: EditPort) -> None:
        _put(port, self.key, self.after)

    def revert(self, port: EditPort) -> None:
        _put(port, self.key, self.before)


def _put(port: EditPort, key: RatingKey, response: Response | None) -> None:
    if response is None:
        port.clear_rating(key)
    else:
        port.set_rating(key, response)


class Compound:
    """Several edits as one undo step. A failure part-way reverts the parts already applied."""

    def __init__(self, parts: Sequence[Edit], label: str) -> None:
        self.parts = list(parts)
        self.label = label

    def apply(self, port: EditPort) -> None:
        done: list[Edit] = []
        try:
            for part in self.parts:
                part.apply(port)
                done.append(part)
        except Exception:
            for part in reversed(done):
                part.revert(port)
            raise

    def revert(self, port: EditPort) -> None:
        for part in reversed(self.parts):
            part.revert(port)


def edit_for_plan(
    scheme: Scheme,
    plan: KeyPlan,
    *,
    modifiers: Mapping[str, Any] | None = None,
    source: Mapping[str, Any] | None = None,
    subject: str | None = None,
) -> Compound:
    """The edit that carries out a key press plan (closes first, then the new event, about
    ``subject`` when the scheme declares subjects)."""
    parts: list[Edit] = [
        UpdateEvent(c.event_id, {"offset_ms": None}, {"offset_ms": c.offset_ms}, "close state")
        for c in plan.closes
    ]
    if plan.logs is not None:
        spec = EventSpec(
            plan.code,
            plan.time_ms,
            is_state=plan.logs == "state",
            modifiers=dict(modifiers or {}),
            source=dict(source or {}),
            subject=subject,
        )
        parts.append(LogEvent(spec, plan.describe(scheme)))
    return Compound(parts, plan.describe(scheme))


def logged_event_id(edit: Edit) -> int | None:
    """The id of the event an edit logged (the last one, for a compound), if any."""
    if isinstance(edit, LogEvent):
        return edit.event_id
    if isinstance(edit, Compound):
        for part in reversed(edit.parts):
            found = logged_event_id(part)
            if found is not None:
                return found
    return None
