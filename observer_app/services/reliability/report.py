"""The report's result types: per score, per code, drift points and the whole report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from observer_app.coding import agreement as ag
from observer_app.services.reliability.report_json import report_dict
from observer_app.services.reliability.request import ReliabilityRequest

FloatArray = npt.NDArray[np.float64]


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
    #: "not enough units (n)" below the minimum-units rule: the values are shown greyed and
    #: never labelled or flagged.
    insufficient: str | None = None


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
    insufficient: str | None = None

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
    #: The design ("fully crossed", "one-way", "single-coded"), the ICC form of the headline
    #: and why, the counts in words, and the minimum-units rule applied.
    design: str = ""
    icc_form: str = "ICC(A,1)"
    icc_reason: str = ""
    counts: str = ""
    min_units: int = 10
    #: Event matching "within" or "across" subjects (schemes), and the agreement on the
    #: subject of matched events (kappa over subject; None when the scheme has no subjects).
    subjects: str = "within"
    subject_agreement: ag.AgreementResult | None = None

    @property
    def flagged(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.scores if s.flagged) + tuple(
            c.code for c in self.codes if c.flagged
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (the ``observer-app reliability --json`` schema)."""
        return report_dict(self)
