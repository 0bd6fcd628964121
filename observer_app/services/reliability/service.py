"""The reliability use case: check the request, load the work, assemble the report."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from observer_app.coding import agreement as ag
from observer_app.coding.definitions import DEFAULT_MIN_LAST_SEGMENT_MS, Instrument, Scheme
from observer_app.services.access import require_manager
from observer_app.services.context import ServiceContext, get_or_raise
from observer_app.services.reliability.design import (
    Design,
    Ticker,
    classify,
    coders_of,
    master_pairs,
    pair_blocks,
    rater_layout,
    rating_matrix,
    unit_label,
)
from observer_app.services.reliability.drift import instrument_drift, scheme_drift
from observer_app.services.reliability.instrument_stats import (
    item_arrays,
    score_arrays,
    score_reliability,
)
from observer_app.services.reliability.loading import (
    load_events,
    load_forms,
    load_work,
    master_coder,
    versions_with_data,
)
from observer_app.services.reliability.report import (
    CodeReliability,
    CoderRef,
    ReliabilityReport,
    ScoreReliability,
)
from observer_app.services.reliability.request import (
    DEFAULT_SEGMENT_MS,
    MIN_UNITS_DEFAULT,
    MIN_UNITS_FLOOR,
    MIN_UNITS_SETTING,
    SUBJECT_MODES,
    SUBJECTS_DEFAULT,
    SUBJECTS_SETTING,
    CancelFlag,
    EventTuple,
    Progress,
    ReliabilityRequest,
)
from observer_app.services.reliability.scheme_stats import (
    code_reliability,
    pool_event_blocks,
    segment_matrices,
)
from observer_app.store.models import Assignment, DefinitionVersion, Rating, Study


class ReliabilityService:
    """``compute(request)``: the dashboard's numbers (managers only)."""

    def __init__(
        self,
        ctx: ServiceContext,
        scheme: Callable[[int], Scheme],
        instrument: Callable[[int], Instrument],
        min_last_segment_ms: Callable[[], int] | None = None,
    ) -> None:
        self._ctx = ctx
        self._scheme = scheme
        self._instrument = instrument
        self._min_last = min_last_segment_ms

    def _min_last_segment_ms(self) -> int:
        """The study's segment rule (a short last segment joins the previous one)."""
        return self._min_last() if self._min_last is not None else DEFAULT_MIN_LAST_SEGMENT_MS

    # -- public -----------------------------------------------------------------------------
    def versions_with_data(self) -> list[int]:
        """Definition versions that have coded events (schemes) or ratings (instruments)."""
        require_manager(self._ctx.actor, "compute reliability")
        return versions_with_data(self._ctx)

    def compute(
        self,
        request: ReliabilityRequest,
        *,
        progress: Progress | None = None,
        cancel: CancelFlag | None = None,
    ) -> ReliabilityReport:
        """Compute the report; ``progress(done, total)`` is called as work advances and a set
        ``cancel`` flag stops it with :class:`Cancelled`. Safe to run off the GUI thread."""
        require_manager(self._ctx.actor, "compute reliability")
        request.check()
        ticker = Ticker(progress, cancel)
        with self._ctx.read() as s:
            row = get_or_raise(s, DefinitionVersion, request.version_id, "definition version")
            kind = row.kind
        if kind == "scheme":
            return self._scheme_report(request, ticker)
        return self._instrument_report(request, ticker)

    def _setting(self, key: str) -> Any:
        with self._ctx.read() as s:
            study = s.get(Study, self._ctx.study_id)
            return (study.settings or {}).get(key) if study else None

    def _min_units(self, request: ReliabilityRequest) -> int:
        """The minimum-units rule: the request's, else the study setting, default 10, >= 5."""
        if request.min_units is not None:
            return request.min_units
        raw = self._setting(MIN_UNITS_SETTING)
        value = raw if isinstance(raw, int) and not isinstance(raw, bool) else MIN_UNITS_DEFAULT
        return max(value, MIN_UNITS_FLOOR)

    def _subjects(self, request: ReliabilityRequest) -> str:
        """Event matching within or across subjects: the request's, else the study setting
        ``reliability_subjects``, default "within"."""
        if request.subjects is not None:
            return request.subjects
        raw = self._setting(SUBJECTS_SETTING)
        return raw if raw in SUBJECT_MODES else SUBJECTS_DEFAULT

    # -- instruments -------------------------------------------------------------------------
    def _instrument_report(self, request: ReliabilityRequest, ticker: Ticker) -> ReliabilityReport:
        inst = self._instrument(request.version_id)
        has_ratings = Assignment.id.in_(
            select(Rating.assignment_id).where(Rating.instrument_version_id == request.version_id)
        )
        all_work, names, _ = load_work(self._ctx, request, has_ratings)
        design = classify(all_work, request.icc_form)
        min_units = self._min_units(request)
        work = list(design.main)
        forms = load_forms(self._ctx, request.version_id, [w.assignment_id for w in all_work])
        coders = coders_of(work, names)
        unit_keys = sorted({(w.recording_id, *u) for w in work for u in forms[w.assignment_id]})
        units = {k: i for i, k in enumerate(unit_keys)}
        lay = rater_layout(work, coders, request.layout)
        definitions = inst.score_definitions()
        master = master_coder(self._ctx, request, all_work)
        ticker.total = len(inst.items) + len(definitions) + len(master_pairs(all_work, master))
        item_values = item_arrays(inst, work, forms, units, lay)
        score_values = score_arrays(inst, work, forms, units, lay)
        labels = tuple(unit_label(k) for k in unit_keys)
        names_t = lay.names
        results: list[ScoreReliability] = []
        for item in inst.items:
            scale = inst.scale_of(item)
            cats = tuple(float(p) for p in scale.points)
            matrix = rating_matrix(labels, names_t, item_values[item.id])
            results.append(
                score_reliability(
                    "item",
                    item.id,
                    item.label or item.id,
                    matrix=matrix,
                    request=request,
                    categories=cats,
                    icc_form=design.icc_form,
                    min_units=min_units,
                )
            )
            ticker.step()
        for d in definitions:
            matrix = rating_matrix(labels, names_t, score_values[d.id])
            results.append(
                score_reliability(
                    d.kind,
                    d.id,
                    d.label,
                    matrix=matrix,
                    request=request,
                    categories=None,
                    icc_form=design.icc_form,
                    min_units=min_units,
                )
            )
            ticker.step()
        drift = instrument_drift(
            inst, work=all_work, forms=forms, master=master, names=names, ticker=ticker
        )
        return ReliabilityReport(
            kind="instrument",
            version_id=request.version_id,
            definition_id=inst.id,
            definition_version=inst.version,
            name=inst.name,
            unit=inst.unit,
            coders=coders,
            layout=lay.kind,
            notes=(design.note(), *lay.notes),
            recording_ids=tuple(sorted({w.recording_id for w in all_work})),
            request=request,
            scores=tuple(results),
            **_design_fields(design, min_units),
            master_coder=None if master is None else CoderRef(master, names.get(master, "?")),
            drift=drift,
        )

    # -- schemes -----------------------------------------------------------------------------
    def _scheme_report(self, request: ReliabilityRequest, ticker: Ticker) -> ReliabilityReport:
        scheme = self._scheme(request.version_id)
        all_work, names, durations = load_work(
            self._ctx, request, Assignment.scheme_version_id == request.version_id
        )
        design = classify(all_work, request.icc_form)
        min_units = self._min_units(request)
        work = list(design.main)
        events = load_events(self._ctx, [w.assignment_id for w in all_work])
        coders = coders_of(work, names)
        master = master_coder(self._ctx, request, all_work)
        blocks = pair_blocks(work)
        ticker.total = 1 + len(scheme.codes) + len(master_pairs(all_work, master))
        seg_ms = request.segment_ms or (
            scheme.segments.length_ms if scheme.segments else DEFAULT_SEGMENT_MS
        )
        pooled_a, pooled_b = pool_event_blocks(
            [(events[a], events[b]) for a, b in blocks], request.tolerance_ms
        )
        subjects = self._subjects(request)
        agreement = (
            ag.point_event_agreement(pooled_a, pooled_b, request.tolerance_ms, subjects=subjects)
            if blocks
            else None
        )
        subject_kappa = _subject_kappa(
            scheme,
            pooled_a=pooled_a,
            pooled_b=pooled_b,
            request=request,
            agreement=agreement,
            subjects=subjects,
        )
        ticker.step()
        per_code = {c.code: c for c in agreement.per_code} if agreement else {}
        lay = rater_layout(work, coders, request.layout)
        min_last = self._min_last_segment_ms()
        seg = segment_matrices(work, events, lay, durations, seg_ms, min_last_ms=min_last)
        codes: list[CodeReliability] = []
        for code in scheme.codes:
            codes.append(
                code_reliability(
                    code.id,
                    code.label,
                    code.category,
                    counts=per_code.get(code.id),
                    seg=seg,
                    request=request,
                    min_units=min_units,
                )
            )
            ticker.step()
        drift = scheme_drift(
            work=all_work,
            events=events,
            master=master,
            names=names,
            tolerance_ms=request.tolerance_ms,
            ticker=ticker,
            subjects=subjects,
        )
        return ReliabilityReport(
            kind="scheme",
            version_id=request.version_id,
            definition_id=scheme.id,
            definition_version=scheme.version,
            name=scheme.name,
            unit="segment",
            coders=coders,
            layout=lay.kind,
            notes=(design.note(), *lay.notes),
            recording_ids=tuple(sorted({w.recording_id for w in all_work})),
            request=request,
            events=agreement,
            subjects=subjects,
            subject_agreement=subject_kappa,
            **_design_fields(design, min_units),
            codes=tuple(codes),
            segment_ms=seg_ms,
            master_coder=None if master is None else CoderRef(master, names.get(master, "?")),
            drift=drift,
        )


def _subject_kappa(
    scheme: Scheme,
    *,
    pooled_a: list[EventTuple],
    pooled_b: list[EventTuple],
    request: ReliabilityRequest,
    agreement: ag.EventAgreement | None,
    subjects: str,
) -> ag.AgreementResult | None:
    """Kappa over the subject of matched events, the events matched across subjects (within
    subject every pair would agree); None when the scheme declares no subjects."""
    if not scheme.subjects:
        return None
    if agreement is not None and subjects == "across":
        pairs: list[tuple[int, int]] = list(agreement.pairs)
    else:
        pairs = ag.match_point_events(pooled_a, pooled_b, request.tolerance_ms, subjects="across")
    return ag.subject_agreement(pooled_a, pooled_b, pairs)


def _design_fields(design: Design, min_units: int) -> dict[str, Any]:
    return {
        "design": design.kind,
        "icc_form": design.icc_form,
        "icc_reason": design.reason,
        "counts": design.counts(),
        "min_units": min_units,
    }
