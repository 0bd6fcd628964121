"""Preparing a recording for exact playback: its working copy, made once off the GUI thread.

An audio-only recording libvlc cannot seek or time exactly (see
:mod:`observer_app.media.working_copy`) is played from a PCM WAV working copy. Opening it the
first time shows a progress dialog with Cancel while libvlc decodes it; meanwhile the original
plays with its clock verified against libvlc after every seek. Cancelled, the original stays in
use (and a banner says that positions after seeks may be off); the next open asks again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from observer_app.media.video_copy import find_video_copy, make_video_copy
from observer_app.media.waveform import Cancelled
from observer_app.media.working_copy import find_working_copy, make_working_copy
from observer_app.ui.workers import Cancelled as TaskCancelled
from observer_app.ui.workers import Progress, start_task


def existing_copy(original: Path, cache_dir: Path) -> Path | None:
    """The path of a valid working copy of ``original``, if one was made before."""
    copy = find_working_copy(original, cache_dir)
    return copy.path if copy is not None else None


def existing_video_copy(original: Path, cache_dir: Path) -> Path | None:
    """The path of a valid video working copy of ``original``, if one was made before."""
    return find_video_copy(original, cache_dir)


class WorkingCopyTask(QObject):
    """Makes the working copy of ``original`` in ``cache_dir`` with a progress dialog.

    ``finished(object)``: the :class:`~observer_app.media.working_copy.WorkingCopy` (``video``:
    the path of the video working copy); ``failed(str)``: why not (not emitted on Cancel,
    which emits ``cancelled``).
    """

    progress = Signal(int)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(
        self, original: Path, cache_dir: Path, parent: QWidget, *, video: bool = False
    ) -> None:
        super().__init__(parent)
        self.original, self.cache_dir, self.video = original, cache_dir, video
        self._cancel = threading.Event()
        text = (
            f"Making a fast-seek video copy of {original.name} (once)…"
            if video
            else f"Making an exact working copy of {original.name} (once)…"
        )
        self.dialog = QProgressDialog(text, "Cancel", 0, 100, parent)
        self.dialog.setWindowTitle("Preparing the recording")
        self.dialog.setWindowModality(Qt.WindowModality.NonModal)
        self.dialog.setMinimumDuration(300)
        self.dialog.canceled.connect(self.cancel)
        self.progress.connect(self.dialog.setValue)

    def start(self) -> None:
        report: Callable[[float], None] = lambda f: self.progress.emit(int(f * 100))  # noqa: E731

        make = make_video_copy if self.video else make_working_copy

        def work(_progress: Progress) -> object:
            try:
                return make(self.original, self.cache_dir, progress=report, cancel=self._cancel)
            except Cancelled:  # the decoder's: the task reports it as cancelled, not failed
                raise TaskCancelled from None

        start_task(work, self._done, self._error, self, on_cancelled=self._cancelled)

    def cancel(self) -> None:
        self._cancel.set()

    def _done(self, copy: object) -> None:
        self.dialog.reset()
        self.finished.emit(copy)

    def _error(self, message: str) -> None:
        self.dialog.reset()
        self.failed.emit(message)

    def _cancelled(self) -> None:
        self.dialog.reset()
        self.cancelled.emit()
