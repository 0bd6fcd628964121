"""What the Analysis page plots, prepared from a :class:`SequenceReport` (no Qt here).

* :func:`dyad_course` -- per session of one dyad (in session order): ruptures per hour and the
  share resolved, pooled over that session's codings.
* :func:`phase_bars` -- per phase: share resolved with its Wilson 95 % interval, and the median
  time to repair with its interquartile range (definitions in ``coding.sequences.repair``).
* :func:`repair_times` -- the times to repair (s) of resolved ruptures, per phase.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from observer_app.coding.sequences import summarize_repairs
from observer_app.coding.sequences.repair import wilson_interval
from observer_app.services.sequences.model import RuptureRow, SequenceReport


@dataclass(frozen=True)
class CoursePoint:
    session_number: int
    phase: int | None
    ruptures: int
    per_hour: float | None
    share_resolved: float | None


@dataclass(frozen=True)
class PhaseBar:
    label: str
    ruptures: int
    share_resolved: float | None
    share_low: float | None
    share_high: float | None
    median_s: float | None
    q1_s: float | None
    q3_s: float | None


def _by_coding(report: SequenceReport) -> dict[int, list[RuptureRow]]:
    out: dict[int, list[RuptureRow]] = defaultdict(list)
    for row in report.ruptures:
        out[row.session.assignment_id].append(row)
    return out


def dyads(report: SequenceReport) -> list[str]:
    return sorted({c.recording.dyad_id for c in report.sessions if c.recording.dyad_id})


def dyad_course(report: SequenceReport, dyad: str) -> list[CoursePoint]:
    rows = _by_coding(report)
    sessions: dict[int, list[int]] = defaultdict(list)
    phase: dict[int, int | None] = {}
    durations: dict[int, int] = defaultdict(int)
    for c in report.sessions:
        n = c.recording.session_number
        if c.recording.dyad_id != dyad or n is None:
            continue
        sessions[n].append(c.assignment_id)
        durations[n] += c.duration_ms
        phase[n] = c.phase.number if c.phase else None
    out = []
    for n in sorted(sessions):
        repairs = [r.repair for aid in sessions[n] for r in rows[aid]]
        s = summarize_repairs(repairs, durations[n])
        out.append(CoursePoint(n, phase[n], s.ruptures, s.per_hour, s.share_resolved))
    return out


def phase_bars(report: SequenceReport) -> list[PhaseBar]:
    out = []
    for row in report.summary("phase"):
        s = row.summary
        ci = wilson_interval(s.resolved, s.ruptures)
        sec = [None if v is None else v / 1000 for v in (s.median_ms, s.q1_ms, s.q3_ms)]
        out.append(
            PhaseBar(
                row.key,
                s.ruptures,
                s.share_resolved,
                None if ci is None else ci[0],
                None if ci is None else ci[1],
                *sec,
            )
        )
    return out


def repair_times(report: SequenceReport) -> dict[str, list[float]]:
    out: dict[str, list[float]] = defaultdict(list)
    for row in report.ruptures:
        t = row.repair.time_to_repair_ms
        if t is not None:
            c = row.session
            key = f"{c.phase.number} {c.phase.label}" if c.phase else "no phase"
            out[key].append(t / 1000)
    return dict(sorted(out.items()))
