"""What every sheet builder shares: export options, the Sheet type and the study's small tables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from observer_app.coding.definitions import Instrument, Scheme
from observer_app.export.workbook import ChartSpec, Column
from observer_app.services.analysis_data import in_data
from observer_app.services.definitions import DefinitionInfo
from observer_app.services.records import AssignmentInfo, CoderInfo, RecordingInfo
from observer_app.services.streams import RatingRow, StreamService
from observer_app.services.study import Study

PHASE_ONE_LAST_SESSION = 5

Row = Sequence[Any]

#: The columns that place a row's work: recording, coder, purpose, assignment, analysis flag,
#: and the source assignment's status and completion time (the values of
#: :meth:`StudyData.assignment_cols`).
ASSIGNMENT_COLUMNS = (
    Column("recording_id", "int", 12),
    Column("coder", "key", 16),
    Column("purpose", "key", 11),
    Column("assignment_id", "int", 13),
    Column("analysis", "bool", 9),
    Column("status", "key", 11),
    Column("completed_at", "datetime", 19),
)
AssignmentCols = tuple[int, str, str, int, bool, str, dt.datetime | None]


@dataclass(frozen=True)
class ExportOptions:
    tolerance_ms: int = 2000
    pseudonymize: bool = False
    icc_form: str = "auto"  # auto: the form that matches the design
    alpha_level: str = "interval"
    bootstrap: int = 1000
    icc_threshold: float = 0.75
    kappa_threshold: float = 0.60
    completed_only: bool = True


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple[Column, ...]
    rows: Iterator[Row]
    charts: Callable[[], Sequence[ChartSpec]] | None = None


def phase(session_number: int | None) -> int | None:
    """1 for sessions 1-5, 2 after, ``None`` without a session number."""
    if session_number is None:
        return None
    return 1 if session_number <= PHASE_ONE_LAST_SESSION else 2


def seconds(ms: int | None) -> float | None:
    return None if ms is None else ms / 1000


def file_name(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


class StudyData:
    """The study's small tables, loaded once, plus lookups shared by the sheets."""

    def __init__(self, study: Study, stream: StreamService, options: ExportOptions) -> None:
        self.study = study
        self.stream = stream
        self.options = options
        self.info = study.info()
        self.coders: list[CoderInfo] = sorted(study.coders.all(), key=lambda c: c.id)
        self.recordings: dict[int, RecordingInfo] = {r.id: r for r in study.recordings.all()}
        # not-started work is not data (services.analysis_data): absent from every data sheet
        self.assignments: dict[int, AssignmentInfo] = {
            a.id: a for a in study.assignments.list_all() if in_data(a.status)
        }
        self.versions: list[DefinitionInfo] = study.definitions.versions()
        self.schemes: dict[int, Scheme] = {
            v.id: study.definitions.scheme(v.id) for v in self.versions if v.kind == "scheme"
        }
        self.instruments: dict[int, Instrument] = {
            v.id: study.definitions.instrument(v.id)
            for v in self.versions
            if v.kind == "instrument"
        }
        self.pseudonyms = {c.id: f"C{k:02d}" for k, c in enumerate(self.coders, start=1)}
        by_name = {c.name: c.id for c in self.coders}
        self.display = {
            c.name: (self.pseudonyms[c.id] if options.pseudonymize else c.name) for c in self.coders
        }
        self._by_name = by_name
        self.analysis = set(study.consensus.analysis_assignments().values())
        self._ratings: list[RatingRow] | None = None

    def coder(self, name: str) -> str:
        return self.display.get(name, name)

    def ratings(self) -> list[RatingRow]:
        """Every rating (cached: three sheets use them; far fewer than events)."""
        if self._ratings is None:
            self._ratings = list(self.stream.ratings())
        return self._ratings

    def assignment_cols(self, aid: int) -> AssignmentCols:
        a = self.assignments[aid]
        return (
            a.recording_id,
            self.coder(a.coder_name),
            a.purpose or "",
            a.id,
            aid in self.analysis,
            a.status,
            a.completed_at,
        )
