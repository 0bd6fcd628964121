"""The Reliability sheet: every scheme's and instrument's agreement report, with its charts."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from observer_app.export.sheets.base import Row, Sheet, StudyData
from observer_app.export.workbook import BOOL_LABELS, ChartSpec, Column
from observer_app.services.reliability import (
    CancelFlag,
    ReliabilityReport,
    ReliabilityRequest,
)

_DEFINITION = (
    Column("definition_kind", "key", 12, label="scheme or instrument"),
    Column("definition_id", "key", 18, label="scheme or instrument id"),
    Column("definition_version", "key", 10, label="its own version"),
)
RELIABILITY_COLUMNS = (
    *_DEFINITION,
    Column(
        "target_kind",
        "key",
        11,
        label="what the statistic is about",
        allowed="item, subscale, composite, total, all_codes, subjects, code",
    ),
    Column("target_id", "key", 12, label="item, score or code id"),
    Column("target_label", "text", 26, label="its label"),
    Column("statistic", "key", 26, label="statistic (README: Agreement statistics)"),
    Column("value", "float", 9, label="the statistic's value"),
    Column("ci_low", "float", 9, label="lower bound of the 95% CI"),
    Column("ci_high", "float", 9, label="upper bound of the 95% CI"),
    Column("se", "float", 8, label="standard error"),
    Column("p", "float", 8, label="p value"),
    Column("n_units", "int", 8, label="units used", unit="units"),
    Column("n_raters", "int", 8, label="raters", unit="raters"),
    Column("n_dropped", "int", 9, label="units dropped", unit="units"),
    Column("interpretation", "key", 18, label="interpretation label of the statistic"),
    Column(
        "below_threshold",
        "bool",
        10,
        label="below the export's threshold",
        value_labels=BOOL_LABELS,
    ),
    Column(
        "few_units",
        "bool",
        10,
        label="fewer units than the minimum (About: min_units)",
        value_labels=BOOL_LABELS,
    ),
    Column("note", "text", 40, label="why undefined, or the counts behind it"),
)
DESIGN_COLUMNS = (
    *_DEFINITION,
    Column("name", "text", 30, label="scheme or instrument name"),
    Column("raters_as", "key", 10, label="raters are coders or coder slots"),
    Column("coders", "text", 30, label="coders compared"),
    Column("n_coders", "int", 9, label="coders", unit="coders"),
    Column("n_recordings", "int", 12, label="recordings compared", unit="recordings"),
    Column("tolerance_s", "seconds", 11, label="event matching tolerance", unit="seconds"),
    Column(
        "subject_matching",
        "key",
        12,
        label="events matched within subject or across subjects (schemes)",
        allowed="within, across",
    ),
    Column("notes", "text", 50, label="notes on the design"),
)
CONFUSION_COLUMNS = (
    *_DEFINITION,
    Column("code_a", "key", 12, label="coder A's code (unmatched: no event of A)"),
    Column("code_b", "key", 12, label="coder B's code (unmatched: no event of B)"),
    Column(
        "count", "int", 8, label="matched event pairs (cells with 0 are left out)", unit="events"
    ),
)
DRIFT_COLUMNS = (
    *_DEFINITION,
    Column("coder", "key", 14, label="coder compared with the master coder"),
    Column("master_coder", "key", 14, label="master coder"),
    Column("recording_id", "int", 12, label="recording"),
    Column("assignment_id", "int", 13, label="the coder's assignment"),
    Column("completed_at", "datetime", 19, label="when the coder completed it", unit="UTC"),
    Column("statistic", "key", 22, label="statistic"),
    Column("value", "float", 9, label="the statistic's value"),
    Column("mean_abs_diff", "float", 12, label="mean absolute difference from the master"),
    Column("percent_agreement", "float", 12, label="share of agreeing pairs"),
    Column("n", "int", 6, label="units or events compared"),
)
_VALUE = 7
_TARGET_LABEL = 5
_N_UNITS = 12


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
            subjects=o.subjects,
        )
        reports.append(svc.compute(request, progress=step, cancel=cancel))
    return reports


def _stat(r: Any) -> tuple[Any, ...]:
    """value, ci_low, ci_high, se, p, n_units, n_raters, n_dropped, interpretation"""
    ci = r.ci95 or (None, None)
    return (r.value, ci[0], ci[1], r.se, r.p, r.n_units, r.n_raters, r.n_dropped, r.label)


def reliability(data: StudyData, reports: Sequence[ReliabilityReport]) -> Sheet:
    """Statistics: one row per target and statistic; the chosen ICC form of every score first
    (its chart beside those rows)."""
    charts: list[ChartSpec] = []
    out: list[Row] = []
    few = data.options.min_units
    for rep in reports:
        head = (rep.kind, rep.definition_id, rep.definition_version)
        if rep.scores:
            first = len(out)
            out += [
                _stat_row(head, (s.kind, s.id, s.label), s.icc, few, flagged=s.flagged)
                for s in rep.scores
            ]
            charts.append(_chart(rep, first, out, charts))
            out += _other_score_rows(rep, head, few)
        out += _event_rows(rep, head, few)
        out += _code_rows(rep, head, few)
    return Sheet("Reliability", RELIABILITY_COLUMNS, iter(out), lambda: charts)


def reliability_design(data: StudyData, reports: Sequence[ReliabilityReport]) -> Sheet:
    """One row per scheme or instrument: who was compared on how many recordings."""

    def rows() -> Iterator[Row]:
        for rep in reports:
            yield (
                rep.kind,
                rep.definition_id,
                rep.definition_version,
                rep.name,
                rep.layout,
                ", ".join(data.coder(c.name) for c in rep.coders) or None,
                len(rep.coders),
                len(rep.recording_ids),
                rep.request.tolerance_ms / 1000 if rep.kind == "scheme" else None,
                rep.subjects if rep.kind == "scheme" else None,
                "; ".join(rep.notes) or None,
            )

    return Sheet("Reliability design", DESIGN_COLUMNS, rows())


def confusion(data: StudyData, reports: Sequence[ReliabilityReport]) -> Sheet:
    """The pooled event confusion matrix in long form (rows: coder A; columns: coder B)."""

    def rows() -> Iterator[Row]:
        for rep in reports:
            if rep.events is None:
                continue
            head = (rep.kind, rep.definition_id, rep.definition_version)
            labels = rep.events.confusion.labels
            for i, counts in enumerate(rep.events.confusion.counts):
                for j, n in enumerate(counts):
                    if n:
                        yield (*head, labels[i], labels[j], int(n))

    return Sheet("Confusion", CONFUSION_COLUMNS, rows())


def drift(data: StudyData, reports: Sequence[ReliabilityReport]) -> Sheet:
    """Each coder against the master coder, recording by recording."""

    def rows() -> Iterator[Row]:
        for rep in reports:
            head = (rep.kind, rep.definition_id, rep.definition_version)
            master = data.coder(rep.master_coder.name) if rep.master_coder else None
            for p in rep.drift:
                yield (
                    *head,
                    data.coder(p.coder_name),
                    master,
                    p.recording_id,
                    p.assignment_id,
                    p.completed_at,
                    p.statistic,
                    p.value,
                    p.mean_abs_diff,
                    p.percent_agreement,
                    p.n,
                )

    return Sheet("Drift", DRIFT_COLUMNS, rows())


Head = tuple[str, str, str]
#: (target_kind, target_id, target_label)
Target = tuple[str, str | None, str | None]


def _stat_row(
    head: Head,
    target: Target,
    r: Any,
    min_units: int,
    *,
    statistic: str | None = None,
    flagged: bool | None = None,
    note: str | None = None,
) -> Row:
    """One statistic's row: its value, CI, SE, p, counts and label, and why it is undefined."""
    name = r.name if statistic is None else statistic
    n = r.n_units
    return (
        *head,
        *target,
        name,
        *_stat(r),
        flagged,
        None if n is None else n < min_units,
        r.undefined_reason or note,
    )


