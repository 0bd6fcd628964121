"""Which work counts and how it is laid out: counted assignments, rater columns, unit labels,
coder pairs, and the progress/cancel ticker."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

from observer_app.services.reliability.report import CoderRef, FloatArray, RatingMatrix
from observer_app.services.reliability.request import (
    PURPOSE_PRIORITY,
    CancelFlag,
    Cancelled,
    Progress,
)


@dataclass(frozen=True)
class Work:
    """One coder's counted assignment on one recording."""

    assignment_id: int
    recording_id: int
    coder_id: int
    purpose: str
    completed_at: dt.datetime | None


class Ticker:
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


def rank(purpose: str) -> int:
    return PURPOSE_PRIORITY.index(purpose)


def coders_of(work: Iterable[Work], names: Mapping[int, str]) -> tuple[CoderRef, ...]:
    ids = sorted({w.coder_id for w in work}, key=lambda c: (names.get(c, ""), c))
    return tuple(CoderRef(c, names.get(c, f"coder #{c}")) for c in ids)


@dataclass(frozen=True)
class Layout:
    kind: str
    names: tuple[str, ...]
    column: dict[int, int]  # assignment id -> column
    notes: tuple[str, ...] = ()


def rater_layout(work: Sequence[Work], coders: Sequence[CoderRef], wanted: str) -> Layout:
    """Rater columns: one per coder, or rating slots when coders differ between recordings.

    With slots, each recording's ratings fill columns 1, 2, ... in the order primary,
    reliability, calibration (then coder id); the raters of a column then differ between
    units, so the one-way ICC(1,1) is the form that matches the design (McGraw & Wong 1996).
    """
    by_rec: dict[int, list[Work]] = defaultdict(list)
    for w in work:
        by_rec[w.recording_id].append(w)
    crossed = all(len(ws) == len(coders) for ws in by_rec.values())
    kind = wanted if wanted != "auto" else ("coders" if crossed else "slots")
    if kind == "coders":
        index = {c.id: j for j, c in enumerate(coders)}
        return Layout(
            kind, tuple(c.name for c in coders), {w.assignment_id: index[w.coder_id] for w in work}
        )
    column: dict[int, int] = {}
    for ws in by_rec.values():
        ordered = sorted(ws, key=lambda w: (rank(w.purpose), w.coder_id))
        column.update({w.assignment_id: k for k, w in enumerate(ordered)})
    width = max((len(ws) for ws in by_rec.values()), default=0)
    note = "coders differ between recordings: columns are rating slots (primary coding first)"
    return Layout(kind, tuple(f"rating {k + 1}" for k in range(width)), column, (note,))


def unit_label(key: tuple[int, str, int]) -> str:
    rid, kind, index = key
    return f"recording {rid}" if kind == "session" else f"recording {rid} segment {index + 1}"


def rating_matrix(units: tuple[str, ...], coders: tuple[str, ...], arr: FloatArray) -> RatingMatrix:
    return RatingMatrix(units, coders, tuple(tuple(float(v) for v in row) for row in arr))


def pair_blocks(work: Sequence[Work]) -> list[tuple[int, int]]:
    """(assignment of coder A, assignment of coder B) for every coder pair on every recording;
    A is the coder listed first (by coder id)."""
    by_rec: dict[int, list[Work]] = defaultdict(list)
    for w in work:
        by_rec[w.recording_id].append(w)
    blocks = []
    for rid in sorted(by_rec):
        ws = sorted(by_rec[rid], key=lambda w: w.coder_id)
        blocks += [(a.assignment_id, b.assignment_id) for a, b in combinations(ws, 2)]
    return blocks


def master_pairs(work: Sequence[Work], master: int | None) -> list[tuple[Work, Work]]:
    if master is None:
        return []
    by_rec = {w.recording_id: w for w in work if w.coder_id == master}
    return [
        (w, by_rec[w.recording_id])
        for w in work
        if w.coder_id != master and w.recording_id in by_rec
    ]


