"""Observer, client and therapist scores side by side, and their agreement over sessions.

Per session (a dyad's session number): the observer score — the completed consensus when there is
one, else the mean of the complete primary and reliability coders who have the score
(calibration work is training and is left out) — and the client's and therapist's self-report
scores, per subscale (Goal, Task, Bond) and total, with the pairwise differences. Per dyad: the
mean of each over its sessions. Across sessions, for every pair of perspectives: Pearson and
Spearman correlations, the mean difference, Bland-Altman limits (only where the scales match),
and the ICC across the three perspectives, overall and by phase. The statistics are pure
functions in :mod:`observer_app.coding.perspectives` (definitions and citations there).

Scores are compared on their own scale only when scale, anchors and key match; otherwise on
POMP (percent of maximum possible); every row says which. Managers only (coders are blind to
self-reports).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from observer_app.coding.definitions import Instrument
from observer_app.coding.errors import InputError
from observer_app.coding.form_scores import score_form
from observer_app.coding.perspectives import (
    COMPARED_SCORES,
    FAMILIES,
    PAIRS,
    PERSPECTIVES,
    Metric,
    Statistic,
    bland_altman,
    common_metric,
    mean_difference,
    pearson,
    perspective_icc,
    pomp,
    score_range,
    spearman,
)
from observer_app.services.access import require_manager
from observer_app.services.assignments import AssignmentService
from observer_app.services.context import ServiceContext
from observer_app.services.definitions import DefinitionService
from observer_app.services.phases import PhaseService
from observer_app.services.recordings import RecordingService
from observer_app.services.selfreports import SelfReportService
from observer_app.services.streams import StreamService

SessionKey = tuple[str, int]
_OBSERVER_PURPOSES = ("primary", "reliability")


@dataclass(frozen=True)
class SessionRow:
    dyad_id: str
    session_number: int
    phase: int | None
    recording_id: int | None
    score_id: str
    metric: str
    values: dict[str, float | None]
    observer_source: str
    #: The item means on each instrument's own scale (before any POMP conversion).
    raw: dict[str, float | None] = field(default_factory=dict)

    def difference(self, a: str, b: str) -> float | None:
        x, y = self.values.get(a), self.values.get(b)
        return None if x is None or y is None else x - y

    def as_dict(self) -> dict[str, Any]:
        return {
            "dyad": self.dyad_id,
            "session": self.session_number,
            "phase": self.phase,
            "recording_id": self.recording_id,
            "score": self.score_id,
            "metric": self.metric,
            **{p: self.values.get(p) for p in PERSPECTIVES},
            "observer_source": self.observer_source,
            **{f"{a}_minus_{b}": self.difference(a, b) for a, b in PAIRS},
            **{f"{p}_item_mean": self.raw.get(p) for p in PERSPECTIVES},
        }


@dataclass(frozen=True)
class DyadRow:
    dyad_id: str
    score_id: str
    metric: str
    sessions: int
    means: dict[str, float | None]
    mean_differences: dict[str, float | None]

    def as_dict(self) -> dict[str, Any]:
        return {
            "dyad": self.dyad_id,
            "score": self.score_id,
            "metric": self.metric,
            "sessions": self.sessions,
            **{f"mean_{p}": self.means.get(p) for p in PERSPECTIVES},
            **{f"mean_{k}": v for k, v in self.mean_differences.items()},
        }


@dataclass(frozen=True)
class AgreementRow:
    score_id: str
    metric: str
    phase: str  # "all", "1", "2"
    pair: str  # "observer-client", ..., or "all three" for the ICC
    statistic: Statistic

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": self.score_id,
            "metric": self.metric,
            "phase": self.phase,
            "pair": self.pair,
            **self.statistic.as_dict(),
        }


@dataclass(frozen=True)
class PerspectivesReport:
    family: str
    instruments: dict[str, str | None]
    metrics: dict[str, Metric]
    sessions: list[SessionRow] = field(default_factory=list)
    dyads: list[DyadRow] = field(default_factory=list)
    agreement: list[AgreementRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "family": self.family,
            "instruments": self.instruments,
            "metrics": {
                k: {"kind": m.kind, "label": m.label, "reason": m.reason}
                for k, m in self.metrics.items()
            },
            "sessions": [r.as_dict() for r in self.sessions],
            "dyads": [r.as_dict() for r in self.dyads],
            "agreement": [r.as_dict() for r in self.agreement],
            "notes": list(self.notes),
        }


class PerspectivesService:
    def __init__(
        self,
        ctx: ServiceContext,
        definitions: DefinitionService,
        *,
        assignments: AssignmentService,
        recordings: RecordingService,
        streams: StreamService,
        selfreports: SelfReportService,
        phases: PhaseService,
    ) -> None:
        self._ctx = ctx
        self._phases = phases
        self._defs = definitions
        self._assignments = assignments
        self._recordings = recordings
        self._streams = streams
        self._selfreports = selfreports

    def families(self) -> list[str]:
        """Instrument families with an attached instrument for at least two perspectives."""
        attached = {v.definition_id for v in self._defs.versions("instrument", attached_only=True)}
        return [f for f, ids in FAMILIES.items() if len(attached & set(ids.values())) >= 2]

    def _attached(self, family: str) -> dict[str, Instrument | None]:
        if family not in FAMILIES:
            raise InputError(f"unknown instrument family {family!r} ({', '.join(FAMILIES)})")
        out: dict[str, Instrument | None] = {}
        for perspective, instrument_id in FAMILIES[family].items():
            info = self._defs.instrument_version(instrument_id)
            out[perspective] = None if info is None else self._defs.instrument(info.id)
        return out

    def compute(self, family: str | None = None) -> PerspectivesReport:
        """The side-by-side tables and agreement of one instrument family (default: the first
        with data from two perspectives)."""
        require_manager(self._ctx.actor, "compare perspectives (it shows self-reports)")
        if family is None:
            found = self.families()
            family = found[0] if found else next(iter(FAMILIES))
        instruments = self._attached(family)
        present = [i for i in instruments.values() if i is not None]
        metrics = {}
        for score_id in COMPARED_SCORES:
            metric = common_metric(present, score_id) if len(present) >= 2 else None
            if metric is not None:
                metrics[score_id] = metric
        pair_metrics: dict[tuple[str, str, str], Metric] = {}
        for score_id in metrics:
            for a, b in PAIRS:
                ia, ib = instruments.get(a), instruments.get(b)
                if ia is not None and ib is not None:
                    pm = common_metric([ia, ib], score_id)
                    if pm is not None:
                        pair_metrics[(score_id, a, b)] = pm
        convert = _Converter(instruments)
        values, sources, recordings = self._values(instruments, metrics)
        plan = self._phases.plan()

        def phase(dyad: str | None, session: int | None) -> int | None:
            found = plan.phase_of(session, dyad)
            return None if found is None else found.number

        sessions = _session_rows(values, sources, recordings, metrics, convert, phase=phase)
        notes = _grouped(
            [(s, f"{m.label} ({m.reason})") for s, m in metrics.items()]
            + [
                (f"{s} {a}-{b}", f"compared on the shared scale ({pm.reason})")
                for (s, a, b), pm in pair_metrics.items()
                if pm.kind == "raw" and metrics[s].kind == "pomp"
            ]
        )
        notes.append("Bland-Altman limits only where the scales match (never on POMP)")
        if len(present) < 2:
            notes.append(f"family {family}: fewer than two perspectives have an instrument")
        return PerspectivesReport(
            family,
            {p: (None if i is None else i.id) for p, i in instruments.items()},
            metrics,
            sessions,
            _dyad_rows(sessions),
            _agreement_rows(sessions, metrics, pair_metrics, convert),
            notes,
        )

    # -- values ----------------------------------------------------------------------------
    def _values(
        self, instruments: dict[str, Instrument | None], metrics: dict[str, Metric]
    ) -> tuple[
        dict[tuple[SessionKey, str, str], float],
        dict[SessionKey, str],
        dict[SessionKey, int],
    ]:
        values: dict[tuple[SessionKey, str, str], float] = {}
        sources: dict[SessionKey, str] = {}
        recordings: dict[SessionKey, int] = {}
        observer = instruments.get("observer")
        if observer is not None:
            self._observer(observer, metrics, values, sources, recordings)
        for perspective in ("client", "therapist"):
            inst = instruments.get(perspective)
            if inst is None:
                continue
            for form in self._selfreports.all(instrument_id=inst.id):
                if not form.final:
                    continue
                key = (form.dyad_id, form.session_number)
                if form.recording_id is not None:
                    recordings.setdefault(key, form.recording_id)
                own = self._defs.instrument(form.instrument_version_id)
                scores = score_form(own, form.responses)
                for score_id in metrics:
                    s = scores.get(score_id)
                    if s is not None and s.mean is not None:
                        values[(key, score_id, perspective)] = s.mean
        return values, sources, recordings

    def _observer(
        self,
        inst: Instrument,
        metrics: dict[str, Metric],
        values: dict[tuple[SessionKey, str, str], float],
        sources: dict[SessionKey, str],
        recordings: dict[SessionKey, int],
    ) -> None:
        version_ids = {
            v.id for v in self._defs.versions("instrument") if v.definition_id == inst.id
        }
        assignments = {a.id: a for a in self._assignments.list_all() if a.status == "complete"}
        forms: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
        for r in self._streams.ratings():
            wanted = r.assignment_id in assignments and r.instrument_version_id in version_ids
            if wanted and r.unit_kind == "session" and r.value is not None:
                forms[(r.assignment_id, r.instrument_version_id)][r.item_id] = int(r.value)
        by_recording: dict[int, dict[str, list[tuple[str, float]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for (aid, vid), responses in forms.items():
            a = assignments[aid]
            if a.purpose not in (*_OBSERVER_PURPOSES, "consensus"):
                continue
            own = self._defs.instrument(vid)
            scores = score_form(own, responses)
            for score_id in metrics:
                s = scores.get(score_id)
                if s is not None and s.mean is not None:
                    by_recording[a.recording_id][score_id].append((a.purpose or "", s.mean))
        recs = {r.id: r for r in self._recordings.all()}
        for rid, per_score in by_recording.items():
            rec = recs.get(rid)
            if rec is None or rec.session_number is None:
                continue
            key = (rec.dyad_id or "", rec.session_number)
            recordings[key] = rid
            for score_id, found in per_score.items():
                consensus = [v for p, v in found if p == "consensus"]
                coders = [v for p, v in found if p in _OBSERVER_PURPOSES]
                if consensus:
                    values[(key, score_id, "observer")] = consensus[-1]
                    sources[key] = "consensus"
                elif coders:
                    values[(key, score_id, "observer")] = sum(coders) / len(coders)
                    sources.setdefault(key, f"mean of {len(coders)} coder(s)")


def _grouped(notes: list[tuple[str, str]]) -> list[str]:
    """``"Goal, Task: text"`` for notes that say the same of several scores."""
    by_text: dict[str, list[str]] = {}
    for what, text in notes:
        by_text.setdefault(text, []).append(what)
    return [f"{', '.join(whats)}: {text}" for text, whats in by_text.items()]


class _Converter:
    """Raw item means of each perspective onto a metric (raw, or POMP by its own scale)."""

    def __init__(self, instruments: dict[str, Instrument | None]) -> None:
        self._instruments = instruments

    def __call__(
        self, perspective: str, score_id: str, metric: Metric, mean: float | None
    ) -> float | None:
        inst = self._instruments.get(perspective)
        if mean is None or inst is None:
            return None
        if metric.kind == "raw":
            return mean
        bounds = score_range(inst, score_id)
        return None if bounds is None else pomp(mean, *bounds)


def _session_rows(
    values: dict[tuple[SessionKey, str, str], float],
    sources: dict[SessionKey, str],
    recordings: dict[SessionKey, int],
    metrics: dict[str, Metric],
    convert: _Converter,
    *,
    phase: Callable[[str | None, int | None], int | None],
) -> list[SessionRow]:
    keys = sorted({k for k, _s, _p in values})
    rows = []
    for key in keys:
        for score_id, metric in metrics.items():
            raw = {p: values.get((key, score_id, p)) for p in PERSPECTIVES}
            per = {p: convert(p, score_id, metric, raw[p]) for p in PERSPECTIVES}
            if all(v is None for v in per.values()):
                continue
            source = sources.get(key, "") if per["observer"] is not None else ""
            rows.append(
                SessionRow(
                    key[0],
                    key[1],
                    phase(key[0], key[1]),
                    recordings.get(key),
                    score_id,
                    metric.kind,
                    per,
                    source,
                    raw,
                )
            )
    return rows


def _mean(xs: Sequence[float | None]) -> float | None:
    kept = [x for x in xs if x is not None]
    return sum(kept) / len(kept) if kept else None


def _dyad_rows(sessions: list[SessionRow]) -> list[DyadRow]:
    groups: dict[tuple[str, str], list[SessionRow]] = defaultdict(list)
    for row in sessions:
        groups[(row.dyad_id, row.score_id)].append(row)
    out = []
    for (dyad, score_id), rows in groups.items():
        means = {p: _mean([r.values.get(p) for r in rows]) for p in PERSPECTIVES}
        diffs = {f"{a}_minus_{b}": _mean([r.difference(a, b) for r in rows]) for a, b in PAIRS}
        out.append(DyadRow(dyad, score_id, rows[0].metric, len(rows), means, diffs))
    return out


def _agreement_rows(
    sessions: list[SessionRow],
    metrics: dict[str, Metric],
    pair_metrics: dict[tuple[str, str, str], Metric],
    convert: _Converter,
) -> list[AgreementRow]:
    """Per score and phase: each pair on its own common metric (raw where the two match, with
    Bland-Altman limits), and the ICC of all three on the score's three-way metric."""
    out: list[AgreementRow] = []
    for score_id, metric in metrics.items():
        rows = [r for r in sessions if r.score_id == score_id]
        numbers = sorted({r.phase for r in rows if r.phase is not None})
        for phase_label in ["all", *(str(n) for n in numbers)]:
            chosen = [r for r in rows if phase_label in ("all", str(r.phase))]
            if not chosen:
                continue
            for a, b in PAIRS:
                pm = pair_metrics.get((score_id, a, b))
                if pm is None:
                    continue
                xa = [convert(a, score_id, pm, r.raw.get(a)) for r in chosen]
                xb = [convert(b, score_id, pm, r.raw.get(b)) for r in chosen]
                stats: list[Statistic] = [
                    pearson(xa, xb),
                    spearman(xa, xb),
                    mean_difference(xa, xb),
                ]
                if pm.kind == "raw":
                    stats += bland_altman(xa, xb)
                pair = f"{a}-{b}"
                out += [AgreementRow(score_id, pm.kind, phase_label, pair, s) for s in stats]
            cols = [[r.values.get(p) for r in chosen] for p in PERSPECTIVES]
            for s in perspective_icc(cols):
                out.append(AgreementRow(score_id, metric.kind, phase_label, "all three", s))
    return out
