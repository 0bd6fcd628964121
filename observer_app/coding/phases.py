"""Phases of therapy as study data: which phase a session belongs to.

A study's phases are ordered; each begins at a session number and lasts until the next phase
begins (the last one lasts to the end of therapy). The default is the two phases of the
alliance literature's rupture studies: sessions 1-5 "alliance building", later sessions
"challenge" (Eubanks, Muran & Safran 2015 describe the early alliance-building sessions and the
later phase in which the therapist challenges the client's patterns). A dyad may begin a phase
at another session (e.g. the challenge phase began at session 4 for this dyad).

A session without a session number has no phase (``None``). Phases are numbered 1, 2, ... in
order; that number is what exports show in their ``phase`` column.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from observer_app.coding.errors import InputError

_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")


@dataclass(frozen=True)
class Phase:
    id: str
    label: str
    first_session: int


@dataclass(frozen=True)
class PhaseOf:
    """The phase of one session: its number (1-based, in order), id and label."""

    number: int
    id: str
    label: str


DEFAULT_PHASES = (
    Phase("alliance-building", "Alliance building", 1),
    Phase("challenge", "Challenge", 6),
)


def _whole(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError(f"{where}: a session number is a whole number of 1 or more: {value!r}")
    return value


@dataclass(frozen=True)
class PhasePlan:
    """The study's phases and per-dyad starts (``dyad -> phase id -> first session``)."""

    phases: tuple[Phase, ...] = DEFAULT_PHASES
    dyads: Mapping[str, Mapping[str, int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.phases:
            raise InputError("a study needs at least one phase")
        ids = [p.id for p in self.phases]
        for p in self.phases:
            if not _ID.fullmatch(p.id):
                raise InputError(f"phase id {p.id!r}: lower-case letters, digits, - and _ only")
            if not p.label.strip():
                raise InputError(f"phase {p.id!r} needs a label")
            _whole(p.first_session, f"phase {p.id!r}")
        if len(set(ids)) != len(ids):
            raise InputError(f"phase ids must be distinct: {ids}")
        if self.phases[0].first_session != 1:
            raise InputError(f"the first phase ({ids[0]!r}) must begin at session 1")
        starts = [p.first_session for p in self.phases]
        if starts != sorted(set(starts)):
            raise InputError(f"phases must begin at increasing sessions: {starts}")
        for dyad, overrides in self.dyads.items():
            for phase_id, first in overrides.items():
                if phase_id not in ids:
                    raise InputError(f"dyad {dyad!r}: no phase {phase_id!r} (phases: {ids})")
                _whole(first, f"dyad {dyad!r}, phase {phase_id!r}")
            self._starts(dyad)

    def _starts(self, dyad: str | None) -> list[int]:
        overrides = self.dyads.get(dyad or "", {}) if dyad else {}
        starts = [overrides.get(p.id, p.first_session) for p in self.phases]
        if starts[0] != 1 or starts != sorted(set(starts)):
            raise InputError(
                f"dyad {dyad!r}: phases must begin at increasing sessions from 1: {starts}"
            )
        return starts

    def phase_of(self, session_number: int | None, dyad: str | None = None) -> PhaseOf | None:
        """The phase of session ``session_number`` of ``dyad`` (``None`` without a number)."""
        if session_number is None:
            return None
        starts = self._starts(dyad)
        k = max(i for i, first in enumerate(starts) if first <= session_number or i == 0)
        p = self.phases[k]
        return PhaseOf(k + 1, p.id, p.label)

    def describe(self) -> str:
        """``"1 alliance-building: sessions 1-5; 2 challenge: sessions 6+"`` (+ dyad starts)."""
        parts = []
        for k, p in enumerate(self.phases):
            nxt = self.phases[k + 1].first_session - 1 if k + 1 < len(self.phases) else None
            span = f"{p.first_session}-{nxt}" if nxt is not None else f"{p.first_session}+"
            parts.append(f"{k + 1} {p.id}: sessions {span}")
        text = "; ".join(parts)
        for dyad in sorted(self.dyads):
            starts = ", ".join(f"{pid} from {s}" for pid, s in self.dyads[dyad].items())
            if starts:
                text += f"; dyad {dyad}: {starts}"
        return text

    def to_json(self) -> dict[str, Any]:
        return {
            "phases": [
                {"id": p.id, "label": p.label, "first_session": p.first_session}
                for p in self.phases
            ],
            "dyads": {d: dict(o) for d, o in sorted(self.dyads.items()) if o},
        }

    @classmethod
    def from_json(cls, raw: object) -> PhasePlan:
        """The plan stored in study settings (the default when nothing is stored)."""
        if raw is None:
            return cls()
        if not isinstance(raw, dict):
            raise InputError("study settings: 'phases' must be an object")
        phases = tuple(_phase(item, k) for k, item in enumerate(raw.get("phases") or []))
        dyads_raw = raw.get("dyads") or {}
        if not isinstance(dyads_raw, dict):
            raise InputError("study settings: 'phases.dyads' must be an object")
        dyads = {str(d): {str(k): v for k, v in dict(o).items()} for d, o in dyads_raw.items()}
        return cls(phases or DEFAULT_PHASES, dyads)


def _phase(item: object, k: int) -> Phase:
    if not isinstance(item, dict):
        raise InputError(f"phase {k + 1}: must be an object with id, label, first_session")
    return Phase(str(item.get("id", "")), str(item.get("label", "")), item.get("first_session", 0))


def parse_phase_spec(specs: Sequence[str]) -> tuple[Phase, ...]:
    """``["alliance-building:1:Alliance building", "challenge:6"]`` -> phases (label optional)."""
    out = []
    for spec in specs:
        parts = spec.split(":", 2)
        if len(parts) < 2 or not parts[1].strip().isdigit():
            raise InputError(f"phase {spec!r}: write ID:FIRST_SESSION[:LABEL]")
        pid, first = parts[0].strip(), int(parts[1])
        label = parts[2].strip() if len(parts) == 3 else pid.replace("-", " ").capitalize()
        out.append(Phase(pid, label, first))
    return tuple(out)
