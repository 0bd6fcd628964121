"""Transport semantics shared by :class:`VlcPlayer` and :class:`FakePlayer` (pure functions).

Both players call these, so seeking, jumping, frame stepping, rates and loops behave identically
in UI tests (fake clock) and in real playback:

- Positions are clamped to ``[0, last_position(info)]``: the start of the last frame, so a seek
  past the end shows the last frame instead of ending playback.
- Frame ``k`` is shown for ``[k * frame_ms, (k + 1) * frame_ms)``; stepping lands on
  ``frame_time(k)``, the first whole millisecond inside frame ``k``.
- A loop ``(a, b)`` sends playback back to ``a`` whenever it crosses ``b`` while playing;
  ``b = None`` loops at the end of the recording.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from observer_app.media.types import MediaError, MediaInfo

MIN_RATE, MAX_RATE = 0.25, 4.0


@dataclass(frozen=True, slots=True)
class Loop:
    """A segment to re-watch: ``start_ms`` to ``end_ms`` (None: to the end of the recording)."""

    start_ms: int
    end_ms: int | None


def frame_index(ms: float, info: MediaInfo) -> int:
    """Index of the frame shown at ``ms`` (a small epsilon absorbs float rounding)."""
    return max(0, math.floor(ms / info.frame_ms + 1e-6))


def frame_time(k: int, info: MediaInfo) -> int:
    """The first whole millisecond inside frame ``k``."""
    return math.ceil(k * info.frame_ms - 1e-6)


def last_position(info: MediaInfo) -> int:
    """Start of the last frame (for audio, of the last :data:`AUDIO_STEP_MS` step)."""
    last_frame = max(0, math.floor((info.duration_ms - 1) / info.frame_ms))
    return frame_time(last_frame, info)


def clamp(ms: float, info: MediaInfo) -> int:
    return int(min(max(0, round(ms)), last_position(info)))


def jump_target(position_ms: int, delta_ms: int, info: MediaInfo) -> int:
    return clamp(position_ms + delta_ms, info)


def step_target(position_ms: int, frames: int, info: MediaInfo) -> int:
    """Where ``step_frame(frames)`` lands: ``frames`` frames after (before, if negative) the
    frame shown at ``position_ms``, clamped to the recording."""
    return clamp(frame_time(frame_index(position_ms, info) + frames, info), info)


def clamp_rate(rate: float) -> float:
    if not math.isfinite(rate) or rate <= 0:
        raise MediaError(f"playback rate must be a positive number, not {rate!r}")
    return min(max(rate, MIN_RATE), MAX_RATE)


def make_loop(start_ms: int, end_ms: int | None, info: MediaInfo) -> Loop:
    start = clamp(start_ms, info)
    if end_ms is not None:
        end = clamp(end_ms, info)
        if end <= start:
            raise MediaError(f"loop end ({end_ms} ms) must be after its start ({start_ms} ms)")
        return Loop(start, end)
    return Loop(start, None)


def loop_for(start_ms: int, end_ms: int | None, info: MediaInfo | None) -> Loop:
    """``set_loop`` of both players: the loop for the recording ``info`` (see :func:`make_loop`);
    :class:`MediaError` if no recording is loaded."""
    if info is None:
        raise MediaError("no recording is loaded")
    return make_loop(start_ms, end_ms, info)


def loop_jump(previous_ms: int, now_ms: int, loop: Loop | None) -> int | None:
    """Where to go when playback moved from ``previous_ms`` to ``now_ms``: the loop start if it
    crossed the loop end, else None."""
    if loop is None or loop.end_ms is None:
        return None
    if previous_ms < loop.end_ms <= now_ms:
        return loop.start_ms
    return None
