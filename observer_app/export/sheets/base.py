"""What every sheet builder shares: export options, the Sheet type and the study's small tables."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from observer_app.coding.definitions import Instrument, Scheme
from observer_app.export.sheets.context import ASSIGNMENT_COLUMNS, Context, file_name
from observer_app.export.workbook import ChartSpec, Column
from observer_app.services.analysis_data import in_data
from observer_app.services.definitions import DefinitionInfo
from observer_app.services.instrument_keys import key_check_text
from observer_app.services.records import AssignmentInfo, CoderInfo, RecordingInfo
from observer_app.services.streams import RatingRow, StreamService
from observer_app.services.study import Study

Row = Sequence[Any]


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
    #: Event matching "within" or "across" subjects; None: the study setting (default within).
    subjects: str | None = None
    #: Fewer units than this flag a statistic ``few_units`` (Koo & Li 2016 advise at least 30
    #: heterogeneous units for an ICC).
    min_units: int = 30
    #: CSV files start with a UTF-8 byte-order mark (Excel on Windows then reads accents).
    csv_bom: bool = True


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple[Column, ...]
    rows: Iterator[Row]
    #: ChartSpec bar charts, or any spec with ``build(ws)`` and ``anchor_col``/``anchor_row``.
    charts: Callable[[], Sequence[ChartSpec | Any]] | None = None


def seconds(ms: int | None) -> float | None:
    return None if ms is None else ms / 1000


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
        self.key_checks = study.instrument_keys.signoffs()
        self.pseudonyms = {c.id: f"C{k:02d}" for k, c in enumerate(self.coders, start=1)}
        by_name = {c.name: c.id for c in self.coders}
        self.display = {
            c.name: (self.pseudonyms[c.id] if options.pseudonymize else c.name) for c in self.coders
        }
        self._by_name = by_name
        self.analysis = set(study.consensus.analysis_assignments().values())
        self._ratings: list[RatingRow] | None = None
        #: Reports several sheets share, computed once per export (e.g. ``sequences``).
        self.cache: dict[str, Any] = {}
        self.phase_plan = study.phases.plan()
        self.context = Context(
            self.recordings, self.assignments, self.coder, self.analysis, self.phase
        )

    def phase(self, recording_id: int) -> int | None:
        """The recording's phase number from the study's phases (``PhaseService.phase_of``)."""
        found = self.study.phases.phase_of(self.recordings[recording_id], self.phase_plan)
        return None if found is None else found.number

    def key_check(self, version_id: int) -> str:
        """ "key checked by ... on ... against ..." or "key not checked" (issue 10)."""
        return key_check_text(self.key_checks.get(version_id))

    def coder(self, name: str) -> str:
        return self.display.get(name, name)

    def ratings(self) -> list[RatingRow]:
        """Every rating (cached: three sheets use them; far fewer than events)."""
        if self._ratings is None:
            self._ratings = list(self.stream.ratings())
        return self._ratings


__all__ = [
    "ASSIGNMENT_COLUMNS",
    "Column",
    "ExportOptions",
    "Row",
    "Sheet",
    "StudyData",
    "file_name",
    "seconds",
]
