"""What to compute: the request and its checks, the shared constants, cancel and progress."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from observer_app.coding import agreement as ag
from observer_app.coding.errors import InputError, ObserverError

Progress = Callable[[int, int], None]
#: An event as the engine accepts it: (code, onset_ms, offset_ms or None, subject or None).
#: Plain tuples: a study's million events cost far less memory and time than objects.
EventTuple = tuple[str, int, int | None, str | None]

#: Which assignment of a coder counts when one coder has several on a recording.
PURPOSE_PRIORITY: tuple[str, ...] = ("primary", "reliability", "calibration")
ICC_FORM_NAMES: tuple[str, ...] = tuple(name for name, _ in ag.ICC_FORMS)
DEFAULT_SEGMENT_MS = 300_000
LAYOUTS = ("auto", "coders", "slots")
#: The minimum-units rule: study setting ``reliability_min_units``, default 10, never below 5.
MIN_UNITS_SETTING = "reliability_min_units"
MIN_UNITS_DEFAULT = 10
MIN_UNITS_FLOOR = 5
#: Event matching within subject (an event pairs only with the other coder's event about the
#: same subject) or across subjects (subject ignored): study setting ``reliability_subjects``,
#: default "within".
SUBJECT_MODES: tuple[str, ...] = ("within", "across")
SUBJECTS_SETTING = "reliability_subjects"
SUBJECTS_DEFAULT = "within"


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
    #: "auto": the form that matches the design (see ``design.classify``), else one of the six.
    icc_form: str = "auto"
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
    #: Fewer units than this and a statistic is "not enough units (n)": never labelled or
    #: flagged. None: the study setting ``reliability_min_units`` (default 10); never below 5.
    min_units: int | None = None
    #: "within" or "across" (see ``SUBJECT_MODES``); None: the study setting
    #: ``reliability_subjects``, default "within". Only schemes that declare subjects differ.
    subjects: str | None = None

    def check(self) -> None:
        if self.icc_form != "auto" and self.icc_form not in ICC_FORM_NAMES:
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
        if self.min_units is not None and self.min_units < MIN_UNITS_FLOOR:
            raise InputError(f"the minimum number of units is {MIN_UNITS_FLOOR} or more")
        if self.subjects is not None and self.subjects not in SUBJECT_MODES:
            raise InputError(f"subjects {self.subjects!r} is not one of {', '.join(SUBJECT_MODES)}")
        if self.layout not in LAYOUTS:
            raise InputError(f"layout {self.layout!r} is not one of {', '.join(LAYOUTS)}")
