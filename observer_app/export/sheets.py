"""The content of each exported sheet: its columns and its rows, in the order of the issue.

``About``, ``Codebook``, ``Recordings``, ``Coders``, ``Events``, ``Segments``, ``Ratings``,
``Scores``, ``Reliability``, ``Consensus``. Every sheet is one tidy table (one row per
observation, one column per variable) so the CSV twin of each sheet reads straight into R, SPSS
or pandas. Rows are generated lazily; the large sheets (events, ratings) stream from the store.

Phase: sessions 1-5 are phase 1, later sessions phase 2 (no session number: no phase).
Analysis flag: per recording, the assignment an analysis should use (a completed consensus,
else the primary coder's work; see ``ConsensusService.analysis_assignments``).
Pseudonymisation replaces coder names by codes C01, C02, ... (by coder id), drops initials, and
keeps only the file name of each media path; free-text comments are exported as written.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from observer_app import __version__
from observer_app.coding.definitions import Instrument, Scheme, roll_up, score_responses
from observer_app.coding.errors import InputError
from observer_app.export.workbook import ChartSpec, Column
from observer_app.services.definitions import DefinitionInfo
from observer_app.services.records import AssignmentInfo, CoderInfo, RecordingInfo
from observer_app.services.reliability import (
    CancelFlag,
    ReliabilityReport,
    ReliabilityRequest,
)
from observer_app.services.streams import RatingRow, StreamService
from observer_app.services.study import Study

PHASE_ONE_LAST_SESSION = 5
#: A segment length larger than any recording: an unsegmented scheme has one segment.
WHOLE_RECORDING_MS = 2_147_483_647

Row = Sequence[Any]


@dataclass(frozen=True)
class ExportOptions:
    tolerance_ms: int = 2000
    pseudonymize: bool = False
    icc_form: str = "ICC(A,1)"
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


def _s(ms: int | None) -> float | None:
    return None if ms is None else ms / 1000


def _file_name(path: str) -> str:
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
        self.assignments: dict[int, AssignmentInfo] = {
            a.id: a for a in study.assignments.list_all()
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

    def assignment_cols(self, aid: int) -> tuple[int, str, str, int, bool]:
        a = self.assignments[aid]
        return a.recording_id, self.coder(a.coder_name), a.purpose or "", a.id, aid in self.analysis


# ---------------------------------------------------------------------------------- About


def about(data: StudyData, sheet_names: Sequence[str]) -> Sheet:
    o = data.options
    now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    location = data.study.location
    rows: list[Row] = [
        ("study", data.info.name),
        ("study_file", _file_name(location) if o.pseudonymize else location),
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
        ("phase_rule", "sessions 1-5 = phase 1; sessions 6 and later = phase 2"),
        ("analysis_rule", "per recording: its completed consensus, else the primary coding"),
        ("pseudonymized", o.pseudonymize),
        ("recordings", data.info.recordings),
        ("coders", data.info.coders),
        ("events", data.info.events),
        ("ratings", data.info.ratings),
        ("sheets", ", ".join(sheet_names)),
    ]
    if o.pseudonymize:
        rows.append(("note", "coder names replaced by codes; free-text comments are as written"))
    cols = (Column("setting", "key", 28), Column("value", "key", 60))
    return Sheet("About", cols, iter(rows))


# ------------------------------------------------------------------------------- Codebook

CODEBOOK_COLUMNS = (
    Column("definition_kind", "key", 12),
    Column("definition_id", "key", 18),
    Column("definition_version", "key", 10),
    Column("version_id", "int", 10),
    Column("attached", "bool", 9),
    Column("element", "key", 11),
    Column("id", "key", 14),
    Column("label", "text", 36),
    Column("belongs_to", "key", 16),
    Column("type", "key", 10),
    Column("value", "key", 10),
    Column("details", "text", 60),
)


def codebook(data: StudyData) -> Sheet:
    def rows() -> Iterator[Row]:
        for v in data.versions:
            head = ("scheme" if v.kind == "scheme" else "instrument", v.definition_id, v.version)
            base = (*head, v.id, v.attached)
            if v.kind == "scheme":
                yield from ((*base, *r) for r in _scheme_rows(data.schemes[v.id], v.content_hash))
            else:
                yield from (
                    (*base, *r) for r in _instrument_rows(data.instruments[v.id], v.content_hash)
                )

    return Sheet("Codebook", CODEBOOK_COLUMNS, rows())


def _scheme_rows(s: Scheme, digest: str) -> Iterator[Row]:
    yield ("scheme", s.id, s.name, None, None, None, f"{s.citation.strip()} [{digest}]")
    for c in s.categories:
        yield ("category", c.id, c.label, None, None, None, None)
    for code in s.codes:
        details = "; ".join(
            x
            for x in (
                f"key {code.key}" if code.key else "",
                f"colour {code.colour}",
                code.description,
            )
            if x
        )
        yield ("code", code.id, code.label, code.category, code.kind, None, details)
        for m in code.modifiers:
            if m.type in ("single", "multiple"):
                detail = "choices: " + ", ".join(m.choices)
            elif m.type == "range":
                detail = f"range {m.min}..{m.max}" + (" (whole numbers)" if m.integer else "")
            else:
                detail = f"text up to {m.max_length} characters" if m.max_length else "text"
            req = "required; " if m.required else ""
            yield ("modifier", m.id, m.label, code.id, m.type, None, req + detail)
    for g in s.exclusive_groups:
        yield ("exclusive", g.id, g.label, None, None, None, ", ".join(g.codes))
    if s.segments is not None:
        yield (
            "segments",
            None,
            f"{s.segments.minutes}-minute segments",
            None,
            None,
            str(s.segments.minutes),
            f"rated with {s.segments.instrument}" if s.segments.instrument else None,
        )
    for inst in s.session_instruments:
        yield ("session_instrument", inst, None, None, None, None, None)


def _instrument_rows(inst: Instrument, digest: str) -> Iterator[Row]:
    head = f"{inst.citation.strip()} [{digest}]"
    yield ("instrument", inst.id, inst.name, None, inst.unit, inst.perspective, head)
    for sc in inst.scales:
        detail = "not rated allowed" if sc.allow_not_rated else None
        yield ("scale", sc.id, None, None, None, f"{sc.min}..{sc.max}", detail)
        for value, label in sc.anchors:
            yield ("anchor", str(value), label, sc.id, None, str(value), None)
    for sub in inst.subscales:
        yield ("subscale", sub.id, sub.label, None, sub.method, None, None)
    for item in inst.items:
        flags = [f for f, on in (("reverse", item.reverse), ("optional", not item.required)) if on]
        yield (
            "item",
            item.id,
            item.label,
            ", ".join(item.subscales) or None,
            item.scale,
            None,
            ", ".join(flags) or None,
        )
    rule = f"valid when at least {inst.scoring.min_answered:.0%} of its items are answered"
    for d in inst.score_definitions():
        yield (
            "score",
            d.id,
            d.label,
            d.kind,
            d.method,
            None,
            f"items {', '.join(d.items)}; {rule}",
        )
    for r in inst.rollup:
        extra = f"; marked at >= {r.marked_at_least}" if r.marked_at_least is not None else ""
        yield ("rollup", r.id, r.label, r.source, r.method, None, f"over segments{extra}")


# ----------------------------------------------------------------------------- Recordings


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
                _file_name(r.media_path),
                path,
                r.client_id,
                r.therapist_id,
                r.dyad_id,
                r.session_number,
                phase(r.session_number),
                r.session_date,
                _s(r.duration_ms),
                r.duration_ms,
                r.has_video,
                r.fps,
                r.fingerprint,
                r.meta,
            )

    return Sheet("Recordings", cols, rows())


# --------------------------------------------------------------------------------- Coders


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


# --------------------------------------------------------------------------------- Events

EVENT_COLUMNS = (
    Column("event_id", "int", 10),
    Column("recording_id", "int", 12),
    Column("coder", "key", 16),
    Column("purpose", "key", 11),
    Column("assignment_id", "int", 13),
    Column("analysis", "bool", 9),
    Column("code", "key", 10),
    Column("category", "key", 14),
    Column("onset_s", "seconds", 10),
    Column("onset", "time", 13),
    Column("offset_s", "seconds", 10),
    Column("offset", "time", 13),
    Column("duration_s", "seconds", 11),
    Column("modifiers", "json", 24),
    Column("comment", "text", 40),
)


def events(data: StudyData) -> Sheet:
    category: dict[tuple[int | None, str], str | None] = {}
    for vid, scheme in data.schemes.items():
        for code in scheme.codes:
            category[(vid, code.id)] = code.category
    per_assignment = {aid: data.assignment_cols(aid) for aid in data.assignments}
    scheme_of = {aid: a.scheme_version_id for aid, a in data.assignments.items()}

    def rows() -> Iterator[Row]:
        for e in data.stream.events():
            rec, coder, purpose, aid, analysis = per_assignment[e.assignment_id]
            off = e.offset_ms
            yield (
                e.id,
                rec,
                coder,
                purpose,
                aid,
                analysis,
                e.code,
                category.get((scheme_of[aid], e.code)),
                e.onset_ms / 1000,
                e.onset_ms,
                None if off is None else off / 1000,
                off,
                None if off is None else (off - e.onset_ms) / 1000,
                e.modifiers,
                e.comment or None,
            )

    return Sheet("Events", EVENT_COLUMNS, rows())


# ------------------------------------------------------------------------------- Segments


def _segment_bounds(
    scheme: Scheme, duration: int | None, last_onset: int | None
) -> tuple[tuple[int, int], ...]:
    if duration is None:
        duration = (last_onset or 0) + 1
    return scheme.segment_bounds(duration)


def _unique(headers: list[str]) -> dict[str, int]:
    """Column index per header, merging headers that differ only in case (Excel tables
    require unique headers regardless of case)."""
    index: dict[str, int] = {}
    for h in headers:
        index.setdefault(h.lower(), len(index))
    return index


def segments(data: StudyData) -> Sheet:
    code_heads: list[str] = []
    for scheme in data.schemes.values():
        code_heads += [f"n_{c.id}" for c in scheme.codes]
    code_col = _unique(code_heads)
    item_heads: list[str] = []
    for inst in data.instruments.values():
        if inst.unit == "segment":
            item_heads += [f"{inst.id}:{i.id}" for i in inst.items]
    item_index = _unique(item_heads)
    item_col = {
        (vid, i.id): item_index[f"{inst.id}:{i.id}".lower()]
        for vid, inst in data.instruments.items()
        if inst.unit == "segment"
        for i in inst.items
    }
    n_codes, n_items = len(code_col), len(item_index)
    first_spelling = {h.lower(): h for h in reversed(code_heads + item_heads)}
    cols = (
        Column("recording_id", "int", 12),
        Column("coder", "key", 16),
        Column("purpose", "key", 11),
        Column("assignment_id", "int", 13),
        Column("analysis", "bool", 9),
        Column("segment", "int", 9),
        Column("start_s", "seconds", 9),
        Column("end_s", "seconds", 9),
        Column("start", "time", 12),
        *(Column(first_spelling[h], "int", max(6.0, len(h) + 2)) for h in code_col),
        *(Column(first_spelling[h], "float", max(8.0, len(h) + 2)) for h in item_index),
    )

    def rows() -> Iterator[Row]:
        seg_ratings: dict[tuple[int, int], list[float | None]] = {}
        for r in data.ratings():
            k = item_col.get((r.instrument_version_id, r.item_id))
            if r.unit_kind == "segment" and k is not None:
                slot = seg_ratings.setdefault((r.assignment_id, r.unit_index), [None] * n_items)
                slot[k] = r.value
        last = data.stream.last_onsets()
        by_scheme: dict[int, list[AssignmentInfo]] = defaultdict(list)
        for a in data.assignments.values():
            if a.scheme_version_id in data.schemes:
                by_scheme[a.scheme_version_id].append(a)
        for vid, assigned in sorted(by_scheme.items()):
            scheme = data.schemes[vid]
            seg_ms = scheme.segments.length_ms if scheme.segments else WHOLE_RECORDING_MS
            counts = data.stream.segment_counts([a.id for a in assigned], seg_ms)
            mine = [(c.id, code_col[f"n_{c.id}".lower()]) for c in scheme.codes]
            for a in sorted(assigned, key=lambda x: (x.recording_id, x.id)):
                rec = data.recordings[a.recording_id]
                head = data.assignment_cols(a.id)
                bounds = _segment_bounds(scheme, rec.duration_ms, last.get(a.id))
                for index, (start, end) in enumerate(bounds):
                    n: list[int | None] = [None] * n_codes
                    for code, k in mine:
                        n[k] = (n[k] or 0) + counts.get((a.id, index, code), 0)
                    rated = seg_ratings.get((a.id, index), [None] * n_items)
                    yield (*head, index + 1, start / 1000, end / 1000, start, *n, *rated)

    return Sheet("Segments", cols, rows())


# -------------------------------------------------------------------------------- Ratings


def ratings(data: StudyData) -> Sheet:
    cols = (
        Column("rating_id", "int", 10),
        Column("recording_id", "int", 12),
        Column("coder", "key", 16),
        Column("purpose", "key", 11),
        Column("assignment_id", "int", 13),
        Column("analysis", "bool", 9),
        Column("instrument", "key", 18),
        Column("instrument_version", "key", 10),
        Column("version_id", "int", 10),
        Column("unit", "key", 9),
        Column("segment", "int", 9),
        Column("item_id", "key", 8),
        Column("item_label", "text", 24),
        Column("subscales", "key", 16),
        Column("reverse", "bool", 8),
        Column("value", "float", 8),
        Column("keyed_value", "float", 11),
        Column("missing_reason", "text", 16),
    )

    def rows() -> Iterator[Row]:
        items = {
            (vid, i.id): (inst, i) for vid, inst in data.instruments.items() for i in inst.items
        }
        for r in data.ratings():
            inst, item = items.get((r.instrument_version_id, r.item_id), (None, None))
            keyed = r.value
            if inst is not None and item is not None and item.reverse and r.value is not None:
                keyed = float(inst.scale_of(item).reverse(round(r.value)))
            yield (
                r.id,
                *data.assignment_cols(r.assignment_id),
                inst.id if inst else None,
                inst.version if inst else None,
                r.instrument_version_id,
                r.unit_kind,
                r.unit_index + 1 if r.unit_kind == "segment" else None,
                r.item_id,
                item.label if item else None,
                ", ".join(item.subscales) if item else None,
                item.reverse if item else None,
                r.value,
                keyed,
                r.missing_reason,
            )

    return Sheet("Ratings", cols, rows())


# --------------------------------------------------------------------------------- Scores


def _forms(
    rows: Sequence[RatingRow],
) -> dict[tuple[int, int], dict[tuple[str, int], dict[str, int | None]]]:
    forms: dict[tuple[int, int], dict[tuple[str, int], dict[str, int | None]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    for r in rows:
        forms[(r.assignment_id, r.instrument_version_id)][(r.unit_kind, r.unit_index)][
            r.item_id
        ] = None if r.value is None else round(r.value)
    return forms


def score_columns(data: StudyData) -> list[str]:
    names: list[str] = []
    for inst in data.instruments.values():
        ids = (
            [r.id for r in inst.rollup]
            if inst.unit == "segment"
            else [d.id for d in inst.score_definitions()]
        )
        # Excel table headers are unique regardless of case
        names += [n for n in ids if n.lower() not in {x.lower() for x in names}]
    return names


def scores(data: StudyData) -> Sheet:
    names = score_columns(data)
    col = {n.lower(): k for k, n in enumerate(names)}
    fixed = (
        Column("recording_id", "int", 12),
        Column("session_number", "int", 15),
        Column("phase", "int", 8),
        Column("coder", "key", 16),
        Column("purpose", "key", 11),
        Column("assignment_id", "int", 13),
        Column("analysis", "bool", 9),
        Column("instrument", "key", 18),
        Column("instrument_version", "key", 10),
        Column("version_id", "int", 10),
        Column("unit", "key", 16),
    )
    taken = {c.name.lower() for c in fixed} | {"notes"}
    headers = [f"score_{n}" if n.lower() in taken else n for n in names]
    cols = (
        *fixed,
        *(Column(h, "float", max(9.0, len(h) + 2)) for h in headers),
        Column("notes", "text", 40),
    )

    def rows() -> Iterator[Row]:
        for (aid, vid), units in sorted(_forms(data.ratings()).items()):
            inst = data.instruments.get(vid)
            if inst is None or aid not in data.assignments:
                continue
            rec, coder, purpose, _, analysis = data.assignment_cols(aid)
            session = data.recordings[rec].session_number
            values: list[float | None] = [None] * len(names)
            notes: list[str] = []
            try:
                if inst.unit == "segment":
                    segs = [units[k] for k in sorted(units) if k[0] == "segment"]
                    for rolled in roll_up(inst, segs):
                        values[col[rolled.id.lower()]] = rolled.value
                        if rolled.reason:
                            notes.append(f"{rolled.id}: {rolled.reason}")
                    unit = "segments (roll-up)"
                else:
                    for sc in score_responses(inst, units.get(("session", 0), {})).scores:
                        values[col[sc.id.lower()]] = sc.value
                        if sc.reason:
                            notes.append(f"{sc.id}: {sc.reason}")
                    unit = "session"
            except InputError as exc:
                notes.append(str(exc))
                unit = inst.unit
            yield (
                rec,
                session,
                phase(session),
                coder,
                purpose,
                aid,
                analysis,
                inst.id,
                inst.version,
                vid,
                unit,
                *values,
                "; ".join(notes) or None,
            )

    return Sheet("Scores", cols, rows())


# ---------------------------------------------------------------------------- Reliability

RELIABILITY_COLUMNS = (
    Column("section", "key", 10),
    Column("definition_kind", "key", 12),
    Column("definition_id", "key", 18),
    Column("definition_version", "key", 10),
    Column("target_kind", "key", 11),
    Column("target_id", "key", 12),
    Column("target_label", "text", 26),
    Column("statistic", "key", 26),
    Column("value", "float", 9),
    Column("ci_low", "float", 9),
    Column("ci_high", "float", 9),
    Column("se", "float", 8),
    Column("p", "float", 8),
    Column("n_units", "int", 8),
    Column("n_raters", "int", 8),
    Column("n_dropped", "int", 9),
    Column("interpretation", "key", 18),
    Column("flagged", "bool", 8),
    Column("coder", "key", 12),
    Column("recording_id", "int", 12),
    Column("completed_at", "datetime", 19),
    Column("note", "text", 40),
)
_VALUE = 8
_TARGET_LABEL = 6


def reliability_reports(
    data: StudyData,
    progress: Callable[[float], None] | None = None,
    cancel: CancelFlag | None = None,
) -> list[ReliabilityReport]:
    """Every scheme's and instrument's reliability with the export's settings;
    ``progress(fraction)`` reports the share done (0..1)."""
    o = data.options
    svc = data.study.reliability
    reports = []
    versions = svc.versions_with_data()
    for k, vid in enumerate(versions):

        def step(done: int, total: int, k: int = k) -> None:
            if progress is not None:
                progress((k + done / max(total, 1)) / len(versions))

        request = ReliabilityRequest(
            vid,
            tolerance_ms=o.tolerance_ms,
            icc_form=o.icc_form,
            alpha_level=o.alpha_level,
            bootstrap=o.bootstrap,
            icc_threshold=o.icc_threshold,
            kappa_threshold=o.kappa_threshold,
            completed_only=o.completed_only,
        )
        reports.append(svc.compute(request, progress=step, cancel=cancel))
    return reports


def _stat(r: Any) -> tuple[Any, ...]:
    """value, ci_low, ci_high, se, p, n_units, n_raters, n_dropped, interpretation"""
    ci = r.ci95 or (None, None)
    return (r.value, ci[0], ci[1], r.se, r.p, r.n_units, r.n_raters, r.n_dropped, r.label)


def reliability(data: StudyData, reports: Sequence[ReliabilityReport]) -> Sheet:
    charts: list[ChartSpec] = []
    out: list[Row] = []
    for rep in reports:
        head = (rep.kind, rep.definition_id, rep.definition_version)
        coders = ", ".join(data.coder(c.name) for c in rep.coders)
        design = f"raters as {rep.layout}; coders {coders or 'none'}"
        out.append(
            (
                "design",
                *head,
                None,
                None,
                rep.name,
                "recordings",
                float(len(rep.recording_ids)),
                *([None] * 4),
                None,
                len(rep.coders),
                None,
                None,
                None,
                None,
                None,
                None,
                "; ".join([design, *rep.notes]),
            )
        )
        if rep.scores:
            first = len(out)
            for s in rep.scores:
                out.append(
                    (
                        "score",
                        *head,
                        s.kind,
                        s.id,
                        s.label,
                        s.icc.name,
                        *_stat(s.icc),
                        s.flagged,
                        None,
                        None,
                        None,
                        s.icc.undefined_reason,
                    )
                )
            charts.append(_chart(rep, first, out, len(charts)))
            for s in rep.scores:
                others = [r for r in s.iccs if r.name != s.icc.name] + [s.alpha]
                others += [s.kappa] if s.kappa is not None else []
                for r in others:
                    out.append(
                        (
                            "score",
                            *head,
                            s.kind,
                            s.id,
                            s.label,
                            r.name,
                            *_stat(r),
                            None,
                            None,
                            None,
                            None,
                            r.undefined_reason,
                        )
                    )
        if rep.events is not None:
            for r in rep.events.statistics:
                out.append(
                    (
                        "events",
                        *head,
                        "all codes",
                        None,
                        None,
                        r.name,
                        *_stat(r),
                        None,
                        None,
                        None,
                        None,
                        r.undefined_reason,
                    )
                )
            labels = rep.events.confusion.labels
            for i, row in enumerate(rep.events.confusion.counts):
                for j, n in enumerate(row):
                    out.append(
                        (
                            "confusion",
                            *head,
                            "code A",
                            labels[i],
                            None,
                            f"B: {labels[j]}",
                            float(n),
                            *([None] * 8),
                            None,
                            None,
                            None,
                            None,
                            "rows: coder A; columns: coder B",
                        )
                    )
        for c in rep.codes:
            spec = (c.specific_agreement, *([None] * 4), c.events_a + c.events_b, 2, 0, None)
            out.append(
                (
                    "code",
                    *head,
                    "code",
                    c.code,
                    c.label,
                    "specific agreement",
                    *spec,
                    c.flagged,
                    None,
                    None,
                    None,
                    f"matched {c.matched}, mismatched {c.mismatched_a}/{c.mismatched_b}, "
                    f"unmatched {c.unmatched_a}/{c.unmatched_b} (A/B)",
                )
            )
            for r in (c.presence_kappa, c.presence_ac1, c.count_icc):
                kind = "segment count" if r is c.count_icc else "segment presence"
                out.append(
                    (
                        "code",
                        *head,
                        "code",
                        c.code,
                        c.label,
                        f"{kind}: {r.name}",
                        *_stat(r),
                        None,
                        None,
                        None,
                        None,
                        r.undefined_reason,
                    )
                )
        for p in rep.drift:
            master = rep.master_coder.name if rep.master_coder else ""
            out.append(
                (
                    "drift",
                    *head,
                    "coder",
                    None,
                    None,
                    p.statistic,
                    p.value,
                    *([None] * 4),
                    p.n,
                    2,
                    0,
                    None,
                    None,
                    data.coder(p.coder_name),
                    p.recording_id,
                    p.completed_at,
                    f"against master coder {data.coder(master)}",
                )
            )
    return Sheet("Reliability", RELIABILITY_COLUMNS, iter(out), lambda: charts)


def _chart(rep: ReliabilityReport, first: int, out: list[Row], k: int) -> ChartSpec:
    rows = out[first:]
    return ChartSpec(
        title=f"{rep.definition_id} {rep.definition_version}: {rep.request.icc_form} with 95% CI",
        y_title=rep.request.icc_form,
        first=first,
        last=len(out) - 1,
        category_col=_TARGET_LABEL,
        value_col=_VALUE,
        values=tuple(r[_VALUE] for r in rows),
        low=tuple(r[_VALUE + 1] for r in rows),
        high=tuple(r[_VALUE + 2] for r in rows),
        anchor_col=len(RELIABILITY_COLUMNS) + 1,
        anchor_row=1 + 20 * k,
        y_min=None,
    )


# ------------------------------------------------------------------------------ Consensus


def consensus(data: StudyData) -> Sheet:
    cols = (
        Column("recording_id", "int", 12),
        Column("consensus_assignment_id", "int", 13),
        Column("manager", "key", 16),
        Column("status", "key", 11),
        Column("coder_a", "key", 14),
        Column("coder_b", "key", 14),
        Column("record", "key", 8),
        Column("key", "key", 14),
        Column("alignment", "key", 12),
        Column("decision", "key", 10),
        Column("decided_at", "datetime", 19),
        Column("result_id", "int", 10),
        Column("code", "key", 9),
        Column("onset_s", "seconds", 9),
        Column("onset", "time", 12),
        Column("instrument_version_id", "int", 12),
        Column("item_id", "key", 8),
        Column("unit", "key", 8),
        Column("segment", "int", 8),
        Column("value", "float", 8),
        Column("value_a", "float", 8),
        Column("value_b", "float", 8),
        Column("source_ids", "key", 16),
    )
    cons = {aid: a for aid, a in data.assignments.items() if a.purpose == "consensus"}

    def rows() -> Iterator[Row]:
        if not cons:
            return
        live: dict[int, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
        for e in data.stream.events(only=sorted(cons)):
            if e.assignment_id in cons:
                live[e.assignment_id][str(e.source.get("key"))].append(e)
        for aid, a in sorted(cons.items()):
            ref = a.reference
            names = [data.coder(n) for n in ref.get("coders", [])] + [None, None]
            head = (a.recording_id, aid, data.coder(a.coder_name), a.status, names[0], names[1])
            for key, decision in sorted(ref.get("decisions", {}).items()):
                at = _when(decision.get("at"))
                evs = live[aid].get(key, [])
                if not evs:
                    yield (*head, "event", key, None, decision.get("decision"), at, *([None] * 12))
                for e in evs:
                    ids = ", ".join(str(i) for i in e.source.get("events", []))
                    yield (
                        *head,
                        "event",
                        key,
                        e.source.get("kind"),
                        decision.get("decision"),
                        at,
                        e.id,
                        e.code,
                        e.onset_ms / 1000,
                        e.onset_ms,
                        *([None] * 7),
                        ids,
                    )
            for r in data.ratings():
                if r.assignment_id != aid:
                    continue
                src = r.source
                values = src.get("values", {})
                ids = ", ".join(str(i) for i in src.get("ratings", []))
                seg = r.unit_index + 1 if r.unit_kind == "segment" else None
                yield (
                    *head,
                    "rating",
                    r.item_id,
                    None,
                    src.get("decision"),
                    None,
                    r.id,
                    None,
                    None,
                    None,
                    r.instrument_version_id,
                    r.item_id,
                    r.unit_kind,
                    seg,
                    r.value,
                    values.get("A"),
                    values.get("B"),
                    ids,
                )

    return Sheet("Consensus", cols, rows())


def _when(text: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(text)) if text else None
    except ValueError:
        return None


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
)

__all__ = [
    "SHEET_ORDER",
    "ExportOptions",
    "Sheet",
    "StudyData",
    "phase",
]
