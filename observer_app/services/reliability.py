"""The reliability dashboard's numbers: a Qt-free use case for managers.

Choose a coding-scheme or instrument version, the coders and the recordings; get

- per instrument item, subscale, composite and total score: the six ICC forms of the agreement
  engine (the chosen form, default ICC(A,1), with its 95% CI and the Koo & Li (2016) label),
  Krippendorff's alpha (interval level unless chosen otherwise) and, for items (whole-number
  scale points, hence categorical), Cohen's kappa (two coders) or Fleiss' kappa (more) on the
  item's full scale;
- per code of a scheme: event agreement at a tolerance (optimal one-to-one matching of onsets,
  Bakeman, Quera & Gnisci 2009), the confusion matrix with its ``unmatched`` row and column, the
  proportion of specific agreement 2 a / (n_A + n_B) (a = same-code pairs; n_A, n_B = events of
  the code logged by each coder; Spitzer & Fleiss 1974; Cicchetti & Feinstein 1990), and
  segment-level agreement (presence per segment -> Cohen's/Fleiss' kappa and Gwet's AC1; count
  per segment -> ICC(A,1));
- the items and codes below a threshold, flagged;
- calibration and drift: each coder against the master coder, recording by recording, in the
  order the coder completed the assignments.

Design. Units are recordings (session instruments) or recording x segment (segment instruments
and segment-level code agreement). Raters are columns: one per chosen coder when every coder
coded every recording (a fully crossed design), otherwise rating slots (each recording's
primary coding in column 1, its second coding in column 2, ...) as a planner's random
double-coded share produces: then the raters of a column differ between units and ICC(1,1) is
the form that matches the design (McGraw & Wong 1996); the report says which layout it used.
Where a column has no rating for a unit the cell is missing: Krippendorff's alpha and AC1 use
every pairable value, ICC and Fleiss' kappa drop incomplete units listwise (``n_dropped`` says
how many), exactly as the engine documents. Only work that is complete counts (unless
``completed_only=False``), and consensus assignments never do. Event agreement pools every
pair of coders on every recording: the pairs' event lists are laid end to end on one time
line, each block starting more than the tolerance after the previous one, so no event can match
across blocks and the engine's matching, confusion matrix and statistics are those of
``observer-app agree-events`` on the same lists.

Every number comes from :mod:`observer_app.coding.agreement`; nothing here recomputes a
statistic. References: Koo, T. K., & Li, M. Y. (2016). *Journal of Chiropractic Medicine*, 15,
155-163. Spitzer, R. L., & Fleiss, J. L. (1974). *British Journal of Psychiatry*, 125, 341-347.
Cicchetti, D. V., & Feinstein, A. R. (1990). *Journal of Clinical Epidemiology*, 43, 551-558.
Bakeman, R., Quera, V., & Gnisci, A. (2009). *Behavior Research Methods*, 41, 137-147.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import numpy.typing as npt
from sqlalchemy import select

from observer_app.coding import agreement as ag
from observer_app.coding.definitions import Instrument, Scheme, score_responses
from observer_app.coding.errors import InputError, ObserverError
from observer_app.services.access import require_manager
from observer_app.services.context import ServiceContext, get_or_raise
from observer_app.store.models import (
    Assignment,
    Coder,
    DefinitionVersion,
    Event,
    Rating,
    Recording,
)

if TYPE_CHECKING:
    pass

FloatArray = npt.NDArray[np.float64]
Progress = Callable[[int, int], None]
#: An event as the engine accepts it: (code, onset_ms, offset_ms or None). Plain tuples: a
#: study's million events cost far less memory and time than objects.
EventTuple = tuple[str, int, int | None]

#: Which assignment of a coder counts when one coder has several on a recording.
PURPOSE_PRIORITY: tuple[str, ...] = ("primary", "reliability", "calibration")
ICC_FORM_NAMES: tuple[str, ...] = tuple(name for name, _ in ag.ICC_FORMS)
DEFAULT_SEGMENT_MS = 300_000
LAYOUTS = ("auto", "coders", "slots")
PRESENCE = (0.0, 1.0)


class Cancelled(ObserverError):
    """The caller asked the computation to stop (nothing was written)."""


class CancelFlag(Protocol):
    """Anything with ``is_set()`` (a ``threading.Event`` works)."""

    def is_set(self) -> bool: ...


@dataclass(frozen=True)
class ReliabilityRequest:
    """What to compute. Empty ``coder_ids`` / ``recording_ids`` mean every one with data."""

    version_id: int
    coder_ids: tuple[int, ...] = ()
    recording_ids: tuple[int, ...] = ()
    tolerance_ms: int = 2000
    icc_form: str = "ICC(A,1)"
    alpha_level: str = "interval"
    bootstrap: int = 1000
    seed: int = 0
    #: Items, scores (chosen ICC form) and codes (specific agreement and presence kappa) below
    #: these values, or undefined, are flagged. 0.75 is the lower bound of Koo & Li's "good";
    #: 0.60 the upper bound of Landis & Koch's "moderate".
    icc_threshold: float = 0.75
    kappa_threshold: float = 0.60
    segment_ms: int | None = None
    master_coder_id: int | None = None
    completed_only: bool = True
    #: Rater columns: "coders" (one per coder), "slots" (first, second, ... rating of each unit,
    #: primary coding first), or "auto": coders when every chosen coder coded every recording
    #: (a fully crossed design), slots otherwise.
    layout: str = "auto"

    def check(self) -> None:
        if self.icc_form not in ICC_FORM_NAMES:
            raise InputError(
                f"ICC form {self.icc_form!r} is not one of {', '.join(ICC_FORM_NAMES)}"
            )
        if self.alpha_level not in ag.LEVELS:
            raise InputError(f"alpha level {self.alpha_level!r} is not one of {ag.LEVELS}")
        if self.tolerance_ms < 0:
            raise InputError("the tolerance must be 0 ms or more")
        if self.segment_ms is not None and self.segment_ms <= 0:
            raise InputError("the segment length must be positive")
        if self.bootstrap < 0:
            raise InputError("the number of bootstrap resamples must be 0 or more")
        if self.layout not in LAYOUTS:
            raise InputError(f"layout {self.layout!r} is not one of {', '.join(LAYOUTS)}")


@dataclass(frozen=True)
class CoderRef:
    id: int
    name: str


@dataclass(frozen=True)
class RatingMatrix:
    """Units x coders values (NaN = missing): exactly what the statistics were given."""

    units: tuple[str, ...]
    coders: tuple[str, ...]
    values: tuple[tuple[float, ...], ...]

    def array(self) -> FloatArray:
        return np.array(self.values, dtype=np.float64).reshape(len(self.units), len(self.coders))


@dataclass(frozen=True)
class ScoreReliability:
    """Agreement on one item, subscale, composite or total score."""

    kind: str  # "item", "subscale", "composite", "total"
    id: str
    label: str
    iccs: tuple[ag.AgreementResult, ...]
    icc: ag.AgreementResult  # the chosen form
    alpha: ag.AgreementResult
    kappa: ag.AgreementResult | None
    flagged: bool
    matrix: RatingMatrix


@dataclass(frozen=True)
class CodeReliability:
    """Agreement on one code: event matching counts and segment-level agreement."""

    code: str
    label: str
    category: str
    matched: int
    mismatched_a: int
    mismatched_b: int
    unmatched_a: int
    unmatched_b: int
    specific_agreement: float | None
    n_segments: int
    presence_kappa: ag.AgreementResult
    presence_ac1: ag.AgreementResult
    count_icc: ag.AgreementResult
    flagged: bool

    @property
    def events_a(self) -> int:
        return self.matched + self.mismatched_a + self.unmatched_a

    @property
    def events_b(self) -> int:
        return self.matched + self.mismatched_b + self.unmatched_b


@dataclass(frozen=True)
class DriftPoint:
    """One coder's agreement with the master coder on one recording."""

    coder_id: int
    coder_name: str
    recording_id: int
    assignment_id: int
    completed_at: dt.datetime | None
    value: float | None  # ICC(A,1) over the form's items, or event kappa (with unmatched)
    statistic: str
    mean_abs_diff: float | None = None
    percent_agreement: float | None = None
    n: int = 0


