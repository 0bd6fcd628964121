"""The coding window: the player, the coding pad, the event log, the timeline, the segment
navigator and the instrument forms, as docks the coder can rearrange (layout kept in QSettings).

The window only wires things: actions come from ``ui/actions.py``; every change goes through
:class:`~observer_app.ui.session.CodingSession` (reversible edits over the services); what a key
press means is decided in ``coding/state_logic.py``.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from observer_app.coding.definitions.scheme import Code
from observer_app.coding.edits import logged_event_id
from observer_app.coding.errors import ObserverError
from observer_app.coding.state_logic import format_ms
from observer_app.media.protocol import MediaPlayer
from observer_app.media.types import PlaybackState
from observer_app.services.records import Problem
from observer_app.services.study import Study
from observer_app.ui.actions import (
    ACTIONS,
    CODE_PREFIX,
    MENUS,
    RATES,
    action_label,
    effective_keymap,
)
from observer_app.ui.coding_pad import CodingPad
from observer_app.ui.event_log import EventLog
from observer_app.ui.instrument_form import InstrumentForm, SessionForms
from observer_app.ui.models import EventTableModel, ProblemModel
from observer_app.ui.modifier_picker import ModifierPicker
from observer_app.ui.player_panel import PlayerPanel, make_surface
from observer_app.ui.preferences import Preferences, PreferencesDialog
from observer_app.ui.segments import SegmentNavigator
from observer_app.ui.session import CodingSession
from observer_app.ui.timeline import Timeline
from observer_app.ui.workers import run_in_background

TICK_MS = 33
REMEMBER_EVERY_MS = 10_000
LAYOUT_VERSION = 1


def _playing(player: MediaPlayer) -> bool:
    return player.state() is PlaybackState.PLAYING


def asks_modifiers(code: Code) -> bool:
    """Whether a key press opens the modifier picker: when the code has a required modifier or
    one to choose (single, multiple, range). Optional free-text modifiers (a note) are not asked
    for at the key press, so coding flows; they are written in the event log afterwards."""
    return any(m.required or m.type != "text" for m in code.modifiers)


class Banner(QWidget):
    """A coloured strip with a message and an optional button."""

    def __init__(self, colour: str, button: str | None = None) -> None:
        super().__init__()
        self.setAutoFillBackground(True)
        self.setStyleSheet(f"background: {colour}; color: #000000;")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        self.label = QLabel()
        self.label.setWordWrap(True)
        layout.addWidget(self.label, 1)
        self.button: QPushButton | None = None
        if button:
            self.button = QPushButton(button)
            self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            layout.addWidget(self.button)
        self.hide()

    def show_text(self, text: str) -> None:
        self.label.setText(text)
        self.show()


class CodingWindow(QMainWindow):
    def __init__(
        self,
        study: Study,
        player: MediaPlayer,
        *,
        settings: QSettings | None = None,
        surface_factory: Callable[[MediaPlayer, bool, str], QWidget] | None = make_surface,
        choose_assignment: Callable[[CodingWindow], int | None] | None = None,
    ) -> None:
        super().__init__()
        self.study = study
        self.player = player
        self.settings = settings or QSettings("observer-app", "observer-app")
        self._surface_factory = surface_factory
        self._choose_assignment = choose_assignment
        self.session: CodingSession | None = None
        self.prefs = self._load_prefs()
        self.keymap: dict[str, str] = {}
        self.actions_by_id: dict[str, QAction] = {}
        self._remembered = -1
        self._since_remember = 0
        self.frame_ms = 40.0
        self._surface_position: Callable[[int], None] | None = None
        self._last_tick_pos = -1
        self.segments: SegmentNavigator | None = None
        self.segment_form: InstrumentForm | None = None
        self.session_forms = SessionForms()
        self.pad = CodingPad(None)
        self.event_model = EventTableModel(None, None, self)
        self.event_log = EventLog(self.event_model, None)
        self.setWindowTitle(f"observer-app — {study.actor.name} — {study.name}")
        self.setDockOptions(
            QMainWindow.DockOption.AnimatedDocks
            | QMainWindow.DockOption.AllowTabbedDocks
            | QMainWindow.DockOption.AllowNestedDocks
        )
        self._build_central()
        self._build_docks()
        self._build_actions()
        self._build_status()
        self.picker = ModifierPicker(self)
        self.picker.accepted.connect(self._modifiers_chosen)
        self.picker.cancelled.connect(self._modifiers_cancelled)
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        player.errorOccurred.connect(self._player_error)  # type: ignore[attr-defined]
        self._restore_layout()

    # -- construction ----------------------------------------------------------------------
    def _build_central(self) -> None:
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.media_banner = Banner("#ffe08a", "Locate file…")
        assert self.media_banner.button is not None
        self.media_banner.button.clicked.connect(self.locate_media)
        self.media_banner.setObjectName("mediaBanner")
        self.complete_banner = Banner("#b9e4c9")
        self.complete_banner.setObjectName("completeBanner")
        layout.addWidget(self.media_banner)
        layout.addWidget(self.complete_banner)
        self.panel = PlayerPanel(self.player)
        self.panel.seekRequested.connect(self.seek)
        self.panel.rateRequested.connect(self._set_rate)
        layout.addWidget(self.panel, 1)
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
        self.problem_model = ProblemModel(self)
        self.problem_view = QListView()
        self.problem_view.setModel(self.problem_model)
        self.problem_view.activated.connect(lambda index: self.go_to_problem(index.row()))
        self.problem_view.doubleClicked.connect(lambda index: self.go_to_problem(index.row()))
        self.problem_dock.setWidget(self.problem_view)
        self.problem_dock.hide()
        self.timeline = Timeline()
        self.timeline.canvas.seekRequested.connect(self.seek)
        self.timeline.canvas.retimeRequested.connect(self._retime)
        self.timeline_dock.setWidget(self.timeline)

    def _handlers(self) -> dict[str, Callable[[], object]]:
        return {
            "open_queue": self.open_queue,
            "complete": self.complete,
            "show_problems": self.show_problems,
            "locate_media": self.locate_media,
            "manage_study": self.manage_study,
            "preferences": self.edit_preferences,
            "quit": self.close,
            "undo": self.undo,
            "redo": self.redo,
            "delete_event": self.delete_selected,
            "play_pause": self.player.toggle,
            "jump_back": lambda: self.player.jump(-self.prefs.jump_ms),
            "jump_forward": lambda: self.player.jump(self.prefs.jump_ms),
            "frame_back": lambda: self.player.step_frame(-1),
            "frame_forward": lambda: self.player.step_frame(1),
            "slower": lambda: self._step_rate(-1),
            "faster": lambda: self._step_rate(1),
            "rate_normal": lambda: self._set_rate(1.0),
            "mute": self.panel.mute.toggle,
            "prev_segment": lambda: self._segment_step(-1),
            "next_segment": lambda: self._segment_step(1),
            "loop_segment": self._toggle_loop,
            "focus_form": self._focus_segment_form,
            "zoom_in": lambda: self.timeline.canvas.zoom(0.5),
            "zoom_out": lambda: self.timeline.canvas.zoom(2.0),
            "zoom_all": lambda: self.timeline.canvas.zoom(1e9),
            "reset_layout": self.reset_layout,
            "keys_help": self.show_keys,
        }

    def _build_actions(self) -> None:
        self.menus = {name: self.menuBar().addMenu(f"&{name}") for name in MENUS}
        handlers = self._handlers()
        for spec in ACTIONS:
            action = QAction(spec.text, self)
            action.setObjectName(spec.id)
            action.setStatusTip(spec.tip)
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda _=False, h=handlers[spec.id]: h())
            self.addAction(action)
            self.menus[spec.menu].addAction(action)
            self.actions_by_id[spec.id] = action
            if spec.id in (
                "quit",
                "preferences",
                "delete_event",
                "rate_normal",
                "loop_segment",
                "zoom_all",
            ):
                self.menus[spec.menu].addSeparator()
        for dock in (
            self.pad_dock,
            self.timeline_dock,
            self.log_dock,
            self.segment_dock,
            self.forms_dock,
            self.problem_dock,
        ):
            self.menus["View"].addAction(dock.toggleViewAction())
        manager = self.study.actor.is_manager
        self.actions_by_id["manage_study"].setVisible(manager)
        self._apply_keymap()

    def _build_status(self) -> None:
        self.saved_label = QLabel("Nothing changed yet")
        self.saved_label.setObjectName("savedLabel")
        self.statusBar().addPermanentWidget(self.saved_label)
        self.lag_label = QLabel()
        self.statusBar().addPermanentWidget(self.lag_label)
        self._show_lag()

    def _show_lag(self) -> None:
        lag = self.prefs.reaction_lag_ms
        self.lag_label.setText(f"reaction lag −{lag} ms" if lag else "no reaction lag")

    # -- preferences and keymap ------------------------------------------------------------
    def _load_prefs(self) -> Preferences:
        actor = self.study.actor
        if actor.id is None:
            return Preferences()
        try:
            return Preferences.from_dict(self.study.coders.preferences(actor.id))
        except ObserverError:
            return Preferences()

    def _apply_keymap(self) -> None:
        scheme = self.session.scheme if self.session else None
        self.keymap = effective_keymap(scheme, self.prefs.keymap)
        for action_id, action in self.actions_by_id.items():
            shortcut = self.keymap.get(action_id, "")
            keys = [QKeySequence(shortcut)] if shortcut else []
            if action_id == "complete" and shortcut == "Ctrl+Return":
                keys.append(QKeySequence("Ctrl+Enter"))
            action.setShortcuts(keys)
        if hasattr(self, "pad"):
            self.pad.set_keys(
                {
                    a[len(CODE_PREFIX) :]: QKeySequence(s).toString(
                        QKeySequence.SequenceFormat.NativeText
                    )
                    for a, s in self.keymap.items()
                    if a.startswith(CODE_PREFIX)
                }
            )

    def edit_preferences(self) -> None:
        dialog = PreferencesDialog(self.prefs, self.session.scheme if self.session else None, self)
        if not dialog.exec():
            return
        self.set_preferences(dialog.preferences())

    def set_preferences(self, prefs: Preferences) -> None:
        self.prefs = prefs
        actor = self.study.actor
        if actor.id is not None:
            try:
                stored = self.study.coders.preferences(actor.id)
                stored.update(prefs.to_dict())
                self.study.coders.set_preferences(actor.id, stored)
            except ObserverError as exc:
                self.show_error(f"preferences not saved: {exc}")
        self._apply_keymap()
        self._show_lag()

    # -- opening an assignment -------------------------------------------------------------
    def open_queue(self) -> None:
        if self._choose_assignment is None:
            return
        chosen = self._choose_assignment(self)
        if chosen is not None:
            self.open_assignment(chosen)

    def open_assignment(self, assignment_id: int) -> None:
        """Load an assignment into every dock and resume at its last position."""
        try:
            session = CodingSession(self.study, assignment_id, self)
        except ObserverError as exc:  # e.g. another coder's blind work: the current one stays
            self.show_error(str(exc))
            return
        self._leave_assignment()
        self.session = session
        session.eventChanged.connect(self._event_changed)
        session.ratingChanged.connect(self._rating_changed)
        session.saved.connect(self._saved)
        session.failed.connect(self.show_error)
        session.statusChanged.connect(self._status_changed)
        session.undo_stack.canUndoChanged.connect(self.actions_by_id["undo"].setEnabled)
        session.undo_stack.canRedoChanged.connect(self.actions_by_id["redo"].setEnabled)
        session.undo_stack.undoTextChanged.connect(self._undo_text)
        session.undo_stack.redoTextChanged.connect(self._redo_text)
        self.actions_by_id["undo"].setEnabled(False)
        self.actions_by_id["redo"].setEnabled(False)
        self._build_code_actions()
        self._build_views()
        self._load_media()
        self._apply_keymap()
        self._update_read_only()
        self._refresh_segments()
        start = session.info.last_position_ms
        self.seek(start)
        self._remembered = start
        rec = session.recording
        self.setWindowTitle(
            f"observer-app — {rec.label} — {self.study.actor.name} ({self.study.name})"
        )
        self.activateWindow()  # keys go to the coding window once the queue dialog has closed
        self.raise_()
        self.panel.setFocus()
        self.statusBar().showMessage(
            f"Opened assignment #{session.info.id}, resuming at {format_ms(start)}", 5000
        )

    def _undo_text(self, text: str) -> None:
        self.actions_by_id["undo"].setText(f"&Undo {text}" if text else "&Undo")

    def _redo_text(self, text: str) -> None:
        self.actions_by_id["redo"].setText(f"&Redo {text}" if text else "&Redo")

    def _status_changed(self, _status: str) -> None:
        self._update_read_only()

    def _leave_assignment(self) -> None:
        if self.session is None:
            return
        self.picker.cancel()
        self.remember_position()
        self.session.undo_stack.clear()
        self.session.deleteLater()
        self.session = None

    def _build_code_actions(self) -> None:
        menu = self.menus["Code"]
        for action_id in [a for a in self.actions_by_id if a.startswith(CODE_PREFIX)]:
            action = self.actions_by_id.pop(action_id)
            self.removeAction(action)
            menu.removeAction(action)
            action.deleteLater()
        scheme = self.session.scheme if self.session else None
        if scheme is None:
            return
        for code in scheme.codes:
            action_id = CODE_PREFIX + code.id
            action = QAction(action_label(action_id, scheme), self)
            action.setObjectName(action_id)
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.setAutoRepeat(False)
            action.triggered.connect(lambda _=False, cid=code.id: self.code_key(cid))
            self.addAction(action)
            menu.addAction(action)
            self.actions_by_id[action_id] = action

    def _build_views(self) -> None:
        session = self.session
        assert session is not None
        scheme = session.scheme
        self.event_model.deleteLater()
        self.event_model = EventTableModel(scheme, self._edit_from_log, self)
        self.event_model.editRefused.connect(self.show_error)
        self.event_model.set_events(session.events.values())
        self.event_log = EventLog(self.event_model, scheme)
        self.event_log.seekRequested.connect(self.seek)
        self._replace(self.log_dock, self.event_log)
        self.pad = CodingPad(scheme)
        self.pad.codeClicked.connect(self.code_key)
        self._replace(self.pad_dock, self.pad)
        canvas = self.timeline.canvas
        canvas.set_scheme(scheme)
        canvas.set_duration(session.duration_ms)
        canvas.set_events(session.events.values())
        self.timeline.set_segments(session.segment_bounds())
        seg_form_spec = session.segment_form()
        self.segment_form = None
        if seg_form_spec is not None:
            self.segment_form = InstrumentForm(
                seg_form_spec.version_id, seg_form_spec.instrument, seg_form_spec.pack
            )
            self.segment_form.rateRequested.connect(self._rate)
            self.segment_form.done.connect(self.panel.setFocus)
        bounds = session.segment_bounds()
        if bounds:
            self.segments = SegmentNavigator(bounds, self.segment_form)
            self.segments.segmentChosen.connect(self._segment_chosen)
            self.segments.loopToggled.connect(self._loop_changed)
            self.segments.select(0)
            self._replace(self.segment_dock, self.segments)
            self.segment_dock.show()
        else:
            self.segments = None
            self._replace(self.segment_dock, QLabel("This scheme has no segments."))
        self.session_forms = SessionForms()
        for spec in session.session_forms():
            form = InstrumentForm(spec.version_id, spec.instrument, spec.pack)
            form.rateRequested.connect(self._rate)
            form.done.connect(self.panel.setFocus)
            form.set_responses(session.responses(spec.version_id, "session", 0))
            self.session_forms.add(form)
        if not self.session_forms.forms:
            self._replace(self.forms_dock, QLabel("No session-level instrument."))
        else:
            self._replace(self.forms_dock, self.session_forms)
        self.pad.set_open(e.code for e in session.open_states())
        self.problem_model.set_problems([])

    def _replace(self, dock: QDockWidget, widget: QWidget) -> None:
        old = dock.widget()
        dock.setWidget(widget)
        if old is not None and old is not self.problem_view and old is not self.timeline:
            old.deleteLater()

    def _load_media(self) -> None:
        session = self.session
        assert session is not None
        self.media_banner.hide()
        path = session.media_path
        fps = session.recording.fps or 0.0
        duration = session.duration_ms
        has_video = bool(session.recording.has_video)
        if not path.exists():
            self._close_player()
            self.media_banner.show_text(
                f"<b>Media file not found:</b> {path}<br>"
                "Coding continues without playback; use <b>Locate file…</b> to find it "
                "(it is recognised by its fingerprint, wherever it was moved)."
            )
        else:
            try:
                info = self.player.load(path)
            except ObserverError as exc:
                self.media_banner.show_text(f"<b>Cannot play the recording:</b> {exc}")
            else:
                fps = info.fps
                duration = info.duration_ms or duration
                has_video = info.has_video
        if self._surface_factory is not None:
            surface = self._surface_factory(self.player, has_video, str(path))
            seek = getattr(surface, "seekRequested", None)
            if seek is not None:
                seek.connect(self.seek)
            self.panel.set_surface(surface)
        self._surface_position = getattr(self.panel.surface, "set_position", None)
        self.panel.set_media(duration, fps)
        if duration and duration != self.timeline.canvas.duration_ms:
            self.timeline.canvas.set_duration(duration)
        self.frame_ms = 1000.0 / fps if fps else 40.0

    def _close_player(self) -> None:
        self.player.close()

    # -- playback --------------------------------------------------------------------------
    def seek(self, ms: int) -> None:
        self.player.seek(int(ms))
        self._tick()

    def _set_rate(self, rate: float) -> None:
        self.player.set_rate(rate)
        current = self.player.rate()
        self.panel.show_rate(current)
        self.statusBar().showMessage(f"Rate {current:g}×", 1500)

    def _step_rate(self, direction: int) -> None:
        current = self.player.rate()
        if direction > 0:
            rate = next((r for r in RATES if r > current + 1e-9), RATES[-1])
        else:
            rate = next((r for r in reversed(RATES) if r < current - 1e-9), RATES[0])
        self._set_rate(rate)

    def _tick(self) -> None:
        pos = int(self.player.position_ms())
        playing = _playing(self.player)
        self.panel.show_position(pos, playing)
        if self._surface_position is not None and pos != self._last_tick_pos:
            self._surface_position(pos)
        self._last_tick_pos = pos
        self.timeline.canvas.set_playhead(pos)
        if self.segments is not None and self.session is not None:
            self.segments.follow(pos)
        self._since_remember += TICK_MS
        if self._since_remember >= REMEMBER_EVERY_MS:
            self._since_remember = 0
            if abs(pos - self._remembered) >= 1000:
                self.remember_position()

    def remember_position(self) -> None:
        if self.session is None or self.session.read_only:
            return
        pos = int(self.player.position_ms())
        if pos != self._remembered:
            self.session.remember_position(pos)
            self._remembered = pos

    def _player_error(self, message: str) -> None:
        self.media_banner.show_text(f"<b>Playback problem:</b> {message}")

    # -- coding ----------------------------------------------------------------------------
    def press_time(self) -> int:
        """The event time of a key pressed now: the frame on screen minus the reaction lag."""
        return max(0, int(self.player.position_ms()) - self.prefs.reaction_lag_ms)

    def code_key(self, code_id: str) -> None:
        session = self.session
        if session is None or session.scheme is None:
            return
        time_ms = self.press_time()
        if session.read_only:
            self.show_error("this assignment is complete and read-only")
            return
        try:
            plan = session.plan(code_id, time_ms)
        except ObserverError as exc:
            self.show_error(str(exc))
            self.pad.set_open(e.code for e in session.open_states())
            return
        code = session.scheme.code(code_id)
        if plan.logs is not None and asks_modifiers(code):
            if self.picker.active:
                pending = self.picker.code.label if self.picker.code else ""
                self.show_error(
                    f"choose the modifiers of {pending} first (Enter logs, Esc cancels)"
                )
                return
            if self.prefs.pause_while_choosing and _playing(self.player):
                self.player.pause()
            self.picker.open_for(code, time_ms)
            return
        self._commit_press(code_id, time_ms, None)

    def _commit_press(self, code_id: str, time_ms: int, modifiers: dict[str, Any] | None) -> None:
        session = self.session
        if session is None:
            return
        source = {"input": "key", "lag_ms": self.prefs.reaction_lag_ms}
        if session.press(code_id, time_ms, modifiers, source):
            command = session.undo_stack.command(session.undo_stack.index() - 1)
            edit = getattr(command, "edit", None)
            new_id = logged_event_id(edit) if edit is not None else None
            if new_id is not None:
                self.event_log.show_event(new_id)
            self.statusBar().showMessage(
                f"{command.text() if command else code_id} at {format_ms(time_ms)}", 3000
            )
        self.pad.set_open(e.code for e in session.open_states())

    def _modifiers_chosen(self, code_id: str, time_ms: int, values: dict[str, Any]) -> None:
        self._commit_press(code_id, time_ms, values)

    def _modifiers_cancelled(self, code_id: str, time_ms: int) -> None:
        self.statusBar().showMessage(f"{code_id} at {format_ms(time_ms)}: cancelled", 3000)

    def _event_changed(self, record: Any) -> None:
        self.event_model.upsert(record)
        self.timeline.canvas.upsert(record)

    def _rating_changed(self, key: Any, record: Any) -> None:
        self._refresh_forms()
        self._refresh_segments()

    def _saved(self, when: Any) -> None:
        if when is not None:
            self.saved_label.setText(f"Saved {when:%H:%M:%S}")

    def _edit_from_log(self, event_id: int, changes: dict[str, Any]) -> bool:
        if self.session is None:
            return False
        return self.session.update_event(event_id, "edit event in the log", **changes)

    def _retime(self, event_id: int, onset: int, offset: int | None) -> None:
        if self.session is None:
            return
        changes: dict[str, Any] = {"onset_ms": onset}
        record = self.session.events.get(event_id)
        if record is not None and record.offset_ms is not None:
            changes["offset_ms"] = offset
        self.session.update_event(event_id, "retime event", **changes)

    def delete_selected(self) -> None:
        if self.session is None:
            return
        event_id = self.event_log.selected_event_id()
        if event_id is None:
            self.statusBar().showMessage("Select an event in the log to delete it", 3000)
            return
        self.session.delete_event(event_id)
        self.pad.set_open(e.code for e in self.session.open_states())

    def undo(self) -> None:
        if self.session is not None and not self.session.read_only:
            self.session.undo_stack.undo()
            self.pad.set_open(e.code for e in self.session.open_states())

    def redo(self) -> None:
        if self.session is not None and not self.session.read_only:
            self.session.undo_stack.redo()
            self.pad.set_open(e.code for e in self.session.open_states())

    # -- ratings and segments --------------------------------------------------------------
    def _rate(self, key: Any, response: Any) -> None:
        if self.session is not None:
            self.session.rate(key, response)

    def _refresh_forms(self) -> None:
        session = self.session
        if session is None:
            return
        if self.segment_form is not None:
            f = self.segment_form
            f.set_responses(session.responses(f.version_id, f.unit_kind, f.unit_index))
        for form in self.session_forms.forms:
            form.set_responses(session.responses(form.version_id, "session", 0))

    def _refresh_segments(self) -> None:
        session = self.session
        if session is None or self.segments is None:
            return
        spec = session.segment_form()
        if spec is None:
            self.segments.set_rated([True] * len(self.segments.bounds))
        else:
            required = [i.id for i in spec.instrument.items if i.required]
            rated = [
                all(i in session.responses(spec.version_id, "segment", n) for i in required)
                for n in range(len(self.segments.bounds))
            ]
            self.segments.set_rated(rated)
        self._refresh_forms()

    def _segment_chosen(self, index: int) -> None:
        assert self.segments is not None
        self.seek(self.segments.bounds[index][0])
        if self.segments.loop_button.isChecked():
            self._loop_changed(True)
        self._refresh_forms()

    def _segment_step(self, step: int) -> None:
        if self.segments is not None:
            self.segments.choose(self.segments.selected + step)

    def _toggle_loop(self) -> None:
        if self.segments is not None:
            self.segments.loop_button.toggle()

    def _loop_changed(self, on: bool) -> None:
        if self.segments is None:
            return
        if on:
            start, end = self.segments.bounds[self.segments.selected]
            try:
                self.player.set_loop(start, end)
            except ObserverError as exc:
                self.show_error(str(exc))
                return
            self.statusBar().showMessage(f"Looping segment {self.segments.selected + 1}", 3000)
        else:
            self.player.clear_loop()

    def _focus_segment_form(self) -> None:
        if self.segments is not None and self.segment_form is not None:
            self.segment_dock.show()
            self.segment_dock.raise_()
            self.segments.select(self.segments.current)
            self._refresh_forms()
            self.segment_form.setFocus()

    # -- completion ------------------------------------------------------------------------
    def complete(self) -> None:
        session = self.session
        if session is None:
            return
        if session.read_only:
            self.statusBar().showMessage("Already complete", 3000)
            return
        self.remember_position()
        problems = session.complete()
        if problems:
            self._show_problem_list(problems)
            self.show_error(f"Not complete yet: {len(problems)} problem(s) — see the Problems list")
            return
        self.problem_model.set_problems([])
        self.problem_dock.hide()
        self._update_read_only()
        self.statusBar().showMessage("Assignment complete. It is read-only now.", 8000)

    def show_problems(self) -> None:
        if self.session is not None:
            self._show_problem_list(self.session.problems())

    def _show_problem_list(self, problems: list[Problem]) -> None:
        self.problem_model.set_problems(problems)
        self.problem_dock.show()
        self.problem_dock.raise_()
        if problems:
            self.problem_view.setCurrentIndex(self.problem_model.index(0))
        self.problem_view.setFocus()

    def go_to_problem(self, row: int) -> None:
        """Navigate to the place a problem is about (event, segment item, session item)."""
        if not 0 <= row < self.problem_model.rowCount() or self.session is None:
            return
        p = self.problem_model.problem(row)
        if p.event_id is not None:
            self.log_dock.show()
            self.log_dock.raise_()
            self.event_log.show_event(p.event_id)
        if p.position_ms is not None:
            self.seek(p.position_ms)
        if p.unit_kind == "segment" and self.segments is not None and p.unit_index is not None:
            self.segment_dock.show()
            self.segment_dock.raise_()
            self.segments.choose(p.unit_index)
            if self.segment_form is not None and p.item_id:
                self.segment_form.go_to_item(p.item_id)
        elif p.unit_kind == "session" and p.instrument_version_id is not None:
            self.forms_dock.show()
            self.forms_dock.raise_()
            for i, form in enumerate(self.session_forms.forms):
                if form.version_id == p.instrument_version_id:
                    self.session_forms.tabs.setCurrentIndex(i)
                    if p.item_id:
                        form.go_to_item(p.item_id)

    def _update_read_only(self) -> None:
        session = self.session
        ro = bool(session and session.read_only)
        for action_id, action in self.actions_by_id.items():
            if action_id.startswith(CODE_PREFIX) or action_id in ("delete_event", "complete"):
                action.setEnabled(not ro)
        if ro:
            self.actions_by_id["undo"].setEnabled(False)
            self.actions_by_id["redo"].setEnabled(False)
        self.pad.set_read_only(ro)
        self.event_model.read_only = ro
        self.timeline.canvas.read_only = ro
        if self.segment_form is not None:
            self.segment_form.set_read_only(ro)
        for form in self.session_forms.forms:
            form.set_read_only(ro)
        if ro and session is not None:
            when = session.info.completed_at
            stamp = f" on {when.astimezone():%Y-%m-%d %H:%M}" if when else ""
            self.complete_banner.show_text(
                f"<b>Complete</b>{stamp}. This assignment is read-only until a manager reopens it."
            )
        else:
            self.complete_banner.hide()

    # -- media relinking -------------------------------------------------------------------
    def locate_media(self) -> None:
        session = self.session
        if session is None:
            return
        start = str(session.media_path.parent) if session.media_path.parent.exists() else ""
        name, _ = QFileDialog.getOpenFileName(
            self, f"Locate {session.media_path.name}", start, "Recordings (*)"
        )
        if name:
            self.relink(Path(name))

    def relink(self, path: Path) -> None:
        """Relink the recording to ``path`` (checked by fingerprint, off the GUI thread)."""
        session = self.session
        if session is None:
            return
        self.statusBar().showMessage(f"Checking {path.name}…")
        run_in_background(
            lambda: session.relink(path), lambda _info: self._relinked(), self._relink_failed, self
        )

    def _relinked(self) -> None:
        if self.session is None:
            return
        pos = int(self.player.position_ms())
        self._load_media()
        self.seek(pos)
        self.statusBar().showMessage("Recording relinked", 5000)

    def _relink_failed(self, exc: BaseException) -> None:
        self.show_error(str(exc))

    # -- management, help, layout ----------------------------------------------------------
    def manage_study(self) -> None:
        if importlib.util.find_spec("observer_app.ui.manager") is None:
            self.show_error("the study manager is not available in this version")
            return
        from observer_app.ui import manager

        opener = getattr(manager, "open_manager_window", None)
        if opener is None:
            self.show_error("the study manager is not available in this version")
            return
        self._manager_window = opener(self.study, self)

    def show_keys(self) -> None:
        scheme = self.session.scheme if self.session else None
        rows = [
            f"<tr><td>{action_label(a, scheme)}</td><td><b>{s}</b></td></tr>"
            for a, s in self.keymap.items()
            if s
        ]
        QMessageBox.information(
            self, "observer-app — keyboard", "<table>" + "".join(rows) + "</table>"
        )

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

    def show_error(self, message: str) -> None:
        self.statusBar().showMessage(f"⚠ {message}", 8000)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.picker.isVisible():
            self.picker._place()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.remember_position()
        self.save_layout()
        self._timer.stop()
        if self.session is not None:
            self.session.undo_stack.clear()
        super().closeEvent(event)
