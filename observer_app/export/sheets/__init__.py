"""The content of each exported sheet: its columns and its rows.

Every sheet is one tidy table (one row per observation, one column per variable) so the CSV
twin of each sheet reads straight into R, SPSS or pandas, and every column is a
:class:`~observer_app.export.workbook.Column` that carries its codebook entry. Rows are
generated lazily; the large sheets (events, ratings) stream from the store.

The rules every sheet follows (checked by :func:`build_sheets` for each export):

- every column name follows :mod:`observer_app.coding.varnames` (valid in R, SPSS and Stata,
  unique in its table ignoring case), with the original label in the column's ``label``;
- every observation sheet starts with the context columns
  (:mod:`observer_app.export.sheets.context`: recording, client, therapist, dyad, session,
  date, phase, typed metadata, source assignment with coder, purpose, status, completion);
- booleans are ``bool`` columns (written 1/0 in CSV, SPSS and Stata, labelled in the codebook).

**Adding a sheet** (perspectives, phases, sequences, ...): write a builder
``(data, reports) -> Sheet`` in its own module here, start its columns with
``data.context.columns`` where its rows are about one assignment, and add it to
:data:`SHEET_BUILDERS` at the place it should appear. Codebook, CSV, SPSS and Stata files, the
R script and the checks follow from the list.

Phase: the study's phases (``PhaseService``; ``StudyData.phase``). Analysis flag: per recording, the
assignment an analysis should use (``ConsensusService.analysis_assignments``).
Pseudonymisation replaces coder names by codes C01, C02, ... (by coder id), drops initials, and
keeps only the file name of each media path; free-text comments are exported as written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from observer_app.coding.varnames import is_valid
from observer_app.export.sheets.audit_sheet import AUDIT_COLUMNS, audit
from observer_app.export.sheets.base import (
    ASSIGNMENT_COLUMNS,
    ExportOptions,
    Row,
    Sheet,
    StudyData,
)
from observer_app.export.sheets.codebook_sheet import (
    CODEBOOK_COLUMNS,
    VARIABLE_COLUMNS,
    codebook,
    definitions,
)
from observer_app.export.sheets.consensus_sheet import consensus
from observer_app.export.sheets.event_sheets import (
    EVENT_COLUMNS,
    WHOLE_RECORDING_MS,
    events,
    segments,
)
from observer_app.export.sheets.overview import about, coders, recordings
from observer_app.export.sheets.perspectives_sheet import perspective_agreement, perspectives
from observer_app.export.sheets.rating_sheets import ratings, score_columns, scores
from observer_app.export.sheets.reliability_sheet import (
    RELIABILITY_COLUMNS,
    confusion,
    drift,
    reliability,
    reliability_design,
    reliability_reports,
)
from observer_app.export.sheets.sequence_sheets import (
    phases,
    ruptures,
    sequence_report,
    sequences,
)
from observer_app.export.sheets.sessions_sheet import sessions
from observer_app.services.reliability import ReliabilityReport
from observer_app.services.sequences import SequenceReport

Builder = Callable[[StudyData, Sequence[ReliabilityReport]], Sheet]


def _sequence_report(data: StudyData) -> SequenceReport:
    """The rupture -> resolution report, computed once per export (three sheets use it)."""
    got = data.cache.get("sequences")
    if got is None:
        got = data.cache["sequences"] = sequence_report(data)
    assert isinstance(got, SequenceReport)
    return got


#: Every sheet after About and Codebook, in workbook order: (name, builder).
SHEET_BUILDERS: list[tuple[str, Builder]] = [
    ("Definitions", lambda d, r: definitions(d)),
    ("Recordings", lambda d, r: recordings(d)),
    ("Coders", lambda d, r: coders(d)),
    ("Sessions", lambda d, r: sessions(d)),
    ("Events", lambda d, r: events(d)),
    ("Segments", lambda d, r: segments(d)),
    ("Ratings", lambda d, r: ratings(d)),
    ("Scores", lambda d, r: scores(d)),
    ("Reliability", reliability),
    ("Reliability design", reliability_design),
    ("Confusion", confusion),
    ("Drift", drift),
    ("Consensus", lambda d, r: consensus(d)),
    ("Phases", lambda d, r: phases(d, _sequence_report(d))),
    ("Sequences", lambda d, r: sequences(d, _sequence_report(d))),
    ("Ruptures", lambda d, r: ruptures(d, _sequence_report(d))),
    ("Perspectives", lambda d, r: perspectives(d)),
    ("Perspective agreement", lambda d, r: perspective_agreement(d)),
    ("Audit", lambda d, r: audit(d)),
]

SHEET_ORDER = ("About", "Codebook", *(name for name, _ in SHEET_BUILDERS))


def check_names(sheet: Sheet) -> None:
    """Every column name follows the naming rule and is unique ignoring case (a bug if not)."""
    seen: set[str] = set()
    for c in sheet.columns:
        if not is_valid(c.name) or c.name.lower() in seen:
            raise AssertionError(f"{sheet.name}: column name {c.name!r} breaks the naming rule")
        seen.add(c.name.lower())


def build_sheets(data: StudyData, reports: Sequence[ReliabilityReport]) -> list[Sheet]:
    """Every sheet of the export, in order (rows not yet generated)."""
    head = about(data, SHEET_ORDER)
    body = [build(data, reports) for _, build in SHEET_BUILDERS]
    out = [head, codebook(data, [head, *body]), *body]
    for sheet in out:
        check_names(sheet)
    assert tuple(s.name for s in out) == SHEET_ORDER
    return out


__all__ = [
    "ASSIGNMENT_COLUMNS",
    "AUDIT_COLUMNS",
    "CODEBOOK_COLUMNS",
    "EVENT_COLUMNS",
    "RELIABILITY_COLUMNS",
    "SHEET_BUILDERS",
    "SHEET_ORDER",
    "VARIABLE_COLUMNS",
    "WHOLE_RECORDING_MS",
    "ExportOptions",
    "Row",
    "SequenceReport",
    "Sheet",
    "StudyData",
    "about",
    "audit",
    "build_sheets",
    "check_names",
    "codebook",
    "coders",
    "confusion",
    "consensus",
    "definitions",
    "drift",
    "events",
    "perspective_agreement",
    "perspectives",
    "phases",
    "ratings",
    "recordings",
    "reliability",
    "reliability_design",
    "reliability_reports",
    "ruptures",
    "score_columns",
    "scores",
    "segments",
    "sequence_report",
    "sequences",
    "sessions",
]
