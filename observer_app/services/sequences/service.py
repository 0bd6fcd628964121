"""Rupture -> resolution sequences, lag statistics and the time-window test of a study.

Managers only (study-wide reads, like the export). Data: per recording its completed
consensus, else each complete primary or reliability coding (``gather.chosen_assignments``).
Summaries pool codings: a recording coded by two coders contributes both codings' ruptures and
both codings' time (so ruptures per hour is the coders' mean rate), and every summary row says
how many codings it pools. A coding's time is its recording's duration (or, when the duration
is unknown, its last event's time, which undercounts: the rates are then upper bounds).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from observer_app.coding.definitions import Scheme
from observer_app.coding.sequences import (
    RepairRules,
    TimedSession,
    find_repairs,
    lag1_table,
    permutation_test,
    summarize_repairs,
    window_table,
)
from observer_app.coding.sequences.sdis import SdisEvent, SdisSession, write_sdis
from observer_app.services.access import require_manager
from observer_app.services.assignments import AssignmentService
from observer_app.services.context import ServiceContext, get_or_raise
from observer_app.services.definitions import DefinitionService
from observer_app.services.phases import PhaseService
from observer_app.services.recordings import RecordingService
from observer_app.services.records import EventRecord
from observer_app.services.sequences.gather import chosen_assignments, coded_session
from observer_app.services.sequences.model import (
    SETTINGS_KEY,
    CodedSession,
    RuptureRow,
    SegmentRow,
    SequenceReport,
    SequenceSettings,
    SummaryRow,
)
from observer_app.services.sequences.segments import segment_rows
from observer_app.services.streams import StreamService
from observer_app.store.models import Study

Progress = Callable[[int, int], None]
LEVELS = ("session", "dyad", "therapist", "phase", "study")
#: Also reported: "category" (rupture kind) and "subject" (where the coding records one).


class SequenceService:
    def __init__(
        self,
        ctx: ServiceContext,
        *,
        recordings: RecordingService,
        assignments: AssignmentService,
        streams: StreamService,
        phases: PhaseService,
        definitions: DefinitionService,
    ) -> None:
        self._ctx = ctx
        self._recordings = recordings
        self._assignments = assignments
        self._streams = streams
        self._phases = phases
        self._definitions = definitions

    # -- settings --------------------------------------------------------------------------
    def settings(self) -> SequenceSettings:
        with self._ctx.read() as s:
            study = get_or_raise(s, Study, self._ctx.study_id, "study")
            return SequenceSettings.from_json((study.settings or {}).get(SETTINGS_KEY))

    def set_settings(self, settings: SequenceSettings) -> SequenceSettings:
        require_manager(self._ctx.actor, "change the sequence settings")
        with self._ctx.tx("set sequence settings") as s:
            study = get_or_raise(s, Study, self._ctx.study_id, "study")
            stored: dict[str, Any] = dict(study.settings or {})
            stored[SETTINGS_KEY] = settings.to_json()
            study.settings = stored
        return settings

    def category_choices(self) -> list[tuple[str, str]]:
        """``(id, label)`` of every code category of the study's schemes, first label kept:
        the choices for ``rupture_categories`` and ``resolution_categories``."""
        require_manager(self._ctx.actor, "change the sequence settings")
        seen: dict[str, str] = {}
        for version in self._definitions.versions("scheme"):
            for category in self._definitions.scheme(version.id).categories:
                seen.setdefault(category.id, category.label)
        return list(seen.items())

    # -- data ------------------------------------------------------------------------------
    def sessions(
        self,
        settings: SequenceSettings | None = None,
        *,
        pseudonyms: dict[str, str] | None = None,
    ) -> list[CodedSession]:
        """The analysed codings of the study, with their events (managers only); ``settings``
        (default: the study's) name the rupture and resolution categories."""
        require_manager(self._ctx.actor, "analyse every coder's events")
        settings, plan = settings or self.settings(), self._phases.plan()
        recordings = {r.id: r for r in self._recordings.all()}
        chosen = chosen_assignments(self._assignments.list_all())
        events: dict[int, list[EventRecord]] = defaultdict(list)
        for e in self._streams.events(only=[a.id for a, _ in chosen]):
            events[e.assignment_id].append(e)
        schemes: dict[int, Scheme] = {}
        out = []
        for a, source in chosen:
            assert a.scheme_version_id is not None
            if a.scheme_version_id not in schemes:
                schemes[a.scheme_version_id] = self._definitions.scheme(a.scheme_version_id)
            out.append(
                coded_session(
                    a,
                    source,
                    recording=recordings[a.recording_id],
                    scheme=schemes[a.scheme_version_id],
                    events=events[a.id],
                    plan=plan,
                    settings=settings,
                    coder=(lambda n: pseudonyms.get(n, n)) if pseudonyms else (lambda n: n),
                )
            )
        return out

    def report(
        self,
        settings: SequenceSettings | None = None,
        *,
        sessions: list[CodedSession] | None = None,
        permutation: bool = True,
        progress: Progress | None = None,
    ) -> SequenceReport:
        """Ruptures, their repair, summaries, lag-1 table and the time-window test."""
        settings = settings or self.settings()
        coded = self.sessions(settings) if sessions is None else sessions
        rows: list[RuptureRow] = []
        notes: list[str] = []
        rules_text = ""
        for k, c in enumerate(coded):
            rules = _rules(settings, c)
            rules_text = rules.describe()
            if not c.ruptures:
                notes.append(f"assignment #{c.assignment_id}: its scheme has no rupture markers")
            found = find_repairs(c.events, c.ruptures, c.resolutions, rules)
            rows += [RuptureRow(c, r) for r in found]
            if progress:
                progress(k + 1, 2 * len(coded) + 1)
        summaries = _summaries(coded, rows)
        lag = lag1_table([_categories(c) for c in coded])
        timed = [_timed(c) for c in coded]
        given = {code for c in coded for code in c.ruptures}
        target = {code for c in coded for code in c.resolutions}
        window_ms = int((settings.window_s if settings.window_s is not None else 60) * 1000)
        if settings.window_s is None:
            notes.append("time-window test: 60 s window (the repair rule is 'same segment')")
        window = window_table(timed, given or {"-"}, target or {"--"}, window_ms)
        perm = None
        if permutation and given and target:
            perm = permutation_test(
                timed,
                given,
                target,
                window_ms,
                shuffles=settings.shuffles,
                seed=settings.seed,
                progress=(lambda d, _t: progress(len(coded) + d, 2 * len(coded) + 1))
                if progress
                else None,
            )
        if progress:
            progress(2 * len(coded) + 1, 2 * len(coded) + 1)
        return SequenceReport(
            settings,
            rules_text or _rules_text(settings),
            coded,
            rows,
            summaries,
            lag,
            window,
            perm,
            notes,
        )

    def segments(self, report: SequenceReport) -> list[SegmentRow]:
        """The segment view of ``report`` (see :mod:`.segments`)."""
        require_manager(self._ctx.actor, "read every coder's ratings")
        wanted = set()
        for c in report.sessions:
            wanted.add(c.segment_instrument)
        versions = {
            v.id for v in self._definitions.versions("instrument") if v.definition_id in wanted
        }
        ids = {c.assignment_id for c in report.sessions}
        ratings = (r for r in self._streams.ratings() if r.assignment_id in ids)
        return segment_rows(report, ratings, versions)

    def sdis(self, sessions: list[CodedSession] | None = None) -> str:
        """The analysed codings as SDIS timed-event text for GSEQ."""
        coded = self.sessions() if sessions is None else sessions
        code_sets: dict[str, list[str]] = defaultdict(list)
        for c in coded:
            for code, category in c.categories.items():
                if code not in code_sets[category]:
                    code_sets[category].append(code)
        return write_sdis((_sdis_session(c) for c in coded), code_sets)


def _categories(c: CodedSession) -> list[str]:
    """The session's events as their scheme categories, in time order (for the lag table)."""
    ordered = sorted(c.events, key=lambda e: e.onset_ms)
    return [c.categories.get(e.code, "other") for e in ordered]


def _rules(settings: SequenceSettings, c: CodedSession) -> RepairRules:
    if settings.window_s is None:
        return RepairRules(
            window_ms=None,
            same_segment=True,
            segment_ms=c.segment_ms,
            before_next_rupture=settings.before_next_rupture,
        )
    return RepairRules(
        window_ms=round(settings.window_s * 1000),
        before_next_rupture=settings.before_next_rupture,
    )


def _rules_text(settings: SequenceSettings) -> str:
    where = (
        "within the same segment"
        if settings.window_s is None
        else f"within {settings.window_s:g} s"
    )
    return where + (", before the next rupture" if settings.before_next_rupture else "")


def _timed(c: CodedSession) -> TimedSession:
    return TimedSession(
        tuple(e.code for e in c.events), tuple(e.onset_ms for e in c.events), c.duration_ms
    )


def _sdis_session(c: CodedSession) -> SdisSession:
    r = c.recording
    label = f"rec{r.id}_{r.dyad_id or 'dyad'}_s{r.session_number or 0}_{c.coder}"
    return SdisSession(label, c.duration_ms, tuple(SdisEvent(e.code, e.onset_ms) for e in c.events))


def _keys(c: CodedSession) -> dict[str, str | None]:
    r = c.recording
    return {
        "session": f"#{r.id} {r.label}",
        "dyad": r.dyad_id,
        "therapist": r.therapist_id,
        "phase": f"{c.phase.number} {c.phase.label}" if c.phase else None,
        "study": "all",
    }


def _summaries(coded: Iterable[CodedSession], rows: list[RuptureRow]) -> list[SummaryRow]:
    """Per session, dyad, therapist, phase and study; then per rupture category and per
    subject (where coded) over all codings' time."""
    coded = list(coded)
    by_coding: dict[int, list[RuptureRow]] = defaultdict(list)
    for row in rows:
        by_coding[row.session.assignment_id].append(row)
    groups: dict[tuple[str, str], list[CodedSession]] = defaultdict(list)
    for c in coded:
        for level, key in _keys(c).items():
            if key is not None:
                groups[(level, key)].append(c)
    out = []
    for level in LEVELS:
        for (lvl, key), members in sorted(groups.items()):
            if lvl != level:
                continue
            repairs = [row.repair for c in members for row in by_coding[c.assignment_id]]
            coded_ms = sum(c.duration_ms for c in members)
            out.append(SummaryRow(level, key, len(members), summarize_repairs(repairs, coded_ms)))
    total_ms = sum(c.duration_ms for c in coded)
    extra: tuple[tuple[str, Callable[[RuptureRow], str | None]], ...] = (
        ("category", lambda r: r.repair.category),
        ("subject", lambda r: r.repair.rupture.subject),
    )
    for level, key_of in extra:
        keyed: dict[str, list[RuptureRow]] = defaultdict(list)
        for row in rows:
            key = key_of(row)
            if key is not None:
                keyed[key].append(row)
        for key, members_rows in sorted(keyed.items()):
            summary = summarize_repairs([r.repair for r in members_rows], total_ms)
            out.append(SummaryRow(level, key, len(coded), summary))
    return out
