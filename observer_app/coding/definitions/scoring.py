"""Scoring: responses -> reverse-keyed item values -> subscale and total scores -> session roll-up.

Pure functions over an :class:`~observer_app.coding.definitions.instrument.Instrument`.
Responses map item id to a whole number on the item's scale, or to ``None`` for an explicit
"not rated" (only where the scale allows it); an item absent from the mapping is unanswered.
Both count as not answered for the minimum-answered rule.

Definitions (the instrument file cites the source of its own rule):

* reverse keying: ``min + max - x`` on the item's scale (on 1..7, ``8 - x``);
* ``mean``: the arithmetic mean of the answered, reverse-keyed items of the score;
* ``sum``: the sum of those items, prorated to the full item count when some are unanswered
  (``mean * n_items``, the person-mean rule; Schafer & Graham 2002, Psychological Methods 7(2),
  147-177, discuss it as averaging the available items); with every item answered it is the
  plain sum. Published WAI norms are sums (36-item total 36..252), so every score reports both
  its ``mean`` and its ``sum``; ``value`` is the one the instrument's ``method`` names;
* a score is valid when ``answered / n_items >= min_answered``; otherwise its value, mean and
  sum are ``None`` and ``reason`` says how many items were answered and how many were needed.

Segment roll-up (instruments rated per segment): ``mean`` and ``max`` over the segments that have
a value; ``count_marked`` counts the segments whose value is at least ``marked_at_least``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from observer_app.coding.definitions.instrument import Instrument, ScoreDefinition
from observer_app.coding.errors import InputError

Responses = Mapping[str, int | None]

_SHARE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Score:
    """One subscale, composite or total score. ``value`` is ``None`` with a ``reason``.

    ``value`` is the score by the instrument's method; ``mean`` and ``sum`` are both always given
    (``sum`` prorated to all items when some are unanswered: ``answered < items`` says so).
    """

    id: str
    label: str
    kind: str
    value: float | None
    answered: int
    items: int
    reason: str | None = None
    verify: bool = False
    mean: float | None = None
    sum: float | None = None

    @property
    def prorated(self) -> bool:
        """Whether ``sum`` is prorated (a valid score with some items unanswered)."""
        return self.value is not None and self.answered < self.items

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "kind": self.kind,
            "value": self.value,
            "answered": self.answered,
            "items": self.items,
            "reason": self.reason,
            "verify": self.verify,
            "mean": self.mean,
            "sum": self.sum,
        }


@dataclass(frozen=True)
class InstrumentScores:
    """The scores of one completed form, tied to the instrument version that defined them."""

    instrument_id: str
    instrument_hash: str
    scores: tuple[Score, ...]

    def get(self, score_id: str) -> Score:
        for score in self.scores:
            if score.id == score_id:
                return score
        raise KeyError(score_id)

    def values(self) -> dict[str, float | None]:
        return {s.id: s.value for s in self.scores}

    def as_dict(self) -> dict[str, Any]:
        return {
            "instrument": self.instrument_id,
            "instrument_hash": self.instrument_hash,
            "scores": [s.as_dict() for s in self.scores],
        }


@dataclass(frozen=True)
class RolledUpScore:
    """A session value from per-segment ratings (see the module docstring for the methods)."""

    id: str
    label: str
    source: str
    method: str
    value: float | None
    segments: int
    segments_with_value: int
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "source": self.source,
            "method": self.method,
            "value": self.value,
            "segments": self.segments,
            "segments_with_value": self.segments_with_value,
            "reason": self.reason,
        }


def response_problems(instrument: Instrument, responses: Responses) -> list[str]:
    """Every problem of ``responses`` for ``instrument`` (empty when they are valid)."""
    problems: list[str] = []
    known = {i.id: i for i in instrument.items}
    for item_id, value in responses.items():
        item = known.get(item_id)
        if item is None:
            problems.append(f"{item_id!r} is not an item of {instrument.id}")
            continue
        scale = instrument.scale_of(item)
        if value is None:
            if not scale.allow_not_rated:
                problems.append(f"item {item_id}: 'not rated' is not allowed on this scale")
        elif isinstance(value, bool) or not isinstance(value, int):
            problems.append(f"item {item_id}: {value!r} is not a whole number")
        elif not scale.min <= value <= scale.max:
            problems.append(
                f"item {item_id}: {value} is outside the scale {scale.min}..{scale.max}"
            )
    return problems


def check_responses(instrument: Instrument, responses: Responses) -> None:
    """Raise ``InputError`` listing every problem of ``responses``."""
    problems = response_problems(instrument, responses)
    if problems:
        raise InputError(f"{instrument.id} responses: " + "; ".join(problems))


def missing_required(instrument: Instrument, responses: Responses) -> tuple[str, ...]:
    """Required items with no response (an explicit "not rated" counts as a response)."""
    return tuple(i.id for i in instrument.items if i.required and i.id not in responses)


def keyed_values(instrument: Instrument, responses: Responses) -> dict[str, int]:
    """Answered items' values after reverse keying, by item id (validates ``responses``)."""
    check_responses(instrument, responses)
    result: dict[str, int] = {}
    for item in instrument.items:
        value = responses.get(item.id)
        if value is None:
            continue
        result[item.id] = instrument.scale_of(item).reverse(value) if item.reverse else value
    return result


