"""The reconcile page is composed of controllers, not mixins (issue 12, "Structure"): the page's
class has only ``Page``'s lineage, and each controller works on its own — built alone over a
real SQLite study (and the FakePlayer), its signals say what happened and the study holds it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelectionModel
from pytestqt.qtbot import QtBot

from observer_app.media.fake import FakePlayer
from observer_app.media.types import MediaInfo, PlaybackState
from observer_app.services.consensus import DECISIONS, EventEdit
from observer_app.services.study import Study
from observer_app.ui.manager._common import Page
from observer_app.ui.manager.reconcile import (
    ChoiceController,
    CompletionController,
    EventsController,
    PlaybackController,
    RatingsController,
    ReconcilePage,
    ReconcileSession,
)

from .conftest import Coded, Lab, code_study


def _manager(lab: Lab) -> tuple[Study, Coded]:
    coded = code_study(lab)
    return Study.open(lab.path, as_coder="Mo Master", backup=False), coded


def _session(study: Study, lab: Lab, coded: Coded, index: int) -> ReconcileSession:
    rid = lab.recordings[index]
    choice = next(d for d in study.consensus.double_coded() if d.recording_id == rid)
    return ReconcileSession.open(study, choice, coded.pairs[rid], 2000)


def _player(study: Study) -> FakePlayer:
    return FakePlayer(
        catalog={
            r.media_path: MediaInfo(r.media_path, r.duration_ms or 0, 25.0, 320, 240, True, True)
            for r in study.recordings.all()
        }
    )


def test_the_page_inherits_nothing_but_page() -> None:
    assert ReconcilePage.__mro__[1:] == Page.__mro__


def test_choice_alone_lists_opens_and_announces_the_session(lab: Lab, qtbot: QtBot) -> None:
    study, coded = _manager(lab)
    choice = ChoiceController(study)
    choice.refresh()
    listed = [choice.recording.itemData(i).recording_id for i in range(choice.recording.count())]
    assert listed == [d.recording_id for d in study.consensus.double_coded()]
    assert set(coded.pairs) <= set(listed)
    rid = lab.recordings[3]
    choice.select_recording(rid)
    assert (choice.coder_a.currentData(), choice.coder_b.currentData()) == coded.pairs[rid]
    choice.tolerance.setValue(1.5)
    with (
        qtbot.waitSignal(choice.sessionChanged, timeout=1000) as opened,
        qtbot.waitSignal(choice.message, timeout=1000) as said,
    ):
        rec = choice.open_selected()
    session = opened.args[0]
    assert isinstance(session, ReconcileSession) and session.rec == rec
    assert rec is not None and (rec.recording_id, rec.tolerance_ms) == (rid, 1500)
    assert said.args[0].startswith(f"{len(rec.disagreements)} disagreement(s) of ")
    # the first decision starts the consensus: the picker names it
    item = rec.disagreements[0]
    session.decide(item.key, "neither")
    assert f"consensus #{session.rec.consensus_id}" in choice.recording.currentText()
    study.close()


def test_choice_alone_refuses_a_coder_with_an_error(lab: Lab, qtbot: QtBot) -> None:
    code_study(lab)
    with Study.open(lab.path, as_coder="Ana Alves", backup=False) as ana:
        choice = ChoiceController(ana)
        with qtbot.waitSignal(choice.error, timeout=1000) as refused:
            choice.refresh()
        assert "manager" in refused.args[0]
        assert choice.recording.count() == 0 and not choice.open_button.isEnabled()


def test_events_alone_navigate_by_signals_and_decide_into_the_study(lab: Lab, qtbot: QtBot) -> None:
    study, coded = _manager(lab)
    asked: list[str] = []

    def ask_edit(scheme: object, item: object) -> EventEdit | None:
        asked.append(item.key)  # type: ignore[attr-defined]
        if len(asked) == 1:
            return None  # the manager cancels the first dialog: nothing is decided
        base = item.a or item.b  # type: ignore[attr-defined]
        return EventEdit(code=base.code, onset_ms=base.onset_ms + 250)

    events = EventsController(ask_edit)
    session = _session(study, lab, coded, 1)
    events.attach(session)
    rec = session.rec
    assert events.aligned.rowCount() == len(rec.items)
    assert events.next_button.isEnabled() and not events.decision_buttons["neither"].isEnabled()
    events.lead.setValue(2.0)
    with (
        qtbot.waitSignal(events.seekRequested, timeout=1000) as seek,
        qtbot.waitSignal(events.playRequested, timeout=1000),
    ):
        first = events.next_disagreement()
    assert first == rec.disagreements[0] and seek.args == [first.seek_ms(2000)]
    assert events.timeline.current_key == first.key
    events.decision_buttons["edit"].click()
    assert asked == [first.key] and session.rec.consensus_id is None
    with qtbot.waitSignal(events.message, timeout=1000) as said:
        events.decision_buttons["edit"].click()
    assert said.args[0].endswith(".") and first.key in asked[1:]
    cid = session.rec.consensus_id
    assert cid is not None and events.current is not None and events.current.decision == "edit"
    edited = [e for e in study.events.for_assignment(cid) if e.source["key"] == first.key]
    base = first.a or first.b
    assert [e.onset_ms for e in edited] == [base.onset_ms + 250]
    assert f"consensus #{cid}" in events.summary.text()
    study.close()


def test_ratings_alone_compare_and_decide(lab: Lab, qtbot: QtBot) -> None:
    study, coded = _manager(lab)
    ratings = RatingsController()
    assert not ratings.rating_equal_button.isEnabled()  # nothing open yet
    session = _session(study, lab, coded, 2)
    ratings.attach(session)
    rows = ratings.ratings.rows()
    assert rows and ratings.rating_equal_button.isEnabled()
    assert ratings.ratings.index(0, 0).data() == "alliance-quick-demo"  # the session names it
    with qtbot.waitSignal(ratings.error, timeout=1000) as refused:
        ratings.decide_rating("accept_a")  # nothing selected
    assert refused.args == ["Select an item in the table first."]
    with qtbot.waitSignal(ratings.error, timeout=1000) as refused:
        assert not ratings.ratings.setData(ratings.ratings.index(0, 7), "high")
    assert "is not a number" in refused.args[0]
    # select through the selection model: ``selectRow`` follows the keyboard modifiers an
    # earlier test's key events may leave behind in the application (Ctrl toggles the row)
    flags = QItemSelectionModel.SelectionFlag
    ratings.rating_view.selectionModel().select(
        ratings.ratings.index(0, 0), flags.ClearAndSelect | flags.Rows
    )
    with qtbot.waitSignal(ratings.message, timeout=1000) as said:
        ratings.rating_b_button.click()
    assert said.args == [f"{DECISIONS['accept_b']} for item {rows[0].item_id}."]
    cid = session.rec.consensus_id
    assert cid is not None
    stored = {r.item_id: r.value for r in study.ratings.for_assignment(cid)}
    assert stored[rows[0].item_id] == rows[0].value_b
    assert ratings.ratings.rows()[0].decision == "accept_b"
    study.close()


def test_completion_alone_names_what_is_undecided_then_completes(lab: Lab, qtbot: QtBot) -> None:
    study, coded = _manager(lab)
    done = CompletionController()
    session = _session(study, lab, coded, 0)
    done.attach(session)
    assert not done.complete_button.isEnabled()  # no consensus yet
    rec = session.rec
    session.decide(rec.disagreements[0].key, "neither")
    assert done.complete_button.isEnabled()
    with qtbot.waitSignal(done.error, timeout=1000) as refused:
        assert not done.complete_consensus()
    assert refused.args[0].startswith(f"{len(rec.disagreements) - 1} disagreement(s) are not")
    for item in session.rec.disagreements[1:]:
        session.decide(item.key, "neither")
    session.accept_equal_ratings()
    for c in session.ratings():
        if c.consensus is None:
            session.decide_rating(c, "accept_a")
    with qtbot.waitSignal(done.completed, timeout=1000) as completed:
        assert done.complete_consensus()
    assert completed.args == [session.rec.consensus_id]
    assert study.assignments.get(session.rec.consensus_id).status == "complete"
    study.close()


def test_playback_alone_loads_seeks_and_releases_a_missing_recording(
    lab: Lab, qtbot: QtBot
) -> None:
    study, coded = _manager(lab)
    player = _player(study)
    playback = PlaybackController(study, lambda: player)
    qtbot.addWidget(playback.box)
    playback.seek(1000)  # nothing loaded: only the playhead moves
    assert player.info() is None
    recording = study.recordings.get(lab.recordings[0])
    with qtbot.waitSignal(playback.durationKnown, timeout=1000) as known:
        playback.attach(_session(study, lab, coded, 0))
    assert known.args == [recording.duration_ms or 0]
    assert playback.panel is not None and playback.no_player.isHidden()
    with qtbot.waitSignal(playback.playheadMoved, timeout=1000) as moved:
        playback.seek(12_000)
    assert moved.args == [12_000] and player.position_ms() == 12_000
    playback.play()
    assert player.state() == PlaybackState.PLAYING
    playback.toggle_play()
    assert player.state() == PlaybackState.PAUSED
    missing = Path(study.recordings.get(lab.recordings[1]).media_path)
    missing.rename(missing.with_suffix(".moved"))
    playback.attach(_session(study, lab, coded, 1))
    assert "file not found" in playback.no_player.text() and player.info() is None
    with qtbot.waitSignal(playback.playheadMoved, timeout=1000):
        playback.seek(5_000)
    assert player.position_ms() == 0  # never seeks in the released recording
    study.close()


def test_the_page_wires_events_to_playback_and_completion_to_the_choice(
    lab: Lab, qtbot: QtBot
) -> None:
    study, _coded = _manager(lab)
    player = _player(study)
    page = ReconcilePage(study, lambda: player)
    qtbot.addWidget(page)
    page.select_recording(lab.recordings[0])
    rec = page.open_selected()
    assert rec is not None and page.session is not None and page.rec is page.session.rec
    page.timeline.seekRequested.emit(33_000)  # a click on the timeline seeks the player
    assert player.position_ms() == 33_000 and page.timeline.playhead_ms == 33_000
    item = page.next_disagreement()
    assert item is not None and player.state() == PlaybackState.PLAYING
    page.decision_buttons["neither"].click()
    assert page.complete_button.isEnabled()
    assert page.status.text().startswith("neither at ")
    study.close()


def test_opening_another_pair_moves_every_part_to_the_new_session(lab: Lab, qtbot: QtBot) -> None:
    study, _coded = _manager(lab)
    player = _player(study)
    page = ReconcilePage(study, lambda: player)
    qtbot.addWidget(page)
    page.select_recording(lab.recordings[0])
    first = page.open_selected()
    assert first is not None and page.next_disagreement() is not None
    assert page.decide("neither")
    old = page.session
    page.select_recording(lab.recordings[1])
    second = page.open_selected()
    assert second is not None and page.session is not old
    qtbot.wait(20)  # the old session is deleted by the event loop
    assert page.current is None and page.aligned.rows() == list(second.items)
    assert page.timeline.names == ("A: Ana Alves", "B: Ben Brook")
    assert not page.complete_button.isEnabled()  # the second pair has no consensus yet
    assert player.info() is not None
    assert player.info().path == study.recordings.get(lab.recordings[1]).media_path
    item = page.next_disagreement()
    assert item is not None and page.decide("neither")
    assert page.rec is not None and page.rec.recording_id == lab.recordings[1]
    consensus = study.assignments.get(page.rec.consensus_id)
    assert consensus.recording_id == lab.recordings[1]
    assert page.complete_button.isEnabled()
    assert f"consensus #{page.rec.consensus_id}" in page.summary.text()
    study.close()
