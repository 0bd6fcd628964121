"""Which codings an analysis uses, and their events as the pure sequence layer sees them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from observer_app.coding.definitions import Scheme
from observer_app.coding.phases import PhasePlan
from observer_app.coding.sequences import SeqEvent
from observer_app.services.records import AssignmentInfo, EventRecord, RecordingInfo
from observer_app.services.sequences.model import CodedSession, SequenceSettings

#: Purposes whose complete work counts as "each complete coder" (calibration is practice).
CODER_PURPOSES = ("primary", "reliability")


def chosen_assignments(assignments: list[AssignmentInfo]) -> list[tuple[AssignmentInfo, str]]:
    """Per recording: its completed consensus, else every complete primary/reliability coding."""
    by_recording: dict[int, list[AssignmentInfo]] = defaultdict(list)
    for a in assignments:
        if a.status == "complete" and a.scheme_version_id is not None:
            by_recording[a.recording_id].append(a)
    out: list[tuple[AssignmentInfo, str]] = []
    for rid in sorted(by_recording):
        done = by_recording[rid]
        consensus = [a for a in done if a.purpose == "consensus"]
        if consensus:
            out.append((consensus[-1], "consensus"))
        else:
            out += [(a, "coder") for a in done if a.purpose in CODER_PURPOSES]
    return out


def _matches(word: str, category_id: str, label: str) -> bool:
    return word in category_id.lower() or word in label.lower()


def chosen_categories(
    settings: SequenceSettings, categories: list[tuple[str, str]]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(rupture, resolution) category ids in effect among ``categories`` (``(id, label)``):
    the settings' own, else those whose id or label says "rupture" / "resolution"."""
    rupture = settings.rupture_categories or tuple(
        c for c, label in categories if _matches("rupture", c, label)
    )
    resolution = settings.resolution_categories or tuple(
        c for c, label in categories if _matches("resolution", c, label)
    )
    return rupture, resolution


def roles(scheme: Scheme, settings: SequenceSettings) -> tuple[dict[str, str], frozenset[str]]:
    """(rupture code -> category, resolution codes) from the scheme's categories.

    The study's settings may name the categories; otherwise a category whose id or label says
    "rupture" holds rupture markers and one that says "resolution" holds strategies.
    """
    rupture_cats, resolution_cats = chosen_categories(
        settings, [(c.id, c.label) for c in scheme.categories]
    )
    rupture, resolution = set(rupture_cats), set(resolution_cats)
    ruptures = {code.id: code.category for code in scheme.codes if code.category in rupture}
    resolutions = frozenset(code.id for code in scheme.codes if code.category in resolution)
    return ruptures, resolutions


def subject_of(event: EventRecord) -> str | None:
    """The event's subject where the coding records one (an event field, else a modifier)."""
    value = getattr(event, "subject", None) or event.modifiers.get("subject")
    return None if value in (None, "") else str(value)


def coded_session(
    assignment: AssignmentInfo,
    source: str,
    *,
    recording: RecordingInfo,
    scheme: Scheme,
    events: list[EventRecord],
    plan: PhasePlan,
    settings: SequenceSettings,
    coder: Callable[[str], str],
) -> CodedSession:
    ruptures, resolutions = roles(scheme, settings)
    last = max((e.offset_ms or e.onset_ms for e in events), default=0)
    duration = max(recording.duration_ms or 0, last)
    return CodedSession(
        recording=recording,
        assignment_id=assignment.id,
        coder=coder(assignment.coder_name),
        source=source,
        phase=plan.phase_of(recording.session_number, recording.dyad_id),
        duration_ms=duration,
        segment_ms=scheme.segments.length_ms if scheme.segments else None,
        segment_instrument=scheme.segments.instrument if scheme.segments else None,
        events=tuple(SeqEvent(e.code, e.onset_ms, subject_of(e)) for e in events),
        categories={c.id: c.category for c in scheme.codes},
        ruptures=ruptures,
        resolutions=resolutions,
    )
