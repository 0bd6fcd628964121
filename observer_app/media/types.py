"""Value types of the media layer: what a recording is, what a player is doing, what went wrong."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from observer_app.coding.errors import InputError

#: Step used by ``step_frame`` for audio-only recordings (they have no frames): 40 ms, one frame
#: at 25 fps, the commonest frame rate of session recordings.
AUDIO_STEP_MS = 40.0


class MediaError(InputError):
    """A recording cannot be opened or decoded, or libvlc is missing; the message says which file
    and what the problem is (and, for libvlc, what to install)."""


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """What :func:`observer_app.media.probe` learns about a recording without playing it.

    ``fps`` is 0.0 for audio-only recordings (and ``width``/``height`` are 0).
    """

    path: str
    duration_ms: int
    fps: float
    width: int
    height: int
    has_video: bool
    has_audio: bool

    @property
    def frame_ms(self) -> float:
        """Duration of one frame in ms (:data:`AUDIO_STEP_MS` when there is no video)."""
        return 1000.0 / self.fps if self.has_video and self.fps > 0 else AUDIO_STEP_MS


class PlaybackState(enum.Enum):
    """What a player is doing; ``ERROR`` means the last load failed (see ``errorOccurred``)."""

    EMPTY = "empty"
    PAUSED = "paused"
    PLAYING = "playing"
    ENDED = "ended"
    ERROR = "error"
