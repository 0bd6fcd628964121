"""Widgets the UI embeds: the video surface and the waveform with a playhead (audio-only)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from observer_app.media.waveform import Envelope


class VideoSurface(QWidget):
    """Paints the latest frame, scaled to fit with its aspect ratio kept (black bars).

    Connect a player's ``frameReady`` to :meth:`show_frame` (done by :meth:`attach`).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._frame: QImage | None = None
        self._message = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def attach(self, player: object) -> None:
        """Show ``player``'s frames (any MediaPlayer with a ``frameReady`` signal). VlcPlayer
        emits them on libvlc's thread: the queued connection hands them to the GUI thread."""
        signal = player.frameReady  # type: ignore[attr-defined]
        signal.connect(self.show_frame, Qt.ConnectionType.QueuedConnection)

    def show_frame(self, frame: QImage) -> None:
        self._frame = frame
        self._message = ""
        self.update()

    def show_message(self, text: str) -> None:
        """Replace the picture with a line of text (no recording, audio only, an error)."""
        self._frame = None
        self._message = text
        self.update()

    def frame(self) -> QImage | None:
        return self._frame

    def target_rect(self) -> QRectF:
        """Where the frame is painted: the largest rectangle with the frame's aspect ratio."""
        if self._frame is None or self._frame.isNull():
            return QRectF()
        size = self._frame.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        x = (self.width() - size.width()) / 2
        y = (self.height() - size.height()) / 2
        return QRectF(x, y, size.width(), size.height())

    def sizeHint(self) -> QSize:
        return QSize(640, 360)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.black)
        if self._frame is not None and not self._frame.isNull():
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(self.target_rect(), self._frame)
        elif self._message:
            painter.setPen(QColor(220, 220, 220))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._message)
        painter.end()


class WaveformWidget(QWidget):
    """The audio waveform (peak envelope) with the playhead; a click asks to seek there."""

    seekRequested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._envelope: Envelope | None = None
        self._position = 0
        self._progress: int | None = None
        self._message = ""
        self.setMinimumHeight(60)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_envelope(self, envelope: Envelope) -> None:
        self._envelope = envelope
        self._progress = None
        self._message = ""
        self.update()

    def envelope(self) -> Envelope | None:
        return self._envelope

    def set_progress(self, percent: int) -> None:
        self._progress = percent
        self.update()

    def show_message(self, text: str) -> None:
        self._progress = None
        self._message = text
        self.update()

    def set_position(self, ms: int) -> None:
        self._position = ms
        self.update()

    def x_for(self, ms: float) -> float:
        env = self._envelope
        if env is None or env.duration_ms <= 0:
            return 0.0
        return ms / env.duration_ms * self.width()

    def ms_for(self, x: float) -> int:
        env = self._envelope
        if env is None or self.width() <= 0:
            return 0
        return int(min(max(x / self.width(), 0.0), 1.0) * env.duration_ms)

    def sizeHint(self) -> QSize:
        return QSize(640, 120)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self._envelope is not None and event.button() == Qt.MouseButton.LeftButton:
            self.seekRequested.emit(self.ms_for(event.position().x()))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(24, 24, 28))
        env = self._envelope
        if env is None:
            text = self._message or (
                f"Computing waveform… {self._progress} %" if self._progress is not None else ""
            )
            painter.setPen(QColor(200, 200, 200))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, text)
            painter.end()
            return
        self._paint_peaks(painter, env)
        painter.setPen(QPen(QColor(255, 80, 60), 2))
        x = self.x_for(self._position)
        painter.drawLine(QPointF(x, 0), QPointF(x, self.height()))
        painter.end()

    def _paint_peaks(self, painter: QPainter, env: Envelope) -> None:
        width, mid = self.width(), self.height() / 2
        n = len(env.peaks)
        if n == 0 or width <= 0:
            return
        painter.setPen(QColor(90, 170, 230))
        for x in range(width):
            lo, hi = x * n // width, max(x * n // width + 1, (x + 1) * n // width)
            peak = float(env.peaks[lo:hi].max())
            painter.drawLine(QPointF(x, mid - peak * mid), QPointF(x, mid + peak * mid))
