"""What to compute: the request and its checks, the shared constants, cancel and progress."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from observer_app.coding import agreement as ag
from observer_app.coding.errors import InputError, ObserverError

Progress = Callable[[int, int], None]
#: An event as the engine accepts it: (code, onset_ms, offset_ms or None). Plain tuples: a
#: study's million events cost far less memory and time than objects.
EventTuple = tuple[str, int, int | None]

#: Which assignment of a coder counts when one coder has several on a recording.
PURPOSE_PRIORITY: tuple[str, ...] = ("primary", "reliability", "calibration")
ICC_FORM_NAMES: tuple[str, ...] = tuple(name for name, _ in ag.ICC_FORMS)
DEFAULT_SEGMENT_MS = 300_000
LAYOUTS = ("auto", "coders", "slots")


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
