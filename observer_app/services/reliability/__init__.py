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

from observer_app.services.reliability.report import (
    CodeReliability,
    CoderRef,
    DriftPoint,
    FloatArray,
    RatingMatrix,
    ReliabilityReport,
    ScoreReliability,
)
from observer_app.services.reliability.request import (
    DEFAULT_SEGMENT_MS,
    ICC_FORM_NAMES,
    LAYOUTS,
    PURPOSE_PRIORITY,
    SUBJECT_MODES,
    SUBJECTS_SETTING,
    CancelFlag,
    Cancelled,
    EventTuple,
    Progress,
    ReliabilityRequest,
)
from observer_app.services.reliability.scheme_stats import PRESENCE, pool_event_blocks
from observer_app.services.reliability.service import ReliabilityService

__all__ = [
    "DEFAULT_SEGMENT_MS",
    "ICC_FORM_NAMES",
    "LAYOUTS",
    "PRESENCE",
    "PURPOSE_PRIORITY",
    "SUBJECTS_SETTING",
    "SUBJECT_MODES",
    "CancelFlag",
    "Cancelled",
    "CodeReliability",
    "CoderRef",
    "DriftPoint",
    "EventTuple",
    "FloatArray",
    "Progress",
    "RatingMatrix",
    "ReliabilityReport",
    "ReliabilityRequest",
    "ReliabilityService",
    "ScoreReliability",
    "pool_event_blocks",
]