@dataclass(frozen=True)
class ReliabilityReport:
    kind: str  # "scheme" or "instrument"
    version_id: int
    definition_id: str
    definition_version: str
    name: str
    unit: str  # "session" or "segment"
    coders: tuple[CoderRef, ...]
    recording_ids: tuple[int, ...]
    request: ReliabilityRequest
    scores: tuple[ScoreReliability, ...] = ()
    events: ag.EventAgreement | None = None
    codes: tuple[CodeReliability, ...] = ()
    segment_ms: int | None = None
    master_coder: CoderRef | None = None
    drift: tuple[DriftPoint, ...] = ()
    #: "coders" or "slots" (see ``ReliabilityRequest.layout``).
    layout: str = "coders"
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def flagged(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.scores if s.flagged) + tuple(
            c.code for c in self.codes if c.flagged
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (the ``observer-app reliability --json`` schema)."""
        return _report_dict(self)


# ------------------------------------------------------------------------------- loading


@dataclass(frozen=True)
class _Work:
    """One coder's counted assignment on one recording."""

    assignment_id: int
    recording_id: int
    coder_id: int
    purpose: str
    completed_at: dt.datetime | None


class _Ticker:
    def __init__(self, progress: Progress | None, cancel: CancelFlag | None) -> None:
        self._progress = progress
        self._cancel = cancel
        self.total = 0
        self.done = 0

    def step(self, n: int = 1) -> None:
        if self._cancel is not None and self._cancel.is_set():
            raise Cancelled("reliability computation cancelled")
        self.done += n
        if self._progress is not None:
            self._progress(min(self.done, self.total), self.total)


class ReliabilityService:
    """``compute(request)``: the dashboard's numbers (managers only)."""

    def __init__(
        self,
        ctx: ServiceContext,
        scheme: Callable[[int], Scheme],
        instrument: Callable[[int], Instrument],
    ) -> None:
        self._ctx = ctx
        self._scheme = scheme
        self._instrument = instrument

    # -- public -----------------------------------------------------------------------------
    def versions_with_data(self) -> list[int]:
        """Definition versions that have coded events (schemes) or ratings (instruments)."""
        require_manager(self._ctx.actor, "compute reliability")
        with self._ctx.read() as s:
            sid = self._ctx.study_id
            schemes = set(
                s.scalars(
                    select(Assignment.scheme_version_id)
                    .join(Event, Event.assignment_id == Assignment.id)
                    .where(Assignment.study_id == sid, Assignment.scheme_version_id.is_not(None))
                    .distinct()
                )
            )
            instruments = set(
                s.scalars(
                    select(Rating.instrument_version_id)
                    .join(Assignment, Assignment.id == Rating.assignment_id)
                    .where(Assignment.study_id == sid)
                    .distinct()
                )
            )
        return sorted(int(v) for v in schemes | instruments if v is not None)

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
        ticker = _Ticker(progress, cancel)
        with self._ctx.read() as s:
            row = get_or_raise(s, DefinitionVersion, request.version_id, "definition version")
            kind = row.kind
        if kind == "scheme":
            return self._scheme_report(request, ticker)
        return self._instrument_report(request, ticker)

    # -- shared loading ----------------------------------------------------------------------
    def _work(
        self, request: ReliabilityRequest, assignment_filter: Any
    ) -> tuple[list[_Work], dict[int, str], dict[int, int | None]]:
        """Counted assignments (one per coder and recording), coder names, durations."""
        with self._ctx.read() as s:
            q = select(
                Assignment.id,
                Assignment.recording_id,
                Assignment.coder_id,
                Assignment.purpose,
                Assignment.status,
                Assignment.completed_at,
            ).where(Assignment.study_id == self._ctx.study_id, assignment_filter)
            rows = list(s.execute(q))
            names = {int(i): str(n) for i, n in s.execute(select(Coder.id, Coder.name))}
            durations = {
                int(i): (None if d is None else int(d))
                for i, d in s.execute(
                    select(Recording.id, Recording.duration_ms).where(
                        Recording.study_id == self._ctx.study_id
                    )
                )
            }
        chosen: dict[tuple[int, int], _Work] = {}
        for aid, rid, cid, purpose, status, completed in rows:
            if purpose not in PURPOSE_PRIORITY:
                continue
            if request.completed_only and status != "complete":
                continue
            if request.coder_ids and cid not in request.coder_ids:
                continue
            if request.recording_ids and rid not in request.recording_ids:
                continue
            work = _Work(int(aid), int(rid), int(cid), str(purpose), completed)
            key = (work.recording_id, work.coder_id)
            old = chosen.get(key)
            if old is None or _rank(work.purpose) < _rank(old.purpose):
                chosen[key] = work
        return sorted(chosen.values(), key=lambda w: (w.recording_id, w.coder_id)), names, durations

    def _master(self, request: ReliabilityRequest, work: Sequence[_Work]) -> int | None:
        if request.master_coder_id is not None:
            return request.master_coder_id
        ids = {w.assignment_id for w in work}
        with self._ctx.read() as s:
            q = select(Assignment.id, Assignment.reference).where(
                Assignment.study_id == self._ctx.study_id, Assignment.purpose == "calibration"
            )
            for aid, ref in s.execute(q):
                master = (ref or {}).get("master_coder_id")
                if aid in ids and isinstance(master, int):
                    return master
        return None

    # -- instruments -------------------------------------------------------------------------
    def _instrument_report(self, request: ReliabilityRequest, ticker: _Ticker) -> ReliabilityReport:
        inst = self._instrument(request.version_id)
        has_ratings = Assignment.id.in_(
            select(Rating.assignment_id).where(Rating.instrument_version_id == request.version_id)
        )
        work, names, _ = self._work(request, has_ratings)
        forms = self._forms(request.version_id, [w.assignment_id for w in work])
        coders = _coders(work, names)
        unit_keys = sorted({(w.recording_id, *u) for w in work for u in forms[w.assignment_id]})
        units = {k: i for i, k in enumerate(unit_keys)}
        lay = _layout(work, coders, request.layout)
        definitions = inst.score_definitions()
        master = self._master(request, work)
        ticker.total = len(inst.items) + len(definitions) + len(_master_pairs(work, master))
        item_values = _item_arrays(inst, work, forms, units, lay)
        score_values = _score_arrays(inst, work, forms, units, lay)
        labels = tuple(_unit_label(k) for k in unit_keys)
        names_t = lay.names
        results: list[ScoreReliability] = []
        for item in inst.items:
            scale = inst.scale_of(item)
            cats = tuple(float(p) for p in scale.points)
            matrix = _matrix(labels, names_t, item_values[item.id])
            results.append(
                _score_reliability(
                    "item",
                    item.id,
                    item.label or item.id,
                    matrix=matrix,
                    request=request,
                    categories=cats,
                )
            )
            ticker.step()
        for d in definitions:
            matrix = _matrix(labels, names_t, score_values[d.id])
            results.append(
                _score_reliability(
                    d.kind, d.id, d.label, matrix=matrix, request=request, categories=None
                )
            )
            ticker.step()
        drift = _instrument_drift(
            inst, work=work, forms=forms, master=master, names=names, ticker=ticker
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
            notes=lay.notes,
            recording_ids=tuple(sorted({w.recording_id for w in work})),
            request=request,
            scores=tuple(results),
            master_coder=None if master is None else CoderRef(master, names.get(master, "?")),
            drift=drift,
        )

    def _forms(
        self, version_id: int, assignment_ids: Sequence[int]
    ) -> dict[int, dict[tuple[str, int], dict[str, int | None]]]:
        """Responses per assignment, per unit ("session", 0) / ("segment", i), per item."""
        out: dict[int, dict[tuple[str, int], dict[str, int | None]]] = {
            a: {} for a in assignment_ids
        }
        wanted = set(assignment_ids)
        with self._ctx.read() as s:
            q = select(
                Rating.assignment_id,
                Rating.unit_kind,
                Rating.unit_index,
                Rating.item_id,
                Rating.value,
            ).where(Rating.instrument_version_id == version_id)
            for aid, kind, index, item, value in s.execute(q):
                if aid in wanted:
                    unit = out[aid].setdefault((str(kind), int(index)), {})
                    unit[str(item)] = None if value is None else round(value)
        return out

    # -- schemes -----------------------------------------------------------------------------
    def _scheme_report(self, request: ReliabilityRequest, ticker: _Ticker) -> ReliabilityReport:
        scheme = self._scheme(request.version_id)
        work, names, durations = self._work(
            request, Assignment.scheme_version_id == request.version_id
        )
        events = self._events([w.assignment_id for w in work])
        coders = _coders(work, names)
        master = self._master(request, work)
        blocks = _pair_blocks(work)
        ticker.total = 1 + len(scheme.codes) + len(_master_pairs(work, master))
        seg_ms = request.segment_ms or (
            scheme.segments.length_ms if scheme.segments else DEFAULT_SEGMENT_MS
        )
        pooled_a, pooled_b = pool_event_blocks(
            [(events[a], events[b]) for a, b in blocks], request.tolerance_ms
        )
        agreement = (
            ag.point_event_agreement(pooled_a, pooled_b, request.tolerance_ms) if blocks else None
        )
        ticker.step()
        per_code = {c.code: c for c in agreement.per_code} if agreement else {}
        lay = _layout(work, coders, request.layout)
        seg = _segment_matrices(work, events, lay, durations, seg_ms)
        codes: list[CodeReliability] = []
        for code in scheme.codes:
            codes.append(
                _code_reliability(
                    code.id,
                    code.label,
                    code.category,
                    counts=per_code.get(code.id),
                    seg=seg,
                    request=request,
                )
            )
            ticker.step()
        drift = _scheme_drift(
            work=work,
            events=events,
            master=master,
            names=names,
            tolerance_ms=request.tolerance_ms,
            ticker=ticker,
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
            notes=lay.notes,
            recording_ids=tuple(sorted({w.recording_id for w in work})),
            request=request,
            events=agreement,
            codes=tuple(codes),
            segment_ms=seg_ms,
            master_coder=None if master is None else CoderRef(master, names.get(master, "?")),
            drift=drift,
        )

    def _events(self, assignment_ids: Sequence[int]) -> dict[int, list[EventTuple]]:
        out: dict[int, list[EventTuple]] = {a: [] for a in assignment_ids}
        wanted = set(assignment_ids)
        with self._ctx.read() as s:
            q = (
                select(Event.assignment_id, Event.code, Event.onset_ms, Event.offset_ms)
                .where(Event.deleted.is_(False))
                .order_by(Event.assignment_id, Event.onset_ms, Event.id)
            )
            for aid, code, onset, offset in s.execute(q):
                if aid in wanted:
                    out[aid].append((code, onset, offset))
        return out


# ------------------------------------------------------------------------- pure helpers


def _rank(purpose: str) -> int:
    return PURPOSE_PRIORITY.index(purpose)


def _coders(work: Iterable[_Work], names: Mapping[int, str]) -> tuple[CoderRef, ...]:
    ids = sorted({w.coder_id for w in work}, key=lambda c: (names.get(c, ""), c))
    return tuple(CoderRef(c, names.get(c, f"coder #{c}")) for c in ids)


@dataclass(frozen=True)
class _Layout:
    kind: str
    names: tuple[str, ...]
    column: dict[int, int]  # assignment id -> column
    notes: tuple[str, ...] = ()


def _layout(work: Sequence[_Work], coders: Sequence[CoderRef], wanted: str) -> _Layout:
    """Rater columns: one per coder, or rating slots when coders differ between recordings.

    With slots, each recording's ratings fill columns 1, 2, ... in the order primary,
    reliability, calibration (then coder id); the raters of a column then differ between
    units, so the one-way ICC(1,1) is the form that matches the design (McGraw & Wong 1996).
    """
    by_rec: dict[int, list[_Work]] = defaultdict(list)
    for w in work:
        by_rec[w.recording_id].append(w)
    crossed = all(len(ws) == len(coders) for ws in by_rec.values())
    kind = wanted if wanted != "auto" else ("coders" if crossed else "slots")
    if kind == "coders":
        index = {c.id: j for j, c in enumerate(coders)}
        return _Layout(
            kind, tuple(c.name for c in coders), {w.assignment_id: index[w.coder_id] for w in work}
        )
    column: dict[int, int] = {}
    for ws in by_rec.values():
        ordered = sorted(ws, key=lambda w: (_rank(w.purpose), w.coder_id))
        column.update({w.assignment_id: k for k, w in enumerate(ordered)})
    width = max((len(ws) for ws in by_rec.values()), default=0)
    note = (
        "coders differ between recordings: columns are rating slots (primary coding first); "
        "ICC(1,1) is the form that matches this design"
    )
    return _Layout(kind, tuple(f"rating {k + 1}" for k in range(width)), column, (note,))


def _unit_label(key: tuple[int, str, int]) -> str:
    rid, kind, index = key
    return f"recording {rid}" if kind == "session" else f"recording {rid} segment {index + 1}"


def _matrix(units: tuple[str, ...], coders: tuple[str, ...], arr: FloatArray) -> RatingMatrix:
    return RatingMatrix(units, coders, tuple(tuple(float(v) for v in row) for row in arr))


def _item_arrays(
    inst: Instrument,
    work: Sequence[_Work],
    forms: Mapping[int, Mapping[tuple[str, int], Mapping[str, int | None]]],
    units: Mapping[tuple[int, str, int], int],
    lay: _Layout,
) -> dict[str, FloatArray]:
    out = {i.id: np.full((len(units), len(lay.names)), np.nan) for i in inst.items}
    for w in work:
        for (kind, index), responses in forms[w.assignment_id].items():
            row = units[(w.recording_id, kind, index)]
            for item_id, value in responses.items():
                if item_id in out and value is not None:
                    out[item_id][row, lay.column[w.assignment_id]] = value
    return out


def _score_arrays(
    inst: Instrument,
    work: Sequence[_Work],
    forms: Mapping[int, Mapping[tuple[str, int], Mapping[str, int | None]]],
    units: Mapping[tuple[int, str, int], int],
    lay: _Layout,
) -> dict[str, FloatArray]:
    defs = inst.score_definitions()
    out = {d.id: np.full((len(units), len(lay.names)), np.nan) for d in defs}
    for w in work:
        for (kind, index), responses in forms[w.assignment_id].items():
            known = {k: v for k, v in responses.items() if k in set(inst.item_ids)}
            try:
                scores = score_responses(inst, known)
            except InputError:
                continue  # an invalid form has no score (the Ratings sheet shows it)
            row = units[(w.recording_id, kind, index)]
            for sc in scores.scores:
                if sc.value is not None:
                    out[sc.id][row, lay.column[w.assignment_id]] = sc.value
    return out


def _score_reliability(
    kind: str,
    ident: str,
    label: str,
    *,
    matrix: RatingMatrix,
    request: ReliabilityRequest,
    categories: tuple[float, ...] | None,
) -> ScoreReliability:
    x = matrix.array()
    iccs = ag.icc(x)
    chosen = iccs[ICC_FORM_NAMES.index(request.icc_form)]
    alpha = ag.krippendorff_alpha(
        x, request.alpha_level, bootstrap=request.bootstrap, seed=request.seed
    )
    kappa: ag.AgreementResult | None = None
    if categories is not None:
        kappa = _kappa(x, categories)
    flagged = chosen.value is None or chosen.value < request.icc_threshold
    return ScoreReliability(kind, ident, label, iccs, chosen, alpha, kappa, flagged, matrix)


def _kappa(x: FloatArray, categories: Sequence[float]) -> ag.AgreementResult:
    """Cohen's kappa for two coders, Fleiss' kappa for more (on the full scale)."""
    if x.shape[1] == 2:
        return ag.cohen_kappa(x, categories=categories)
    return ag.fleiss_kappa(x, categories=categories)[0]


def _pair_blocks(work: Sequence[_Work]) -> list[tuple[int, int]]:
    """(assignment of coder A, assignment of coder B) for every coder pair on every recording;
    A is the coder listed first (by coder id)."""
    by_rec: dict[int, list[_Work]] = defaultdict(list)
    for w in work:
        by_rec[w.recording_id].append(w)
    blocks = []
    for rid in sorted(by_rec):
        ws = sorted(by_rec[rid], key=lambda w: w.coder_id)
        blocks += [(a.assignment_id, b.assignment_id) for a, b in combinations(ws, 2)]
    return blocks


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
                code, onset, offset = e
                dst.append((code, onset + start, None if offset is None else offset + start))
                last = max(last, onset, offset or 0)
        start += last + tolerance_ms + 1
    return out_a, out_b


@dataclass(frozen=True)
class _SegmentData:
    #: units x coders: 0.0 where the coder coded the recording, NaN where not.
    coverage: FloatArray
    #: code -> units x coders event counts (NaN where the coder did not code the recording).
    counts: dict[str, FloatArray]


def _segment_matrices(
    work: Sequence[_Work],
    events: Mapping[int, Sequence[EventTuple]],
    lay: _Layout,
    durations: Mapping[int, int | None],
    segment_ms: int,
) -> _SegmentData:
    col = lay.column
    recs = sorted({w.recording_id for w in work})
    last: dict[int, int] = defaultdict(int)
    for w in work:
        for e in events[w.assignment_id]:
            last[w.recording_id] = max(last[w.recording_id], e[1])
    n_seg: dict[int, int] = {}
    for rid in recs:
        duration = durations.get(rid)
        if duration is None:
            duration = last[rid] + 1
        n_seg[rid] = max(1, math.ceil(duration / segment_ms))
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
            s = e[1] // segment_ms
            if 0 <= s < n_seg[w.recording_id]:
                counts[e[0]][first[w.recording_id] + s, col[w.assignment_id]] += 1
    return _SegmentData(coverage, counts)


def _code_reliability(
    code: str,
    label: str,
    category: str,
    *,
    counts: ag.CodeCounts | None,
    seg: _SegmentData,
    request: ReliabilityRequest,
) -> CodeReliability:
    # a code nobody used has a count of 0 wherever a coder coded
    mat = seg.counts.get(code, seg.coverage)
    presence = np.where(np.isnan(mat), np.nan, (mat > 0).astype(np.float64))
    kappa = _kappa(presence, PRESENCE)
    ac1 = ag.gwet_ac(presence, categories=PRESENCE)
    count_icc = ag.icc(mat)[1]
    c = counts or ag.CodeCounts(code, 0, 0, 0, 0, 0)
    n_events = 2 * c.matched + c.mismatched_a + c.mismatched_b + c.unmatched_a + c.unmatched_b
    specific = 2 * c.matched / n_events if n_events else None
    flagged = specific is None or specific < request.kappa_threshold
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
    )


