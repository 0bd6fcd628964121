"""The study-level sheets: About (export settings), Recordings and Coders."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence

from observer_app import __version__
from observer_app.export.sheets.base import Row, Sheet, StudyData, file_name, seconds
from observer_app.export.sheets.context import RECORDING_COLUMNS
from observer_app.export.workbook import BOOL_LABELS, Column


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
        ("min_units", o.min_units),
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
    cols = (
        Column("setting", "key", 28, label="export setting or study fact"),
        Column("value", "key", 60, label="its value"),
    )
    return Sheet("About", cols, iter(rows))


def recordings(data: StudyData) -> Sheet:
    ctx = data.context
    cols = (
        *RECORDING_COLUMNS,
        *ctx.meta_columns,
        Column("media_path", "text", 40, label="media file path (empty when pseudonymised)"),
        Column("duration_s", "seconds", 11, label="duration", unit="seconds"),
        Column("duration", "time", 13, label="duration", unit="hh:mm:ss.000"),
        Column("has_video", "bool", 10, label="has a video track", value_labels=BOOL_LABELS),
        Column("fps", "float", 8, label="frame rate", unit="frames per second"),
        Column("fingerprint", "key", 20, label="media fingerprint (size + SHA-256)"),
    )

    def rows() -> Iterator[Row]:
        for r in data.recordings.values():
            path = None if data.options.pseudonymize else r.media_path
            yield (
                *ctx.recording(r.id),
                path,
                seconds(r.duration_ms),
                r.duration_ms,
                r.has_video,
                r.fps,
                r.fingerprint,
            )

    return Sheet("Recordings", cols, rows())


def coders(data: StudyData) -> Sheet:
    cols = (
        Column("coder_id", "int", 10, label="coder"),
        Column("coder", "key", 18, label="coder name (code when pseudonymised)"),
        Column("initials", "key", 9, label="initials (empty when pseudonymised)"),
        Column("role", "key", 10, label="role", allowed="coder, manager"),
        Column("active", "bool", 8, label="profile active", value_labels=BOOL_LABELS),
        Column("assignments", "int", 12, label="assignments", unit="assignments"),
        Column("completed", "int", 11, label="completed assignments", unit="assignments"),
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
