"""Instrument scores of every rated assignment: subscales and totals per form, and session values
rolled up from segment ratings (the scoring rules live in ``observer_app.coding.definitions``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import partial

from observer_app.coding.definitions import roll_up, score_responses
from observer_app.services.access import require_manager
from observer_app.services.context import ServiceContext
from observer_app.services.definitions import DefinitionService
from observer_app.services.records import AssignmentInfo, RatingRecord


@dataclass(frozen=True)
class ScoreRow:
    """One score: a subscale/total of a session form or a segment form, or a roll-up."""

    assignment_id: int
    recording_id: int
    coder_name: str
    purpose: str
    instrument_id: str
    instrument_version: str
    instrument_version_id: int
    #: "session", "segment" (with ``unit_index``) or "rollup" (session value from segments).
    unit_kind: str
    unit_index: int
    score_id: str
    label: str
    #: The score by the instrument's method; ``mean`` and ``sum`` are always both given
    #: (``sum`` prorated to all items when some are unanswered). Roll-ups have only ``value``.
    value: float | None
    answered: int | None
    items: int | None
    reason: str | None
    mean: float | None = None
    sum: float | None = None
    #: The score rests on an unconfirmed (``verify``) fact of the instrument file.
    verify: bool = False


class ScoreService:
    def __init__(self, ctx: ServiceContext, definitions: DefinitionService) -> None:
        self._ctx = ctx
        self._defs = definitions

    def for_study(
        self, assignments: list[AssignmentInfo], ratings: list[RatingRecord]
    ) -> list[ScoreRow]:
        """Scores of every assignment x instrument version that has ratings (managers only)."""
        require_manager(self._ctx.actor, "score every coder's ratings")
        by_form: dict[tuple[int, int], dict[tuple[str, int], dict[str, int | None]]] = defaultdict(
            lambda: defaultdict(dict)
        )
        for r in ratings:
            value = None if r.value is None else int(r.value)
            by_form[(r.assignment_id, r.instrument_version_id)][(r.unit_kind, r.unit_index)][
                r.item_id
            ] = value
        info = {a.id: a for a in assignments}
        rows: list[ScoreRow] = []
        for (assignment_id, version_id), units in sorted(by_form.items()):
            if assignment_id in info:
                rows += self._form_scores(info[assignment_id], version_id, units)
        return rows

    def _form_scores(
        self,
        a: AssignmentInfo,
        version_id: int,
        units: dict[tuple[str, int], dict[str, int | None]],
    ) -> list[ScoreRow]:
        inst = self._defs.instrument(version_id)
        make = partial(
            ScoreRow,
            a.id,
            a.recording_id,
            a.coder_name,
            a.purpose or "",
            inst.id,
            inst.version,
            version_id,
        )
        rows = []
        for (kind, index), responses in sorted(units.items()):
            for s in score_responses(inst, responses).scores:
                rows.append(
                    make(
                        kind,
                        index,
                        s.id,
                        s.label,
                        s.value,
                        s.answered,
                        s.items,
                        s.reason,
                        s.mean,
                        s.sum,
                        s.verify,
                    )
                )
        if inst.unit == "segment" and inst.rollup:
            segments = [units[k] for k in sorted(units) if k[0] == "segment"]
            for r in roll_up(inst, segments):
                rows.append(make("rollup", 0, r.id, r.label, r.value, None, None, r.reason))
        return rows
