"""Recordings: add (fingerprint and duration), list, edit metadata, relink moved media."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select

from observer_app.coding.errors import Conflict, InputError, ObserverError
from observer_app.services.access import require_manager
from observer_app.services.context import ServiceContext, get_or_raise
from observer_app.services.fingerprint import fingerprint
from observer_app.services.records import RecheckChange, RecordingInfo
from observer_app.store.models import Recording

EDITABLE_FIELDS = (
    "dyad_id",
    "client_id",
    "therapist_id",
    "session_number",
    "session_date",
    "meta",
)


class ProbeResult(Protocol):
    """What a media probe reports (``observer_app.media`` provides the real one)."""

    @property
    def duration_ms(self) -> int: ...
    @property
    def has_video(self) -> bool: ...
    @property
    def fps(self) -> float: ...


Probe = Callable[[Path], ProbeResult]


def _claimed(probed: ProbeResult | None) -> int | None:
    """The container's claimed duration, when the probe measured the stream itself."""
    value = getattr(probed, "container_duration_ms", None) if probed is not None else None
    return int(value) if value is not None else None


def _source(probed: ProbeResult | None) -> str | None:
    if probed is None:
        return None
    return str(getattr(probed, "duration_source", None) or "container")


def _version(probed: ProbeResult | None) -> int | None:
    """The measuring method's version, when the probe measured (``media.measure``)."""
    value = getattr(probed, "measure_version", None) if probed is not None else None
    return int(value) if value is not None else None


def to_info(r: Recording) -> RecordingInfo:
    return RecordingInfo(
        r.id,
        r.media_path,
        r.fingerprint,
        r.size_bytes,
        r.duration_ms,
        r.has_video,
        r.fps,
        r.dyad_id,
        r.client_id,
        r.therapist_id,
        r.session_number,
        r.session_date,
        dict(r.meta),
        r.container_duration_ms,
        r.duration_source,
        r.measure_version,
    )


def readable_file(path: Path) -> Path:
    path = path.expanduser()
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if not path.is_file():
        raise InputError(f"{path}: not a file")
    try:
        with path.open("rb") as fh:
            fh.read(1)
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from exc
    return path.resolve()


