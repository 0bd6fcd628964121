"""The sheets of the alliance process analyses: ``Phases`` (ruptures and their repair per phase,
for the study and per dyad), ``Sequences`` (the same per session, dyad and therapist) and
``Ruptures`` (one row per rupture marker with its first resolution strategy).

Numbers come from ``SequenceService.report`` (definitions in ``coding.sequences.repair``); the
phase of a session from ``PhaseService``. Charts are native Excel bar charts: the share of
ruptures resolved with Wilson 95 % intervals, and the median time to repair with its
interquartile range as the bar's interval.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from observer_app.coding.sequences import RepairSummary, summarize_repairs
from observer_app.coding.sequences.repair import wilson_interval
from observer_app.export.sheets.base import Row, Sheet, StudyData
from observer_app.export.workbook import ChartSpec, Column
from observer_app.services.sequences import CodedSession, RuptureRow, SequenceReport

SUMMARY_COLUMNS = (
    Column("codings", "int", 9),
    Column("ruptures", "int", 9),
    Column("coded_hours", "float", 11),
    Column("ruptures_per_hour", "float", 12),
    Column("resolved", "int", 9),
    Column("share_resolved", "float", 12),
    Column("share_ci95_low", "float", 12),
    Column("share_ci95_high", "float", 12),
    Column("repair_median_s", "float", 12),
    Column("repair_q1_s", "float", 11),
    Column("repair_q3_s", "float", 11),
)


def sequence_report(data: StudyData) -> SequenceReport:
    """The study's sequence report with the export's coder names (no permutation test)."""
    svc = data.study.sequences
    sessions = svc.sessions(pseudonyms=data.display if data.options.pseudonymize else None)
    return svc.report(sessions=sessions, permutation=False)


def _sec(ms: float | None) -> float | None:
    return None if ms is None else ms / 1000


def _summary_cells(codings: int, s: RepairSummary) -> list[object]:
    ci = wilson_interval(s.resolved, s.ruptures)
    return [
        codings,
        s.ruptures,
        s.coded_ms / 3_600_000,
        s.per_hour,
        s.resolved,
        s.share_resolved,
        None if ci is None else ci[0],
        None if ci is None else ci[1],
        _sec(s.median_ms),
        _sec(s.q1_ms),
        _sec(s.q3_ms),
    ]


def _charts(
    rows: Sequence[Sequence[object]], label_col: int, first_col: int, what: str
) -> list[ChartSpec]:
    """Share resolved (Wilson CI) and median time to repair (IQR) over ``rows`` 0..n-1."""
    if not rows:
        return []
    share, low, high = first_col + 5, first_col + 6, first_col + 7
    med, q1, q3 = first_col + 8, first_col + 9, first_col + 10
    n = len(rows) - 1

    def pick(col: int) -> tuple[float | None, ...]:
        return tuple(None if r[col] is None else float(r[col]) for r in rows)  # type: ignore[arg-type]

    return [
        ChartSpec(
            f"Ruptures resolved by {what} (Wilson 95% CI)",
            "share resolved",
            0,
            n,
            label_col,
            share,
            pick(low),
            pick(high),
            pick(share),
            anchor_col=len(rows[0]) + 1,
            anchor_row=1,
            y_min=0.0,
            y_max=1.0,
        ),
        ChartSpec(
            f"Time to repair by {what} (median, IQR)",
            "seconds",
            0,
            n,
            label_col,
            med,
            pick(q1),
            pick(q3),
            pick(med),
            anchor_col=len(rows[0]) + 1,
            anchor_row=18,
            y_min=0.0,
            y_max=None,
        ),
    ]


def _phase_rows(data: StudyData, report: SequenceReport) -> list[list[object]]:
    plan = data.phase_plan
    by_coding: dict[int, list[RuptureRow]] = {}
    for row in report.ruptures:
        by_coding.setdefault(row.session.assignment_id, []).append(row)
    dyads = sorted({c.recording.dyad_id for c in report.sessions if c.recording.dyad_id})
    out: list[list[object]] = []
    for scope in ["all", *dyads]:
        for k, phase in enumerate(plan.phases, start=1):
            members: list[CodedSession] = [
                c
                for c in report.sessions
                if c.phase is not None
                and c.phase.id == phase.id
                and scope in {"all", c.recording.dyad_id}
            ]
            repairs = [r.repair for c in members for r in by_coding.get(c.assignment_id, [])]
            first = (
                phase.first_session
                if scope == "all"
                else (plan.dyads.get(scope, {}).get(phase.id, phase.first_session))
            )
            summary = summarize_repairs(repairs, sum(c.duration_ms for c in members))
            out.append(
                [
                    scope,
                    k,
                    phase.id,
                    f"{k} {phase.label}",
                    first,
                    *_summary_cells(len(members), summary),
                ]
            )
    return out


def phases(data: StudyData, report: SequenceReport) -> Sheet:
    columns = (
        Column("scope", "key", 12),
        Column("phase", "int", 7),
        Column("phase_id", "key", 18),
        Column("phase_label", "key", 20),
        Column("first_session", "int", 12),
        *SUMMARY_COLUMNS,
    )
    rows = _phase_rows(data, report)
    study_rows = [r for r in rows if r[0] == "all"]
    return Sheet("Phases", columns, iter(rows), charts=lambda: _charts(study_rows, 3, 5, "phase"))


def sequences(data: StudyData, report: SequenceReport) -> Sheet:
    columns = (
        Column("level", "key", 10),
        Column("group", "key", 40),
        *SUMMARY_COLUMNS,
    )
    levels = ("session", "dyad", "therapist", "phase", "study")
    rows = [
        [s.level, s.key, *_summary_cells(s.codings, s.summary)]
        for level in levels
        for s in report.summary(level)
    ]
    sessions = [r for r in rows if r[0] == "session"]
    return Sheet(
        "Sequences", columns, iter(rows), charts=lambda: _charts(sessions, 1, 2, "session")
    )


RUPTURE_COLUMNS = (
    Column("recording_id", "int", 12),
    Column("dyad", "key", 12),
    Column("therapist", "key", 14),
    Column("session_number", "int", 15),
    Column("phase", "int", 7),
    Column("coder", "key", 16),
    Column("source", "key", 10),
    Column("assignment_id", "int", 13),
    Column("marker", "key", 8),
    Column("category", "key", 14),
    Column("subject", "key", 10),
    Column("onset_s", "seconds", 10),
    Column("resolved", "bool", 9),
    Column("first_strategy", "key", 13),
    Column("time_to_repair_s", "seconds", 15),
    Column("strategies", "key", 20),
)


def ruptures(data: StudyData, report: SequenceReport) -> Sheet:
    def rows() -> Iterator[Row]:
        for row in report.ruptures:
            c, r = row.session, row.repair
            rec = c.recording
            yield (
                rec.id,
                rec.dyad_id,
                rec.therapist_id,
                rec.session_number,
                c.phase.number if c.phase else None,
                c.coder,
                c.source,
                c.assignment_id,
                r.rupture.code,
                r.category,
                r.rupture.subject,
                r.rupture.onset_ms / 1000,
                r.resolved,
                r.resolution.code if r.resolution else None,
                None if r.time_to_repair_ms is None else r.time_to_repair_ms / 1000,
                " ".join(r.strategies),
            )

    return Sheet("Ruptures", RUPTURE_COLUMNS, rows())
