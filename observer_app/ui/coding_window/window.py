"""The coding window: builds the controllers, docks their widgets, and wires them once.

Each controller (``keys``, ``assignment``, ``playback``, ``coding``, ``forms``, ``completion``)
is a QObject owning its widgets, with ``attach(session)``; the window connects the assignment's
``sessionChanged`` to each, routes their ``seekRequested`` to playback, each tick's position to
the timeline and the segments, the timeline's view to playback, and messages and errors to the
status bar. The window's public attributes (``pad``, ``event_log`` …) are read-only views of the
controllers' widgets."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QResizeEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QVBoxLayout,
    QWidget,
)

from observer_app.coding.state_logic import format_ms
from observer_app.media.frame_player import plays_real_media
from observer_app.media.protocol import MediaPlayer
from observer_app.media.synced import SyncedPlayer
from observer_app.services.study import Study
from observer_app.ui.actions import ShortcutContext
from observer_app.ui.assignment_watch import AssignmentWatch
from observer_app.ui.coding_window.assignment import AssignmentController
from observer_app.ui.coding_window.audio import AudioController
from observer_app.ui.coding_window.coding import CodingController
from observer_app.ui.coding_window.completion import CompletionController
from observer_app.ui.coding_window.forms import FormsController
from observer_app.ui.coding_window.keys import KeymapController
from observer_app.ui.coding_window.playback import PlaybackController
from observer_app.ui.coding_window.save_banner import SaveBanner
from observer_app.ui.live import LiveUpdates
from observer_app.ui.player_panel import make_coding_surface
from observer_app.ui.preferences import Preferences
from observer_app.ui.session import CodingSession
from observer_app.ui.sources_view import session_sources

LAYOUT_VERSION = 1


class CodingWindow(QMainWindow):
    """The coder's main window: the controllers' widgets in a central column and docks."""

    def __init__(
        self,
        study: Study,
        player: MediaPlayer,
        *,
        settings: QSettings | None = None,
        surface_factory: Callable[[MediaPlayer, bool, str], QWidget] | None = make_coding_surface,
        choose_assignment: Callable[[CodingWindow], int | None] | None = None,
    ) -> None:
        super().__init__()
        self.study = study
        self.player = SyncedPlayer(player, sources=lambda: session_sources(self.session))
        self.settings = settings or QSettings("observer-app", "observer-app")
        choose = None if choose_assignment is None else (lambda: choose_assignment(self))
        self.assignment = AssignmentController(study, choose, self)
        self.playback = PlaybackController(study, self.player, surface_factory, self)
        # the waveform / spectrogram under the lanes, of real media (the FakePlayer has none)
        self.audio = AudioController(study, lambda: plays_real_media(self.player), self)
        # late-bound: tests and scripts replace these two window methods with their answers
        ask_time = lambda: self._ask_event_time()  # noqa: E731, PLW0108
        confirm = lambda q: self.confirm_completion(q)  # noqa: E731, PLW0108
        self.coding = CodingController(self.player, self, ask_time, self)
        self.forms = FormsController(self.player, self)
        self.completion = CompletionController(confirm, self)
        self.keys = KeymapController(study, self)
        self.save_banner = SaveBanner(parent=self)  # issue 17: the unsaved-change banner
        # the window's one change feed (issue 17), shared by the watch, the queue dialog and
        # the manager window (``ui/live.py``)
        self.live = LiveUpdates(study, self)
        # issue 17: the open assignment completed/reopened/cancelled on another workstation
        self.assignment_watch = AssignmentWatch(study, self, live=self.live)
        self.coding.set_prefs(self.keys.prefs)
        self.setWindowTitle(f"observer-app — {study.actor.name} — {study.name}")
        self.setDockOptions(
            QMainWindow.DockOption.AnimatedDocks
            | QMainWindow.DockOption.AllowTabbedDocks
            | QMainWindow.DockOption.AllowNestedDocks
        )
        self._build_central()
        self._build_docks()
        self._build_status()
        self._wire()
        self.keys.build_actions(self._handlers())
        self._restore_audio_view()
        for dock in (
            self.pad_dock,
            self.timeline_dock,
            self.log_dock,
            self.segment_dock,
            self.forms_dock,
            self.problem_dock,
        ):
            self.keys.menus["View"].addAction(dock.toggleViewAction())
        self.shortcut_context = ShortcutContext.install(self, home=self.panel)
        self.keys.apply_keymap()
        self.coding.picker.anchor = self.pad_dock
        # the synced player forwards the main player's errors and adds its further sources'
        self.player.errorOccurred.connect(self.playback.player_error)  # type: ignore[attr-defined]
        self._restore_layout()

    # -- the controllers' widgets, read-only -----------------------------------------------
    session = property(lambda self: self.assignment.session)
    prefs = property(lambda self: self.keys.prefs)
    keymap = property(lambda self: self.keys.keymap)
    actions_by_id = property(lambda self: self.keys.actions_by_id)
    menus = property(lambda self: self.keys.menus)
    lag_label = property(lambda self: self.keys.lag_label)
    panel = property(lambda self: self.playback.panel)
    media_banner = property(lambda self: self.playback.media_banner)
    frame_ms = property(lambda self: self.playback.frame_ms)
    _timer = property(lambda self: self.playback.timer)
    pad = property(lambda self: self.coding.pad)
    event_model = property(lambda self: self.coding.event_model)
    event_log = property(lambda self: self.coding.event_log)
    picker = property(lambda self: self.coding.picker)
    timeline = property(lambda self: self.coding.timeline)
    subject_label = property(lambda self: self.coding.subject_label)
    segments = property(lambda self: self.forms.segments)
    segment_form = property(lambda self: self.forms.segment_form)
    session_forms = property(lambda self: self.forms.session_forms)
    problem_model = property(lambda self: self.completion.problem_model)
    problem_view = property(lambda self: self.completion.problem_view)
    complete_banner = property(lambda self: self.completion.complete_banner)

    # -- construction ----------------------------------------------------------------------
    def _build_central(self) -> None:
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.playback.media_banner)
        layout.addWidget(self.completion.complete_banner)
        layout.addWidget(self.save_banner.banner)
        layout.addWidget(self.assignment_watch.banner)
        layout.addWidget(self.playback.panel, 1)
        self.setCentralWidget(central)

    def _dock(self, name: str, title: str, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(QLabel("Open an assignment (Ctrl+O)."))
        self.addDockWidget(area, dock)
        return dock

    def _build_docks(self) -> None:
        right = Qt.DockWidgetArea.RightDockWidgetArea
        bottom = Qt.DockWidgetArea.BottomDockWidgetArea
        # The right column runs the full height; the timeline sits under the picture.
        self.setCorner(Qt.Corner.BottomRightCorner, right)
        self.setCorner(Qt.Corner.TopRightCorner, right)
        self.pad_dock = self._dock("padDock", "Coding pad", right)
        self.log_dock = self._dock("logDock", "Event log", right)
        self.segment_dock = self._dock("segmentDock", "Segments", right)
        self.forms_dock = self._dock("formsDock", "Instruments", right)
        self.tabifyDockWidget(self.log_dock, self.segment_dock)
        self.tabifyDockWidget(self.segment_dock, self.forms_dock)
        self.problem_dock = self._dock("problemDock", "Problems", right)
        self.tabifyDockWidget(self.forms_dock, self.problem_dock)
        self.log_dock.raise_()
        self.timeline_dock = self._dock("timelineDock", "Timeline", bottom)
        self.problem_dock.setWidget(self.completion.problem_view)
        self.problem_dock.hide()
        self.timeline_dock.setWidget(self.coding.timeline)

    def _build_status(self) -> None:
        self.saved_label = QLabel("Nothing changed yet")
        self.saved_label.setObjectName("savedLabel")
        self.statusBar().addPermanentWidget(self.saved_label)
        self.save_banner.set_saved_label(self.saved_label)
        self.statusBar().addPermanentWidget(self.coding.subject_label)
        self.statusBar().addPermanentWidget(self.keys.lag_label)

    def _wire(self) -> None:
        """Every connection between the controllers, made once."""
        a, p, c, f, done = self.assignment, self.playback, self.coding, self.forms, self.completion
        a.aboutToLeave.connect(self._leave)
        for attach in (self.keys.attach, c.attach, f.attach, done.attach, self.audio.attach):
            a.sessionChanged.connect(attach)
        a.sessionChanged.connect(p.attach)  # loads the media: after the audio has the session
        a.sessionChanged.connect(self._opened)
        for part in (a, p, c, f, done, self.keys):
            part.error.connect(self.show_error)
        for part in (p, c, f, done, self.audio):
            part.message.connect(self.show_message)
        for part in (c, f, done):
            part.seekRequested.connect(p.seek)
        p.positionChanged.connect(self._position)
        p.mediaLoaded.connect(c.set_media)
        p.mediaLoaded.connect(self.audio.media_loaded)
        self.audio.viewsReady.connect(self._show_audio)
        self.audio.viewsReady.connect(p.show_audio)
        self.audio.unavailable.connect(p.show_audio_problem)
        self.audio.viewChanged.connect(self._audio_view_changed)
        canvas = c.timeline.canvas
        canvas.viewChanged.connect(self._push_view)
        c.timeline.bar.valueChanged.connect(lambda _v: self._push_view())
        c.padReplaced.connect(self._dock_coding_views)
        f.formsReplaced.connect(self._dock_forms)
        f.done.connect(self.panel.setFocus)
        f.dockWanted.connect(self._raise_form_dock)
        done.showEvent.connect(self._show_event)
        done.chooseSegment.connect(self._choose_segment)
        done.showSessionItem.connect(self._show_session_item)
        done.problemsShown.connect(self._show_problem_dock)
        done.aboutToComplete.connect(p.remember_position)
        done.completed.connect(self._update_read_only)
        self.keys.codeKeysChanged.connect(c.set_code_keys)
        self.keys.codeKey.connect(c.code_key)
        self.keys.subjectKey.connect(c.set_focal_subject)
        self.keys.prefsChanged.connect(c.set_prefs)

    def _handlers(self) -> dict[str, Callable[[], object]]:
        p, c, f, canvas = self.playback, self.coding, self.forms, self.coding.timeline.canvas
        return {
            "open_queue": self.open_queue,
            "complete": self.complete,
            "show_problems": self.completion.show_problems,
            "locate_media": p.locate_media,
            "manage_study": self.manage_study,
            "preferences": self.keys.edit_preferences,
            "quit": self.close,
            "undo": self.undo,
            "redo": self.redo,
            "delete_event": c.delete_selected,
            "onset_now": lambda: c.set_selected_to_now("onset_ms"),
            "offset_now": lambda: c.set_selected_to_now("offset_ms"),
            "play_pause": self.player.toggle,
            "jump_back": lambda: self.player.jump(-self.prefs.jump_ms),
            "jump_forward": lambda: self.player.jump(self.prefs.jump_ms),
            "frame_back": lambda: self.player.step_frame(-1),
            "frame_forward": lambda: self.player.step_frame(1),
            "slower": lambda: p.step_rate(-1),
            "faster": lambda: p.step_rate(1),
            "rate_normal": lambda: p.set_rate(1.0),
            "mute": p.panel.mute.toggle,
            "prev_segment": lambda: f.step_segment(-1),
            "next_segment": lambda: f.step_segment(1),
            "loop_segment": f.toggle_loop,
            "focus_form": self._focus_form,
            "zoom_in": lambda: canvas.zoom(0.5),
            "zoom_out": lambda: canvas.zoom(2.0),
            "zoom_all": lambda: canvas.zoom(1e9),
            "subject_lanes": self.keys.toggle_subject_lanes,
            "spectrogram": lambda: self.audio.show_spectrogram(
                self.keys.actions_by_id["spectrogram"].isChecked()
            ),
            "reset_layout": self.reset_layout,
            "keys_help": self.keys.show_keys,
        }

    # -- wiring's slots --------------------------------------------------------------------
    def _leave(self, _session: CodingSession) -> None:
        self.coding.picker.cancel()
        self.playback.remember_position()
        self.save_banner.warn_if_unsaved(self)  # never drop a change silently (issue 17)
        self.save_banner.attach(None)
        self.assignment_watch.attach(None)

    def _opened(self, session: CodingSession) -> None:
        """After every controller has the new session: resume at the last position."""
        session.saved.connect(self._saved)
        session.failed.connect(self.show_error)
        session.statusChanged.connect(lambda _status: self._update_read_only())
        self.save_banner.attach(session)
        self.assignment_watch.attach(session)
        QTimer.singleShot(0, self._fit_pad)  # once the new pad is laid out
        self._update_read_only()  # (the keymap was applied by ``keys.attach``)
        self.forms.refresh_segments()
        start = session.info.last_position_ms
        self.seek(start)
        self.playback.remembered = start
        rec = session.recording
        self.setWindowTitle(
            f"observer-app — {rec.label} — {self.study.actor.name} ({self.study.name})"
        )
        self.activateWindow()  # keys go to the coding window once the queue dialog has closed
        self.raise_()
        self.panel.setFocus()
        self.show_message(
            f"Opened assignment #{session.info.id}, resuming at {format_ms(start)}", 5000
        )

    def _position(self, ms: int) -> None:
        self.coding.timeline.canvas.set_playhead(ms)
        self.forms.follow(ms)

    def _show_audio(self, views: Any) -> None:
        """The recording's waveform and spectrogram (None: none yet) under the lanes."""
        canvas = self.coding.timeline.canvas
        canvas.set_envelope(None if views is None else views.wave)
        canvas.set_spectrogram(None if views is None else views.spectrogram)

    def _audio_view_changed(self, view: str) -> None:
        self.coding.timeline.canvas.set_audio_view(view)
        self.keys.actions_by_id["spectrogram"].setChecked(view == "spectrogram")
        self.settings.setValue("coding/audio_view", view)

    def _restore_audio_view(self) -> None:
        view = self.settings.value("coding/audio_view")
        self.audio.set_audio_view(view if view in ("waveform", "spectrogram") else "waveform")

    def _push_view(self) -> None:
        canvas = self.coding.timeline.canvas
        self.playback.set_view(canvas.view_start, canvas.view_ms)

    def _dock_coding_views(self) -> None:
        self._replace(self.log_dock, self.coding.event_log)
        self._replace(self.pad_dock, self.coding.pad)

    def _dock_forms(self) -> None:
        self._replace(self.segment_dock, self.forms.segment_widget)
        if self.forms.segments is not None:
            self.segment_dock.show()
        self._replace(self.forms_dock, self.forms.forms_widget)

    def _replace(self, dock: QDockWidget, widget: QWidget) -> None:
        old = dock.widget()
        if old is widget:
            return
        dock.setWidget(widget)
        keep = (self.completion.problem_view, self.coding.timeline)
        if old is not None and old not in keep:
            old.deleteLater()

    def _fit_pad(self) -> None:
        """Give the pad the height its codes need (a compact pad, up to 60% of the window),
        so no code is hidden behind a scroll bar; the log keeps the rest."""
        pad = self.coding.pad
        chrome = self.pad_dock.height() - pad.height()  # the dock's title bar
        needed = pad.content_height() + chrome + 16
        if pad.compact and needed > self.pad_dock.height():
            height = min(needed, int(self.height() * 0.6))
            self.resizeDocks([self.pad_dock], [height], Qt.Orientation.Vertical)

    def _update_read_only(self) -> None:
        session = self.session
        ro = bool(session and session.read_only)
        self.keys.set_read_only(ro)
        self.coding.set_read_only(ro)
        self.forms.set_read_only(ro)
        self.completion.set_read_only(ro)

    def _saved(self, when: Any) -> None:
        if when is not None:
            self.saved_label.setText(f"Saved {when:%H:%M:%S}")

    def _show_event(self, event_id: int) -> None:
        self.log_dock.show()
        self.log_dock.raise_()
        self.coding.show_event(event_id)

    def _choose_segment(self, index: int, item_id: str | None) -> None:
        if self.forms.segments is None:
            return
        self.segment_dock.show()
        self.segment_dock.raise_()
        self.forms.choose_segment(index, item_id)

    def _show_session_item(self, version_id: int, item_id: str | None) -> None:
        self.forms_dock.show()
        self.forms_dock.raise_()
        self.forms.show_session_item(version_id, item_id)

    def _show_problem_dock(self, show: bool) -> None:
        if show:
            self.problem_dock.show()
            self.problem_dock.raise_()
        else:
            self.problem_dock.hide()

    def _raise_form_dock(self, which: str) -> None:
        dock = self.forms_dock if which == "session" else self.segment_dock
        dock.show()
        dock.raise_()

    def _focus_form(self) -> None:
        """Ctrl+R: the form on the tab that is showing (see ``FormsController.focus_form``)."""
        dock = self.forms_dock
        self.forms.focus_form(dock.isVisible() and not dock.visibleRegion().isEmpty())

    # -- what the window offers (menus, tests, the app) ------------------------------------
    def open_queue(self) -> None:
        self.assignment.open_queue()

    def open_assignment(self, assignment_id: int) -> None:
        """Load an assignment into every dock and resume at its last position."""
        self.assignment.open_assignment(assignment_id)

    def seek(self, ms: int) -> None:
        self.playback.seek(ms)

    def _tick(self) -> None:
        self.playback.tick()

    def remember_position(self) -> None:
        self.playback.remember_position()

    def relink(self, path: Any) -> None:
        self.playback.relink(path)

    def locate_media(self) -> None:
        self.playback.locate_media()

    def code_key(self, code_id: str) -> None:
        self.coding.code_key(code_id)

    def undo(self) -> None:
        self.coding.undo()

    def redo(self) -> None:
        self.coding.redo()

    def complete(self) -> None:
        self.completion.complete()

    def show_problems(self) -> None:
        self.completion.show_problems()

    def go_to_problem(self, row: int) -> None:
        self.completion.go_to_problem(row)

    def set_preferences(self, prefs: Preferences) -> None:
        self.keys.set_preferences(prefs)

    def confirm_completion(self, question: str) -> bool:
        """Ask before completing (tests and scripts replace this with their answer)."""
        from PySide6.QtWidgets import QMessageBox

        answer = QMessageBox.question(
            self,
            "Complete the assignment",
            question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _ask_event_time(self) -> int | None:
        """Without media, the time of a key press as the coder types it (or None)."""
        from PySide6.QtWidgets import QInputDialog

        from observer_app.coding.state_logic import parse_time

        text, ok = QInputDialog.getText(
            self,
            "No media: enter the time",
            "The recording is not playing. Time of this event (hh:mm:ss.mmm), or Cancel:",
        )
        return parse_time(text) if ok and text.strip() else None

    def manage_study(self) -> None:
        if importlib.util.find_spec("observer_app.ui.manager") is None:
            self.show_error("the study manager is not available in this version")
            return
        from observer_app.ui import manager

        opener = getattr(manager, "open_manager_window", None)
        if opener is None:
            self.show_error("the study manager is not available in this version")
            return
        self._manager_window = opener(self.study, self, live=self.live)

    def show_error(self, message: str) -> None:
        self.statusBar().showMessage(f"⚠ {message}", 8000)

    def show_message(self, message: str, timeout_ms: int = 0) -> None:
        self.statusBar().showMessage(message, timeout_ms)

    # -- layout ----------------------------------------------------------------------------
    def _restore_layout(self) -> None:
        screen = self.screen().availableGeometry()
        self.resize(min(1600, screen.width()), min(1000, screen.height()))
        self.resizeDocks([self.pad_dock], [560], Qt.Orientation.Horizontal)
        self.resizeDocks([self.pad_dock, self.log_dock], [340, 560], Qt.Orientation.Vertical)
        self.resizeDocks([self.timeline_dock], [190], Qt.Orientation.Vertical)
        self._default_state = self.saveState(LAYOUT_VERSION)
        geometry = self.settings.value("coding/geometry")
        state = self.settings.value("coding/state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        if isinstance(state, QByteArray):
            self.restoreState(state, LAYOUT_VERSION)

    def save_layout(self) -> None:
        self.settings.setValue("coding/geometry", self.saveGeometry())
        self.settings.setValue("coding/state", self.saveState(LAYOUT_VERSION))
        self.settings.sync()

    def reset_layout(self) -> None:
        self.restoreState(self._default_state, LAYOUT_VERSION)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.coding.picker.isVisible():
            self.coding.picker._place()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.playback.remember_position()
        self.save_layout()
        self.playback.timer.stop()
        self.audio.stop()
        self.assignment_watch.stop()
        if self.session is not None:
            self.session.undo_stack.clear()
        super().closeEvent(event)
