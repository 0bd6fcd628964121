"""Reliability dashboard: computed off the GUI thread, numbers equal the reliability service's."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from observer_app.services.reliability import ReliabilityRequest
from observer_app.ui.manager._common import LOW
from observer_app.ui.manager.dashboard import ReliabilityPage, fmt

from .conftest import Lab, code_study


def _pool():  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QThreadPool

    pool = QThreadPool()
    pool.setMaxThreadCount(1)
    return pool


def _compute(page: ReliabilityPage, qtbot: QtBot) -> None:
    page.compute()
    assert page.tasks.busy and not page.compute_button.isEnabled()
    qtbot.waitUntil(lambda: not page.tasks.busy, timeout=30_000)
    assert page.tasks.last_error is None
    assert page.compute_button.isEnabled()


def test_instrument_tables_equal_the_service(
    lab: Lab, qtbot: QtBot, qtmodeltester, tmp_path: Path
) -> None:
    coded = code_study(lab)
    page = ReliabilityPage(lab.study, _pool())
    qtbot.addWidget(page)
    page.definition.setCurrentIndex(page.definition.findData(coded.instrument_id))
    page.set_checked(page.coders, {lab.coders["Ana Alves"], lab.coders["Ben Brook"]})
    page.tolerance.setValue(1.5)
    _compute(page, qtbot)
    expected = lab.study.reliability.compute(
        ReliabilityRequest(
            coded.instrument_id,
            coder_ids=(lab.coders["Ana Alves"], lab.coders["Ben Brook"]),
            tolerance_ms=1500,
        )
    )
    report = page.report_data
    assert report is not None and report.kind == "instrument"
    assert [c.name for c in report.coders] == ["Ana Alves", "Ben Brook"]
    model = page.scores
    assert model.rowCount() == len(expected.scores)
    for row, s in enumerate(expected.scores):
        assert model.index(row, 1).data() == s.id
        shown = fmt(s.icc.value) if not s.insufficient else f"({fmt(s.icc.value)})"
        assert model.index(row, 3).data() == shown
        assert model.index(row, 6).data() == fmt(s.alpha.value)
        assert model.index(row, 5).data() == (s.icc.label or "")
        colour = model.index(row, 3).data(8)  # BackgroundRole
        assert (colour is not None and colour.color() == LOW) == s.flagged
    assert page.results.isTabVisible(0) and not page.results.isTabVisible(1)
    qtmodeltester.check(model)
    # the ratings behind a row: units x coders, rows where the coders differ highlighted
    dialog = page.show_matrix(0)
    matrix = dialog.model
    qtmodeltester.check(matrix)
    source = report.scores[0].matrix
    assert matrix.rowCount() == len(source.units) and matrix.columnCount() == 2
    for r, values in enumerate(source.values):
        shown = [matrix.index(r, c).data() for c in range(2)]
        assert shown == [f"{v:g}" for v in values]
        assert (matrix.index(r, 0).data(8) is not None) == (values[0] != values[1])
    dialog.close()
    page.grab().save(str(tmp_path / "dashboard-instrument.png"))


def test_scheme_codes_and_confusion(lab: Lab, qtbot: QtBot, qtmodeltester) -> None:
    coded = code_study(lab)
    page = ReliabilityPage(lab.study, _pool())
    qtbot.addWidget(page)
    page.definition.setCurrentIndex(page.definition.findData(coded.scheme_id))
    page.set_checked(page.recordings, set(coded.pairs))
    _compute(page, qtbot)
    report = page.report_data
    assert report is not None and report.kind == "scheme" and report.events is not None
    expected = lab.study.reliability.compute(
        ReliabilityRequest(coded.scheme_id, recording_ids=tuple(sorted(coded.pairs)))
    )
    assert report.to_dict() == expected.to_dict()
    codes = page.codes
    for row, c in enumerate(expected.codes):
        assert codes.index(row, 0).data() == c.code
        assert codes.index(row, 5).data() == str(c.matched)
        assert codes.index(row, 10).data() == fmt(c.specific_agreement)
    labels = report.events.confusion.labels
    assert labels[-1] == "unmatched"
    assert page.confusion.headerData(len(labels) - 1, 1) == "unmatched"
    for r in range(len(labels)):
        for col in range(len(labels)):
            cell = page.confusion.index(r, col).data()
            assert cell == str(report.events.confusion.counts[r][col])
    qtmodeltester.check(codes)
    qtmodeltester.check(page.confusion)
    assert page.results.isTabVisible(1) and page.results.isTabVisible(2)


def test_calibration_drift_plot(lab: Lab, qtbot: QtBot, tmp_path: Path) -> None:
    coded = code_study(lab)
    page = ReliabilityPage(lab.study, _pool())
    qtbot.addWidget(page)
    page.definition.setCurrentIndex(page.definition.findData(coded.scheme_id))
    page.set_checked(page.recordings, set(lab.recordings[5:8]))
    _compute(page, qtbot)
    report = page.report_data
    assert report is not None
    # Cy against the master coder, three recordings in completion order
    assert report.master_coder is not None and report.master_coder.name == "Mo Master"
    values = [p.value for p in report.drift]
    assert [v for _, v in page.drift.series[0].points] == values
    assert [s.coder for s in page.drift.series] == ["Cy Cole"]
    assert len(values) == 3
    assert page.results.isTabVisible(3)
    page.results.setCurrentIndex(3)
    page.resize(1300, 700)
    page.grab().save(str(tmp_path / "drift.png"))


def test_whole_study_with_calibration_and_double_coding(lab: Lab, qtbot: QtBot) -> None:
    coded = code_study(lab)
    page = ReliabilityPage(lab.study, _pool())
    qtbot.addWidget(page)
    page.definition.setCurrentIndex(page.definition.findData(coded.scheme_id))
    _compute(page, qtbot)
    report = page.report_data
    assert report is not None
    assert report.recording_ids == tuple(lab.recordings)
    assert [p.coder_name for p in report.drift] == ["Cy Cole"] * 3  # only the master's recordings
    expected = lab.study.reliability.compute(ReliabilityRequest(coded.scheme_id))
    assert report.to_dict() == expected.to_dict()


def test_a_computation_can_be_cancelled(lab: Lab, qtbot: QtBot) -> None:
    coded = code_study(lab)
    page = ReliabilityPage(lab.study, _pool())
    qtbot.addWidget(page)
    page.definition.setCurrentIndex(page.definition.findData(coded.instrument_id))
    page.compute()
    page.tasks.cancel()
    qtbot.waitUntil(lambda: not page.tasks.busy, timeout=30_000)
    # either it finished before the flag was seen, or it stopped and said so
    assert page.tasks.caption.text() == "Cancelled." or page.report_data is not None
    assert page.compute_button.isEnabled()


def test_choosing_nobody_is_refused_not_taken_as_everyone(lab: Lab, qtbot: QtBot) -> None:
    coded = code_study(lab, calibration=False)
    page = ReliabilityPage(lab.study, _pool())
    qtbot.addWidget(page)
    page.definition.setCurrentIndex(page.definition.findData(coded.instrument_id))
    page._check_all(page.coders, Qt.CheckState.Unchecked)
    page.compute()
    assert not page.tasks.busy
    assert page.status.text() == "Check at least one coder."


def test_subject_matching_choice_and_subject_kappa(qtbot: QtBot, tmp_path: Path) -> None:
    from tests.reliability.subject_lab import TOLERANCE_MS, build_subject_lab

    lab = build_subject_lab(str(tmp_path / "subjects.db"), tmp_path)
    with lab.manager() as mia:
        page = ReliabilityPage(mia, _pool())
        qtbot.addWidget(page)
        page.definition.setCurrentIndex(page.definition.findData(lab.scheme_id))
        page.tolerance.setValue(TOLERANCE_MS / 1000)
        shown = {}
        for mode in ("within", "across"):
            page.subjects.setCurrentIndex(page.subjects.findData(mode))
            _compute(page, qtbot)
            report = page.report_data
            assert report is not None and report.subjects == mode
            assert report.to_dict() == mia.reliability.compute(page.request()).to_dict()
            shown[mode] = page.summary.text()
        assert "within subject: percent agreement 0.50" in shown["within"]
        assert "across subjects: percent agreement 1.00" in shown["across"]
        for text in shown.values():
            assert "subject of matched events (matched across subjects): kappa 0.40" in text
        page.resize(1200, 700)
        page.grab().save(str(tmp_path / "dashboard-subjects.png"))
