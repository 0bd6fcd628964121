"""The context columns every observation sheet starts with, so no analysis needs a join.

Recording (id, file, client, therapist, dyad, session number and date, phase), every free
metadata field as its own typed column (numbers as numbers, dates as dates:
:mod:`observer_app.coding.value_types`), and the source assignment (id, coder, purpose, status,
completion time, the analysis flag). The phase comes from the study's phases (``PhaseService``,
through ``StudyData.phase``); status and completion time from the assignment rows themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from observer_app.coding.value_types import ValueType, convert, infer_type
from observer_app.coding.varnames import variable_name
from observer_app.export.workbook import BOOL_LABELS, Column
from observer_app.services.records import AssignmentInfo, RecordingInfo

RECORDING_COLUMNS = (
    Column("recording_id", "int", 12, label="recording (Recordings sheet)"),
    Column("recording_file", "key", 22, label="media file name"),
    Column("client_id", "key", 10, label="client"),
    Column("therapist_id", "key", 12, label="therapist"),
    Column("dyad_id", "key", 10, label="dyad (client-therapist pair)"),
    Column("session_number", "int", 15, label="session number within the dyad"),
    Column("session_date", "date", 12, label="date of the session"),
    Column(
        "phase",
        "int",
        8,
        label="treatment phase (the study's phases: see the About and Phases sheets)",
    ),
)
ASSIGNMENT_COLUMNS = (
    Column("assignment_id", "int", 13, label="source assignment (one coder's work)"),
    Column("coder", "key", 16, label="coder of the source assignment"),
    Column(
        "purpose",
        "key",
        11,
        label="why the assignment was made",
        allowed="primary, reliability, calibration, consensus",
    ),
    Column("status", "key", 11, label="assignment status", allowed="new, in_progress, complete"),
    Column("completed_at", "datetime", 19, label="when the assignment was completed", unit="UTC"),
    Column(
        "analysis",
        "bool",
        10,
        label="the assignment an analysis should use for this recording",
        value_labels=BOOL_LABELS,
    ),
)
_KIND: dict[ValueType, str] = {
    "bool": "bool",
    "int": "int",
    "float": "number",
    "date": "date",
    "text": "text",
}


def file_name(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


class Context:
    """The context columns and, per assignment, their values."""

    def __init__(
        self,
        recordings: Mapping[int, RecordingInfo],
        assignments: Mapping[int, AssignmentInfo],
        coder: Callable[[str], str],
        analysis: set[int],
        phase: Callable[[int], int | None],
    ) -> None:
        self._recordings = recordings
        self._phase = phase
        keys: list[str] = []
        for r in sorted(recordings.values(), key=lambda r: r.id):
            keys += [k for k in r.meta if k not in keys]
        self._meta = [(k, infer_type(r.meta.get(k) for r in recordings.values())) for k in keys]
        taken = {c.name for c in (*RECORDING_COLUMNS, *ASSIGNMENT_COLUMNS)}
        meta_cols: list[Column] = []
        for key, kind in self._meta:
            name = variable_name(key)
            if name in taken:
                name = variable_name(f"meta_{key}")
            k = 1
            base = name
            while name in taken:
                k += 1
                name = f"{base[:28]}_{k}"
            taken.add(name)
            meta_cols.append(
                Column(
                    name, _KIND[kind], max(10.0, len(name) + 2), label=f"session metadata {key!r}"
                )
            )
        self.meta_columns: tuple[Column, ...] = tuple(meta_cols)
        self.columns: tuple[Column, ...] = (
            *RECORDING_COLUMNS,
            *self.meta_columns,
            *ASSIGNMENT_COLUMNS,
        )
        self._recording_cache: dict[int, tuple[Any, ...]] = {}
        self._rows: dict[int, tuple[Any, ...]] = {}
        for aid, a in assignments.items():
            self._rows[aid] = (
                *self.recording(a.recording_id),
                a.id,
                coder(a.coder_name),
                a.purpose or "",
                a.status,
                a.completed_at,
                aid in analysis,
            )

    def recording(self, rid: int) -> tuple[Any, ...]:
        """The recording part of the context (recording and metadata columns)."""
        got = self._recording_cache.get(rid)
        if got is None:
            r = self._recordings[rid]
            got = (
                r.id,
                file_name(r.media_path),
                r.client_id,
                r.therapist_id,
                r.dyad_id,
                r.session_number,
                r.session_date,
                self._phase(r.id),
                *(_typed(r.meta.get(k), kind) for k, kind in self._meta),
            )
            self._recording_cache[rid] = got
        return got

    def of(self, aid: int) -> tuple[Any, ...]:
        """Every context value of assignment ``aid``'s rows."""
        return self._rows[aid]

    def index(self, name: str) -> int:
        return [c.name for c in self.columns].index(name)


def _typed(v: Any, kind: ValueType) -> Any:
    try:
        return convert(v, kind)
    except (TypeError, ValueError):  # infer_type accepted it: cannot happen; keep the text
        return None if v is None else str(v)
