"""The manager's Analysis page on the demo study: computed off the GUI thread, the plots show
the service's numbers, PNG and SVG files are written, the phases editor changes a dyad's phase."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QThreadPool
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from observer_app.services.sequences.views import dyad_course, phase_bars
from observer_app.services.study import Study
from observer_app.ui.manager.analysis import AnalysisPage

from .conftest import SCHEME, Lab


def _page(demo_path: Path, tmp_path: Path, qtbot: QtBot) -> tuple[AnalysisPage, Study]:
    db = tmp_path / "demo.db"
    shutil.copy(demo_path, db)
    study = Study.open(db, backup=False)
    pool = QThreadPool()
    pool.setMaxThreadCount(1)
    page = AnalysisPage(study, pool)
    qtbot.addWidget(page)
    page._test_pool = pool  # type: ignore[attr-defined]  # keep the pool alive
    page.refresh()  # computes on first show
    assert page.tasks.busy
    qtbot.waitUntil(lambda: not page.tasks.busy, timeout=60_000)
    assert page.tasks.last_error is None
    return page, study


def test_plots_show_the_service_numbers_and_export(
    demo_path: Path, tmp_path: Path, qtbot: QtBot
) -> None:
    page, study = _page(demo_path, tmp_path, qtbot)
    try:
        report = study.sequences.report(permutation=False)
        assert page.dyad.count() == 2
        assert page.course.points == tuple(dyad_course(report, page.dyad.currentText()))
        assert page.bars.bars == tuple(phase_bars(report))
        one, two = page.bars.bars  # the demo's phase difference, on the page
        assert one.label.startswith("1 ") and two.label.startswith("2 ")
        assert one.ruptures and two.ruptures and one.median_s != two.median_s
        assert "Phase 1 Alliance building" in page.result.text()
        assert sum(len(v) for v in page.histogram.times.values()) == sum(
            r.repair.resolved for r in report.ruptures
        )
        assert page.segments_model.rowCount() == len(page.segment_rows) > 0
        assert "resolved" in page.result.text() and "p = " in page.result.text()
        for plot, name in ((page.course, "course"), (page.bars, "phases"), (page.histogram, "ttr")):
            png = page.save_plot(plot, "PNG", name, tmp_path / f"{name}.png")
            svg = page.save_plot(plot, "SVG", name, tmp_path / f"{name}.svg")
            assert png is not None and svg is not None
            image = QImage(str(png))
            assert (image.width(), image.height()) == (960, 640)
            colours = {image.pixel(x, y) for x in range(0, 960, 16) for y in range(0, 640, 16)}
            assert len(colours) > 3  # more than a blank page
            root = ET.parse(svg).getroot()
            assert root.tag.endswith("svg") and len(list(root.iter())) > 20
        assert page.save_plot(page.bars, "PNG", "x", tmp_path / "missing" / "x.png") is None
        assert "could not write" in page.status.text()
    finally:
        study.close()


def test_phase_editor_moves_a_dyad_and_recomputes(
    demo_path: Path, tmp_path: Path, qtbot: QtBot
) -> None:
    page, study = _page(demo_path, tmp_path, qtbot)
    try:
        page.dyad.setCurrentText("demo-A")
        before = {pt.session_number: pt.phase for pt in page.course.points}
        assert before[4] == 1
        page.phases.dyad.setCurrentText("demo-A")
        page.phases.phase.setCurrentText("challenge")
        page.phases.first.setValue(4)
        assert page.phases.set_dyad_start(4)
        qtbot.waitUntil(lambda: not page.tasks.busy, timeout=60_000)
        after = {pt.session_number: pt.phase for pt in page.course.points}
        assert after[4] == 2 and after[3] == 1
        assert "demo-A: challenge from 4" in page.phases.summary.text()
        # a refused change is reported and nothing is stored
        page.phases.first.setValue(1)
        assert not page.phases.set_dyad_start(1)
        assert "demo-A" in page.status.text()
        assert study.phases.plan().dyads == {"demo-A": {"challenge": 4}}
    finally:
        study.close()


def test_titles_fit_a_narrow_plot(qtbot: QtBot) -> None:
    """A plot at its minimum width shows its whole title (wrapped), inside the plot and above
    the drawing area (the phase plot's title was clipped on the left: "y phase: ...")."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QPainter

    from observer_app.ui.manager.analysis.plots import CoursePlot, PhaseBarsPlot, RepairHistogram

    for plot in (CoursePlot(), PhaseBarsPlot(), RepairHistogram()):
        qtbot.addWidget(plot)
        width = plot.minimumWidth()
        image = QImage(width, 240, QImage.Format.Format_ARGB32)
        p = QPainter(image)
        try:
            rect = QRectF(0, 0, width, 240)
            box = plot.title_box(p, rect)
            assert box.left() >= 0 and box.right() <= width, (plot.title, box)
            assert box.height() > 0
            assert plot.plot_area(p, rect).top() >= box.bottom()
        finally:
            p.end()


def _type(qtbot: QtBot, editor: object, text: str) -> None:
    from PySide6.QtCore import Qt

    editor.setFocus()  # type: ignore[attr-defined]
    editor.selectAll()  # type: ignore[attr-defined]
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Enter)


