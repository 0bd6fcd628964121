"""Widgets the UI embeds: the video surface and the waveform with a playhead (audio-only)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QWheelEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from observer_app.media.waveform import Envelope

MAX_ZOOM = 8.0


class VideoSurface(QWidget):
    """Paints the latest frame, scaled to fit with its aspect ratio kept (black bars).

    Connect a player's ``frameReady`` to :meth:`show_frame` (done by :meth:`attach`).
    Ctrl+wheel zooms the picture (1-8x) around the pointer and a drag pans it; a double click
    opens the picture full screen in its own window (a double click or Esc closes it).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._frame: QImage | None = None
        self._message = ""
        self._player: object | None = None
        self._zoom = 1.0
        self._centre = QPointF(0.5, 0.5)  # the frame point (fractions) at the widget's centre
        self._drag_from: QPointF | None = None
        self.full_screen: VideoSurface | None = None
        self._closed_to: VideoSurface | None = None  # set on a full-screen copy: its origin
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def attach(self, player: object) -> None:
        """Show ``player``'s frames (any MediaPlayer with a ``frameReady`` signal). VlcPlayer
        emits them on libvlc's thread: the queued connection hands them to the GUI thread."""
        self._player = player
        signal = player.frameReady  # type: ignore[attr-defined]
        signal.connect(self.show_frame, Qt.ConnectionType.QueuedConnection)

    # -- zoom and full screen ------------------------------------------------------------------
    def zoom(self) -> float:
        return self._zoom

    def set_zoom(self, factor: float, around: QPointF | None = None) -> None:
        """Zoom to ``factor`` (clamped to 1-8), keeping the frame point under ``around``."""
        factor = min(max(factor, 1.0), MAX_ZOOM)
        rect = self.target_rect()
        if around is not None and rect.width() > 0 and rect.height() > 0:
            fx = (around.x() - rect.x()) / rect.width()
            fy = (around.y() - rect.y()) / rect.height()
            # keep (fx, fy) under the pointer: move the centre towards it by the zoom ratio
            ratio = self._zoom / factor
            cx, cy = self._centre.x(), self._centre.y()
            self._centre = QPointF(fx + (cx - fx) * ratio, fy + (cy - fy) * ratio)
        self._zoom = factor
        self._clamp_centre()
        self.update()

    def _clamp_centre(self) -> None:
        half = 0.5 / self._zoom
        x = min(max(self._centre.x(), half), 1 - half)
        y = min(max(self._centre.y(), half), 1 - half)
        self._centre = QPointF(x, y)

    def open_full_screen(self) -> VideoSurface:
        """The picture in a full-screen window of its own, following the same player."""
        if self.full_screen is None:
            big = VideoSurface()
            big.setWindowTitle("observer-app — video")
            big._frame = self._frame
            if self._player is not None:
                big.attach(self._player)
            big._closed_to = self
            big.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            big.destroyed.connect(self._full_screen_closed)
            self.full_screen = big
            screen = self.screen()
            if screen is not None:  # (without a window manager showFullScreen keeps the size)
                big.setGeometry(screen.geometry())
            big.showFullScreen()
        return self.full_screen

    def _full_screen_closed(self) -> None:
        self.full_screen = None

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120
            self.set_zoom(self._zoom * (1.25**steps), event.position())
            event.accept()
        else:
            super().wheelEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._drag_from = event.position() if self._zoom > 1 else None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        rect = self.target_rect()
        if self._drag_from is None or rect.width() <= 0:
            return
        delta = event.position() - self._drag_from
        self._drag_from = event.position()
        self._centre -= QPointF(delta.x() / rect.width(), delta.y() / rect.height())
        self._clamp_centre()
        self.update()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if self._closed_to is not None:
            self.close()  # the full-screen window itself
        else:
            self.open_full_screen()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self._closed_to is not None:
            self.close()
        else:
            super().keyPressEvent(event)

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
        """Where the frame is painted: the largest rectangle with the frame's aspect ratio,
        times the zoom, placed so that the zoom centre is at the widget's centre."""
        if self._frame is None or self._frame.isNull():
            return QRectF()
        size = self._frame.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        w, h = size.width() * self._zoom, size.height() * self._zoom
        x = self.width() / 2 - self._centre.x() * w
        y = self.height() / 2 - self._centre.y() * h
        return QRectF(x, y, w, h)

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
            flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
            painter.drawText(self.rect().adjusted(8, 8, -8, -8), flags, self._message)
        painter.end()


class WaveformWidget(QWidget):
    """The audio waveform (peak envelope) with the playhead; a click asks to seek there.

    ``set_view(start_ms, span_ms)`` shows only that window of the recording (the coding window
    keeps it equal to the timeline's, so the waveform follows the timeline's zoom and scroll);
    ``span_ms=None`` shows the whole recording."""

    seekRequested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._envelope: Envelope | None = None
        self._position = 0
        self._progress: int | None = None
        self._message = ""
        self._view: tuple[int, int] | None = None
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

    def message(self) -> str:
        """The message shown instead of the waveform ("" while it shows one)."""
        return self._message

    def set_position(self, ms: int) -> None:
        self._position = ms
        self.update()

    def set_view(self, start_ms: int, span_ms: int | None) -> None:
        view = None if span_ms is None or span_ms <= 0 else (max(0, start_ms), span_ms)
        if view != self._view:
            self._view = view
            self.update()

    def _window(self) -> tuple[float, float]:
        """``(start_ms, span_ms)`` shown across the widget's width."""
        if self._view is not None:
            return float(self._view[0]), float(self._view[1])
        env = self._envelope
        return 0.0, float(env.duration_ms if env is not None else 0)

    def x_for(self, ms: float) -> float:
        start, span = self._window()
        if self._envelope is None or span <= 0:
            return 0.0
        return (ms - start) / span * self.width()

    def ms_for(self, x: float) -> int:
        env = self._envelope
        start, span = self._window()
        if env is None or self.width() <= 0:
            return 0
        ms = start + min(max(x / self.width(), 0.0), 1.0) * span
        return int(min(ms, env.duration_ms))

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
        start, span = self._window()
        if n == 0 or width <= 0 or span <= 0:
            return
        painter.setPen(QColor(90, 170, 230))
        per_px = span / width / env.bucket_ms  # buckets per pixel
        first = start / env.bucket_ms
        for x in range(width):
            lo = int(first + x * per_px)
            hi = max(lo + 1, int(first + (x + 1) * per_px))
            if lo >= n or hi <= 0:
                continue
            peak = float(env.peaks[max(0, lo) : min(n, hi)].max())
            painter.drawLine(QPointF(x, mid - peak * mid), QPointF(x, mid + peak * mid))
