"""What the parts of the coding window share: its state, its widgets and its cross-part calls."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QLabel, QListView, QMainWindow, QMenu, QWidget

from observer_app.media.protocol import MediaPlayer
from observer_app.services.records import Problem
from observer_app.services.study import Study
from observer_app.ui.assignment_watch import AssignmentWatch
from observer_app.ui.coding_pad import CodingPad
from observer_app.ui.coding_window.banner import Banner
from observer_app.ui.coding_window.save_banner import SaveBanner
from observer_app.ui.event_log import EventLog
from observer_app.ui.instrument_form import InstrumentForm, SessionForms
from observer_app.ui.models import EventTableModel, ProblemModel
from observer_app.ui.modifier_picker import ModifierPicker
from observer_app.ui.player_panel import PlayerPanel
from observer_app.ui.preferences import Preferences
from observer_app.ui.segments import SegmentNavigator
from observer_app.ui.session import CodingSession
from observer_app.ui.timeline import Timeline


class CodingWindowBase(QMainWindow):
    """The attributes the window's parts read and write, and the methods one part calls and
    another defines (``CodingWindow`` brings all the parts together)."""

    # state
    study: Study
    player: MediaPlayer
    settings: QSettings
    session: CodingSession | None
    prefs: Preferences
    keymap: dict[str, str]
    actions_by_id: dict[str, QAction]
    menus: dict[str, QMenu]
    frame_ms: float
    _surface_factory: Callable[[MediaPlayer, bool, str], QWidget] | None
    _choose_assignment: Callable[[Any], int | None] | None
    _remembered: int
    _since_remember: int
    _surface_position: Callable[[int], None] | None
    _last_tick_pos: int
    _timer: QTimer
    # widgets
    panel: PlayerPanel
    media_banner: Banner
    complete_banner: Banner
    pad: CodingPad
    event_model: EventTableModel
    event_log: EventLog
    timeline: Timeline
    segments: SegmentNavigator | None
    segment_form: InstrumentForm | None
    session_forms: SessionForms
    picker: ModifierPicker
    problem_model: ProblemModel
    problem_view: QListView
    pad_dock: QDockWidget
    log_dock: QDockWidget
    segment_dock: QDockWidget
    forms_dock: QDockWidget
    problem_dock: QDockWidget
    timeline_dock: QDockWidget
    saved_label: QLabel
    save_banner: SaveBanner
    assignment_watch: AssignmentWatch
    lag_label: QLabel
    subject_label: QLabel

    # calls across parts (each defined by one part of CodingWindow)
    def show_error(self, message: str) -> None:
        raise NotImplementedError

    def seek(self, ms: int) -> None:
        raise NotImplementedError

    def remember_position(self) -> None:
        raise NotImplementedError

    def _load_media(self) -> None:
        raise NotImplementedError

    def _apply_keymap(self) -> None:
        raise NotImplementedError

    def _update_read_only(self) -> None:
        raise NotImplementedError

    def _refresh_forms(self) -> None:
        raise NotImplementedError

    def _refresh_segments(self) -> None:
        raise NotImplementedError

    def _show_problem_list(self, problems: list[Problem]) -> None:
        raise NotImplementedError

    def code_key(self, code_id: str) -> None:
        raise NotImplementedError

    def set_focal_subject(self, subject_id: str) -> None:
        raise NotImplementedError

    def edit_modifiers(self, event_id: int) -> None:
        raise NotImplementedError

    def _show_open(self) -> None:
        raise NotImplementedError

    def _show_subject(self) -> None:
        raise NotImplementedError

    def _event_changed(self, record: Any) -> None:
        raise NotImplementedError

    def _rating_changed(self, key: Any, record: Any) -> None:
        raise NotImplementedError

    def _saved(self, when: Any) -> None:
        raise NotImplementedError

    def _edit_from_log(self, event_id: int, changes: dict[str, Any]) -> bool:
        raise NotImplementedError

    def _rate(self, key: Any, response: Any) -> None:
        raise NotImplementedError

    def _segment_chosen(self, index: int) -> None:
        raise NotImplementedError

    def _loop_changed(self, on: bool) -> None:
        raise NotImplementedError
