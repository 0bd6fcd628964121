"""Validation across an instrument's parts: composite scores name known items, no score mixes
response scales, and roll-up rules name a known item or score on a fitting scale."""

from __future__ import annotations

from typing import Any

from observer_app.coding.definitions._source import Reader, show
from observer_app.coding.definitions.instrument.model import (
    ROLLUP_METHODS,
    TOTAL_SCORE_ID,
    Instrument,
    RollupRule,
    ScoreDefinition,
)


def check_scores(top: Reader, instrument: Instrument) -> None:
    """Composite scores name known items; no score mixes items rated on different scales."""
    known = set(instrument.item_ids)
    score_ids = [s.id for s in instrument.subscales]
    for index, comp in enumerate(instrument.scoring.scores):
        path = ("scoring", "scores", index)
        if comp.id in score_ids or comp.id == TOTAL_SCORE_ID:
            top.out.add((*path, "id"), f"score id {show(comp.id)} is already used")
        score_ids.append(comp.id)
        if not comp.items:
            top.out.add((*path, "items"), "a score needs at least one item")
        for j, item_id in enumerate(comp.items):
            if item_id not in known:
                top.out.add((*path, "items", j), f"names unknown item {show(item_id)}")
    scale_ids = {s.id for s in instrument.scales}
    for score in instrument.score_definitions():
        scales = {instrument.item(i).scale for i in score.items if i in known} & scale_ids
        if len(scales) > 1:
            path = _score_path(instrument, score)
            top.out.add(
                path,
                f"score {show(score.id)} mixes items rated on different scales "
                f"({', '.join(sorted(scales))}); give it items of one scale",
            )
        if score.kind == "subscale" and not score.items:
            top.out.add(_score_path(instrument, score), f"subscale {show(score.id)} has no items")


def _score_path(instrument: Instrument, score: ScoreDefinition) -> tuple[Any, ...]:
    if score.kind == "subscale":
        return ("subscales", [s.id for s in instrument.subscales].index(score.id))
    if score.kind == "composite":
        return ("scoring", "scores", [s.id for s in instrument.scoring.scores].index(score.id))
    return ("scoring", "total")


def parse_rollup(top: Reader, instrument: Instrument) -> tuple[RollupRule, ...]:
    readers = top.tables("rollup")
    if readers and instrument.unit != "segment":
        top.problem("rollup", "roll-up rules apply only to instruments rated per segment")
    values: dict[str, tuple[str, ...]] = {i.id: (i.scale,) for i in instrument.items}
    for score in instrument.score_definitions():
        values.setdefault(
            score.id,
            tuple({instrument.item(i).scale for i in score.items if i in instrument.item_ids}),
        )
    rules: list[RollupRule] = []
    seen: set[str] = set()
    for reader in readers:
        reader.check_keys(("id", "label", "source", "method", "marked_at_least"))
        r_id = reader.string("id")
        if r_id in seen:
            reader.problem("id", f"duplicate roll-up id {show(r_id)}")
        seen.add(r_id)
        source = reader.string("source")
        if source and source not in values:
            reader.problem("source", f"{show(source)} is not an item or score of this instrument")
        method = reader.choice("method", ROLLUP_METHODS)
        marked: int | None = None
        if method == "count_marked":
            marked = reader.integer("marked_at_least")
            scales = [
                instrument.scale_by_id(s)
                for s in values.get(source, ())
                if s in {x.id for x in instrument.scales}
            ]
            for scale in scales:
                if "marked_at_least" in reader.data and not scale.min <= marked <= scale.max:
                    reader.problem(
                        "marked_at_least", f"{marked} is outside the scale {scale.min}..{scale.max}"
                    )
        elif "marked_at_least" in reader.data:
            reader.problem("marked_at_least", "only 'count_marked' roll-ups take marked_at_least")
        rules.append(
            RollupRule(r_id, reader.string("label", required=False) or r_id, source, method, marked)
        )
    return tuple(rules)