#: Purposes of the main analysis: the reliability pair (primary + blind reliability coder).
MAIN_PURPOSES = ("primary", "reliability")
#: The ICC form that matches each design, and why (McGraw & Wong 1996; Koo & Li 2016).
DESIGN_FORMS: dict[str, tuple[str, str]] = {
    "fully crossed": (
        "ICC(A,1)",
        "the same coders rated every double-coded unit (fully crossed): two-way random "
        "effects, absolute agreement, single rater (McGraw & Wong 1996; Koo & Li 2016)",
    ),
    "one-way": (
        "ICC(1,1)",
        "the coders differ between units (primary and reliability coders vary): one-way "
        "random effects, single rater (Shrout & Fleiss 1979; McGraw & Wong 1996)",
    ),
    "single-coded": (
        "ICC(1,1)",
        "no unit is coded by two coders yet: nothing to estimate",
    ),
}


@dataclass(frozen=True)
class Design:
    """How the study's counted work is analysed.

    ``main``: the work of the main analysis (the primary/reliability pair of each double-coded
    recording, or every coder of a fully crossed design); ``separate``: calibration and extra
    coders, analysed separately (calibration against the master coder) and never part of the
    main matrices; ``single_coded`` / ``multi_coded``: recordings with one / several main
    coders; ``width``: coders per multi-coded recording in the main analysis.
    """

    kind: str
    main: tuple[Work, ...]
    separate: tuple[Work, ...]
    single_coded: int
    multi_coded: int
    width: int
    icc_form: str
    reason: str

    def counts(self) -> str:
        """The counts, each saying what it is ("single-coded: 8, double-coded: 2")."""
        multi = "double-coded" if self.width <= 2 else f"coded by {self.width}"
        parts = [f"single-coded: {self.single_coded}", f"{multi}: {self.multi_coded}"]
        calibration = sum(1 for w in self.separate if w.purpose == "calibration")
        extra = len(self.separate) - calibration
        if calibration:
            parts.append(f"calibration: {calibration} (against the master coder, separately)")
        if extra:
            parts.append(f"extra coders: {extra} (analysed separately)")
        return ", ".join(parts)

    def note(self) -> str:
        return f"Design: {self.kind}; {self.icc_form} because {self.reason}. {self.counts()}."


def classify(work: Sequence[Work], icc_form: str = "auto") -> Design:
    """The design of ``work`` and the work its main analysis uses (see :class:`Design`).

    Rules: calibration assignments never enter the main analysis. A recording with one main
    coder is single-coded (counted as such, not as "dropped"). When every multi-coded recording
    has the same set of coders the design is fully crossed and all of them are used; otherwise
    (raters vary between units) each recording contributes its reliability pair, primary first,
    and any further coder is analysed separately. ``icc_form`` "auto" picks the form that
    matches the design (:data:`DESIGN_FORMS`); any other form is used as asked.
    """
    by_rec: dict[int, list[Work]] = defaultdict(list)
    separate = [w for w in work if w.purpose not in MAIN_PURPOSES]
    for w in work:
        if w.purpose in MAIN_PURPOSES:
            by_rec[w.recording_id].append(w)
    multi = {r: ws for r, ws in by_rec.items() if len(ws) >= 2}
    sets = {frozenset(w.coder_id for w in ws) for ws in multi.values()}
    main: list[Work] = []
    if not multi:
        kind = "single-coded"
        width = 0
    elif len(sets) == 1:
        kind = "fully crossed"
        width = len(next(iter(sets)))
        main = [w for ws in multi.values() for w in ws]
    else:
        kind = "one-way"
        width = 2
        for ws in multi.values():
            ordered = sorted(ws, key=lambda w: (rank(w.purpose), w.coder_id))
            main += ordered[:2]
            separate += ordered[2:]
    form, reason = DESIGN_FORMS[kind]
    if icc_form != "auto":
        form, reason = icc_form, f"it was chosen (the design suggests {DESIGN_FORMS[kind][0]})"
    return Design(
        kind=kind,
        main=tuple(sorted(main, key=lambda w: (w.recording_id, w.coder_id))),
        separate=tuple(separate),
        single_coded=len(by_rec) - len(multi),
        multi_coded=len(multi),
        width=width,
        icc_form=form,
        reason=reason,
    )
