"""The content of each exported sheet: its columns and its rows, in the order of the issue.

``About``, ``Codebook``, ``Recordings``, ``Coders``, ``Events``, ``Segments``, ``Ratings``,
``Scores``, ``Reliability``, ``Consensus``, ``Audit``. Every sheet is one tidy table (one row per
observation, one column per variable) so the CSV twin of each sheet reads straight into R, SPSS
or pandas. Rows are generated lazily; the large sheets (events, ratings) stream from the store.

Phase: sessions 1-5 are phase 1, later sessions phase 2 (no session number: no phase).
Analysis flag: per recording, the assignment an analysis should use (a completed consensus,
else the primary coder's work; see ``ConsensusService.analysis_assignments``).
Pseudonymisation replaces coder names by codes C01, C02, ... (by coder id), drops initials, and
keeps only the file name of each media path; free-text comments are exported as written.
"""

from __future__ import annotations

from observer_app.export.sheets.audit_sheet import AUDIT_COLUMNS, audit
from observer_app.export.sheets.base import (
    ASSIGNMENT_COLUMNS,
    PHASE_ONE_LAST_SESSION,
    ExportOptions,
    Row,
    Sheet,
    StudyData,
    phase,
)
from observer_app.export.sheets.codebook_sheet import CODEBOOK_COLUMNS, codebook
from observer_app.export.sheets.consensus_sheet import consensus
from observer_app.export.sheets.event_sheets import (
    EVENT_COLUMNS,
    WHOLE_RECORDING_MS,
    events,
    segments,
)
from observer_app.export.sheets.overview import about, coders, recordings
from observer_app.export.sheets.rating_sheets import ratings, score_columns, scores
from observer_app.export.sheets.reliability_sheet import (
    RELIABILITY_COLUMNS,
    reliability,
    reliability_reports,
)

SHEET_ORDER = (
    "About",
    "Codebook",
    "Recordings",
    "Coders",
    "Events",
    "Segments",
    "Ratings",
    "Scores",
    "Reliability",
    "Consensus",
    "Audit",
)

__all__ = [
    "ASSIGNMENT_COLUMNS",
    "AUDIT_COLUMNS",
    "CODEBOOK_COLUMNS",
    "EVENT_COLUMNS",
    "PHASE_ONE_LAST_SESSION",
    "RELIABILITY_COLUMNS",
    "SHEET_ORDER",
    "WHOLE_RECORDING_MS",
    "ExportOptions",
    "Row",
    "Sheet",
    "StudyData",
    "about",
    "audit",
    "codebook",
    "coders",
    "consensus",
    "events",
    "phase",
    "ratings",
    "recordings",
    "reliability",
    "reliability_reports",
    "score_columns",
    "scores",
    "segments",
]