def _toggle(qtbot: QtBot, box: object, label_part: str) -> None:
    """Tick or untick a category by keyboard: move to its row, press Space."""
    from PySide6.QtCore import Qt

    rows = [box.item(i) for i in range(box.count())]  # type: ignore[attr-defined]
    (item,) = [it for it in rows if label_part in it.text()]
    box.setFocus()  # type: ignore[attr-defined]
    box.setCurrentItem(item)  # type: ignore[attr-defined]
    qtbot.keyClick(box.viewport(), Qt.Key.Key_Space)  # type: ignore[attr-defined]


def test_settings_panel_edits_saves_and_recomputes(
    demo_path: Path, tmp_path: Path, qtbot: QtBot
) -> None:
    from PySide6.QtCore import Qt

    page, study = _page(demo_path, tmp_path, qtbot)
    try:
        page.show()
        qtbot.waitExposed(page)
        panel = page.settings_panel
        ticked = {
            box.objectName(): [
                box.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(box.count())
                if box.item(i).checkState() == Qt.CheckState.Checked
            ]
            for box in (panel.ruptures, panel.resolutions)
        }
        assert ticked["rupture_categories"] and ticked["resolution_categories"]  # the defaults
        before = page.report_data
        assert before is not None and before.settings.window_s == 60
        _type(qtbot, panel.window_box, "12.5")
        _type(qtbot, panel.shuffles, "200")
        _type(qtbot, panel.seed, "7")
        qtbot.mouseClick(panel.before_next, Qt.MouseButton.LeftButton)
        first_rupture = panel.ruptures.item(0).text().split(" (")[0]
        _toggle(qtbot, panel.ruptures, first_rupture)  # untick one rupture category
        shown = panel.settings()
        assert (shown.window_s, shown.shuffles, shown.seed) == (12.5, 200, 7)
        assert shown.before_next_rupture is False
        assert len(shown.rupture_categories) == len(ticked["rupture_categories"]) - 1
        assert shown.resolution_categories == ()  # untouched: still "the defaults by name"
        qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
        assert page.tasks.busy  # saved settings recompute the plots off the GUI thread
        qtbot.waitUntil(lambda: not page.tasks.busy, timeout=60_000)
        assert study.sequences.settings() == shown
        assert any(e.context == "set sequence settings" for e in study.audit.entries())
        after = page.report_data
        assert after is not None and after.settings == shown
        assert after.permutation is not None
        assert (after.permutation.shuffles, after.permutation.seed) == (200, 7)
        assert len(after.ruptures) < len(before.ruptures)  # one marker category fewer
        assert page.bars.bars == tuple(phase_bars(after))
        assert "within 12.5 s" in page.result.text()
        # the same 3RS segment instead of seconds
        qtbot.mouseClick(panel.same_segment, Qt.MouseButton.LeftButton)
        assert not panel.window_box.isEnabled() and panel.settings().window_s is None
        qtbot.mouseClick(page.compute_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not page.tasks.busy, timeout=60_000)
        assert page.report_data is not None and "same" in page.report_data.rules
        assert study.sequences.settings().window_s == 12.5  # computed, not saved
        # Cancel stops a computation; the shown results stay
        shown_report = page.report_data
        page.compute()
        qtbot.mouseClick(page.tasks.cancel_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not page.tasks.busy, timeout=60_000)
        assert page.tasks.caption.text() == "Cancelled."
        assert page.report_data is shown_report
    finally:
        study.close()


#: A later scheme whose one category says "rupture" (the defaults by name must pick it up).
LATER_SCHEME = (
    SCHEME.replace('id = "mini-3rs"', 'id = "later-3rs"')
    .replace(
        'id = "other"\nlabel = "Something else"', 'id = "stalemate"\nlabel = "Stalemate rupture"'
    )
    .replace('category = "other"', 'category = "stalemate"')
)