def _master_pairs(work: Sequence[_Work], master: int | None) -> list[tuple[_Work, _Work]]:
    if master is None:
        return []
    by_rec = {w.recording_id: w for w in work if w.coder_id == master}
    return [
        (w, by_rec[w.recording_id])
        for w in work
        if w.coder_id != master and w.recording_id in by_rec
    ]


def _sorted_drift(points: list[DriftPoint]) -> tuple[DriftPoint, ...]:
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return tuple(
        sorted(points, key=lambda p: (p.coder_name, p.completed_at or far, p.recording_id))
    )


def _instrument_drift(
    inst: Instrument,
    *,
    work: Sequence[_Work],
    forms: Mapping[int, Mapping[tuple[str, int], Mapping[str, int | None]]],
    master: int | None,
    names: Mapping[int, str],
    ticker: _Ticker,
) -> tuple[DriftPoint, ...]:
    points = []
    for w, m in _master_pairs(work, master):
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
            DriftPoint(
                w.coder_id,
                names.get(w.coder_id, "?"),
                w.recording_id,
                w.assignment_id,
                w.completed_at,
                result.value,
                "ICC(A,1) over items",
                float(diff.mean()) if diff.size else None,
                float((diff == 0).mean()) if diff.size else None,
                int(both.sum()),
            )
        )
        ticker.step()
    return _sorted_drift(points)