def _other_score_rows(rep: ReliabilityReport, head: Head, few: int) -> list[Row]:
    """Every score's other ICC forms, its alpha and (items) its kappa."""
    rows: list[Row] = []
    for s in rep.scores:
        others = [r for r in s.iccs if r.name != s.icc.name] + [s.alpha]
        others += [s.kappa] if s.kappa is not None else []
        rows += [_stat_row(head, (s.kind, s.id, s.label), r, few) for r in others]
    return rows


def _event_rows(rep: ReliabilityReport, head: Head, few: int) -> list[Row]:
    """The pooled event agreement's statistics (its confusion matrix: the Confusion sheet)."""
    if rep.events is None:
        return []
    rows = [_stat_row(head, ("all_codes", None, None), r, few) for r in rep.events.statistics]
    if rep.subject_agreement is not None:  # kappa over the subject of matched events
        rows.append(_stat_row(head, ("subjects", None, None), rep.subject_agreement, few))
    return rows


def _code_rows(rep: ReliabilityReport, head: Head, few: int) -> list[Row]:
    """Per code: specific agreement, then segment presence kappa and AC1 and count ICC."""
    rows: list[Row] = []
    for c in rep.codes:
        n = c.events_a + c.events_b
        rows.append(
            (
                *head,
                "code",
                c.code,
                c.label,
                "specific agreement",
                c.specific_agreement,
                *([None] * 4),
                n,
                2,
                0,
                None,
                c.flagged,
                n < few,
                f"matched {c.matched}, mismatched {c.mismatched_a}/{c.mismatched_b}, "
                f"unmatched {c.unmatched_a}/{c.unmatched_b} (A/B)",
            )
        )
        for r in (c.presence_kappa, c.presence_ac1, c.count_icc):
            kind = "segment count" if r is c.count_icc else "segment presence"
            statistic = f"{kind}: {r.name}"
            rows.append(_stat_row(head, ("code", c.code, c.label), r, few, statistic=statistic))
    return rows


def _chart(
    rep: ReliabilityReport, first: int, out: list[Row], charts: list[ChartSpec]
) -> ChartSpec:
    """The chosen ICC form of every score with its CI, beside its rows (below the previous
    chart when that one is still in the way)."""
    rows = out[first:]
    below = charts[-1].anchor_row + CHART_ROWS if charts else 0
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
        anchor_row=max(first + 1, below),
        y_min=None,
    )


#: Rows a chart covers (9 cm at the default row height).
CHART_ROWS = 19
