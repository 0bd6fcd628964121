"""The player API the UI programs against (implemented by VlcPlayer and FakePlayer)."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

from PySide6.QtGui import QImage

from observer_app.media.transport import Loop
from observer_app.media.types import MediaInfo, PlaybackState


@runtime_checkable
class MediaPlayer(Protocol):
    """A recording player. Implementations are ``QObject`` s with the signals

    - ``positionChanged(int)``: position in ms, at most every ~20 ms while playing and after
      every seek/step/pause;
    - ``stateChanged(object)``: a :class:`PlaybackState`;
    - ``mediaLoaded(object)``: the :class:`MediaInfo` of a newly loaded recording;
    - ``errorOccurred(str)``: one line naming the file and the problem;
    - ``frameReady(QImage)``: a new frame is on screen (video only).

    Times are integer milliseconds from the start of the recording.
    """

    def load(self, path: str | Path) -> MediaInfo:
        """Open a recording, paused on its first frame; emits ``errorOccurred`` and raises
        :class:`MediaError` if it cannot be played."""
        ...

    def info(self) -> MediaInfo | None: ...
    def play(self) -> None: ...
    def pause(self) -> None: ...
    def toggle(self) -> None: ...
    def seek(self, ms: int) -> None:
        """Show the frame at ``ms`` (clamped to the recording), playing or paused as before."""
        ...

    def jump(self, delta_ms: int) -> None: ...
    def step_frame(self, n: int = 1) -> None:
        """Pause and move ``n`` frames (negative: backwards), by exact seek."""
        ...

    def set_rate(self, rate: float) -> None:
        """Playback rate, clamped to 0.25-4 (audio pitch preserved)."""
        ...

    def rate(self) -> float: ...
    def set_volume(self, percent: int) -> None: ...
    def set_muted(self, muted: bool) -> None: ...
    def set_loop(self, start_ms: int, end_ms: int | None) -> None:
        """Re-watch ``start_ms``-``end_ms`` (None: to the end) while playing."""
        ...

    def clear_loop(self) -> None: ...
    def loop(self) -> Loop | None: ...
    def position_ms(self) -> int:
        """Time of the frame on screen."""
        ...

    def current_frame(self) -> QImage | None:
        """The frame on screen (None for audio-only or before loading)."""
        ...

    def state(self) -> PlaybackState: ...
    def seeking(self) -> bool:
        """True while a seek is still finding its frame (the old frame is still shown)."""
        ...

    def close(self) -> None:
        """Release the recording (state EMPTY)."""
        ...
