"""Phases of therapy as study data (``study.settings["phases"]``; no schema change).

The one place that says which phase a recording belongs to: :meth:`PhaseService.phase_of`.
Exports, sequence analyses and the Analysis page all call it; nothing else hard-codes a session
cut-off. Anyone signed in may read the plan (it is not blind data); only a manager changes it,
in one audited transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from observer_app.coding.errors import InputError
from observer_app.coding.phases import Phase, PhaseOf, PhasePlan
from observer_app.services.access import require_manager
from observer_app.services.context import ServiceContext, get_or_raise
from observer_app.services.records import RecordingInfo
from observer_app.store.models import Recording, Study

SETTINGS_KEY = "phases"


class PhaseService:
    """Read and edit the study's phases; the phase of every recording."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def plan(self) -> PhasePlan:
        """The study's phase plan (the default plan when none was set)."""
        with self._ctx.read() as s:
            study = get_or_raise(s, Study, self._ctx.study_id, "study")
            return PhasePlan.from_json((study.settings or {}).get(SETTINGS_KEY))

    def _store(self, plan: PhasePlan, context: str) -> PhasePlan:
        require_manager(self._ctx.actor, "change the study's phases")
        with self._ctx.tx(context) as s:
            study = get_or_raise(s, Study, self._ctx.study_id, "study")
            settings: dict[str, Any] = dict(study.settings or {})
            settings[SETTINGS_KEY] = plan.to_json()
            study.settings = settings  # a new dict: the JSON column sees the change
        return plan

    def set_phases(self, phases: Sequence[Phase]) -> PhasePlan:
        """Replace the phases (keeps dyad starts of phases that still exist)."""
        current = self.plan()
        ids = {p.id for p in phases}
        dyads = {
            d: {pid: n for pid, n in o.items() if pid in ids} for d, o in current.dyads.items()
        }
        return self._store(PhasePlan(tuple(phases), dyads), "set phases")

    def set_dyad_start(self, dyad: str, phase_id: str, first_session: int | None) -> PhasePlan:
        """Phase ``phase_id`` begins at ``first_session`` for ``dyad`` (``None``: the default)."""
        dyad = dyad.strip()
        if not dyad:
            raise InputError("a dyad start needs the dyad's id")
        current = self.plan()
        dyads = {d: dict(o) for d, o in current.dyads.items()}
        starts = dyads.setdefault(dyad, {})
        if first_session is None:
            starts.pop(phase_id, None)
        else:
            starts[phase_id] = first_session
        if not starts:
            dyads.pop(dyad)
        plan = PhasePlan(current.phases, dyads)
        if phase_id not in {p.id for p in plan.phases}:
            raise InputError(f"no phase {phase_id!r} (phases: {[p.id for p in plan.phases]})")
        return self._store(plan, f"set phase start for dyad {dyad}")

    def reset(self) -> PhasePlan:
        """Back to the default phases, without dyad starts."""
        return self._store(PhasePlan(), "reset phases")

    def phase_of(self, recording: RecordingInfo, plan: PhasePlan | None = None) -> PhaseOf | None:
        """The phase of ``recording`` (``None`` without a session number).

        Pass ``plan`` (from :meth:`plan`) when asking for many recordings.
        """
        plan = plan or self.plan()
        return plan.phase_of(recording.session_number, recording.dyad_id)

    def by_recording(self) -> dict[int, PhaseOf | None]:
        """Recording id -> phase, for every recording of the study."""
        plan = self.plan()
        with self._ctx.read() as s:
            q = select(Recording.id, Recording.session_number, Recording.dyad_id).where(
                Recording.study_id == self._ctx.study_id
            )
            rows = s.execute(q).all()
        return {int(rid): plan.phase_of(n, d) for rid, n, d in rows}
