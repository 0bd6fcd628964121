"""Which treatment phase a session belongs to: the one place that decides it.

Today's rule is fixed (sessions 1-5 are phase 1, later sessions phase 2, no session number no
phase); when phases become study data, this function is what changes, and every export column
and sheet that shows a phase follows.
"""

from __future__ import annotations

from observer_app.services.records import RecordingInfo

PHASE_ONE_LAST_SESSION = 5

#: How :func:`phase_of` decides, in words (the export's About sheet shows it).
PHASE_RULE = "sessions 1-5 = phase 1; sessions 6 and later = phase 2"


def phase_of(recording: RecordingInfo) -> int | None:
    """The recording's phase: 1 for sessions 1-5, 2 after, ``None`` without a session number."""
    n = recording.session_number
    if n is None:
        return None
    return 1 if n <= PHASE_ONE_LAST_SESSION else 2
