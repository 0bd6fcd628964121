"""Scheme agreement: pooled event matching and segment-level presence and count agreement."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from observer_app.coding import agreement as ag
from observer_app.coding.definitions import (
    DEFAULT_MIN_LAST_SEGMENT_MS,
    plan_segments,
    segment_index,
)
from observer_app.services.reliability.design import Layout, Work
from observer_app.services.reliability.instrument_stats import kappa_for_raters, not_enough
from observer_app.services.reliability.report import CodeReliability, FloatArray
from observer_app.services.reliability.request import EventTuple, ReliabilityRequest

PRESENCE = (0.0, 1.0)


def pool_event_blocks(
    blocks: Sequence[tuple[Sequence[EventTuple], Sequence[EventTuple]]], tolerance_ms: int
) -> tuple[list[EventTuple], list[EventTuple]]:
    """Lay (coder A, coder B) event lists end to end on one time line.

    Each block is shifted to start ``tolerance_ms + 1`` ms after the latest time of the previous
    block, so no onset is within the tolerance of an onset of another block: matching the
    pooled lists gives exactly the union of the blocks' matchings, and the confusion matrix is
    the sum of theirs.
    """
    out_a: list[EventTuple] = []
    out_b: list[EventTuple] = []
    start = 0
    for events_a, events_b in blocks:
        last = 0
        for src, dst in ((events_a, out_a), (events_b, out_b)):
            for e in src:
                code, onset, offset, subject = e
                shifted = None if offset is None else offset + start
                dst.append((code, onset + start, shifted, subject))
                last = max(last, onset, offset or 0)
        start += last + tolerance_ms + 1
    return out_a, out_b


@dataclass(frozen=True)
class SegmentData:
    #: units x coders: 0.0 where the coder coded the recording, NaN where not.
    coverage: FloatArray
    #: code -> units x coders event counts (NaN where the coder did not code the recording).
    counts: dict[str, FloatArray]


def segment_matrices(
    work: Sequence[Work],
    events: Mapping[int, Sequence[EventTuple]],
    lay: Layout,
    durations: Mapping[int, int | None],
    segment_ms: int,
    *,
    min_last_ms: int = DEFAULT_MIN_LAST_SEGMENT_MS,
) -> SegmentData:
    """Coverage and per-code counts per (recording segment, rater); segments as every plan
    makes them (``plan_segments``: a short last segment joins the previous one)."""
    col = lay.column
    recs = sorted({w.recording_id for w in work})
    last: dict[int, int] = defaultdict(int)
    for w in work:
        for e in events[w.assignment_id]:
            last[w.recording_id] = max(last[w.recording_id], e[1])
    n_seg: dict[int, int] = {}
    plans: dict[int, tuple[tuple[int, int], ...]] = {}
    for rid in recs:
        duration = durations.get(rid)
        if duration is None:
            duration = last[rid] + 1
        plans[rid] = plan_segments(max(1, duration), segment_ms, min_last_ms)
        n_seg[rid] = len(plans[rid])
    first: dict[int, int] = {}
    total = 0
    for rid in recs:
        first[rid] = total
        total += n_seg[rid]
    coverage = np.full((total, len(lay.names)), np.nan)
    for w in work:
        start = first[w.recording_id]
        coverage[start : start + n_seg[w.recording_id], col[w.assignment_id]] = 0.0
    codes = sorted({e[0] for w in work for e in events[w.assignment_id]})
    counts = {c: coverage.copy() for c in codes}
    for w in work:
        for e in events[w.assignment_id]:
            s = segment_index(e[1], plans[w.recording_id])
            if s is not None and s < n_seg[w.recording_id]:
                counts[e[0]][first[w.recording_id] + s, col[w.assignment_id]] += 1
    return SegmentData(coverage, counts)


def code_reliability(
    code: str,
    label: str,
    category: str,
    *,
    counts: ag.CodeCounts | None,
    seg: SegmentData,
    request: ReliabilityRequest,
    min_units: int = 0,
) -> CodeReliability:
    # a code nobody used has a count of 0 wherever a coder coded
    mat = seg.counts.get(code, seg.coverage)
    presence = np.where(np.isnan(mat), np.nan, (mat > 0).astype(np.float64))
    kappa = kappa_for_raters(presence, PRESENCE)
    ac1 = ag.gwet_ac(presence, categories=PRESENCE)
    count_icc = ag.icc(mat)[1]
    c = counts or ag.CodeCounts(code, 0, 0, 0, 0, 0)
    n_events = 2 * c.matched + c.mismatched_a + c.mismatched_b + c.unmatched_a + c.unmatched_b
    specific = 2 * c.matched / n_events if n_events else None
    flagged = specific is None or specific < request.kappa_threshold
    insufficient = not_enough(int(mat.shape[0]), min_units)
    if insufficient:  # segment-level statistics from too few segments: never labelled
        kappa, ac1, count_icc = (r.with_label(None) for r in (kappa, ac1, count_icc))
    return CodeReliability(
        code,
        label,
        category,
        c.matched,
        c.mismatched_a,
        c.mismatched_b,
        c.unmatched_a,
        c.unmatched_b,
        specific,
        int(mat.shape[0]),
        kappa,
        ac1,
        count_icc,
        flagged,
        insufficient,
    )
