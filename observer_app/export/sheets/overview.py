"""The study-level sheets: About (export settings), Recordings and Coders."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence

from observer_app import __version__
from observer_app.export.sheets.base import Row, Sheet, StudyData, file_name, seconds
from observer_app.export.workbook import Column


def about(data: StudyData, sheet_names: Sequence[str]) -> Sheet:
    o = data.options
    now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    location = data.study.location
    rows: list[Row] = [
        ("study", data.info.name),
        ("study_file", file_name(location) if o.pseudonymize else location),
        ("exported_at_utc", now),
        ("app", f"observer-app {__version__}"),
        ("schema_version", data.info.schema_version),
        ("tolerance_ms", o.tolerance_ms),
        ("tolerance_s", o.tolerance_ms / 1000),
        ("icc_form", o.icc_form),
        ("icc_threshold", o.icc_threshold),
        ("kappa_threshold", o.kappa_threshold),
        ("alpha_level", o.alpha_level),
        ("alpha_bootstrap_resamples", o.bootstrap),
        (
            "reliability_data",
            "completed assignments only" if o.completed_only else "all assignments",
        ),
        ("phase_rule", data.phase_plan.describe()),
        ("analysis_rule", "per recording: its completed consensus, else the primary coding"),
        ("pseudonymized", o.pseudonymize),
        ("recordings", data.info.recordings),
        ("coders", data.info.coders),
        ("events", data.info.events),
        ("ratings", data.info.ratings),
        ("sheets", ", ".join(sheet_names)),
    ]
    for v in data.versions:
        if v.kind == "instrument":
            rows.append((f"key_check {v.definition_id} {v.version} #{v.id}", data.key_check(v.id)))
    if o.pseudonymize:
        rows.append(("note", "coder names replaced by codes; free-text comments are as written"))
    cols = (Column("setting", "key", 28), Column("value", "key", 60))
    return Sheet("About", cols, iter(rows))


def recordings(data: StudyData) -> Sheet:
    cols = (
        Column("recording_id", "int", 12),
        Column("file", "key", 24),
        Column("media_path", "text", 40),
        Column("client_id", "key", 10),
        Column("therapist_id", "key", 12),
        Column("dyad_id", "key", 10),
        Column("session_number", "int", 15),
        Column("phase", "int", 8),
        Column("session_date", "date", 12),
        Column("duration_s", "seconds", 11),
        Column("duration", "time", 13),
        Column("has_video", "bool", 10),
        Column("fps", "float", 8),
        Column("fingerprint", "key", 20),
        Column("meta", "json", 30),
    )

    def rows() -> Iterator[Row]:
        for r in data.recordings.values():
            path = None if data.options.pseudonymize else r.media_path
            yield (
                r.id,
                file_name(r.media_path),
                path,
                r.client_id,
                r.therapist_id,
                r.dyad_id,
                r.session_number,
                data.phase(r.id),
                r.session_date,
                seconds(r.duration_ms),
                r.duration_ms,
                r.has_video,
                r.fps,
                r.fingerprint,
                r.meta,
            )

    return Sheet("Recordings", cols, rows())


def coders(data: StudyData) -> Sheet:
    cols = (
        Column("coder_id", "int", 10),
        Column("coder", "key", 18),
        Column("initials", "key", 9),
        Column("role", "key", 10),
        Column("active", "bool", 8),
        Column("assignments", "int", 12),
        Column("completed", "int", 11),
    )
    total: dict[str, int] = defaultdict(int)
    done: dict[str, int] = defaultdict(int)
    for a in data.assignments.values():
        total[a.coder_name] += 1
        done[a.coder_name] += a.status == "complete"

    def rows() -> Iterator[Row]:
        for c in data.coders:
            yield (
                c.id,
                data.coder(c.name),
                None if data.options.pseudonymize else c.initials,
                c.role,
                c.active,
                total[c.name],
                done[c.name],
            )

    return Sheet("Coders", cols, rows())
