"""The coding window's sound controller: the recording's waveform and spectrogram for the band
under the timeline's lanes, computed once per recording off the GUI thread.

On every loaded recording (``media_loaded``) it asks :func:`media.audio_views.compute_audio_views`
for the views, through the one background mechanism (``ui/workers.py``): read back from the
study's media cache when they were computed before, else decoded by libvlc and cached there.
Opening another assignment or closing the window cancels a computation under way; a result
for a recording no longer open is dropped. ``set_audio_view`` switches the band between the
waveform and the spectrogram (the View menu's action).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from observer_app.media.audio_views import AudioViews, compute_audio_views
from observer_app.media.waveform import Cancelled as DecodeCancelled
from observer_app.media.working_copy import cache_dir_for
from observer_app.services.study import Study
from observer_app.ui.session import CodingSession
from observer_app.ui.workers import Cancelled, Progress, start_task

AUDIO_VIEWS = ("waveform", "spectrogram")


class AudioController(QObject):
    """``viewsReady(views)`` (an ``AudioViews``, or None while there are none: no recording,
    no audio, still computing); ``viewChanged(name)`` (``"waveform"`` or ``"spectrogram"``);
    ``unavailable(reason)`` when there will be none; ``message(text, ms)`` for the status bar."""

    viewsReady = Signal(object)
    unavailable = Signal(str)
    viewChanged = Signal(str)
    message = Signal(str, int)

    def __init__(
        self, study: Study, decodes: Callable[[], bool], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.study = study
        self._decodes = decodes  # whether the player plays real media (not the FakePlayer)
        self.session: CodingSession | None = None
        self.views: AudioViews | None = None
        self.audio_view = "waveform"
        self._source: Path | None = None
        self._job: Progress | None = None
        self._shown_percent = -1

    def attach(self, session: CodingSession | None) -> None:
        self.session = session
        if session is None:
            self._forget()

    def media_loaded(self, *_args: Any) -> None:
        """After a recording is loaded (opened, relinked): its views, unless already shown."""
        session = self.session
        if session is None:
            return
        source = session.media_path
        if source == self._source and self._job is not None:
            return
        if source == self._source and self.views is not None:
            self.viewsReady.emit(self.views)  # a new picture after a relink gets them too
            return
        self._forget()
        self._source = source
        if not source.is_file():
            self.unavailable.emit("No waveform: the recording file is missing")
            return
        if not self._decodes():
            self.unavailable.emit("No waveform: no media engine plays this recording")
            return
        cache = cache_dir_for(self.study.study_file)
        self._shown_percent = -1

        def work(progress: Progress) -> AudioViews:
            report = lambda f: progress(int(f * 100), 100, "")  # noqa: E731
            try:
                return compute_audio_views(source, cache, progress=report, cancel=progress)
            except DecodeCancelled:
                raise Cancelled from None

        job: list[Progress] = []
        self._job = start_task(
            work,
            lambda views: self._done(job[0], views),
            lambda text: self._failed(job[0], text),
            self,
            on_progress=lambda done, _total, _text: self._progress(job[0], done),
            on_cancelled=lambda: None,
        )
        job.append(self._job)

    def _current(self, job: Progress) -> bool:
        return job is self._job and not job.cancelled

    def _done(self, job: Progress, views: AudioViews) -> None:
        if not self._current(job):
            return
        self._job = None
        self.views = views
        self.viewsReady.emit(views)
        if self._shown_percent >= 0:
            self.message.emit("Waveform and spectrogram ready", 3000)

    def _failed(self, job: Progress, text: str) -> None:
        if not self._current(job):
            return
        self._job = None
        self.unavailable.emit(f"No waveform: {text}")
        self.message.emit(f"No waveform: {text}", 8000)

    def _progress(self, job: Progress, percent: int) -> None:
        if self._current(job) and percent // 10 != self._shown_percent // 10:
            self._shown_percent = percent
            self.message.emit(f"Computing the waveform and spectrogram… {percent} %", 0)

    def _forget(self) -> None:
        if self._job is not None:
            self._job.cancelled = True
            self._job = None
        self._source = None
        if self.views is not None:
            self.views = None
        self.viewsReady.emit(None)

    def stop(self) -> None:
        """Cancel a computation under way (the window closes)."""
        if self._job is not None:
            self._job.cancelled = True
            self._job = None

    def busy(self) -> bool:
        return self._job is not None

    def set_audio_view(self, view: str) -> None:
        """Show ``view`` (``"waveform"`` or ``"spectrogram"``) under the lanes."""
        if view not in AUDIO_VIEWS:
            raise ValueError(f"unknown audio view {view!r}")
        self.audio_view = view
        self.viewChanged.emit(view)

    def show_spectrogram(self, on: bool) -> None:
        self.set_audio_view("spectrogram" if on else "waveform")
