"""The video/audio panel: the picture (or waveform), transport, time and frame, rate, volume."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QImage, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from observer_app.coding.state_logic import format_ms
from observer_app.ui.workers import Cancelled, Progress, start_task


class FrameView(QWidget):
    """Shows the player's current frame scaled to fit (used when the media widgets are absent)."""

    def __init__(self, player: Any, message: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._player = player
        self._image: QImage | None = None
        self.message = message
        self.setMinimumSize(240, 135)
        signal = getattr(player, "frameReady", None)
        if signal is not None:
            signal.connect(self._frame)

    def _frame(self, image: QImage) -> None:
        self._image = image
        self.update()

    def refresh(self) -> None:
        self._image = self._player.current_frame()
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), Qt.GlobalColor.black)
        image = self._image
        if image is not None and not image.isNull():
            size = image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            x = (self.width() - size.width()) / 2
            y = (self.height() - size.height()) / 2
            p.drawImage(QRectF(x, y, size.width(), size.height()), image)
        else:
            p.setPen(self.palette().color(QPalette.ColorRole.BrightText))
            text = self.message or "No picture (audio-only recording or no media)"
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, text)
        p.end()


def make_surface(player: Any, has_video: bool, path: str, *, waveform: bool = True) -> QWidget:
    """The picture: the media engine's video surface, or for audio-only recordings its
    waveform (computed off the GUI thread, with the playhead; a click seeks; with
    ``waveform=False`` not computed here: its owner hands it one). A recording with further
    sources (a :class:`SyncedPlayer` with followers) shows them all side by side
    (:mod:`observer_app.ui.sources_view`)."""
    from observer_app.media.synced import SyncedPlayer

    main = _main_surface(player, has_video, path, waveform)
    if isinstance(player, SyncedPlayer) and player.followers():
        from observer_app.ui.sources_view import SourcesView

        return SourcesView(player, main)
    return main


def make_coding_surface(player: Any, has_video: bool, path: str) -> QWidget:
    """:func:`make_surface` for the coding window, whose audio controller computes the
    waveform once for the timeline and the audio-only picture alike (one decode)."""
    return make_surface(player, has_video, path, waveform=False)


def _main_surface(player: Any, has_video: bool, path: str, waveform: bool = True) -> QWidget:
    from observer_app.media.widgets import VideoSurface, WaveformWidget

    if has_video:
        surface = VideoSurface()
        surface.attach(player)
        frame = player.current_frame()
        if frame is not None:
            surface.show_frame(frame)
        elif not Path(path).is_file():
            surface.show_message("No picture: the recording file is missing")
        return surface
    wave = WaveformWidget()
    if Path(path).is_file() and not waveform:
        wave.show_message("Computing the waveform…")
    elif Path(path).is_file():
        _start_waveform(wave, path)
    else:
        wave.show_message("No waveform: the recording file is missing")
    return wave


def _start_waveform(widget: QWidget, path: str) -> None:
    """Compute ``path``'s waveform for ``widget`` through :func:`ui.workers.start_task` (the
    one way off the GUI thread); the widget's destruction cancels it and drops the result."""
    from observer_app.media.waveform import Cancelled as DecodeCancelled
    from observer_app.media.waveform import compute_envelope

    def work(progress: Progress) -> object:
        report = lambda f: progress(int(f * 100), 100, "")  # noqa: E731
        try:
            return compute_envelope(path, progress=report, cancel=progress)  # type: ignore[arg-type]
        except DecodeCancelled:
            raise Cancelled from None

    job = start_task(
        work,
        widget.set_envelope,  # type: ignore[attr-defined]
        widget.show_message,  # type: ignore[attr-defined]
        widget,
        on_progress=lambda done, _total, _text: widget.set_progress(done),  # type: ignore[attr-defined]
    )
    widget.destroyed.connect(lambda *_: setattr(job, "cancelled", True))