def needed_items(n_items: int, min_answered: float) -> int:
    """The fewest answered items that meet ``min_answered`` (e.g. 80% of 12 items -> 10)."""
    return max(1, math.ceil(min_answered * n_items - _SHARE_TOLERANCE))


def _score(definition: ScoreDefinition, values: Mapping[str, int], min_answered: float) -> Score:
    n_items = len(definition.items)
    answered = [values[i] for i in definition.items if i in values]
    needed = needed_items(n_items, min_answered)
    base = Score(
        definition.id,
        definition.label,
        definition.kind,
        None,
        len(answered),
        n_items,
        verify=definition.verify,
    )
    if n_items == 0:
        return _with(base, reason="the score has no items")
    if len(answered) < needed:
        share = 100 * len(answered) / n_items
        return _with(
            base,
            reason=f"{len(answered)} of {n_items} items answered ({share:.0f}%); at least "
            f"{min_answered:.0%} ({needed} items) needed",
        )
    mean = math.fsum(answered) / len(answered)
    total = math.fsum(answered) if len(answered) == n_items else mean * n_items
    value = mean if definition.method == "mean" else total
    return _with(base, value=value, mean=mean, sum=total)


def _with(score: Score, **changes: Any) -> Score:
    return Score(**{**score.as_dict(), **changes})


def score_responses(instrument: Instrument, responses: Responses) -> InstrumentScores:
    """Subscale, composite and total scores of one completed form (see module docstring)."""
    values = keyed_values(instrument, responses)
    share = instrument.scoring.min_answered
    scores = tuple(_score(d, values, share) for d in instrument.score_definitions())
    return InstrumentScores(instrument.id, instrument.content_hash, scores)


def roll_up(instrument: Instrument, segments: Sequence[Responses]) -> tuple[RolledUpScore, ...]:
    """Session values from per-segment responses, by the instrument's roll-up rules."""
    per_segment: list[dict[str, float | None]] = []
    for index, responses in enumerate(segments):
        try:
            keyed = keyed_values(instrument, responses)
        except InputError as exc:
            raise InputError(f"segment {index + 1}: {exc}") from None
        row: dict[str, float | None] = {i.id: keyed.get(i.id) for i in instrument.items}
        row.update(score_responses(instrument, responses).values())
        per_segment.append(row)
    return tuple(
        _roll(rule_index, instrument, per_segment) for rule_index in range(len(instrument.rollup))
    )


def _roll(
    rule_index: int, instrument: Instrument, rows: Sequence[Mapping[str, float | None]]
) -> RolledUpScore:
    rule = instrument.rollup[rule_index]
    present = [v for v in (row.get(rule.source) for row in rows) if v is not None]
    base = RolledUpScore(
        rule.id, rule.label, rule.source, rule.method, None, len(rows), len(present)
    )
    if rule.method == "count_marked":
        assert rule.marked_at_least is not None
        return _rolled(base, value=float(sum(v >= rule.marked_at_least for v in present)))
    if not present:
        why = "no segments rated" if not rows else f"no segment has a value for {rule.source!r}"
        return _rolled(base, reason=why)
    value = math.fsum(present) / len(present) if rule.method == "mean" else max(present)
    return _rolled(base, value=float(value))


def _rolled(score: RolledUpScore, **changes: Any) -> RolledUpScore:
    return RolledUpScore(**{**score.as_dict(), **changes})
