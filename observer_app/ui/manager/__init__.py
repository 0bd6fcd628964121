"""The lab manager's and PI's window: study set-up, assignment planning, reliability dashboard,
reconciliation into consensus, and export.

``open_manager_window(study, parent=None, *, player_factory=None, live=None)`` is what the main
window's "Manage study…" action calls; the study must be opened by a manager (reconciliation
decisions need a manager *profile*, not the administrator). Tabs, one module each:

- Coders (``coders``): add, deactivate, role, set/reset/remove password.
- Recordings (``recordings``, ``metadata_dialog``): add files or a folder on a pool thread
  (progress, Cancel; fingerprint and media probe inside ``study.recordings.add``), metadata
  edited in the table, bulk CSV/xlsx import with a column mapping and a row-numbered problem
  report (``observer_app.services.metadata_import``), moved media found by fingerprint.
- Schemes & instruments (``definitions``): TOML import with every located problem, built-ins,
  versions, attach/detach, text packs.
- Assignments (``planner``): seeded plan preview then apply, calibration against a master
  coder, reopen.
- Reliability (``dashboard``, ``drift_plot``): ``services.reliability`` off the GUI thread.
- Reconciliation (``reconcile``, ``pair_timeline``): ``services.consensus`` with the video.
- Analysis (``analysis``): ``services.sequences`` off the GUI thread: ruptures and their repair
  per session of a dyad, phase bars with intervals, time to repair, each plot saved as PNG/SVG;
  the segment view; the study's phases (``services.phases``).
- Export (``export_page``): ``observer_app.export.export_study`` off the GUI thread.
- Self-reports (``selfreports_page``, ``item_entry``, ``selfreport_mapping``): client and
  therapist forms imported from survey exports or typed in (optionally double-entered).
- Perspectives (``perspectives_page``): observer, client and therapist alliance over sessions.

Background work runs through ``_common.TaskBar`` (QThreadPool, progress, cooperative cancel).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QWidget

from observer_app.coding.errors import AccessDenied
from observer_app.services.study import Study

if TYPE_CHECKING:
    from observer_app.ui.live import LiveUpdates
    from observer_app.ui.manager.window import ManagerWindow

__all__ = ["analysis_pages", "default_player", "open_manager_window"]

PlayerFactory = Callable[[], Any]


def open_manager_window(
    study: Study,
    parent: QWidget | None = None,
    *,
    player_factory: PlayerFactory | None = None,
    live: LiveUpdates | None = None,
) -> ManagerWindow:
    """Create and show the manager window for ``study`` (managers only).

    ``player_factory()`` makes the media player of the reconciliation view (default: a
    ``VlcPlayer``, created only when a recording is opened there); ``live`` is the opening
    window's ``LiveUpdates`` (shared: one change feed per window), else it makes its own.
    """
    from observer_app.ui.manager.window import ManagerWindow

    if not study.actor.is_manager:
        raise AccessDenied(f"only a manager may manage the study ({study.actor.name} is a coder)")
    window = ManagerWindow(
        study, parent, player_factory=player_factory or default_player, live=live
    )
    window.show()
    return window


def default_player() -> Any:
    """A libvlc player (imported on first use, so the window opens without libvlc)."""
    from observer_app.media.vlc_player import VlcPlayer

    return VlcPlayer()


def analysis_pages(
    study: Study, pool: QThreadPool, player_factory: PlayerFactory
) -> list[tuple[str, QWidget]]:
    """The reliability, reconciliation, analysis and export tabs."""
    from observer_app.ui.manager.analysis import AnalysisPage
    from observer_app.ui.manager.dashboard import ReliabilityPage
    from observer_app.ui.manager.export_page import ExportPage
    from observer_app.ui.manager.reconcile import ReconcilePage

    return [
        ("Reliability", ReliabilityPage(study, pool)),
        ("Reconciliation", ReconcilePage(study, player_factory)),
        ("Analysis", AnalysisPage(study, pool)),
        ("Export", ExportPage(study, pool)),
    ]
