"""Painting the timeline: a cached layer rendered with numpy, open states and the playhead live."""

from __future__ import annotations

import bisect
import functools
from typing import Any

import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPalette, QPen

from observer_app.coding.state_logic import format_ms
from observer_app.services.records import EventRecord
from observer_app.ui.timeline.lanes import _NO_OFFSET, _Lane
from observer_app.ui.timeline.view import LABEL_W, TimelineView

#: Lanes with more events than this in view show no labels (unreadable, and costly).
MAX_LABELS = 400
#: The waveform under the lanes: this share of the text colour over the base colour (min/max),
#: and for the RMS core inside it.
WAVE_ALPHA = 0.22
RMS_ALPHA = 0.4
#: The spectrogram: the strongest share of the text colour, reached at 0 dB; below
#: ``SPECTRO_QUIET`` (a byte of ``media.audio_views``' 0..255 over -90..0 dB) nothing is drawn.
SPECTRO_ALPHA = 0.85
SPECTRO_QUIET = 70


def wave_columns(
    peaks: np.ndarray, bucket_ms: float, t0: int, ms_per_px: float, n: int
) -> np.ndarray:
    """The envelope's peak (0..1) over each of ``n`` pixel columns starting at ``t0`` ms, each
    ``ms_per_px`` wide (the largest bucket it covers; 0 past the end of the audio)."""
    out = np.zeros(n, np.float32)
    if not len(peaks) or n <= 0 or bucket_ms <= 0:
        return out
    size = len(peaks)
    edges = (t0 + np.arange(n + 1) * ms_per_px) / bucket_ms
    first = np.clip(np.floor(edges[:-1]).astype(np.int64), 0, size)
    last = np.clip(np.ceil(edges[1:]).astype(np.int64), 0, size)
    inside = first < size
    if inside.any():
        starts = first[inside]
        ends = np.maximum(last[inside], starts + 1)
        # reduceat over (start, end) pairs: every other result is the maximum over [start, end)
        padded = np.append(np.asarray(peaks, np.float32), np.float32(0))
        pairs = np.column_stack((starts, ends)).ravel()
        out[inside] = np.maximum.reduceat(padded, pairs)[::2]
    return out