class PlayerPanel(QWidget):
    """Transport under the picture. The window drives it; it never writes to the study."""

    seekRequested = Signal(int)
    rateRequested = Signal(float)

    def __init__(self, player: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.player = player
        self.fps = 0.0
        self.duration_ms = 0
        self._playing = False
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # a click on the picture: keys are codes
        self.surface: QWidget = FrameView(player)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(2, 2, 2, 2)
        self._layout.addWidget(self.surface, 1)

        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.slider.sliderMoved.connect(self.seekRequested.emit)
        self.slider.sliderPressed.connect(lambda: self.seekRequested.emit(self.slider.value()))
        self._layout.addWidget(self.slider)

        self._layout.addLayout(self._transport_row())

    def _transport_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.buttons: dict[str, QToolButton] = {}
        style = self.style()
        icons = QStyle.StandardPixmap
        for name, icon, tip in (
            ("frame_back", icons.SP_MediaSeekBackward, "Previous frame (Shift+Left)"),
            ("jump_back", icons.SP_MediaSkipBackward, "Jump back (Left)"),
            ("play_pause", icons.SP_MediaPlay, "Play / pause (Space)"),
            ("jump_forward", icons.SP_MediaSkipForward, "Jump forward (Right)"),
            ("frame_forward", icons.SP_MediaSeekForward, "Next frame (Shift+Right)"),
        ):
            b = QToolButton()
            b.setIcon(style.standardIcon(icon))
            b.setToolTip(tip)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.setAutoRaise(True)
            row.addWidget(b)
            self.buttons[name] = b
        self.time_label = QLabel("00:00:00.000")
        self.time_label.setObjectName("timeDisplay")
        font = self.time_label.font()
        font.setFamily("monospace")
        font.setStyleHint(font.StyleHint.Monospace)
        font.setBold(True)
        self.time_label.setFont(font)
        self.time_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(self.time_label, 1)
        self.rate = QDoubleSpinBox()
        self.rate.setRange(0.25, 4.0)
        self.rate.setSingleStep(0.25)
        self.rate.setValue(1.0)
        self.rate.setSuffix("×")
        self.rate.setToolTip("Playback rate ([ slower, ] faster, Backspace 1×)")
        self.rate.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.rate.valueChanged.connect(self.rateRequested.emit)
        row.addWidget(self.rate)
        self.mute = QToolButton()
        self.mute.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaVolume))
        self.mute.setCheckable(True)
        self.mute.setToolTip("Mute")
        self.mute.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.mute.toggled.connect(self._muted)
        row.addWidget(self.mute)
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setRange(0, 100)
        self.volume.setValue(80)
        self.volume.setFixedWidth(70)
        self.volume.setToolTip("Volume")
        self.volume.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.volume.valueChanged.connect(self._volume)
        row.addWidget(self.volume)
        return row

    def set_surface(self, surface: QWidget) -> None:
        self._layout.replaceWidget(self.surface, surface)
        self.surface.deleteLater()
        self.surface = surface

    def set_media(self, duration_ms: int, fps: float) -> None:
        self.duration_ms = duration_ms
        self.fps = fps
        self.slider.setRange(0, max(0, duration_ms))

    def _muted(self, muted: bool) -> None:
        icon = (
            QStyle.StandardPixmap.SP_MediaVolumeMuted
            if muted
            else QStyle.StandardPixmap.SP_MediaVolume
        )
        self.mute.setIcon(self.style().standardIcon(icon))
        self.player.set_muted(muted)

    def _volume(self, value: int) -> None:
        self.player.set_volume(value)

    def show_position(self, ms: int, playing: bool) -> None:
        text = format_ms(ms)
        if self.fps > 0:
            frame = int(ms * self.fps / 1000 + 1e-6)
            text += f" frame {frame}"
        if self.duration_ms:
            text += f" / {format_ms(self.duration_ms)}"
        self.time_label.setText(text)
        if not self.slider.isSliderDown():
            self.slider.blockSignals(True)
            self.slider.setValue(ms)
            self.slider.blockSignals(False)
        if playing != self._playing:
            self._playing = playing
            icon = (
                QStyle.StandardPixmap.SP_MediaPause
                if playing
                else QStyle.StandardPixmap.SP_MediaPlay
            )
            self.buttons["play_pause"].setIcon(self.style().standardIcon(icon))

    def show_rate(self, rate: float) -> None:
        self.rate.blockSignals(True)
        self.rate.setValue(rate)
        self.rate.blockSignals(False)