class RecordingService:
    def __init__(self, ctx: ServiceContext, probe: Probe | None = None) -> None:
        self._ctx = ctx
        self._probe = probe

    def add(
        self,
        path: Path,
        *,
        client_id: str | None = None,
        therapist_id: str | None = None,
        dyad_id: str | None = None,
        session_number: int | None = None,
        session_date: dt.date | None = None,
        meta: dict[str, Any] | None = None,
    ) -> RecordingInfo:
        """Add one media file; a missing, unreadable, undecodable or duplicate file is refused."""
        details: dict[str, Any] = {
            "client_id": client_id,
            "therapist_id": therapist_id,
            "dyad_id": dyad_id,
            "session_number": session_number,
            "session_date": session_date,
            "meta": dict(meta or {}),
        }
        [added], _ = self.add_many([path], **details)
        return added

    def add_many(
        self, paths: Sequence[Path], *, valid_only: bool = False, **details: Any
    ) -> tuple[list[RecordingInfo], list[str]]:
        """Add several media files in one transaction: all of them, or (any bad) none.

        Every file is checked first (readable, decodable, not already in the study or twice in
        the list). With a problem, nothing is added and the error lists every bad file, unless
        ``valid_only``: then the good ones are added and the problems returned.
        """
        require_manager(self._ctx.actor, "add recordings")
        number = details.get("session_number")
        if number is not None and not 0 <= number <= 2**31 - 1:
            raise InputError(f"session number {number} is out of range (0 to {2**31 - 1:,})")
        ready: list[tuple[Path, int, str, Any]] = []
        problems: list[ObserverError] = []
        seen: dict[str, Path] = {}
        for raw in paths:
            try:
                path = readable_file(Path(raw))
                size, fp = fingerprint(path)
                if fp in seen:
                    raise Conflict(f"{path}: the same file as {seen[fp]} (same fingerprint)")
                probed = self._probe(path) if self._probe is not None else None
            except ObserverError as exc:
                problems.append(exc)
                continue
            seen[fp] = path
            ready.append((path, size, fp, probed))
        with self._ctx.tx(
            "add recordings" if len(paths) != 1 else f"add recording {Path(paths[0]).name}"
        ) as s:
            rows = []
            for path, size, fp, probed in ready:
                clash = s.scalar(
                    select(Recording).where(
                        Recording.study_id == self._ctx.study_id, Recording.fingerprint == fp
                    )
                )
                if clash is not None:
                    problems.append(
                        Conflict(
                            f"{path}: already in the study as recording #{clash.id} "
                            f"({clash.media_path}, same fingerprint)"
                        )
                    )
                    continue
                rows.append(self._row(path, size, fp, probed, details))
            if problems and not valid_only:
                if len(paths) == 1:
                    raise problems[0]
                raise InputError(
                    f"{len(problems)} of {len(paths)} files have problems, nothing was added "
                    f"(--valid-only adds the others): {'; '.join(map(str, problems))}"
                )
            s.add_all(rows)
            s.flush()
            return [to_info(r) for r in rows], [str(p) for p in problems]

    def _row(
        self, path: Path, size: int, fp: str, probed: Any, details: dict[str, Any]
    ) -> Recording:
        return Recording(
            study_id=self._ctx.study_id,
            media_path=str(path),
            fingerprint=fp,
            size_bytes=size,
            duration_ms=probed.duration_ms if probed else None,
            has_video=probed.has_video if probed else None,
            fps=(probed.fps or None) if probed else None,
            container_duration_ms=_claimed(probed),
            duration_source=_source(probed),
            measure_version=_version(probed),
            dyad_id=details.get("dyad_id"),
            client_id=details.get("client_id"),
            therapist_id=details.get("therapist_id"),
            session_number=details.get("session_number"),
            session_date=details.get("session_date"),
            meta=dict(details.get("meta") or {}),
        )

    def all(self) -> list[RecordingInfo]:
        with self._ctx.read() as s:
            q = select(Recording).where(Recording.study_id == self._ctx.study_id)
            return [to_info(r) for r in s.scalars(q.order_by(Recording.id))]

    def get(self, recording_id: int) -> RecordingInfo:
        with self._ctx.read() as s:
            return to_info(get_or_raise(s, Recording, recording_id, "recording"))

    def update(self, recording_id: int, **changes: Any) -> RecordingInfo:
        """Edit metadata fields (``EDITABLE_FIELDS``)."""
        require_manager(self._ctx.actor, "edit recording metadata")
        unknown = set(changes) - set(EDITABLE_FIELDS)
        if unknown:
            raise InputError(f"not editable: {', '.join(sorted(unknown))}")
        with self._ctx.tx("edit recording metadata") as s:
            rec = get_or_raise(s, Recording, recording_id, "recording")
            for key, value in changes.items():
                setattr(rec, key, value)
            return to_info(rec)

    def relink(self, recording_id: int, new_path: Path) -> RecordingInfo:
        """Point a recording at a moved file, after checking it is the same file (fingerprint)."""
        new_path = readable_file(new_path)
        _, fp = fingerprint(new_path)
        with self._ctx.tx("relink recording") as s:
            rec = get_or_raise(s, Recording, recording_id, "recording")
            if fp != rec.fingerprint:
                raise InputError(
                    f"{new_path}: not the same file as recording #{rec.id} (fingerprint differs)"
                )
            rec.media_path = str(new_path)
            return to_info(rec)

    def apply_measurements(self, measured: dict[int, ProbeResult]) -> list[RecheckChange]:
        """Store re-measured durations ("re-check media"), all in one transaction.

        ``measured`` maps recording ids to a measurement of their current file (made by the
        caller, e.g. ``observer_app.media.measure``, before anything is written). Segment
        plans follow: they are computed from the stored duration.
        """
        require_manager(self._ctx.actor, "re-check recordings")
        changes: list[RecheckChange] = []
        with self._ctx.tx(f"re-check media of {len(measured)} recording(s)") as s:
            for rid in sorted(measured):
                m = measured[rid]
                if m.duration_ms <= 0:
                    raise InputError(f"recording #{rid}: measured duration {m.duration_ms} ms")
                rec = get_or_raise(s, Recording, rid, "recording")
                before = rec.duration_ms
                rec.duration_ms = int(m.duration_ms)
                rec.container_duration_ms = _claimed(m)
                rec.duration_source = _source(m)
                rec.measure_version = _version(m)
                rec.has_video = bool(m.has_video)
                rec.fps = m.fps or None
                changes.append(RecheckChange(rid, before, rec.duration_ms, _claimed(m), _source(m)))
        return changes

    def find_moved(self, folder: Path) -> dict[int, Path]:
        """Recordings whose file is missing, matched by fingerprint to files under ``folder``."""
        missing = [r for r in self.all() if not Path(r.media_path).exists()]
        sizes = {r.size_bytes for r in missing}
        wanted = {r.fingerprint: r.id for r in missing}
        found: dict[int, Path] = {}
        for candidate in _files_under(folder):
            try:
                size = candidate.stat().st_size
            except OSError:
                continue
            if size in sizes:
                _, fp = fingerprint(candidate)
                if fp in wanted:
                    found[wanted[fp]] = candidate
        return found


def _files_under(folder: Path) -> Iterable[Path]:
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder")
    return (p for p in folder.rglob("*") if p.is_file())
