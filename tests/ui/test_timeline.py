"""The timeline canvas: what a patched cached layer shows equals a full re-render."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtGui import QImage

from observer_app.coding.definitions import parse_scheme
from observer_app.services.records import EventRecord
from observer_app.ui.timeline import TimelineCanvas

SCHEME = parse_scheme((Path(__file__).parent / "scheme.toml").read_text(), "scheme.toml")


def record(ev_id: int, code: str, onset: int, offset: int | None, state: bool) -> EventRecord:
    return EventRecord(ev_id, 1, code, onset, offset, state, {}, "", False, {})


def render(canvas: TimelineCanvas) -> QImage:
    return canvas.grab().toImage()


def test_logging_by_key_patches_the_layer_like_a_full_render(qtbot: Any) -> None:
    canvas = TimelineCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(900, 160)
    canvas.set_scheme(SCHEME)
    canvas.set_duration(150_000)
    canvas.set_events([record(1, "talk", 1_000, 4_000, True), record(2, "nod", 2_000, None, False)])
    canvas.show()
    render(canvas)  # builds the cached layer
    version = canvas._version
    canvas.upsert(record(3, "nod", 50_000, None, False))  # a point: patched
    canvas.upsert(record(4, "laugh", 60_000, None, True))  # an open state: drawn live
    patched = render(canvas)
    assert canvas._layer_key[0] == canvas._version == version + 2  # no re-render happened
    canvas._changed()  # force the full render
    assert render(canvas) == patched


def test_closing_or_moving_re_renders(qtbot: Any) -> None:
    canvas = TimelineCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(900, 160)
    canvas.set_scheme(SCHEME)
    canvas.set_duration(150_000)
    canvas.set_events([record(1, "talk", 1_000, None, True)])
    canvas.show()
    render(canvas)
    canvas.upsert(record(1, "talk", 1_000, 9_000, True))
    closed = render(canvas)
    canvas._changed()
    assert render(canvas) == closed
    assert canvas._lanes[1].arrays["off"].tolist() == [9_000]


def test_marks_are_labelled_when_readable_and_tooltips_give_label_and_times(qtbot: Any) -> None:
    from observer_app.ui.timeline.painting import MAX_LABELS

    canvas = TimelineCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(900, 200)
    canvas.set_scheme(SCHEME)
    canvas.set_duration(150_000)
    talk = record(1, "talk", 1_000, 4_000, True)
    canvas.set_events([talk, record(2, "nod", 2_000, None, False)])
    canvas.show()
    lane = canvas._lane_of["markers"]
    assert canvas._labelled(lane)
    first = render(canvas)
    canvas._changed()
    assert render(canvas) == first  # deterministic
    assert canvas._short_label(talk) == "talk"
    tip = canvas._tooltip(talk)
    assert "Talk (talk)" in tip and "00:00:01.000 – 00:00:04.000" in tip
    crowded = [record(10 + k, "nod", 10 * k, None, False) for k in range(MAX_LABELS + 1)]
    canvas.set_events(crowded)
    canvas.zoom(1e9)
    assert not canvas._labelled(lane)


def test_waveform_is_drawn_under_the_lanes(qtbot: Any) -> None:
    """A real ``media.waveform.Envelope``: loud for the first 60 s, silent after. The plot area
    is inked around the lanes' middle where the audio is loud, plain where it is silent, and an
    event drawn over the wave keeps its own colour."""
    import numpy as np
    from PySide6.QtGui import QColor, QPalette

    from observer_app.media.waveform import Envelope
    from observer_app.ui.timeline import LABEL_W

    canvas = TimelineCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(900, 200)
    canvas.set_scheme(SCHEME)
    canvas.set_duration(120_000)
    canvas.zoom(1e9)  # the whole recording in view
    canvas.show()
    plain = render(canvas)
    peaks = np.r_[np.full(3000, 0.8), np.zeros(3000)].astype(np.float32)  # 20 ms buckets
    canvas.set_envelope(Envelope(peaks, 20.0, 120_000))
    canvas.set_events([record(1, "nod", 30_000, None, False)])
    waved = render(canvas)
    mid_y = canvas._ruler_h + (canvas.height() - canvas._ruler_h) // 2
    x_loud, x_quiet = round(canvas._x(20_000)), round(canvas._x(100_000))
    base = canvas.palette().color(QPalette.ColorRole.Base)
    assert waved.pixelColor(x_quiet, mid_y) == plain.pixelColor(x_quiet, mid_y)
    assert waved.pixelColor(x_loud, mid_y) != plain.pixelColor(x_loud, mid_y)
    # the band spans 80 % of the lane area about its middle: the top lane's upper edge stays plain
    top_y = canvas._ruler_h + 2
    assert waved.pixelColor(x_loud, top_y) == plain.pixelColor(x_loud, top_y)
    assert waved.pixelColor(x_loud, mid_y).lightness() != base.lightness()
    # the mark is painted over the wave in its own colour
    lane = canvas._lane_of["markers"]
    mark_y = round(canvas._ruler_h + (lane + 0.5) * canvas._lane_h())
    assert waved.pixelColor(round(canvas._x(30_000)), mark_y) == QColor("#1f77b4")
    # nothing is drawn in the label column
    assert waved.copy(0, 0, LABEL_W - 2, 200) == plain.copy(0, 0, LABEL_W - 2, 200)
    canvas.set_envelope(None)
    canvas.set_events([])
    assert render(canvas) == plain


def test_event_log_paints_the_filtered_rows(qtbot: Any) -> None:
    """The log's delegate maps rows through the category filter only when one is set: a log
    filtered to one category paints exactly what a log holding only that category paints."""
    from observer_app.ui.event_log import EventLog
    from observer_app.ui.models import EventTableModel

    events = [
        record(
            i,
            "nod" if i % 3 else "talk",
            1_000 * i,
            1_000 * i + 500 if i % 3 == 0 else None,
            i % 3 == 0,
        )
        for i in range(1, 40)
    ]
    markers = [e for e in events if e.code == "nod"]

    def log_of(rows: list[EventRecord]) -> EventLog:
        model = EventTableModel(SCHEME)
        log = EventLog(model, SCHEME)
        qtbot.addWidget(log)
        model.set_events(rows)
        log.resize(700, 400)
        log.show()
        return log

    filtered, only = log_of(events), log_of(markers)
    unfiltered = filtered.view.viewport().grab().toImage()
    filtered.filter.setCurrentIndex(filtered.filter.findData("markers"))
    assert filtered.proxy.filtering and not only.proxy.filtering
    assert filtered.proxy.rowCount() == len(markers)
    shown = filtered.view.viewport().grab().toImage()
    assert shown == only.view.viewport().grab().toImage()
    assert shown != unfiltered


def _speech(seconds: float, rate: int, seed: int = 7) -> Any:
    """Syllable-like noise bursts with pauses, at varying loudness."""
    import numpy as np

    rng = np.random.default_rng(seed)
    n = round(seconds * rate)
    out = np.zeros(n, np.float32)
    t = 0
    while t < n:
        end = min(n, t + int(rng.uniform(0.08, 0.3) * rate))
        out[t:end] = rng.uniform(0.05, 0.9) * rng.uniform(-1, 1, end - t) * np.hanning(end - t)
        t = end + int(rng.uniform(0.05, 0.4) * rate)
    return out


def _views(samples: Any, rate: int) -> Any:
    from observer_app.media.audio_views import _Builder

    builder = _Builder(rate)
    builder.feed(samples)
    return builder.finish()


def _drawn_extent(image: QImage, x: int, top: int, inks: set[int]) -> tuple[int, int] | None:
    """The first and last row of column ``x`` (from ``top``) painted in one of ``inks``."""
    rows = [y for y in range(top, image.height()) if image.pixel(x, y) in inks]
    return (rows[0], rows[-1]) if rows else None


def test_the_band_follows_the_zoom_each_column_is_its_spans_min_and_max(qtbot: Any) -> None:
    """A 5-minute speech-like recording under a canvas without events: at the whole view and
    zoomed to 10 s, every drawn column reaches from its span's maximum sample to its minimum
    (read from the samples themselves, the span widened to the buckets the pyramid reads), and
    zoomed in the pauses between syllables are plain."""
    import math

    from PySide6.QtGui import QPalette

    from observer_app.media.audio_views import BASE_MS
    from observer_app.ui.timeline import LABEL_W
    from observer_app.ui.timeline.painting import RMS_ALPHA, WAVE_ALPHA, _mix

    rate = 16_000
    samples = _speech(300.0, rate)
    views = _views(samples, rate)
    canvas = TimelineCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(900, 200)
    canvas.set_duration(300_000)
    canvas.set_envelope(views.wave)
    canvas.show()
    pal = canvas.palette()
    base, ink = pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Text)
    inks = {_mix(base, ink, WAVE_ALPHA) & 0xFFFFFFFF, _mix(base, ink, RMS_ALPHA) & 0xFFFFFFFF}
    top = canvas._ruler_h
    half = (canvas.height() - top) / 2
    centre = top + half
    for start, span in ((0, 300_000), (123_000, 10_000)):
        canvas.view_start, canvas.view_ms = start, span
        canvas._changed()
        image = render(canvas)
        mpp = span / canvas._plot_w()
        bucket = BASE_MS * 2 ** views.wave.level_for(mpp)
        per = round(bucket * rate / 1000)
        quiet = 0
        for col in range(4, int(canvas._plot_w()) - 1, 7):  # (the playhead is at 0)
            first = math.floor((start + col * mpp) / bucket)
            end = max(first + 1, math.ceil((start + (col + 1) * mpp) / bucket))
            chunk = samples[first * per : end * per]
            want_top = centre - chunk.max() * half
            want_bottom = centre - chunk.min() * half
            drawn = _drawn_extent(image, LABEL_W + col, top, inks)
            assert drawn is not None, (start, col)
            if want_bottom - want_top < 1:
                quiet += 1
                assert drawn[1] - drawn[0] <= 1  # a pause: the one-pixel line
                continue
            assert abs(drawn[0] + 0.5 - want_top) <= 1.0, (start, col, drawn, want_top)
            assert abs(drawn[1] + 0.5 - want_bottom) <= 1.0, (start, col, drawn, want_bottom)
        if span == 10_000:
            assert quiet >= 10  # the pauses between syllables show
        else:
            assert quiet == 0  # the whole session: every column spans some speech


def test_the_spectrogram_replaces_the_waveform_when_toggled(qtbot: Any) -> None:
    """A 2 kHz tone: with the spectrogram view its row (2 kHz of 0-8 kHz from the bottom) is
    the most inked of the lane area; back to the waveform the canvas is as it was."""
    import numpy as np
    from PySide6.QtGui import QPalette

    from observer_app.ui.timeline import LABEL_W

    rate = 16_000
    t = np.arange(20 * rate) / rate
    views = _views((0.5 * np.sin(2 * np.pi * 2000 * t)).astype(np.float32), rate)
    canvas = TimelineCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(900, 260)
    canvas.set_scheme(SCHEME)
    canvas.set_duration(20_000)
    canvas.set_envelope(views.wave)
    canvas.set_spectrogram(views.spectrogram)
    canvas.show()
    waveform = render(canvas)
    canvas.set_audio_view("spectrogram")
    spectro = render(canvas)
    assert spectro != waveform
    base = canvas.palette().color(QPalette.ColorRole.Base)
    top, bottom = canvas._ruler_h, canvas.height()
    x = LABEL_W + 300
    darkness = [
        abs(spectro.pixelColor(x, y).lightness() - base.lightness()) for y in range(top, bottom)
    ]
    strongest = top + int(np.argmax(darkness))
    want = bottom - (2000 / 8000) * (bottom - top)
    assert abs(strongest - want) <= (bottom - top) / 128 + 2
    assert darkness[int(0.1 * (bottom - top))] == 0  # 7.2 kHz: nothing
    canvas.set_audio_view("waveform")
    assert render(canvas) == waveform
    canvas.set_spectrogram(None)
    canvas.set_audio_view("spectrogram")  # nothing to show: the waveform stays
    assert render(canvas) == waveform
