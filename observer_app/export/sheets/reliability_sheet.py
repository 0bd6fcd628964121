"""The Reliability sheet: every scheme's and instrument's agreement report, with its charts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from observer_app.export.sheets.base import Row, Sheet, StudyData
from observer_app.export.workbook import ChartSpec, Column
from observer_app.services.reliability import (
    CancelFlag,
    ReliabilityReport,
    ReliabilityRequest,
)

RELIABILITY_COLUMNS = (
    Column("section", "key", 10),
    Column("definition_kind", "key", 12),
    Column("definition_id", "key", 18),
    Column("definition_version", "key", 10),
    Column("target_kind", "key", 11),
    Column("target_id", "key", 12),
    Column("target_label", "text", 26),
    Column("statistic", "key", 26),
    Column("value", "float", 9),
    Column("ci_low", "float", 9),
    Column("ci_high", "float", 9),
    Column("se", "float", 8),
    Column("p", "float", 8),
    Column("n_units", "int", 8),
    Column("n_raters", "int", 8),
    Column("n_dropped", "int", 9),
    Column("interpretation", "key", 18),
    Column("flagged", "bool", 8),
    Column("coder", "key", 12),
    Column("recording_id", "int", 12),
    Column("completed_at", "datetime", 19),
    Column("note", "text", 40),
)
_VALUE = 8
_TARGET_LABEL = 6


def reliability_reports(
    data: StudyData,
    progress: Callable[[float], None] | None = None,
    cancel: CancelFlag | None = None,
) -> list[ReliabilityReport]:
    """Every scheme's and instrument's reliability with the export's settings;
    ``progress(fraction)`` reports the share done (0..1)."""
    o = data.options
    svc = data.study.reliability
    reports = []
    versions = svc.versions_with_data()
    for k, vid in enumerate(versions):

        def step(done: int, total: int, k: int = k) -> None:
            if progress is not None:
                progress((k + done / max(total, 1)) / len(versions))

        request = ReliabilityRequest(
            vid,
            tolerance_ms=o.tolerance_ms,
            icc_form=o.icc_form,
            alpha_level=o.alpha_level,
            bootstrap=o.bootstrap,
            icc_threshold=o.icc_threshold,
            kappa_threshold=o.kappa_threshold,
            completed_only=o.completed_only,
        )
        reports.append(svc.compute(request, progress=step, cancel=cancel))
    return reports


def _stat(r: Any) -> tuple[Any, ...]:
    """value, ci_low, ci_high, se, p, n_units, n_raters, n_dropped, interpretation"""
    ci = r.ci95 or (None, None)
    return (r.value, ci[0], ci[1], r.se, r.p, r.n_units, r.n_raters, r.n_dropped, r.label)


def reliability(data: StudyData, reports: Sequence[ReliabilityReport]) -> Sheet:
    charts: list[ChartSpec] = []
    out: list[Row] = []
    for rep in reports:
        head = (rep.kind, rep.definition_id, rep.definition_version)
        out.append(_design_row(data, rep, head))
        if rep.scores:
            first = len(out)
            out += [
                _stat_row("score", head, (s.kind, s.id, s.label), s.icc, flagged=s.flagged)
                for s in rep.scores
            ]
            charts.append(_chart(rep, first, out, len(charts)))
            out += _other_score_rows(rep, head)
        out += _event_rows(rep, head)
        out += _code_rows(rep, head)
        out += _drift_rows(data, rep, head)
    return Sheet("Reliability", RELIABILITY_COLUMNS, iter(out), lambda: charts)


Head = tuple[str, str, str]
#: (target_kind, target_id, target_label)
Target = tuple[str, str | None, str | None]


def _stat_row(
    section: str,
    head: Head,
    target: Target,
    r: Any,
    *,
    statistic: str | None = None,
    flagged: bool | None = None,
) -> Row:
    """One statistic's row: its value, CI, SE, p, counts and label, and why it is undefined."""
    name = r.name if statistic is None else statistic
    return (
        section,
        *head,
        *target,
        name,
        *_stat(r),
        flagged,
        None,
        None,
        None,
        r.undefined_reason,
    )