def band_columns(
    envelope: Any, t0: int, ms_per_px: float, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """``(lo, hi, rms)`` per pixel column of a waveform: a ``media.audio_views.WavePyramid``'s
    own min/max/RMS of each column's span, or a peak envelope (``peaks``, ``bucket_ms``: the
    audio-only picture's ``media.waveform.Envelope``) mirrored, without RMS. NaN: no audio."""
    columns = getattr(envelope, "columns", None)
    if columns is not None:
        lo, hi, rms = columns(t0, ms_per_px, n)
        return np.asarray(lo), np.asarray(hi), np.asarray(rms)
    amp = wave_columns(np.asarray(envelope.peaks), float(envelope.bucket_ms), t0, ms_per_px, n)
    amp = np.where(amp > 0, amp, np.nan).astype(np.float32)
    return -amp, amp, None


def _mix(base: QColor, ink: QColor, share: float) -> int:
    """``share`` of ``ink`` over ``base``, as a 32-bit RGB value."""
    b = (base.redF(), base.greenF(), base.blueF())
    i = (ink.redF(), ink.greenF(), ink.blueF())
    return int(QColor.fromRgbF(*(x + (y - x) * share for x, y in zip(b, i, strict=True))).rgba())


@functools.lru_cache(maxsize=8)
def _spectro_lut(base: int, ink: int) -> np.ndarray:
    """The spectrogram's 256 colours over ``base`` (RGB values): silence (below
    ``SPECTRO_QUIET``) the base itself, louder bytes more of ``ink``, up to ``SPECTRO_ALPHA``."""
    shares = np.clip((np.arange(256) - SPECTRO_QUIET) / (255 - SPECTRO_QUIET), 0, 1)
    b, i = QColor.fromRgba(base), QColor.fromRgba(ink)
    return np.array([_mix(b, i, SPECTRO_ALPHA * s) for s in shares], np.uint32)


class TimelinePainter(TimelineView):
    """Renders lanes, ruler, segment lines and closed events into a cached image; paints open
    states, the dragged event and the playhead over it."""

    def _paint_tick(self, layer: QImage, lane: int, record: EventRecord) -> None:
        """The tick ``_render_lane`` draws for an event's onset, in the same device pixels."""
        dpr = layer.devicePixelRatio()
        lane_h = self._lane_h()
        top = round((self._ruler_h + lane * lane_h) * dpr)
        bottom = min(layer.height(), round((self._ruler_h + (lane + 1) * lane_h) * dpr))
        pad = round(3 * dpr)
        y0, y1 = top + pad, max(top + pad + 1, bottom - pad)
        left_edge = round(LABEL_W * dpr)
        scale = self._plot_w() * dpr / max(1, self.view_ms)
        x = int(left_edge + (record.onset_ms - self.view_start) * scale)
        width = max(1, round(dpr)) * (1 if record.is_state else 3)
        x0 = max(left_edge, x - width // 2)
        x1 = min(layer.width() - 1, x + width - width // 2 - 1)
        p = QPainter(layer)
        p.scale(1 / dpr, 1 / dpr)  # device pixels, as the numpy renderer
        colour = QColor.fromRgba(self._colour_pair(record.code)[0])
        p.fillRect(QRect(x0, y0, x1 - x0 + 1, y1 - y0), colour)
        p.end()

    # -- painting --------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        key = (self._version, self.view_start, self.view_ms, self.width(), self.height())
        if self._layer is None or key != self._layer_key:
            self._layer = self._render_layer()
            self._layer_key = key
        p = QPainter(self)
        dpr = self._layer.devicePixelRatio()
        area = event.rect()
        source = QRectF(area.x() * dpr, area.y() * dpr, area.width() * dpr, area.height() * dpr)
        p.drawImage(QRectF(area), self._layer, source)
        self._paint_live(p)
        x = self._x(self.playhead_ms)
        p.setPen(QPen(QColor("#e53935"), 2))
        p.drawLine(QPointF(x, 0), QPointF(x, self.height()))
        p.end()

    def _render_layer(self) -> QImage:
        """Lanes, ruler, segment lines and every closed event in view, as one image."""
        dpr = self.devicePixelRatioF()  # render in device pixels: sharp on high-DPI screens
        w, h = max(1, round(self.width() * dpr)), max(1, round(self.height() * dpr))
        pal = self.palette()
        buf = np.full((h, w), pal.color(QPalette.ColorRole.Base).rgba(), np.uint32)
        lane_h = self._lane_h()
        alt = pal.color(QPalette.ColorRole.AlternateBase).rgba()
        for i in range(1, len(self._lanes), 2):
            top = round((self._ruler_h + i * lane_h) * dpr)
            buf[top : min(h, round((self._ruler_h + (i + 1) * lane_h) * dpr)), :] = alt
        self._render_wave(buf, dpr, pal)
        for i, lane in enumerate(self._lanes):
            top = round((self._ruler_h + i * lane_h) * dpr)
            bottom = min(h, round((self._ruler_h + (i + 1) * lane_h) * dpr))
            pad = round(3 * dpr)
            self._render_lane(buf, lane, (top + pad, max(top + pad + 1, bottom - pad)), dpr)
        image = QImage(buf.data, w, h, w * 4, QImage.Format.Format_RGB32).copy()
        image.setDevicePixelRatio(dpr)
        p = QPainter(image)
        self._paint_ruler(p, pal)
        self._paint_lane_labels(p, pal)
        self._paint_segments(p, pal)
        self._paint_labels(p, pal)
        p.end()
        return image

    def _band_area(self, buf: np.ndarray, dpr: float) -> tuple[int, int, int] | None:
        """``(top, left, ms_per_px)`` of the band under the lanes in device pixels, or None."""
        h, w = buf.shape
        top, left = round(self._ruler_h * dpr), round(LABEL_W * dpr)
        if h - top < 2 or w - left < 1:
            return None
        return top, left, self.view_ms / max(1e-9, self._plot_w() * dpr)

    def _render_wave(self, buf: np.ndarray, dpr: float, pal: QPalette) -> None:
        """What is heard, under every lane (the events are drawn over it): the spectrogram
        when the view asks for it and has one, else the waveform."""
        if self.audio_view == "spectrogram" and self.spectrogram is not None:
            self._render_spectrogram(buf, dpr, pal)
        elif self.envelope is not None:
            self._render_waveform(buf, dpr, pal)

    def _render_waveform(self, buf: np.ndarray, dpr: float, pal: QPalette) -> None:
        """Each pixel column from its span's minimum to its maximum sample about the middle of
        the lane area (at least a pixel where there is sound), its RMS as a darker core."""
        area = self._band_area(buf, dpr)
        if area is None:
            return
        top, left, ms_per_px = area
        h, w = buf.shape
        lo, hi, rms = band_columns(self.envelope, self.view_start, ms_per_px, w - left)
        half = (h - top) / 2
        centre = top + half
        y = (np.arange(top, h, dtype=np.float32) + 0.5)[:, np.newaxis]
        sound = ~np.isnan(hi)
        upper = np.where(sound, centre - np.nan_to_num(hi) * half, np.inf)
        lower = np.where(sound, centre - np.nan_to_num(lo) * half, -np.inf)
        thin = sound & (lower - upper < 1)  # at least one pixel where there is sound
        upper = np.where(thin, centre, upper)
        lower = np.where(thin, centre, lower)
        mask = (y >= upper[np.newaxis, :] - 0.5) & (y <= lower[np.newaxis, :] + 0.5)
        base = QColor.fromRgba(int(buf[top, left]))
        ink = pal.color(QPalette.ColorRole.Text)
        region = buf[top:h, left:w]
        region[mask] = np.uint32(_mix(base, ink, WAVE_ALPHA))
        if rms is not None:
            core = np.nan_to_num(rms) * half
            inner = np.abs(y - centre) < core[np.newaxis, :]
            region[inner & mask] = np.uint32(_mix(base, ink, RMS_ALPHA))

    def _render_spectrogram(self, buf: np.ndarray, dpr: float, pal: QPalette) -> None:
        """The spectrogram over the lane area, 0 Hz at the bottom and 8 kHz at the top; each
        column the mean level of the frames in its span (``media.audio_views.Spectrogram``),
        louder as more of the text colour over the base colour."""
        area = self._band_area(buf, dpr)
        spec = self.spectrogram
        if area is None or spec is None:
            return
        top, left, ms_per_px = area
        h, w = buf.shape
        cols = np.asarray(spec.columns(self.view_start, ms_per_px, w - left))  # (n, bands)
        bands = cols.shape[1] if cols.ndim == 2 else 0
        if not bands:
            return
        frac = (h - np.arange(top, h) - 0.5) / (h - top)  # 0 at the bottom, 1 at the top
        rows = np.minimum(bands - 1, (frac * bands).astype(np.int64))
        heard = ~np.isnan(cols[:, 0])  # the columns within the audio
        if not heard.any():
            return
        lut = _spectro_lut(int(buf[top, left]), int(pal.color(QPalette.ColorRole.Text).rgba()))
        levels = np.clip(np.nan_to_num(cols[heard]), 0, 255).astype(np.uint8)  # (columns, bands)
        at = np.flatnonzero(heard)
        first, last = int(at[0]), int(at[-1]) + 1
        contiguous = last - first == len(at)  # (the audio's columns are normally one run)
        target = slice(left + first, left + last) if contiguous else left + at
        buf[top:h, target] = lut[levels[:, rows].T]  # (rows, columns)

    def _paint_labels(self, p: QPainter, pal: QPalette) -> None:
        """Each mark's short label (its code id, with the subject's initial when the scheme has
        subjects) beside it, when there is room; co-timed events stack their labels one under
        the other, so events at the same moment show side by side rather than hide each other.
        Skipped for a lane with too many events in view to read."""
        fm = self.fontMetrics()
        lane_h = self._lane_h()
        line_h = fm.height()
        t0, t1 = self.view_start, self.view_start + self.view_ms
        p.setPen(pal.color(QPalette.ColorRole.Text))
        for i, lane in enumerate(self._lanes):
            lo = bisect.bisect_left(lane.onsets, t0)
            hi = bisect.bisect_right(lane.onsets, t1)
            if not self._labelled(i):
                continue
            top = self._ruler_h + i * lane_h + 2
            slots = max(1, int((lane_h - 4) // line_h))
            free_x = [float(LABEL_W)] * slots  # where each stacked line is free again
            last_x, stack = -1e9, 0
            for k in range(lo, hi):
                record = self._events.get(lane.items[k][3])
                if record is None:
                    continue
                x = self._x(record.onset_ms)
                stack = stack + 1 if x - last_x < 3 else 0  # co-timed: the next line down
                last_x = x
                row = stack % slots
                text = self._short_label(record)
                if x + 3 < free_x[row]:
                    continue
                p.drawText(QPointF(x + 3, top + row * line_h + fm.ascent()), text)
                free_x[row] = x + 3 + fm.horizontalAdvance(text) + 4

    def _paint_lane_labels(self, p: QPainter, pal: QPalette) -> None:
        """Each lane's label in the label column, wrapped over the lines it has room for.
        Per-subject lanes of one category share its name, written once over all of them
        (wrapped there), with each lane's subject right-aligned beside it."""
        lane_h = self._lane_h()
        p.setPen(pal.color(QPalette.ColorRole.Text))
        wrap = int(Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap)
        right = int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight)
        fm = self.fontMetrics()
        i = 0
        while i < len(self._lanes):
            lane = self._lanes[i]
            top = self._ruler_h + i * lane_h
            if not lane.heading:
                text = self._lane_text(lane.label, lane_h)
                p.drawText(QRectF(4, top, LABEL_W - 8, lane_h), wrap, text)
                i += 1
                continue
            group = [lane]
            while i + len(group) < len(self._lanes) and (
                self._lanes[i + len(group)].heading == lane.heading
            ):
                group.append(self._lanes[i + len(group)])
            sub_w = min(LABEL_W // 2, max(fm.horizontalAdvance(g.subject) for g in group) + 4)
            for k, member in enumerate(group):
                text = fm.elidedText(member.subject, Qt.TextElideMode.ElideRight, sub_w)
                p.drawText(
                    QRectF(LABEL_W - 4 - sub_w, top + k * lane_h, sub_w, lane_h), right, text
                )
            head_w = LABEL_W - 12 - sub_w
            height = lane_h * len(group)
            text = self._lane_text(lane.heading, height, head_w)
            p.drawText(QRectF(4, top, head_w, height), wrap, text)
            i += len(group)

    def _lane_text(self, label: str, lane_h: float, width: int = LABEL_W - 8) -> str:
        """A label as it fits ``width`` and ``lane_h``: whole when it wraps into the lines
        there is room for, else its last line elided."""
        fm = self.fontMetrics()
        lines = max(1, int(lane_h // fm.height()))
        needed = fm.boundingRect(0, 0, width, 10_000, int(Qt.TextFlag.TextWordWrap), label)
        if needed.height() <= lines * fm.height() and needed.width() <= width:
            return label
        words, out, line = label.split(), [], ""
        for word in words:
            trial = f"{line} {word}".strip()
            if fm.horizontalAdvance(trial) <= width or not line:
                line = trial
            else:
                out.append(line)
                line = word
        out.append(line)
        head = out[: lines - 1]
        tail = " ".join(out[lines - 1 :])
        elide = Qt.TextElideMode.ElideRight  # a word wider than the column is elided too
        return "\n".join(fm.elidedText(t, elide, width) for t in [*head, tail])

    def _labelled(self, index: int) -> bool:
        return False  # the canvas decides (it knows its lanes' events)

    def _short_label(self, record: EventRecord) -> str:
        """The code id, after the subject's initial ("P·W1") unless the lanes are per subject
        (the lane says whose it is)."""
        subject = None if self.subject_lanes else record.subject
        prefix = f"{subject[:1].upper()}·" if subject else ""
        return prefix + record.code

    def _render_lane(self, buf: np.ndarray, lane: _Lane, band: tuple[int, int], dpr: float) -> None:
        """Draw one lane's closed bars and markers into ``buf`` (device pixels)."""
        if not lane.items:
            return
        y0, y1 = band
        a = lane.arrays
        t0, t1 = self.view_start, self.view_start + self.view_ms
        w = buf.shape[1]
        left_edge = round(LABEL_W * dpr)
        scale = self._plot_w() * dpr / max(1, self.view_ms)
        lo = bisect.bisect_left(lane.onsets, t0 - lane.max_len)
        hi = bisect.bisect_right(lane.onsets, t1)
        on, off, state = a["on"][lo:hi], a["off"][lo:hi], a["state"][lo:hi]
        closed = state & (off != _NO_OFFSET) & (off >= t0)
        if closed.any():
            x1 = np.clip(left_edge + (on[closed] - t0) * scale, left_edge, w).astype(np.int64)
            x2 = np.clip(left_edge + (off[closed] - t0) * scale, left_edge, w).astype(np.int64)
            colours = a["bar"][lo:hi][closed]
            rows = a["row"][lo:hi][closed]
            step = (y1 - y0) / lane.rows
            bars = zip(x1, np.maximum(x2, x1 + 1), colours, rows, strict=True)
            for left, right, colour, row in bars:
                top = y0 + int(row * step) + 1
                buf[top : max(top + 2, y0 + int((row + 1) * step) - 1), left:right] = colour
        in_view = (on >= t0) & (on <= t1)
        unit = max(1, round(dpr))
        for marks, width in ((in_view & ~state, 3 * unit), (in_view & state, unit)):
            if not marks.any():
                continue  # points get a 3-pixel tick, state onsets a 1-pixel one
            xs = (left_edge + (on[marks] - t0) * scale).astype(np.int64)
            colours = a["colour"][lo:hi][marks]
            for dx in range(-(width // 2), width - width // 2):
                cols = np.clip(xs + dx, left_edge, w - 1)
                buf[y0:y1, cols] = colours[np.newaxis, :]

    def _paint_live(self, p: QPainter) -> None:
        """Open states (to the playhead) and the event being dragged."""
        lane_h = self._lane_h()
        for e in self._open.values():
            self._paint_bar(p, e, lane_h, (e.onset_ms, max(self.playhead_ms, e.onset_ms)), True)
        dragged = self._events.get(self._drag[0]) if self._drag is not None else None
        times = self.drag_times(self._drag_dx) if dragged is not None and self._dragging else None
        if dragged is not None and times is not None:
            onset, offset = times
            self._paint_bar(
                p, dragged, lane_h, (onset, offset if offset is not None else onset), False
            )
            self._paint_readout(p, onset, offset if dragged.is_state else None)

    def _paint_readout(self, p: QPainter, onset: int, offset: int | None) -> None:
        """The dragged event's times beside the pointer while dragging."""
        if self._drag_readout is None:
            return
        text = format_ms(onset) + ("" if offset is None else " – " + format_ms(offset))
        metrics = p.fontMetrics()
        w, h = metrics.horizontalAdvance(text) + 10, metrics.height() + 4
        x = min(self._drag_readout[0] + 12, self.width() - w - 2)
        y = max(2, self._drag_readout[1] - h - 6)
        box = QRectF(x, y, w, h)
        p.fillRect(box, QColor(255, 255, 225))
        p.setPen(QColor(0, 0, 0))
        p.drawRect(box)
        p.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_bar(
        self, p: QPainter, e: EventRecord, lane_h: float, span: tuple[float, float], hatch: bool
    ) -> None:
        lane = self._lane_index(e)
        if lane is None:
            return
        top = self._ruler_h + lane * lane_h + 3
        h = lane_h - 6
        rows = self._lanes[lane].rows
        row = self._colour_pair(e.code)[2]
        colour = self._colours.get(e.code, QColor("gray"))
        x1, x2 = self._x(span[0]), self._x(span[1])
        if x2 < LABEL_W or x1 > self.width():
            return
        left = max(x1, LABEL_W)
        rect = QRectF(left, top + h * row / rows + 1, max(2.0, x2 - left), h / rows - 2)
        fill = QColor(colour)
        fill.setAlpha(110)
        p.fillRect(rect, fill)
        if hatch:
            p.fillRect(rect, Qt.BrushStyle.BDiagPattern)
        if x1 >= LABEL_W:
            p.fillRect(QRectF(x1 - 1, top, 3, h), colour)

    def _paint_ruler(self, p: QPainter, pal: QPalette) -> None:
        p.fillRect(QRectF(0, 0, self.width(), self._ruler_h), pal.color(QPalette.ColorRole.Window))
        step = _tick_step(self.view_ms, self._plot_w())
        first = (self.view_start // step) * step
        p.setPen(pal.color(QPalette.ColorRole.WindowText))
        t = first
        while t <= self.view_start + self.view_ms:
            x = self._x(t)
            if x >= LABEL_W:
                p.drawLine(QPointF(x, self._ruler_h - 5), QPointF(x, self._ruler_h))
                text = format_ms(t)[:8] if step >= 1000 else format_ms(t)[3:]
                p.drawText(QPointF(x + 2, self._ruler_h - 6), text)
            t += step

    def _paint_segments(self, p: QPainter, pal: QPalette) -> None:
        if not self.segments:
            return
        p.setPen(QPen(pal.color(QPalette.ColorRole.Mid), 1, Qt.PenStyle.DashLine))
        for start, _ in self.segments[1:]:
            x = self._x(start)
            if LABEL_W <= x <= self.width():
                p.drawLine(QPointF(x, self._ruler_h), QPointF(x, self.height()))


def _tick_step(view_ms: int, width: float) -> int:
    target = view_ms * 90 / max(1.0, width)
    for step in (
        100,
        200,
        500,
        1000,
        2000,
        5000,
        10_000,
        15_000,
        30_000,
        60_000,
        120_000,
        300_000,
        600_000,
    ):
        if step >= target:
            return step
    return 1_800_000
