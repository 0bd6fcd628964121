"""What the parts of the reconciliation page share: its state, its widgets and its handlers."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from observer_app.coding.definitions import Scheme
from observer_app.services.consensus import (
    Aligned,
    ConsensusService,
    RatingComparison,
    Reconciliation,
)
from observer_app.services.study import Study
from observer_app.ui.manager._common import Page
from observer_app.ui.manager.pair_timeline import PairTimeline
from observer_app.ui.player_panel import PlayerPanel

if TYPE_CHECKING:
    from observer_app.ui.manager.reconcile.models import AlignedModel, RatingModel


class ReconcileBase(Page):
    """The attributes the page's parts (layout, playback, ratings) read and write, and the
    handlers one part connects to and another defines (``ReconcilePage`` defines them all)."""

    # state
    study: Study
    service: ConsensusService
    player: Any
    rec: Reconciliation | None
    current: Aligned | None
    comparisons: list[RatingComparison]
    _scheme: Scheme | None
    _instrument_names: dict[int, str]
    _loaded_path: str | None
    _player_factory: Callable[[], Any]
    # widgets
    recording: QComboBox
    coder_a: QComboBox
    coder_b: QComboBox
    tolerance: QDoubleSpinBox
    lead: QDoubleSpinBox
    open_button: QPushButton
    player_box: QWidget
    player_layout: QVBoxLayout
    panel: PlayerPanel | None
    no_player: QLabel
    aligned: AlignedModel
    aligned_view: QTableView
    summary: QLabel
    timeline: PairTimeline
    ratings: RatingModel
    rating_view: QTableView
    rating_a_button: QPushButton
    rating_b_button: QPushButton
    rating_equal_button: QPushButton
    only_differing: QCheckBox
    rating_summary: QLabel
    prev_button: QPushButton
    next_button: QPushButton
    decision_buttons: dict[str, QPushButton]
    tabs: QTabWidget
    complete_button: QPushButton

    # handlers (defined by ReconcilePage and its parts)
    def open_selected(self) -> Reconciliation | None:
        raise NotImplementedError

    def _fill_pair(self) -> None:
        raise NotImplementedError

    def _row_selected(self) -> None:
        raise NotImplementedError

    def jump_to_selected(self) -> None:
        raise NotImplementedError

    def seek(self, ms: int) -> None:
        raise NotImplementedError

    def _timeline_item(self, key: str) -> None:
        raise NotImplementedError

    def previous_disagreement(self) -> Aligned | None:
        raise NotImplementedError

    def next_disagreement(self) -> Aligned | None:
        raise NotImplementedError

    def _decide_clicked(self, decision: str) -> None:
        raise NotImplementedError

    def _show(self, rec: Reconciliation) -> None:
        raise NotImplementedError

    def _load_ratings(self) -> None:
        raise NotImplementedError

    def decide_rating(self, decision: str) -> None:
        raise NotImplementedError

    def accept_equal_ratings(self) -> int:
        raise NotImplementedError

    def edit_rating(self, c: RatingComparison, value: Any) -> RatingComparison:
        raise NotImplementedError

    def instrument_name(self, version_id: int) -> str:
        raise NotImplementedError

    def item_label(self, c: RatingComparison) -> str | None:
        raise NotImplementedError
