"""Reconciliation view: aligned timelines, disagreement navigation drives the video, decisions
become consensus rows with provenance, item-by-item consensus ratings."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from observer_app.media.fake import FakePlayer
from observer_app.media.types import MediaInfo, PlaybackState
from observer_app.services.study import Study
from observer_app.ui.manager.pair_timeline import KIND_COLOURS
from observer_app.ui.manager.reconcile import ReconcilePage

from .conftest import Lab, code_study


def _page(lab: Lab, qtbot: QtBot) -> tuple[ReconcilePage, FakePlayer, Study, object]:
    coded = code_study(lab)
    manager = Study.open(lab.path, as_coder="Mo Master", backup=False)
    catalog = {
        r.media_path: MediaInfo(r.media_path, r.duration_ms or 0, 25.0, 320, 240, True, True)
        for r in manager.recordings.all()
    }
    player = FakePlayer(catalog=catalog)
    page = ReconcilePage(manager, lambda: player)
    qtbot.addWidget(page)
    page.resize(1400, 900)
    return page, player, manager, coded


def test_open_shows_both_timelines_coloured_by_alignment(
    lab: Lab, qtbot: QtBot, qtmodeltester, tmp_path: Path
) -> None:
    page, player, manager, coded = _page(lab, qtbot)
    rid = lab.recordings[0]
    page.select_recording(rid)
    rec = page.open_selected()
    assert rec is not None
    a, b = coded.pairs[rid]
    assert (rec.assignment_a, rec.assignment_b) == (a, b)
    assert player.info() is not None and page.panel is not None  # the video is loaded
    assert page.timeline.names == ("A: Ana Alves", "B: Ben Brook")
    # every event of each coder is on its band, coloured by its alignment
    for item in rec.items:
        for e in (item.a, item.b):
            if e is not None:
                assert page.timeline.colour_of(e.id) == KIND_COLOURS[item.kind]
    assert [m.event_id for m in page.timeline.marks_a] == [i.a.id for i in rec.items if i.a]
    assert [m.event_id for m in page.timeline.marks_b] == [i.b.id for i in rec.items if i.b]
    page.grab().save(str(tmp_path / "reconcile.png"))
    assert page.aligned.rowCount() == len(rec.items)
    qtmodeltester.check(page.aligned)
    qtmodeltester.check(page.ratings)
    manager.close()


def test_next_and_previous_disagreement_seek_before_it_and_play(lab: Lab, qtbot: QtBot) -> None:
    page, player, manager, _ = _page(lab, qtbot)
    page.select_recording(lab.recordings[0])
    rec = page.open_selected()
    assert rec is not None and len(rec.disagreements) >= 2
    page.lead.setValue(4.0)
    first = page.next_disagreement()
    assert first == rec.disagreements[0]
    assert player.position_ms() == max(0, first.time_ms - 4000)
    assert player.state() == PlaybackState.PLAYING
    assert page.timeline.playhead_ms == player.position_ms()
    assert page.timeline.current_key == first.key
    assert (
        page.timeline.view_start
        <= first.time_ms
        <= page.timeline.view_start + page.timeline.view_ms
    )
    second = page.next_disagreement()
    assert second == rec.disagreements[1]
    assert page.previous_disagreement() == first
    assert page.current == first
    manager.close()


def test_decisions_make_consensus_events_with_provenance(lab: Lab, qtbot: QtBot) -> None:
    page, _player, manager, _ = _page(lab, qtbot)
    page.select_recording(lab.recordings[4])  # has a mismatch and unmatched events of A and B
    rec = page.open_selected()
    assert rec is not None
    wanted = ["both", "accept_b", "accept_a", "neither"]
    decided: dict[str, str] = {}
    while wanted:
        item = page.next_disagreement()
        assert item is not None, f"no disagreement left for {wanted}"
        fits = {
            "both": item.a is not None and item.b is not None,
            "accept_a": item.a is not None,
            "accept_b": item.b is not None,
            "neither": True,
        }
        choice = next(d for d in wanted if fits[d])
        assert page.decision_buttons[choice].isEnabled()
        page.decision_buttons[choice].click()
        decided[item.key] = choice
        wanted.remove(choice)
    rec = page.rec
    assert rec is not None and rec.consensus_id is not None
    consensus = manager.events.for_assignment(rec.consensus_id)
    by_key: dict[str, list] = {}
    for e in consensus:
        by_key.setdefault(e.source["key"], []).append(e)
    for key, choice in decided.items():
        item = rec.item(key)
        assert item.decision == choice
        got = by_key.get(key, [])
        expected_ids = {
            "accept_a": [item.a.id] if item.a else [],
            "accept_b": [item.b.id] if item.b else [],
            "both": [e.id for e in (item.a, item.b) if e],
            "neither": [],
        }[choice]
        assert sorted(e.source["from_event"] for e in got) == sorted(expected_ids)
        for e in got:
            assert e.source["decision"] == choice
            assert e.source["coders"] == [x.coder for x in (item.a, item.b) if x]
    audit = [e.context for e in manager.audit.entries(entity="event")]
    assert "reconcile: accept A" in audit and "reconcile: both" in audit
    # a decision shows in the table, and the picker now names the consensus
    row = next(i for i, it in enumerate(page.aligned.rows()) if it.key in decided)
    assert page.aligned.index(row, 4).data() != ""
    assert f"consensus #{rec.consensus_id}" in page.recording.currentText()
    manager.close()


def test_edit_decision_and_completion_needs_every_disagreement(lab: Lab, qtbot: QtBot) -> None:
    from observer_app.services.consensus import EventEdit

    page, _player, manager, _ = _page(lab, qtbot)
    page.select_recording(lab.recordings[1])
    rec = page.open_selected()
    assert rec is not None
    item = page.next_disagreement()
    assert item is not None
    code = (item.a or item.b).code
    assert page.decide("edit", EventEdit(code=code, onset_ms=item.time_ms + 100))
    assert not page.complete_consensus()
    assert "not decided yet" in page.status.text()
    while page.next_disagreement() is not None:
        page.decide("neither")
    # the consensus also needs the instrument's items
    assert not page.complete_consensus()
    assert "required item(s) unanswered" in page.status.text()
    page.accept_equal_ratings()
    for row, c in enumerate(page.ratings.rows()):
        if c.consensus is None:
            page.rating_view.selectRow(row)
            page.decide_rating("accept_a")
    assert page.complete_consensus(), page.status.text()
    assert manager.assignments.get(page.rec.consensus_id).status == "complete"
    edited = [
        e
        for e in manager.events.for_assignment(page.rec.consensus_id)
        if e.source.get("decision") == "edit"
    ]
    assert [e.onset_ms for e in edited] == [item.time_ms + 100]
    manager.close()


def test_ratings_item_by_item_with_consensus_entry(lab: Lab, qtbot: QtBot, qtmodeltester) -> None:
    page, _player, manager, coded = _page(lab, qtbot)
    page.select_recording(lab.recordings[2])
    rec = page.open_selected()
    assert rec is not None
    page.tabs.setCurrentIndex(1)
    model = page.ratings
    rows = model.rows()
    assert rows and all(r.instrument_version_id == coded.instrument_id for r in rows)
    differing = [i for i, r in enumerate(rows) if r.differs]
    same = [i for i, r in enumerate(rows) if not r.differs]
    assert differing, "the fixture should give at least one differing item"
    for i in differing:
        assert model.index(i, 4).data(8) is not None  # highlighted
    # type a consensus value into the table: an 'edit' decision
    row = differing[0]
    assert model.setData(model.index(row, 7), "3")
    assert not model.setData(model.index(row, 7), "three")
    assert "is not a number" in page.status.text()
    n = page.accept_equal_ratings()
    assert n == len(same)
    comparisons = {c.item_id: c for c in manager.consensus.ratings(page.rec)}
    assert comparisons[rows[row].item_id].consensus == 3.0
    assert comparisons[rows[row].item_id].decision == "edit"
    consensus = {r.item_id: r for r in manager.ratings.for_assignment(page.rec.consensus_id)}
    src = consensus[rows[row].item_id].source
    assert src["values"] == {"A": rows[row].value_a, "B": rows[row].value_b}
    assert src["coders"] == ["Ana Alves", "Ben Brook"]
    qtmodeltester.check(model)
    page.only_differing.setChecked(True)
    assert [r.item_id for r in model.rows()] == [rows[i].item_id for i in differing]
    manager.close()


def test_clicking_the_timeline_selects_an_event_or_seeks(lab: Lab, qtbot: QtBot) -> None:
    from PySide6.QtCore import QPoint, Qt

    page, player, manager, _ = _page(lab, qtbot)
    page.select_recording(lab.recordings[0])
    rec = page.open_selected()
    assert rec is not None
    page.show()
    tl = page.timeline
    tl.show_range(0, 600_000)
    item = rec.items[len(rec.items) // 2]
    event = item.a or item.b
    band_a, band_b = tl._bands()
    band = band_a if item.a is not None else band_b
    where = QPoint(round(tl.x_of(event.onset_ms)), round(band.center().y()))
    qtbot.mouseClick(tl, Qt.MouseButton.LeftButton, pos=where)
    assert page.current == item and tl.current_key == item.key
    assert player.position_ms() == item.seek_ms(round(page.lead.value() * 1000))
    assert player.state() == PlaybackState.PAUSED  # selecting from the timeline does not play
    # a click away from any event seeks there
    empty_ms = 599_000
    qtbot.mouseClick(
        tl,
        Qt.MouseButton.LeftButton,
        pos=QPoint(round(tl.x_of(empty_ms)), round(band_b.center().y())),
    )
    assert abs(player.position_ms() - empty_ms) <= tl.view_ms / tl._plot_w() + 1
    manager.close()


def test_the_edit_dialog_keeps_modifiers_of_an_unchanged_code(lab: Lab, qtbot: QtBot) -> None:
    from observer_app.services.consensus import Aligned, SourceEvent
    from observer_app.ui.manager.reconcile import EditEventDialog

    scheme = lab.study.definitions.scheme(lab.study.definitions.import_builtin("scheme", "3rs").id)
    code = scheme.codes[0]
    event = SourceEvent(1, 1, "Ana", code.id, 5000, None, False, {"x": 1}, "note")
    dialog = EditEventDialog(scheme, Aligned("a1-b", "unmatched_a", event, None))
    qtbot.addWidget(dialog)
    assert dialog.offset.text() == "none" and dialog.comment.text() == "note"
    dialog.onset.setValue(6.25)
    edit = dialog.edit()
    assert (edit.code, edit.onset_ms, edit.offset_ms, edit.modifiers) == (
        code.id,
        6250,
        None,
        {"x": 1},
    )
    dialog.code.setCurrentIndex(1)
    assert dialog.edit().modifiers == {}  # another code: the coder's modifiers do not carry over


def test_space_plays_and_pauses(lab: Lab, qtbot: QtBot) -> None:
    import warnings

    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    page, player, manager, _ = _page(lab, qtbot)
    page.select_recording(lab.recordings[0])
    assert page.open_selected() is not None
    page.show()
    qtbot.waitExposed(page)
    with warnings.catch_warnings():  # offscreen windows are not activated by the platform
        warnings.simplefilter("ignore", DeprecationWarning)
        QApplication.setActiveWindow(page)
    page.aligned_view.setFocus()  # the table has the focus, as when a manager clicks a row
    qtbot.keyClick(page.aligned_view, Qt.Key.Key_Space)
    assert player.state() == PlaybackState.PLAYING
    qtbot.keyClick(page.aligned_view, Qt.Key.Key_Space)
    assert player.state() == PlaybackState.PAUSED
    manager.close()


def test_timeline_zoom_keeps_the_playhead_in_view(qtbot: QtBot) -> None:
    from observer_app.ui.manager.pair_timeline import MIN_VIEW_MS, PairTimeline

    tl = PairTimeline()
    qtbot.addWidget(tl)
    tl.resize(900, 160)
    tl.set_duration(600_000)
    tl.set_playhead(300_000)
    for _ in range(20):
        tl.zoom(0.5)
        assert tl.view_start <= 300_000 <= tl.view_start + tl.view_ms
    assert tl.view_ms == MIN_VIEW_MS
    tl.show_range(0, 1 << 40)
    assert (tl.view_start, tl.view_ms) == (0, 600_000)
    assert tl.ms_at(tl.x_of(123_456)) == 123_456


def test_a_missing_recording_is_named_and_the_previous_one_released(lab: Lab, qtbot: QtBot) -> None:
    page, player, manager, _ = _page(lab, qtbot)
    page.select_recording(lab.recordings[0])
    page.open_selected()
    assert player.info() is not None
    missing = Path(manager.recordings.get(lab.recordings[1]).media_path)
    missing.rename(missing.with_suffix(".moved"))
    page.select_recording(lab.recordings[1])
    rec = page.open_selected()
    assert rec is not None  # the events can still be reconciled
    assert "file not found" in page.no_player.text() and not page.no_player.isHidden()
    assert player.info() is None
    page.next_disagreement()  # no crash, no seeking in the other recording
    assert player.position_ms() == 0
    manager.close()