def _design_row(data: StudyData, rep: ReliabilityReport, head: Head) -> Row:
    coders = ", ".join(data.coder(c.name) for c in rep.coders)
    design = f"raters as {rep.layout}; coders {coders or 'none'}"
    return (
        "design",
        *head,
        None,
        None,
        rep.name,
        "recordings",
        float(len(rep.recording_ids)),
        *([None] * 4),
        None,
        len(rep.coders),
        None,
        None,
        None,
        None,
        None,
        None,
        "; ".join([design, *rep.notes]),
    )


def _other_score_rows(rep: ReliabilityReport, head: Head) -> list[Row]:
    """Every score's other ICC forms, its alpha and (items) its kappa."""
    rows: list[Row] = []
    for s in rep.scores:
        others = [r for r in s.iccs if r.name != s.icc.name] + [s.alpha]
        others += [s.kappa] if s.kappa is not None else []
        rows += [_stat_row("score", head, (s.kind, s.id, s.label), r) for r in others]
    return rows


def _event_rows(rep: ReliabilityReport, head: Head) -> list[Row]:
    """The pooled event agreement's statistics, then its confusion matrix cell by cell."""
    if rep.events is None:
        return []
    rows = [_stat_row("events", head, ("all codes", None, None), r) for r in rep.events.statistics]
    labels = rep.events.confusion.labels
    for i, counts in enumerate(rep.events.confusion.counts):
        for j, n in enumerate(counts):
            rows.append(
                (
                    "confusion",
                    *head,
                    "code A",
                    labels[i],
                    None,
                    f"B: {labels[j]}",
                    float(n),
                    *([None] * 8),
                    None,
                    None,
                    None,
                    None,
                    "rows: coder A; columns: coder B",
                )
            )
    return rows


def _code_rows(rep: ReliabilityReport, head: Head) -> list[Row]:
    """Per code: specific agreement, then segment presence kappa and AC1 and count ICC."""
    rows: list[Row] = []
    for c in rep.codes:
        spec = (c.specific_agreement, *([None] * 4), c.events_a + c.events_b, 2, 0, None)
        rows.append(
            (
                "code",
                *head,
                "code",
                c.code,
                c.label,
                "specific agreement",
                *spec,
                c.flagged,
                None,
                None,
                None,
                f"matched {c.matched}, mismatched {c.mismatched_a}/{c.mismatched_b}, "
                f"unmatched {c.unmatched_a}/{c.unmatched_b} (A/B)",
            )
        )
        for r in (c.presence_kappa, c.presence_ac1, c.count_icc):
            kind = "segment count" if r is c.count_icc else "segment presence"
            statistic = f"{kind}: {r.name}"
            rows.append(_stat_row("code", head, ("code", c.code, c.label), r, statistic=statistic))
    return rows


def _drift_rows(data: StudyData, rep: ReliabilityReport, head: Head) -> list[Row]:
    """Each coder against the master coder, recording by recording."""
    master = rep.master_coder.name if rep.master_coder else ""
    return [
        (
            "drift",
            *head,
            "coder",
            None,
            None,
            p.statistic,
            p.value,
            *([None] * 4),
            p.n,
            2,
            0,
            None,
            None,
            data.coder(p.coder_name),
            p.recording_id,
            p.completed_at,
            f"against master coder {data.coder(master)}",
        )
        for p in rep.drift
    ]


def _chart(rep: ReliabilityReport, first: int, out: list[Row], k: int) -> ChartSpec:
    rows = out[first:]
    return ChartSpec(
        title=f"{rep.definition_id} {rep.definition_version}: {rep.icc_form} with 95% CI",
        y_title=rep.icc_form,
        first=first,
        last=len(out) - 1,
        category_col=_TARGET_LABEL,
        value_col=_VALUE,
        values=tuple(r[_VALUE] for r in rows),
        low=tuple(r[_VALUE + 1] for r in rows),
        high=tuple(r[_VALUE + 2] for r in rows),
        anchor_col=len(RELIABILITY_COLUMNS) + 1,
        anchor_row=1 + 20 * k,
        y_min=None,
    )
