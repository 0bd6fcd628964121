"""Reversible edits committed through a study: the ``EditPort`` of one assignment.

    port = StudyEditPort(study, assignment_id, listener)
    edit = edit_for_plan(scheme, plan)      # observer_app.coding.edits
    edit.apply(port)                        # one committed, audited transaction per step
    edit.revert(port)                       # undo

Every committed change is reported to ``listener`` (the coding window keeps its views in step
without re-reading the database); ``last_saved`` is the wall-clock time of the last commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from observer_app.coding.edits import EditPort, EventSpec, RatingKey, Response
from observer_app.services.records import EventRecord, RatingRecord

if TYPE_CHECKING:
    from observer_app.services.study import Study

#: The reason stored with a "not rated" response.
NOT_RATED = "not_rated"


class EditListener(Protocol):
    def event_changed(self, record: EventRecord) -> None: ...
    def rating_changed(self, key: RatingKey, record: RatingRecord | None) -> None: ...


class StudyEditPort(EditPort):
    """Commits edits of assignment ``assignment_id`` through ``study``'s services."""

    def __init__(
        self, study: Study, assignment_id: int, listener: EditListener | None = None
    ) -> None:
        self._study = study
        self.assignment_id = assignment_id
        self.listener = listener
        self.last_saved: dt.datetime | None = None

    def _saved(self) -> None:
        self.last_saved = dt.datetime.now().astimezone()

    def _event(self, record: EventRecord) -> None:
        self._saved()
        if self.listener is not None:
            self.listener.event_changed(record)

    # -- events ----------------------------------------------------------------------------
    def log_event(self, spec: EventSpec) -> int:
        record = self._study.events.log(
            self.assignment_id,
            spec.code,
            spec.onset_ms,
            offset_ms=spec.offset_ms,
            is_state=spec.is_state,
            modifiers=dict(spec.modifiers),
            comment=spec.comment,
            source=dict(spec.source),
            subject=spec.subject,
            context=f"log {spec.code}",
        )
        self._event(record)
        return record.id

    def delete_event(self, event_id: int) -> None:
        self._event(self._study.events.delete(event_id))

    def restore_event(self, event_id: int) -> None:
        self._event(self._study.events.restore(event_id))

    def update_event(self, event_id: int, changes: Mapping[str, Any]) -> None:
        self._event(self._study.events.update(event_id, **dict(changes)))

    # -- ratings ---------------------------------------------------------------------------
    def set_rating(self, key: RatingKey, response: Response) -> None:
        record = self._study.ratings.set(
            self.assignment_id,
            key.instrument_version_id,
            key.item_id,
            response.value,
            unit_kind=key.unit_kind,
            unit_index=key.unit_index,
            missing_reason=response.missing_reason,
        )
        self._saved()
        if self.listener is not None:
            self.listener.rating_changed(key, record)

    def clear_rating(self, key: RatingKey) -> None:
        self._study.ratings.clear(
            self.assignment_id,
            key.instrument_version_id,
            key.item_id,
            unit_kind=key.unit_kind,
            unit_index=key.unit_index,
        )
        self._saved()
        if self.listener is not None:
            self.listener.rating_changed(key, None)


def rating_key(record: RatingRecord) -> RatingKey:
    return RatingKey(
        record.instrument_version_id, record.item_id, record.unit_kind, record.unit_index
    )


def response_of(record: RatingRecord | None) -> Response | None:
    if record is None:
        return None
    return Response(record.value, record.missing_reason)
