"""The coding window: builds the player, the docks, the menus and the status bar, and wires them."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QResizeEvent
from PySide6.QtWidgets import QDockWidget, QLabel, QListView, QMainWindow, QVBoxLayout, QWidget

from observer_app.media.protocol import MediaPlayer
from observer_app.media.synced import SyncedPlayer
from observer_app.services.study import Study
from observer_app.ui.actions import ACTIONS, MENUS, ShortcutContext
from observer_app.ui.assignment_watch import AssignmentWatch
from observer_app.ui.coding_pad import CodingPad
from observer_app.ui.coding_window.assignment import AssignmentPart
from observer_app.ui.coding_window.banner import Banner
from observer_app.ui.coding_window.coding import CodingPart
from observer_app.ui.coding_window.completion import CompletionPart
from observer_app.ui.coding_window.forms import FormsPart
from observer_app.ui.coding_window.keys import KeymapPart
from observer_app.ui.coding_window.playback import TICK_MS, PlaybackPart
from observer_app.ui.coding_window.save_banner import SaveBanner
from observer_app.ui.event_log import EventLog
from observer_app.ui.instrument_form import InstrumentForm, SessionForms
from observer_app.ui.models import EventTableModel, ProblemModel
from observer_app.ui.modifier_picker import ModifierPicker
from observer_app.ui.player_panel import PlayerPanel, make_surface
from observer_app.ui.segments import SegmentNavigator
from observer_app.ui.session import CodingSession
from observer_app.ui.sources_view import session_sources
from observer_app.ui.timeline import Timeline

LAYOUT_VERSION = 1


class CodingWindow(KeymapPart, AssignmentPart, PlaybackPart, CodingPart, FormsPart, CompletionPart):
    """The coder's main window; each part (keymap, assignment, playback, coding, forms,
    completion) is a module of this package, and this class builds the widgets and wires them."""

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
        self.player = SyncedPlayer(player, sources=lambda: session_sources(self.session))
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
        self.picker.edited.connect(self._modifiers_edited)
        self.picker.anchor = self.pad_dock
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
        # issue 17 hook: the unsaved-change banner (controller in coding_window/save_banner.py).
        self.save_banner = SaveBanner(parent=self)
        layout.addWidget(self.save_banner.banner)
        # issue 17 hook: the open assignment changed on another workstation (ui/assignment_watch.py)
        self.assignment_watch = AssignmentWatch(self.study, self)
        layout.addWidget(self.assignment_watch.banner)
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
        self.problem_view.clicked.connect(lambda index: self.go_to_problem(index.row()))
        self.problem_model.describe = self.describe_problem
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
            "onset_now": lambda: self.set_selected_to_now("onset_ms"),
            "offset_now": lambda: self.set_selected_to_now("offset_ms"),
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
        self.shortcut_context = ShortcutContext.install(self, home=self.panel)
        manager = self.study.actor.is_manager
        self.actions_by_id["manage_study"].setVisible(manager)
        self._apply_keymap()

    def _build_status(self) -> None:
        self.saved_label = QLabel("Nothing changed yet")
        self.saved_label.setObjectName("savedLabel")
        self.statusBar().addPermanentWidget(self.saved_label)
        self.save_banner.set_saved_label(self.saved_label)  # issue 17 hook
        self.subject_label = QLabel()
        self.subject_label.setObjectName("subjectLabel")
        self.subject_label.hide()
        self.statusBar().addPermanentWidget(self.subject_label)
        self.lag_label = QLabel()
        self.statusBar().addPermanentWidget(self.lag_label)
        self._show_lag()

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
        self.assignment_watch.stop()  # issue 17 hook
        if self.session is not None:
            self.session.undo_stack.clear()
        super().closeEvent(event)
