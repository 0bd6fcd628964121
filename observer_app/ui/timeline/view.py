"""The timeline's state and geometry: the visible time window, pixel mapping, zoom and scroll."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QResizeEvent
from PySide6.QtWidgets import QWidget

from observer_app.coding.definitions.scheme import Scheme
from observer_app.services.records import EventRecord
from observer_app.ui.timeline.lanes import Style, _bar_colour, _Lane

LABEL_W = 150
MIN_LANE_H = 18  # at the default font; grows with the text
HIT_PX = 4
MIN_VIEW_MS = 500
#: Between a lane's category and its subject in a lane key (``"withdrawal·patient"``).
LANE_SEP = "\N{MIDDLE DOT}"


def lane_key(category: str, subject: str | None) -> str:
    """The key of the lane of ``category`` for ``subject``: the category alone when the lanes
    are not split by subject (or the event has none)."""
    return f"{category}{LANE_SEP}{subject}" if subject else category


class TimelineView(QWidget):
    """The canvas's data and view state, and the mapping between milliseconds and pixels."""

    viewChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(80)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # every paint covers its whole rect with the cached layer: the dock under the canvas
        # need not be painted first (a logged mark repaints a few pixels, not the dock)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.duration_ms = 0
        self.view_start = 0
        self.view_ms = 60_000
        self.playhead_ms = 0
        self.segments: tuple[tuple[int, int], ...] = ()
        self._lanes: list[_Lane] = []
        self._lane_of: dict[str, int] = {}  # lane key (see ``lane_key``) -> lane index
        self._code_cat: dict[str, str] = {}
        #: One lane per category and subject ("Ruptures · Patient"), when the scheme has
        #: subjects; else one per category (``set_subject_lanes``).
        self.subject_lanes = False
        self._scheme: Scheme | None = None
        self._subject_labels: dict[str, str] = {}
        self._colours: dict[str, QColor] = {}
        self._rgba: dict[str, Style] = {}
        self._events: dict[int, EventRecord] = {}
        self._open: dict[int, EventRecord] = {}
        self._drag: tuple[int, int, int] | None = None  # event id, press x, onset at press
        self._drag_dx = 0
        self._drag_part = "body"  # "onset", "offset" (a state's end alone) or "body"
        self._dragging = False  # past the minimum drag distance
        self._drag_readout: tuple[int, int] | None = None  # where to show the times
        self._labels: dict[str, str] = {}
        self._layer: QImage | None = None
        self._layer_key: tuple[object, ...] = ()
        self._version = 0
        self.read_only = False
        #: What is drawn under the lanes (see :meth:`set_envelope`, :meth:`set_spectrogram`,
        #: :meth:`set_audio_view`).
        self.envelope: Any = None
        self.spectrogram: Any = None
        self.audio_view = "waveform"

    # -- the band under the lanes: the recording's sound ------------------------------------
    def set_envelope(self, envelope: Any) -> None:
        """Draw ``envelope`` under the lanes, following the zoom: a
        ``media.audio_views.WavePyramid`` (each pixel column the min/max of its own span) or a
        peak envelope (``peaks``, ``bucket_ms``: ``media.waveform.Envelope``); None removes it."""
        self.envelope = envelope
        self._changed()

    def set_spectrogram(self, spectrogram: Any) -> None:
        """The ``media.audio_views.Spectrogram`` drawn instead of the waveform while
        ``audio_view`` is ``"spectrogram"``; None removes it."""
        self.spectrogram = spectrogram
        self._changed()

    def set_audio_view(self, view: str) -> None:
        """``"waveform"`` or ``"spectrogram"``: which of the two the band shows."""
        if view not in ("waveform", "spectrogram"):
            raise ValueError(f"unknown audio view {view!r}")
        if view != self.audio_view:
            self.audio_view = view
            self._changed()

    def _changed(self) -> None:
        self._version += 1
        self.update()

    def _key_of(self, e: EventRecord) -> str:
        """The key of the lane ``e`` is drawn in."""
        split = self.subject_lanes and bool(self._subject_labels)
        return lane_key(self._code_cat.get(e.code, ""), e.subject if split else None)

    def _lane_index(self, e: EventRecord) -> int | None:
        return self._lane_of.get(self._key_of(e))

    def _colour_pair(self, code: str) -> Style:
        if code not in self._rgba:
            grey = QColor("gray")
            self._rgba[code] = (int(grey.rgba()), _bar_colour(grey), 0)
        return self._rgba[code]

    # -- geometry --------------------------------------------------------------------------
    @property
    def _ruler_h(self) -> int:
        return self.fontMetrics().height() + 5

    def sizeHint(self) -> QSize:
        return QSize(800, self._ruler_h + MIN_LANE_H * max(3, len(self._lanes)) + 4)

    def _plot_w(self) -> float:
        return max(1.0, self.width() - LABEL_W - 4)

    def _x(self, ms: float) -> float:
        return LABEL_W + (ms - self.view_start) * self._plot_w() / max(1, self.view_ms)

    def _ms(self, x: float) -> int:
        return round(self.view_start + (x - LABEL_W) * self.view_ms / self._plot_w())

    def _lane_h(self) -> float:
        n = max(1, len(self._lanes))
        return max(float(MIN_LANE_H), (self.height() - self._ruler_h - 2) / n)

    def _clamp_start(self, start: float) -> int:
        limit = max(0, self.duration_ms - self.view_ms)
        return int(max(0, min(start, limit)))

    def zoom(self, factor: float, around_ms: int | None = None) -> None:
        centre = self.playhead_ms if around_ms is None else around_ms
        frac = (centre - self.view_start) / max(1, self.view_ms)
        total = max(MIN_VIEW_MS, self.duration_ms or 60_000)
        self.view_ms = int(max(MIN_VIEW_MS, min(total, self.view_ms * factor)))
        self.view_start = self._clamp_start(centre - frac * self.view_ms)
        self.viewChanged.emit()
        self.update()

    def scroll_to(self, start_ms: int) -> None:
        self.view_start = self._clamp_start(start_ms)
        self.update()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._layer = None

    def drag_times(self, dx: int) -> tuple[int, int | None] | None:
        """The dragged event's new times for a drag of ``dx`` px (the canvas overrides it)."""
        return None
