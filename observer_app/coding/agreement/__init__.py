"""Inter-rater agreement statistics (pure numpy/scipy), validated against published tables.

Inputs are plain Python/numpy: ``ratings`` is a units x raters matrix (list of lists or array)
with NaN, ``None`` or ``""`` for a missing rating; events are per-coder sequences of
``(code, onset_ms, offset_ms | None)`` (or objects with those attributes). Every statistic
returns an immutable :class:`AgreementResult` (value, se, ci95, p, n_units, n_raters,
n_pairable, n_dropped, parameters, label, undefined_reason, details); an undefined statistic
has ``value=None`` and says why, it never returns a silent 1.0 nor raises for a data condition.
Malformed input (a value off the given category scale, an unknown option) raises
:class:`observer_app.coding.errors.InputError`.

Public API:

- ``icc(ratings, alpha=0.05, label_scheme="koo_li")`` -> six results: ICC(1,1), ICC(A,1),
  ICC(C,1), ICC(1,k), ICC(A,k), ICC(C,k) (Shrout & Fleiss 1979; McGraw & Wong 1996)
- ``cohen_kappa(ratings, weights="none"|"linear"|"quadratic"|matrix, categories=...)``
- ``kappa_from_table(table, weights=..., scale=...)``
- ``fleiss_kappa(ratings, categories=...)`` / ``fleiss_kappa_counts(counts, categories=...)``
  -> (overall, per-category tuple of :class:`CategoryAgreement`)
- ``krippendorff_alpha(ratings, level="nominal"|"ordinal"|"interval"|"ratio", categories=...,
  bootstrap=1000, seed=0)``
- ``gwet_ac(ratings, weights=..., categories=...)`` (AC1, or AC2 when weighted),
  ``brennan_prediger(...)``, ``percent_agreement(...)``, ``within_one(...)``, ``pabak(...)``
- ``point_event_agreement(events_a, events_b, tolerance_ms=2000, across_codes=True)``,
  ``match_point_events(...)`` -> :class:`EventAgreement`; ``subjects="within"|"across"``
  (events ``(code, onset, offset, subject)``); ``subject_agreement(a, b, pairs)`` (kappa over
  the subjects of matched events)
- ``interval_event_agreement(events_a, events_b, threshold=0.60)`` (Holle & Rein 2015, ELAN),
  ``match_interval_events(...)``
- ``time_based_agreement(events_a, events_b, slice_ms=1000, tolerance_slices=0)``
  (Bakeman, Quera & Gnisci 2009)
- ``segment_agreement(events_by_coder, segment_ms=300000)`` -> per code
  :class:`SegmentAgreement` (presence kappa and AC1, count ICC(A,1)); ``segment_counts(...)``
- ``label_for(value, scheme, ci95)``, ``apply_label(result, scheme)`` with schemes
  ``"landis_koch"``, ``"cicchetti"``, ``"koo_li"``, ``"krippendorff"``, ``"none"``
- result types: :class:`AgreementResult`, :class:`CategoryAgreement`, :class:`EventAgreement`,
  :class:`ConfusionMatrix`, :class:`CodeCounts`, :class:`Event`
"""

from __future__ import annotations

from observer_app.coding.agreement.alpha import LEVELS, krippendorff_alpha
from observer_app.coding.agreement.events import (
    Event,
    interval_event_agreement,
    match_interval_events,
    match_point_events,
    point_event_agreement,
    subject_agreement,
    time_based_agreement,
)
from observer_app.coding.agreement.gwet import (
    brennan_prediger,
    gwet_ac,
    pabak,
    percent_agreement,
    within_one,
)
from observer_app.coding.agreement.icc import ICC_FORMS, icc
from observer_app.coding.agreement.kappa import (
    cohen_kappa,
    fleiss_kappa,
    fleiss_kappa_counts,
    kappa_from_table,
)
from observer_app.coding.agreement.labels import LABEL_SCHEMES, apply_label, label_for
from observer_app.coding.agreement.results import (
    AgreementResult,
    CategoryAgreement,
    CodeCounts,
    ConfusionMatrix,
    EventAgreement,
)
from observer_app.coding.agreement.segments import (
    SegmentAgreement,
    segment_agreement,
    segment_counts,
)

__all__ = [
    "ICC_FORMS",
    "LABEL_SCHEMES",
    "LEVELS",
    "AgreementResult",
    "CategoryAgreement",
    "CodeCounts",
    "ConfusionMatrix",
    "Event",
    "EventAgreement",
    "SegmentAgreement",
    "apply_label",
    "brennan_prediger",
    "cohen_kappa",
    "fleiss_kappa",
    "fleiss_kappa_counts",
    "gwet_ac",
    "icc",
    "interval_event_agreement",
    "kappa_from_table",
    "krippendorff_alpha",
    "label_for",
    "match_interval_events",
    "match_point_events",
    "pabak",
    "percent_agreement",
    "point_event_agreement",
    "segment_agreement",
    "segment_counts",
    "subject_agreement",
    "time_based_agreement",
    "within_one",
]
