"""Calibration and drift: each coder against the master coder, recording by recording."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence

import numpy as np

from observer_app.coding import agreement as ag
from observer_app.coding.definitions import Instrument
from observer_app.services.reliability.design import Ticker, Work, master_pairs
from observer_app.services.reliability.instrument_stats import Forms
from observer_app.services.reliability.report import DriftPoint
from observer_app.services.reliability.request import EventTuple


def sorted_drift(points: list[DriftPoint]) -> tuple[DriftPoint, ...]:
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return tuple(
        sorted(points, key=lambda p: (p.coder_name, p.completed_at or far, p.recording_id))
    )


def instrument_drift(
    inst: Instrument,
    *,
    work: Sequence[Work],
    forms: Forms,
    master: int | None,
    names: Mapping[int, str],
    ticker: Ticker,
) -> tuple[DriftPoint, ...]:
    points = []
    for w, m in master_pairs(work, master):
        a, b = forms[w.assignment_id], forms[m.assignment_id]
        keys = sorted(set(a) | set(b))
        rows = [
            [_nan(a.get(k, {}).get(i)), _nan(b.get(k, {}).get(i))]
            for k in keys
            for i in inst.item_ids
        ]
        x = np.array(rows, dtype=np.float64).reshape(len(rows), 2)
        both = ~np.isnan(x).any(axis=1)
        diff = np.abs(x[both, 0] - x[both, 1])
        result = ag.icc(x)[1]
        points.append(
            _point(
                w,
                names,
                value=result.value,
                statistic="ICC(A,1) over items",
                mean_abs_diff=float(diff.mean()) if diff.size else None,
                percent_agreement=float((diff == 0).mean()) if diff.size else None,
                n=int(both.sum()),
            )
        )
        ticker.step()
    return sorted_drift(points)


def scheme_drift(
    *,
    work: Sequence[Work],
    events: Mapping[int, Sequence[EventTuple]],
    master: int | None,
    names: Mapping[int, str],
    tolerance_ms: int,
    ticker: Ticker,
    subjects: str = "within",
) -> tuple[DriftPoint, ...]:
    points = []
    for w, m in master_pairs(work, master):
        result = ag.point_event_agreement(
            events[w.assignment_id], events[m.assignment_id], tolerance_ms, subjects=subjects
        )
        kappa = result.statistic("kappa (with unmatched)")
        pa = result.statistic("percent agreement")
        points.append(
            _point(
                w,
                names,
                value=kappa.value,
                statistic="event kappa (with unmatched)",
                mean_abs_diff=None,
                percent_agreement=pa.value,
                n=kappa.n_units,
            )
        )
        ticker.step()
    return sorted_drift(points)


def _point(
    w: Work,
    names: Mapping[int, str],
    *,
    value: float | None,
    statistic: str,
    mean_abs_diff: float | None,
    percent_agreement: float | None,
    n: int,
) -> DriftPoint:
    """The drift point of ``w``'s coder on ``w``'s recording."""
    return DriftPoint(
        w.coder_id,
        names.get(w.coder_id, "?"),
        w.recording_id,
        w.assignment_id,
        w.completed_at,
        value,
        statistic,
        mean_abs_diff,
        percent_agreement,
        n,
    )


def _nan(v: int | None) -> float:
    return math.nan if v is None else float(v)
