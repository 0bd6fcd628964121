"""Several sources per recording: further cameras and audio tracks, each with an offset.

The recording's own file is the session clock; every extra source is shown at
``session_time - offset_ms``. Adding, re-timing and removing sources is manager-only, one
audited transaction each; anyone who may open the recording may list them (to play them).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from observer_app.coding.errors import Conflict, InputError, NotFound
from observer_app.services.access import require_manager
from observer_app.services.context import ServiceContext, get_or_raise
from observer_app.services.fingerprint import fingerprint
from observer_app.services.recordings import Probe, readable_file
from observer_app.services.records import SourceInfo
from observer_app.store.engine import StudySession
from observer_app.store.models import (
    MAX_SOURCE_OFFSET_MS,
    SOURCE_KINDS,
    Recording,
    RecordingSource,
)

#: BORIS plays up to 8 media files per observation: the main file and 7 more.
MAX_SOURCES = 7
MAX_LABEL = 80


def _to_info(r: RecordingSource) -> SourceInfo:
    return SourceInfo(
        r.id,
        r.recording_id,
        r.media_path,
        r.kind,
        r.label,
        r.offset_ms,
        r.fingerprint,
        r.size_bytes,
        r.duration_ms,
        r.fps,
    )


def check_offset(offset_ms: int) -> int:
    """An offset within +-24 h of the session clock, else one clear reason."""
    if not -MAX_SOURCE_OFFSET_MS <= int(offset_ms) <= MAX_SOURCE_OFFSET_MS:
        raise InputError(
            f"offset {offset_ms} ms is out of range (-{MAX_SOURCE_OFFSET_MS} to "
            f"{MAX_SOURCE_OFFSET_MS} ms, 24 hours either way)"
        )
    return int(offset_ms)


def _check_kind(kind: str) -> str:
    if kind not in SOURCE_KINDS:
        raise InputError(f"source kind {kind!r}: must be one of {', '.join(SOURCE_KINDS)}")
    return kind


def _check_label(label: str) -> str:
    label = label.strip()
    if not label or len(label) > MAX_LABEL:
        raise InputError(f"source label {label!r}: 1 to {MAX_LABEL} characters")
    return label


class RecordingSourceService:
    def __init__(self, ctx: ServiceContext, probe: Probe | None = None) -> None:
        self._ctx = ctx
        self._probe = probe

    def add(
        self,
        recording_id: int,
        path: Path,
        *,
        kind: str | None = None,
        label: str | None = None,
        offset_ms: int = 0,
    ) -> SourceInfo:
        """Add ``path`` as a further source of recording ``recording_id``.

        Refused with one reason: a missing or unreadable file, the recording's own file or one
        of its sources again (same fingerprint), an offset beyond 24 h, more than
        :data:`MAX_SOURCES`, or a video source without video. ``kind`` defaults to what the
        probe finds (video if the file has a picture).
        """
        require_manager(self._ctx.actor, "add recording sources")
        offset = check_offset(offset_ms)
        path = readable_file(Path(path))
        size, fp = fingerprint(path)
        probed = self._probe(path) if self._probe is not None else None
        found_video = bool(probed.has_video) if probed is not None else None
        kind = _check_kind(kind or ("video" if found_video in (True, None) else "audio"))
        if kind == "video" and found_video is False:
            raise InputError(f"{path}: has no picture, cannot be a video source (use audio)")
        label = _check_label(label if label is not None else path.stem[:MAX_LABEL])
        with self._ctx.tx(f"add source {path.name} to recording #{recording_id}") as s:
            rec = get_or_raise(s, Recording, recording_id, "recording")
            self._check_new(s, rec, fp, path)
            row = RecordingSource(
                recording_id=rec.id,
                media_path=str(path),
                kind=kind,
                label=label,
                offset_ms=offset,
                fingerprint=fp,
                size_bytes=size,
                duration_ms=probed.duration_ms if probed is not None else None,
                fps=(probed.fps or None) if probed is not None else None,
            )
            s.add(row)
            s.flush()
            return _to_info(row)

    def _check_new(self, s: StudySession, rec: Recording, fp: str, path: Path) -> None:
        if fp == rec.fingerprint:
            raise Conflict(f"{path}: is recording #{rec.id}'s own file (same fingerprint)")
        existing = self._rows(s, rec.id)
        for other in existing:
            if other.fingerprint == fp:
                raise Conflict(
                    f"{path}: already a source of recording #{rec.id} as {other.label!r} "
                    f"({other.media_path}, same fingerprint)"
                )
        if len(existing) >= MAX_SOURCES:
            raise InputError(
                f"recording #{rec.id} already has {MAX_SOURCES} further sources (8 in all)"
            )

    @staticmethod
    def _rows(s: StudySession, recording_id: int) -> list[RecordingSource]:
        q = (
            select(RecordingSource)
            .where(RecordingSource.recording_id == recording_id)
            .order_by(RecordingSource.id)
        )
        return list(s.scalars(q))

    def of(self, recording_id: int) -> list[SourceInfo]:
        """The recording's further sources, in the order they were added."""
        with self._ctx.read() as s:
            get_or_raise(s, Recording, recording_id, "recording")
            return [_to_info(r) for r in self._rows(s, recording_id)]

    def _source(self, s: StudySession, recording_id: int, source_id: int) -> RecordingSource:
        row = s.get(RecordingSource, source_id)
        if row is None or row.recording_id != recording_id:
            raise NotFound(f"recording #{recording_id} has no source #{source_id}")
        return row

    def set_offset(self, recording_id: int, source_id: int, offset_ms: int) -> SourceInfo:
        """Re-time one source against the session clock."""
        require_manager(self._ctx.actor, "set source offsets")
        offset = check_offset(offset_ms)
        with self._ctx.tx(f"set offset of source #{source_id} to {offset} ms") as s:
            get_or_raise(s, Recording, recording_id, "recording")
            row = self._source(s, recording_id, source_id)
            row.offset_ms = offset
            return _to_info(row)

    def remove(self, recording_id: int, source_id: int) -> SourceInfo:
        require_manager(self._ctx.actor, "remove recording sources")
        with self._ctx.tx(f"remove source #{source_id} of recording #{recording_id}") as s:
            get_or_raise(s, Recording, recording_id, "recording")
            row = self._source(s, recording_id, source_id)
            info = _to_info(row)
            s.delete(row)
            return info