def _scheme_drift(
    *,
    work: Sequence[_Work],
    events: Mapping[int, Sequence[EventTuple]],
    master: int | None,
    names: Mapping[int, str],
    tolerance_ms: int,
    ticker: _Ticker,
) -> tuple[DriftPoint, ...]:
    points = []
    for w, m in _master_pairs(work, master):
        result = ag.point_event_agreement(
            events[w.assignment_id], events[m.assignment_id], tolerance_ms
        )
        kappa = result.statistic("kappa (with unmatched)")
        pa = result.statistic("percent agreement")
        points.append(
            DriftPoint(
                w.coder_id,
                names.get(w.coder_id, "?"),
                w.recording_id,
                w.assignment_id,
                w.completed_at,
                kappa.value,
                "event kappa (with unmatched)",
                None,
                pa.value,
                kappa.n_units,
            )
        )
        ticker.step()
    return _sorted_drift(points)


def _nan(v: int | None) -> float:
    return math.nan if v is None else float(v)


# ------------------------------------------------------------------------------- output


def _result(r: ag.AgreementResult | None) -> dict[str, Any] | None:
    return None if r is None else r.to_dict()


def _report_dict(rep: ReliabilityReport) -> dict[str, Any]:
    req = rep.request
    return {
        "kind": rep.kind,
        "version_id": rep.version_id,
        "definition": rep.definition_id,
        "version": rep.definition_version,
        "name": rep.name,
        "unit": rep.unit,
        "layout": rep.layout,
        "notes": list(rep.notes),
        "coders": [{"id": c.id, "name": c.name} for c in rep.coders],
        "recordings": list(rep.recording_ids),
        "settings": {
            "tolerance_ms": req.tolerance_ms,
            "icc_form": req.icc_form,
            "alpha_level": req.alpha_level,
            "bootstrap": req.bootstrap,
            "seed": req.seed,
            "icc_threshold": req.icc_threshold,
            "kappa_threshold": req.kappa_threshold,
            "segment_ms": rep.segment_ms,
            "completed_only": req.completed_only,
        },
        "scores": [
            {
                "kind": s.kind,
                "id": s.id,
                "label": s.label,
                "icc": s.icc.to_dict(),
                "icc_forms": [r.to_dict() for r in s.iccs],
                "alpha": s.alpha.to_dict(),
                "kappa": _result(s.kappa),
                "flagged": s.flagged,
            }
            for s in rep.scores
        ],
        "events": None if rep.events is None else rep.events.to_dict(),
        "codes": [
            {
                "code": c.code,
                "label": c.label,
                "category": c.category,
                "matched": c.matched,
                "mismatched_a": c.mismatched_a,
                "mismatched_b": c.mismatched_b,
                "unmatched_a": c.unmatched_a,
                "unmatched_b": c.unmatched_b,
                "specific_agreement": c.specific_agreement,
                "segments": c.n_segments,
                "presence_kappa": c.presence_kappa.to_dict(),
                "presence_ac1": c.presence_ac1.to_dict(),
                "count_icc": c.count_icc.to_dict(),
                "flagged": c.flagged,
            }
            for c in rep.codes
        ],
        "master_coder": None
        if rep.master_coder is None
        else {"id": rep.master_coder.id, "name": rep.master_coder.name},
        "drift": [
            {
                "coder": p.coder_name,
                "recording_id": p.recording_id,
                "assignment_id": p.assignment_id,
                "completed_at": None if p.completed_at is None else p.completed_at.isoformat(),
                "statistic": p.statistic,
                "value": p.value,
                "mean_abs_diff": p.mean_abs_diff,
                "percent_agreement": p.percent_agreement,
                "n": p.n,
            }
            for p in rep.drift
        ],
        "flagged": list(rep.flagged),
    }