def test_untouched_categories_stay_the_default_so_later_schemes_follow(
    lab: Lab, qtbot: QtBot
) -> None:
    """Saving the panel without touching the categories keeps ``()`` ("the schemes' categories
    that say rupture / resolution"): a scheme imported later is analysed by name too. A tick or
    untick is an explicit choice, and an explicit stored choice stays as it was."""
    from PySide6.QtCore import Qt

    from observer_app.services.sequences.gather import chosen_categories
    from observer_app.ui.manager.analysis.settings_panel import SequenceSettingsPanel

    study = lab.study
    panel = SequenceSettingsPanel()
    qtbot.addWidget(panel)
    panel.show_settings(study.sequences.settings(), study.sequences.category_choices())
    ticked = [panel.ruptures.item(i) for i in range(panel.ruptures.count())]
    assert [i.checkState() == Qt.CheckState.Checked for i in ticked] == [True, True, False, False]
    panel.shuffles.setValue(200)  # a change of another setting
    study.sequences.set_settings(panel.settings())
    stored = study.sequences.settings()
    assert stored.shuffles == 200
    assert (stored.rupture_categories, stored.resolution_categories) == ((), ())
    study.definitions.import_text(LATER_SCHEME, "later.toml")
    rupture, resolution = chosen_categories(stored, study.sequences.category_choices())
    assert rupture == ("withdrawal", "confrontation", "stalemate")
    assert resolution == ("resolution",)
    # unticking one is explicit; untick then tick again is no change
    panel.show_settings(stored, study.sequences.category_choices())
    first = panel.ruptures.item(0)
    first.setCheckState(Qt.CheckState.Unchecked)
    assert panel.settings().rupture_categories == ("confrontation", "stalemate")
    first.setCheckState(Qt.CheckState.Checked)
    assert panel.settings().rupture_categories == ()
    # an explicit stored choice (in its own order) comes back unchanged
    explicit = replace(stored, rupture_categories=("stalemate", "withdrawal"))
    panel.show_settings(explicit, study.sequences.category_choices())
    assert panel.settings() == explicit


def test_the_page_loads_the_category_choices_once_and_again_on_a_change(
    lab: Lab, tmp_path: Path, qtbot: QtBot, monkeypatch: Any
) -> None:
    """Tab switches do not re-read the schemes' categories (nor reset an unsaved edit); a scheme
    imported on the Schemes tab, or a change from another workstation, does."""
    from PySide6.QtCore import Qt

    from observer_app.services.sequences.service import SequenceService
    from observer_app.ui.manager.window import ManagerWindow

    calls: list[bool] = []
    choices = SequenceService.category_choices
    monkeypatch.setattr(
        SequenceService, "category_choices", lambda s: calls.append(True) or choices(s)
    )
    window = ManagerWindow(lab.study)
    qtbot.addWidget(window)
    window.show()
    page, panel = window.analysis, window.analysis.settings_panel
    for _ in range(3):
        window.tabs.setCurrentWidget(page)
        window.tabs.setCurrentWidget(window.coders)
    assert len(calls) == 1
    qtbot.waitUntil(lambda: not page.tasks.busy, timeout=60_000)
    window.tabs.setCurrentWidget(page)
    panel.shuffles.setValue(321)  # not saved
    window.tabs.setCurrentWidget(window.coders)
    window.tabs.setCurrentWidget(page)
    assert panel.shuffles.value() == 321 and len(calls) == 1

    def offered() -> list[str]:
        return [panel.ruptures.item(i).text() for i in range(panel.ruptures.count())]

    later = tmp_path / "later.toml"
    later.write_text(LATER_SCHEME, encoding="utf-8")
    assert window.definitions.import_file(later) is not None  # on the Schemes tab
    window.tabs.setCurrentWidget(page)
    assert len(calls) == 2 and "Stalemate rupture (stalemate)" in offered()
    assert panel.shuffles.value() == 321  # the stored settings did not change: edit kept
    assert panel.settings().rupture_categories == ()  # by name: the new category is ticked
    ticked = [panel.ruptures.item(i) for i in range(panel.ruptures.count())]
    assert [i.checkState() == Qt.CheckState.Checked for i in ticked] == [1, 1, 0, 0, 1]
    elsewhere = Study.open(lab.study.location, backup=False)  # another workstation
    elsewhere.definitions.import_text(
        LATER_SCHEME.replace("later-3rs", "third").replace("stalemate", "impasse"), "third.toml"
    )
    elsewhere.close()
    seen: list[bool] = []
    window.live.changed.connect(lambda: seen.append(True))
    qtbot.waitUntil(lambda: (window.live.poll(), bool(seen))[1], timeout=5000)
    assert len(calls) == 3 and "Stalemate rupture (impasse)" in offered()  # the page is shown
    qtbot.waitUntil(lambda: not page.tasks.busy, timeout=60_000)
    window.close()
