"""Point-event agreement of two coders (optimal matching within a tolerance), and the entry
point for interval-event (ELAN/EasyDIAg modified kappa) and time-based agreement.

Events are ``(code, onset_ms, offset_ms)`` tuples (``offset_ms`` ``None`` for a point event), or
objects with those attributes. Times are integer milliseconds.

**Point events** (event-based alignment, Bakeman, Quera & Gnisci 2009): an event of coder A and
one of coder B may be paired when their onsets differ by at most the tolerance T. Pairs are
chosen by an optimal one-to-one assignment that (1) maximises the number of pairs, then (2) the
number of pairs with the same code, then (3) minimises the summed time differences; it is solved
exactly with ``scipy.optimize.linear_sum_assignment`` on each connected component of the
candidate-pair graph. With ``across_codes=False`` only events with the same code may pair
(each code matched separately). The confusion matrix has coder A's codes as rows and coder B's as
columns plus an ``unmatched`` row and column; reported: percent agreement (same-code pairs over
all pairs plus unmatched events), Cohen's kappa on the whole table ("with unmatched") and on the
matched block alone, and per code the matched, mismatched and unmatched counts.

**Interval events** (Holle & Rein 2015; ELAN's modified kappa) are in
:mod:`.interval_events`, **time-based kappa** (Bakeman, Quera & Gnisci 2009) in
:mod:`.time_based`; both are re-exported here, so this module is the entry point for all event
agreement.

Reference: Bakeman, R., Quera, V., & Gnisci, A. (2009). Observer agreement for timed-event
sequential data: A comparison of time-based and event-based algorithms. *Behavior Research
Methods*, 41, 137-147.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from observer_app.coding.agreement._data import IntArray
from observer_app.coding.agreement._event_input import (
    NONE_CODE,
    UNMATCHED,
    Event,
    Track,
    as_events,
    canonical_order,
    code_index,
    read_track,
    subject_of,
)
from observer_app.coding.agreement._event_tables import (
    kappa_stat,
    paired_result,
    raw_stat,
    table_from_pairs,
)
from observer_app.coding.agreement._point_assignment import assign, candidates
from observer_app.coding.agreement.interval_events import (
    interval_event_agreement,
    match_interval_events,
)
from observer_app.coding.agreement.kappa import cohen_kappa
from observer_app.coding.agreement.results import (
    AgreementResult,
    EventAgreement,
    Param,
    undefined,
)
from observer_app.coding.agreement.time_based import time_based_agreement
from observer_app.coding.errors import InputError

__all__ = [
    "NONE_CODE",
    "UNMATCHED",
    "Event",
    "as_events",
    "interval_event_agreement",
    "match_interval_events",
    "match_point_events",
    "point_event_agreement",
    "subject_agreement",
    "time_based_agreement",
]

#: Components larger than this (rows x columns) are solved sparsely instead of densely.
_DENSE_LIMIT = 2_000_000


def match_point_events(
    events_a: Iterable[Any],
    events_b: Iterable[Any],
    tolerance_ms: int = 2000,
    *,
    across_codes: bool = True,
    subjects: str = "within",
) -> list[tuple[int, int]]:
    """Optimal one-to-one pairs ``(index in A, index in B)`` of events within +/- tolerance.

    Lexicographic objective: most pairs, then most same-code pairs, then least total time
    difference; exact per connected component of the candidate graph. With
    ``subjects="within"`` (the default) two events pair only when they are about the same
    subject (their ``subject`` attribute: client, therapist, ...); ``"across"`` ignores it.
    Events without a subject all count as the same subject.
    """
    if tolerance_ms < 0:
        raise InputError("the tolerance must be 0 ms or more")
    events_a, events_b = list(events_a), list(events_b)
    a = read_track(events_a, "coder A")
    b = read_track(events_b, "coder B")
    _, ca, cb = code_index(a, b)
    groups = subject_groups(events_a, events_b, subjects)
    return _match_points(
        a, b, ca, cb, tolerance_ms=tolerance_ms, across_codes=across_codes, groups=groups
    )


SUBJECT_MATCHING = ("within", "across")


def subject_groups(
    events_a: Sequence[Any], events_b: Sequence[Any], subjects: str
) -> tuple[IntArray, IntArray] | None:
    """Each event's subject as an index into the subjects of both coders (None when matching
    across subjects, or when no event has a subject: then nothing restricts the pairs)."""
    if subjects not in SUBJECT_MATCHING:
        raise InputError(f"subjects must be 'within' or 'across', not {subjects!r}")
    if subjects == "across":
        return None
    sa = [subject_of(e) or "" for e in events_a]
    sb = [subject_of(e) or "" for e in events_b]
    if not any(sa) and not any(sb):
        return None
    labels = sorted(set(sa) | set(sb))
    index = {s: i for i, s in enumerate(labels)}
    ga: IntArray = np.array([index[s] for s in sa], dtype=np.int64)
    gb: IntArray = np.array([index[s] for s in sb], dtype=np.int64)
    return ga, gb


def _match_points(
    a: Track,
    b: Track,
    ca: IntArray,
    cb: IntArray,
    *,
    tolerance_ms: int,
    across_codes: bool,
    groups: tuple[IntArray, IntArray] | None = None,
) -> list[tuple[int, int]]:
    if not len(a) or not len(b):
        return []
    oa, ob = canonical_order(a.onset, a.offset, ca), canonical_order(b.onset, b.offset, cb)
    pairs = _match_sorted(
        a.onset[oa],
        b.onset[ob],
        ca[oa],
        cb[ob],
        tolerance_ms=tolerance_ms,
        across_codes=across_codes,
        groups=None if groups is None else (groups[0][oa], groups[1][ob]),
    )
    return [(int(oa[i]), int(ob[j])) for i, j in pairs]


def _match_sorted(
    ta: IntArray,
    tb: IntArray,
    ca: IntArray,
    cb: IntArray,
    *,
    tolerance_ms: int,
    across_codes: bool,
    groups: tuple[IntArray, IntArray] | None = None,
) -> list[tuple[int, int]]:
    ii, jj = candidates(ta, tb, tolerance_ms)
    if not across_codes:
        keep = ca[ii] == cb[jj]
        ii, jj = ii[keep], jj[keep]
    if groups is not None:  # pairs only within one subject
        keep = groups[0][ii] == groups[1][jj]
        ii, jj = ii[keep], jj[keep]
    if len(ii) == 0:
        return []
    return assign(
        ii=ii,
        jj=jj,
        ta=ta,
        tb=tb,
        ca=ca,
        cb=cb,
        tol=tolerance_ms,
        na=len(ta),
        nb=len(tb),
        dense_limit=_DENSE_LIMIT,
    )


def point_event_agreement(
    events_a: Iterable[Any],
    events_b: Iterable[Any],
    tolerance_ms: int = 2000,
    *,
    across_codes: bool = True,
    label_scheme: str = "landis_koch",
    subjects: str = "within",
) -> EventAgreement:
    """Event-based agreement of two coders' point events (Bakeman, Quera & Gnisci 2009): onsets
    within +/- tolerance paired by :func:`match_point_events`; percent agreement = same-code
    pairs / (pairs + unmatched events); Cohen's kappa with and without the unmatched row and
    column. ``subjects="within"`` pairs events only when they are about the same subject (an
    event of the client never matches one of the therapist); ``"across"`` ignores subjects."""
    if tolerance_ms < 0:
        raise InputError("the tolerance must be 0 ms or more")
    events_a, events_b = list(events_a), list(events_b)
    a = read_track(events_a, "coder A")
    b = read_track(events_b, "coder B")
    codes, ca, cb = code_index(a, b)
    groups = subject_groups(events_a, events_b, subjects)
    pairs = _match_points(
        a, b, ca, cb, tolerance_ms=tolerance_ms, across_codes=across_codes, groups=groups
    )
    table, per = table_from_pairs(ca, cb, pairs, codes)
    params: dict[str, Param] = {
        "tolerance_ms": tolerance_ms,
        "across_codes": across_codes,
        "subjects": subjects,
    }
    q = len(codes)
    stats_ = (
        raw_stat(table, "percent agreement", params),
        kappa_stat(table, "kappa (with unmatched)", params, label_scheme),
        raw_stat(table[:q, :q], "percent agreement (matched only)", params),
        kappa_stat(table[:q, :q], "kappa (matched only)", params, label_scheme),
    )
    return paired_result("point", codes, table, per, statistics=stats_, params=params, pairs=pairs)


def subject_agreement(
    events_a: Sequence[Any],
    events_b: Sequence[Any],
    pairs: Sequence[tuple[int, int]],
    *,
    label_scheme: str = "landis_koch",
) -> AgreementResult:
    """Agreement on the subject of matched events: Cohen's (1960) kappa over the subjects of
    the two events of each pair, kappa = (p_o - p_e) / (1 - p_e), with p_o the share of pairs
    about the same subject and p_e the chance agreement from each coder's subject margins.

    ``pairs`` are ``(index in A, index in B)``, normally from a matching that ignores subjects
    (``match_point_events(..., subjects="across")``): matching within subject would make every
    pair agree. An event without a subject counts as the category ``(none)``.

    Reference: Cohen, J. (1960). A coefficient of agreement for nominal scales. *Educational
    and Psychological Measurement*, 20, 37-46.
    """
    name = "subject kappa (matched events)"
    if not pairs:
        return undefined(name, "there are no matched events", n_raters=2)
    rows = [
        [subject_of(events_a[i]) or NONE_CODE, subject_of(events_b[j]) or NONE_CODE]
        for i, j in pairs
    ]
    cats = sorted({s for row in rows for s in row})
    res = cohen_kappa(np.array(rows, dtype=object), categories=cats, label_scheme=label_scheme)
    return replace(res, name=name)
