"""Coding-scheme and instrument versions stored in the study (immutable, content-hashed).

A study keeps the TOML source of every definition version it has used, keyed by its content hash,
and rebuilds the domain object from that source; every assignment points at the scheme version it
is coded with and every rating at the instrument version it was made with. Importing a changed
file adds a new version; it never alters a stored one. Lab-licensed item wording lives in text
packs, stored beside the instrument versions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from observer_app.coding.definitions import (
    DEFAULT_MIN_LAST_SEGMENT_MS,
    Instrument,
    Scheme,
    TextPack,
    definition_kind,
    missing_required,
    parse_instrument,
    parse_scheme,
    parse_textpack,
    read_definition_text,
)
from observer_app.coding.errors import InputError, NotFound
from observer_app.coding.resources import resource_path
from observer_app.coding.state_logic import format_ms
from observer_app.services.access import require_manager
from observer_app.services.context import ServiceContext, get_or_raise
from observer_app.services.records import Problem
from observer_app.store.engine import StudySession
from observer_app.store.models import Assignment, DefinitionVersion, Rating, Recording
from observer_app.store.models import Study as StudyRow
from observer_app.store.models import TextPack as TextPackRow

_RESOURCE_DIRS = {"scheme": "schemes", "instrument": "instruments"}


@dataclass(frozen=True)
class DefinitionInfo:
    id: int
    kind: str
    definition_id: str
    version: str
    name: str
    content_hash: str
    source_name: str
    attached: bool


@dataclass(frozen=True)
class AssignedInstrument:
    """An instrument a coder completes on an assignment, and the units it is rated on."""

    version_id: int
    instrument: Instrument
    #: ``("session", 0)`` for session instruments; one ``("segment", i)`` per segment otherwise.
    units: tuple[tuple[str, int], ...]


def _parse(kind: str, text: str, source_name: str) -> Scheme | Instrument:
    return (
        parse_scheme(text, source_name) if kind == "scheme" else parse_instrument(text, source_name)
    )


#: ``study.settings`` key of the shortest last segment kept on its own (seconds).
MIN_LAST_SEGMENT_KEY = "min_last_segment_s"


class DefinitionService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._cache: dict[int, Scheme | Instrument] = {}

    # -- segment plans ---------------------------------------------------------------------
    def min_last_segment_ms(self) -> int:
        """The study's minimum last segment (``study.settings["min_last_segment_s"]``, default
        60 s): a shorter last segment joins the previous one in every segment plan."""
        with self._ctx.read() as s:
            study = get_or_raise(s, StudyRow, self._ctx.study_id, "study")
            value = (study.settings or {}).get(MIN_LAST_SEGMENT_KEY)
        if value is None:
            return DEFAULT_MIN_LAST_SEGMENT_MS
        return round(float(value) * 1000)

    def set_min_last_segment(self, seconds: float) -> None:
        """Set the study's minimum last segment (manager only; audited)."""
        require_manager(self._ctx.actor, "change the segment rule")
        if not 0 <= seconds <= 24 * 3600:
            raise InputError(f"minimum last segment {seconds} s is not between 0 and 86400 s")
        with self._ctx.tx("set the minimum last segment") as s:
            study = get_or_raise(s, StudyRow, self._ctx.study_id, "study")
            study.settings = {**(study.settings or {}), MIN_LAST_SEGMENT_KEY: seconds}

    def segment_bounds(
        self, scheme: Scheme | None, duration_ms: int | None
    ) -> tuple[tuple[int, int], ...]:
        """The segment plan of a recording of ``duration_ms`` under ``scheme`` (the study's
        minimum last segment applied)."""
        if scheme is None:
            return ()
        return scheme.segment_bounds(duration_ms or 0, self.min_last_segment_ms())

    # -- importing -------------------------------------------------------------------------
    def import_text(self, text: str, source_name: str, kind: str | None = None) -> DefinitionInfo:
        """Validate and store a scheme or instrument; the same content imported twice is one
        version. The new version is attached to the study in place of older versions."""
        require_manager(self._ctx.actor, "import definitions")
        kind = kind or definition_kind(text)
        if kind not in _RESOURCE_DIRS:
            raise InputError(f"{source_name}: not a coding scheme or instrument definition")
        parsed = _parse(kind, text, source_name)
        with self._ctx.tx(f"import {kind} {parsed.id} {parsed.version}") as s:
            row = self.store_version(s, kind, parsed, text, source_name)
            self._attach(s, row)
            return self._info(row, parsed)

    def store_version(
        self,
        s: StudySession,
        kind: str,
        parsed: Scheme | Instrument,
        text: str,
        source_name: str,
    ) -> DefinitionVersion:
        """The stored row of ``parsed`` (added in the caller's transaction when new)."""
        row = s.scalar(
            select(DefinitionVersion).where(
                DefinitionVersion.study_id == self._ctx.study_id,
                DefinitionVersion.kind == kind,
                DefinitionVersion.content_hash == parsed.content_hash,
            )
        )
        if row is None:
            row = DefinitionVersion(
                study_id=self._ctx.study_id,
                kind=kind,
                definition_id=parsed.id,
                version=parsed.version,
                content_hash=parsed.content_hash,
                source_name=source_name,
                source_text=text,
            )
            s.add(row)
            s.flush()
        return row

    def import_file(self, path: Path) -> DefinitionInfo:
        return self.import_text(read_definition_text(path), path.name)

    def import_builtin(self, kind: str, definition_id: str) -> DefinitionInfo:
        """Import one of the schemes or instruments shipped in ``resources/``."""
        if kind not in _RESOURCE_DIRS:
            raise InputError(f"kind {kind!r} is not scheme or instrument")
        for path in sorted(resource_path(_RESOURCE_DIRS[kind]).glob("*.toml")):
            text = read_definition_text(path)
            if _parse(kind, text, path.name).id == definition_id:
                return self.import_text(text, path.name, kind)
        raise NotFound(f"no built-in {kind} {definition_id!r}")

    def attach(self, version_id: int, attached: bool = True) -> DefinitionInfo:
        """Attach a version to the study (detaching its other versions), or detach it."""
        require_manager(self._ctx.actor, "attach definitions")
        with self._ctx.tx("attach definition" if attached else "detach definition") as s:
            row = get_or_raise(s, DefinitionVersion, version_id, "definition version")
            if attached:
                self._attach(s, row)
            else:
                row.attached = False
            return self._info(row, self._object(row))

    def attach_in(self, s: StudySession, row: DefinitionVersion) -> None:
        """Attach ``row`` in the caller's transaction (detaching its other versions)."""
        self._attach(s, row)

    def _attach(self, s: StudySession, row: DefinitionVersion) -> None:
        siblings = s.scalars(
            select(DefinitionVersion).where(
                DefinitionVersion.study_id == self._ctx.study_id,
                DefinitionVersion.kind == row.kind,
                DefinitionVersion.definition_id == row.definition_id,
                DefinitionVersion.id != row.id,
            )
        )
        for other in siblings:
            other.attached = False
        row.attached = True

    # -- reading ---------------------------------------------------------------------------
    def _object(self, row: DefinitionVersion) -> Scheme | Instrument:
        if row.id not in self._cache:
            self._cache[row.id] = _parse(row.kind, row.source_text, row.source_name)
        return self._cache[row.id]

    @staticmethod
    def _info(row: DefinitionVersion, parsed: Scheme | Instrument) -> DefinitionInfo:
        return DefinitionInfo(
            row.id,
            row.kind,
            row.definition_id,
            row.version,
            parsed.name,
            row.content_hash,
            row.source_name,
            row.attached,
        )

    def versions(
        self, kind: str | None = None, *, attached_only: bool = False
    ) -> list[DefinitionInfo]:
        with self._ctx.read() as s:
            q = select(DefinitionVersion).where(DefinitionVersion.study_id == self._ctx.study_id)
            if kind is not None:
                q = q.where(DefinitionVersion.kind == kind)
            if attached_only:
                q = q.where(DefinitionVersion.attached.is_(True))
            rows = list(s.scalars(q.order_by(DefinitionVersion.id)))
            return [self._info(r, self._object(r)) for r in rows]

    def _load(self, version_id: int, kind: str) -> Scheme | Instrument:
        if version_id in self._cache:
            return self._cache[version_id]
        with self._ctx.read() as s:
            row = get_or_raise(s, DefinitionVersion, version_id, f"{kind} version")
            if row.kind != kind:
                raise NotFound(f"definition version #{version_id} is a {row.kind}, not a {kind}")
            return self._object(row)

    def scheme(self, version_id: int) -> Scheme:
        obj = self._load(version_id, "scheme")
        assert isinstance(obj, Scheme)
        return obj

    def instrument(self, version_id: int) -> Instrument:
        obj = self._load(version_id, "instrument")
        assert isinstance(obj, Instrument)
        return obj

    def study_scheme(self) -> DefinitionInfo | None:
        """The coding scheme attached to the study (the newest, if several are attached)."""
        attached = self.versions("scheme", attached_only=True)
        return attached[-1] if attached else None

    def instrument_version(self, definition_id: str) -> DefinitionInfo | None:
        """The attached version of the instrument ``definition_id``, if any."""
        for info in self.versions("instrument", attached_only=True):
            if info.definition_id == definition_id:
                return info
        return None

    # -- what an assignment is rated with ----------------------------------------------------
    def assigned_instruments(self, assignment_id: int) -> list[AssignedInstrument]:
        """Instruments the coder completes: the scheme's segment and session instruments, then
        every other attached observer instrument (session level, available at any time)."""
        with self._ctx.read() as s:
            a = get_or_raise(s, Assignment, assignment_id, "assignment")
            rec = get_or_raise(s, Recording, a.recording_id, "recording")
            return self._assigned(a, rec.duration_ms)

    def _assigned(self, a: Assignment, duration_ms: int | None) -> list[AssignedInstrument]:
        scheme = self.scheme(a.scheme_version_id) if a.scheme_version_id else None
        attached = {i.definition_id: i for i in self.versions("instrument", attached_only=True)}
        wanted: list[str] = list(scheme.instrument_ids) if scheme else []
        for info in attached.values():
            inst = self.instrument(info.id)
            if inst.perspective == "observer" and inst.id not in wanted:
                wanted.append(inst.id)
        result: list[AssignedInstrument] = []
        for definition_id in wanted:
            version = attached.get(definition_id)
            if version is None:
                continue
            inst = self.instrument(version.id)
            if inst.unit == "segment":
                n = len(self.segment_bounds(scheme, duration_ms))
                units = tuple(("segment", i) for i in range(n))
            else:
                units = (("session", 0),)
            result.append(AssignedInstrument(version.id, inst, units))
        return result

    # -- validation hooks used by the event and rating services -----------------------------
    def check_rating_place(
        self, s: StudySession, a: Assignment, version_id: int, unit_kind: str, unit_index: int
    ) -> None:
        """The instrument's perspective is the assignment's (``observer`` unless its reference
        names another), and a segment index lies inside the recording's segment plan."""
        inst = self.instrument(version_id)
        wanted = str((a.reference or {}).get("perspective", "observer"))
        if inst.perspective != wanted:
            raise InputError(
                f"{inst.id} is a {inst.perspective}-perspective instrument; assignment #{a.id} "
                f"is rated from the {wanted}'s perspective"
            )
        if unit_kind != "segment":
            if unit_index != 0:
                raise InputError(f"a session rating has unit index 0, not {unit_index}")
            return
        rec = s.get(Recording, a.recording_id)
        scheme = self.scheme(a.scheme_version_id) if a.scheme_version_id else None
        if rec is None or rec.duration_ms is None or scheme is None:
            return
        n = len(scheme.segment_bounds(rec.duration_ms))
        if not 0 <= unit_index < n:
            raise InputError(
                f"segment {unit_index + 1} is outside recording #{a.recording_id}'s plan "
                f"(segments 1-{n})"
            )

    def validate_event(
        self,
        scheme_version_id: int,
        code: str,
        is_state: bool,
        modifiers: dict[str, Any],
        subject: str | None = None,
    ) -> None:
        scheme = self.scheme(scheme_version_id)
        scheme.validate_subject(subject)
        try:
            definition = scheme.code(code)
        except KeyError:
            raise InputError(f"code {code!r} is not in coding scheme {scheme.id}") from None
        if (definition.kind == "state") != is_state:
            raise InputError(f"code {code!r} is a {definition.kind} code in {scheme.id}")
        scheme.validate_modifiers(code, modifiers)

    def validate_rating(
        self,
        instrument_version_id: int,
        unit_kind: str,
        item_id: str,
        value: float | None,
        missing_reason: str | None,
    ) -> None:
        inst = self.instrument(instrument_version_id)
        try:
            item = inst.item(item_id)
        except KeyError:
            raise InputError(f"item {item_id!r} is not in instrument {inst.id}") from None
        if unit_kind != inst.unit:
            raise InputError(f"{inst.id} is rated per {inst.unit}, not per {unit_kind}")
        scale = inst.scale_of(item)
        if value is None:
            if not scale.allow_not_rated:
                raise InputError(f"{inst.id} item {item_id}: 'not rated' is not allowed")
            return
        if value != int(value) or not scale.min <= value <= scale.max:
            raise InputError(
                f"{inst.id} item {item_id}: {value:g} is not on the scale {scale.min}-{scale.max}"
            )

    def completion_problems(self, s: StudySession, a: Assignment) -> list[Problem]:
        """Required items unanswered, per instrument and unit (segments named)."""
        rec = s.get(Recording, a.recording_id)
        problems: list[Problem] = []
        bounds: tuple[tuple[int, int], ...] = ()
        if a.scheme_version_id is not None and rec is not None and rec.duration_ms:
            bounds = self.scheme(a.scheme_version_id).segment_bounds(rec.duration_ms)
        for assigned in self._assigned(a, rec.duration_ms if rec else None):
            rows = s.scalars(
                select(Rating).where(
                    Rating.assignment_id == a.id,
                    Rating.instrument_version_id == assigned.version_id,
                )
            )
            by_unit: dict[tuple[str, int], dict[str, int | None]] = {}
            for r in rows:
                value = None if r.value is None else int(r.value)
                by_unit.setdefault((r.unit_kind, r.unit_index), {})[r.item_id] = value
            for unit_kind, index in assigned.units:
                answered = by_unit.get((unit_kind, index), {})
                span = bounds[index] if unit_kind == "segment" and index < len(bounds) else None
                problems += _unit_problems(assigned, unit_kind, index, answered, span)
        return problems

    # -- text packs --------------------------------------------------------------------------
    def import_text_pack(self, path: Path) -> TextPack:
        """Store a lab's licensed item wording for an attached instrument version."""
        require_manager(self._ctx.actor, "import text packs")
        text = read_definition_text(path)
        probe = parse_textpack(text, path.name)
        info = self.instrument_version(probe.instrument)
        if info is None:
            raise InputError(f"{path.name}: instrument {probe.instrument!r} is not in the study")
        pack = parse_textpack(text, path.name, self.instrument(info.id))
        with self._ctx.tx(f"import text pack for {pack.instrument}") as s:
            exists = s.scalar(
                select(TextPackRow.id).where(
                    TextPackRow.study_id == self._ctx.study_id,
                    TextPackRow.content_hash == pack.content_hash,
                )
            )
            if exists is None:
                s.add(
                    TextPackRow(
                        study_id=self._ctx.study_id,
                        instrument_id=pack.instrument,
                        instrument_version=pack.instrument_version,
                        content_hash=pack.content_hash,
                        source_text=text,
                    )
                )
        return pack

    def text_pack(self, instrument_version_id: int) -> TextPack | None:
        """The newest text pack matching this instrument version, if the lab imported one."""
        inst = self.instrument(instrument_version_id)
        with self._ctx.read() as s:
            row = s.scalar(
                select(TextPackRow)
                .where(
                    TextPackRow.study_id == self._ctx.study_id,
                    TextPackRow.instrument_id == inst.id,
                    TextPackRow.instrument_version == inst.version,
                )
                .order_by(TextPackRow.id.desc())
            )
            if row is None:
                return None
            return parse_textpack(row.source_text, f"text pack #{row.id}", inst)


