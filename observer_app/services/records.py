"""Plain, immutable records that services hand to the UI and CLI (never ORM objects)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Actor:
    """Who is acting: a coder or manager profile, or the study's administrator (``id`` None)."""

    id: int | None
    name: str
    role: str

    @property
    def is_manager(self) -> bool:
        return self.role == "manager"


ADMINISTRATOR = Actor(id=None, name="administrator", role="manager")


@dataclass(frozen=True)
class CoderInfo:
    id: int
    name: str
    initials: str
    role: str
    active: bool
    has_password: bool


@dataclass(frozen=True)
class RecordingInfo:
    id: int
    media_path: str
    fingerprint: str
    size_bytes: int
    duration_ms: int | None
    has_video: bool | None
    fps: float | None
    dyad_id: str | None
    client_id: str | None
    therapist_id: str | None
    session_number: int | None
    session_date: dt.date | None
    meta: dict[str, Any] = field(default_factory=dict)
    container_duration_ms: int | None = None
    duration_source: str | None = None
    measure_version: int | None = None

    def measured_by_older_method(self, current: int) -> bool:
        """Whether the stored duration may be corrected by re-checking the media: it was not
        measured by the ``current`` method (a trusted container's duration is the same in
        every version)."""
        if self.duration_source == "container":
            return False
        return self.measure_version is None or self.measure_version < current

    @property
    def duration_disagrees(self) -> bool:
        """The container claims a length more than 0.5 s from the measured one."""
        if self.duration_ms is None or self.container_duration_ms is None:
            return False
        return abs(self.duration_ms - self.container_duration_ms) > DURATION_DISAGREEMENT_MS

    @property
    def label(self) -> str:
        """A short human label: client, session and file name."""
        parts = []
        if self.client_id:
            parts.append(f"client {self.client_id}")
        if self.session_number is not None:
            parts.append(f"session {self.session_number}")
        name = self.media_path.replace("\\", "/").rsplit("/", 1)[-1]
        return f"{name} ({', '.join(parts)})" if parts else name


#: A container duration this far from the measured one is shown to the manager.
DURATION_DISAGREEMENT_MS = 500


@dataclass(frozen=True)
class RecheckChange:
    """A recording's stored duration before and after re-checking its media."""

    recording_id: int
    before_ms: int | None
    after_ms: int
    container_ms: int | None
    source: str | None

    @property
    def changed(self) -> bool:
        return self.before_ms != self.after_ms


@dataclass(frozen=True)
class AssignmentInfo:
    id: int
    recording_id: int
    recording_label: str
    coder_id: int
    coder_name: str
    #: None when hidden from a coder because the assignment is blind.
    purpose: str | None
    status: str
    blind: bool
    scheme_version_id: int | None
    last_position_ms: int
    reference: dict[str, Any]
    completed_at: dt.datetime | None


@dataclass(frozen=True)
class EventRecord:
    id: int
    assignment_id: int
    code: str
    onset_ms: int
    offset_ms: int | None
    is_state: bool
    modifiers: dict[str, Any]
    comment: str
    deleted: bool
    source: dict[str, Any]
    #: Who the event is about: a subject id of the scheme (``None`` when it declares none).
    subject: str | None = None

    @property
    def is_open(self) -> bool:
        """A state event whose end has not been logged yet."""
        return self.is_state and self.offset_ms is None


@dataclass(frozen=True)
class RatingRecord:
    id: int
    assignment_id: int
    instrument_version_id: int
    unit_kind: str
    unit_index: int
    item_id: str
    value: float | None
    missing_reason: str | None
    source: dict[str, Any]


@dataclass(frozen=True)
class AuditRecord:
    id: int
    at: dt.datetime
    actor_name: str
    action: str
    entity: str
    entity_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    context: str


@dataclass(frozen=True)
class StudyInfo:
    name: str
    location: str
    schema_version: str
    recordings: int
    coders: int
    assignments_by_status: dict[str, int]
    events: int
    ratings: int


@dataclass(frozen=True)
class Problem:
    """Something that stops an assignment from being completed, with where to go to fix it."""

    kind: str  # "open_state", "missing_item", "unrated_segment", ...
    message: str
    event_id: int | None = None
    instrument_version_id: int | None = None
    unit_kind: str | None = None
    unit_index: int | None = None
    item_id: str | None = None
    position_ms: int | None = None


@dataclass(frozen=True)
class SourceInfo:
    """A further camera or audio track of a recording (``recording_source``).

    ``offset_ms``: where the source's time 0 falls on the session clock (the main file's clock);
    the source plays ``session_time - offset_ms``.
    """

    id: int
    recording_id: int
    media_path: str
    kind: str
    label: str
    offset_ms: int
    fingerprint: str
    size_bytes: int
    duration_ms: int | None
    fps: float | None