def _unit_problems(
    assigned: AssignedInstrument,
    unit_kind: str,
    index: int,
    answered: dict[str, int | None],
    span: tuple[int, int] | None = None,
) -> list[Problem]:
    """The unanswered required items of one unit, in words: the segment with its times
    (``hh:mm:ss``), the items by label."""
    missing = missing_required(assigned.instrument, answered)
    if not missing:
        return []
    where = f"segment {index + 1}" if unit_kind == "segment" else "the session"
    if span is not None:
        where += f" ({format_ms(span[0])[:8]}–{format_ms(span[1])[:8]})"
    kind = "unrated_segment" if unit_kind == "segment" and not answered else "missing_item"
    labels = [_item_label(assigned.instrument, i) for i in missing[:5]]
    shown = ", ".join(labels) + (" ..." if len(missing) > 5 else "")
    return [
        Problem(
            kind,
            f"{assigned.instrument.name}, {where}: {len(missing)} required item(s) unanswered "
            f"({shown})",
            instrument_version_id=assigned.version_id,
            unit_kind=unit_kind,
            unit_index=index,
            item_id=missing[0],
            position_ms=span[0] if span is not None else None,
        )
    ]


def _item_label(instrument: Instrument, item_id: str) -> str:
    try:
        item = instrument.item(item_id)
    except KeyError:
        return item_id
    return f"{item.label} ({item_id})" if item.label and item.label != item_id else item_id
