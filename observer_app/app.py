"""Composition root: builds the services, the media player and the main window, and wires them.

Nothing here holds domain logic; it only decides which concrete parts go together:
the study (services) opened as the signed-in coder with the libvlc probe, a ``VlcPlayer``, and
the :class:`~observer_app.ui.coding_window.CodingWindow`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

    from observer_app.services.coders import PasswordSource


def _application() -> Any:
    from PySide6.QtWidgets import QApplication

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("observer-app")
    app.setOrganizationName("observer-app")
    app.setStyle("Fusion")  # follows the system's light or dark colour scheme
    if not getattr(app, "_observer_gc", None):
        from observer_app.ui import gui_gc

        app._observer_gc = gui_gc.install(app)  # type: ignore[attr-defined]
    return app


def _probe() -> Any:
    """The media probe (libvlc): durations measured from the decoded stream, with the
    container's claim kept beside them (``observer_app.media.measure``)."""
    from observer_app.media.measure import measure

    return measure


def make_player() -> Any:
    """The real player (libvlc; paused frames from the frame server). A missing libvlc is
    reported when a recording is loaded."""
    from observer_app.media.frame_player import FramePlayer

    return FramePlayer()


def demo_study_path() -> Path:
    from observer_app.services import demo

    return demo.ensure_demo_study(demo.default_demo_dir(), probe=_probe())


def _sign_in(study_path: Any) -> Any:
    """The login dialog; the study opened as the chosen coder, or None if cancelled."""
    from observer_app.services.study import Study
    from observer_app.ui.startup import LoginDialog

    with Study.open(study_path, backup=False) as admin:
        coders = admin.coders.all()
        name = admin.name

    def open_as(coder: str, password: str | None) -> Study:
        return Study.open(study_path, as_coder=coder, password=password, probe=_probe())

    dialog = LoginDialog(name, coders, open_as)
    if not dialog.exec():
        return None
    return dialog.study


def queue_dialog(window: Any) -> Any:
    """The coding window's queue dialog (it listens on the window's change feed)."""
    from observer_app.ui.startup import QueueDialog

    return QueueDialog(window.study, window, live=window.live)


def choose_from_queue(window: Any) -> int | None:
    dialog = queue_dialog(window)
    return dialog.chosen if dialog.exec() else None


def _window(study: Any) -> Any:
    from observer_app.ui.coding_window import CodingWindow

    return CodingWindow(study, make_player(), choose_assignment=choose_from_queue)


def choose_server_study() -> Any:
    """The Open server study dialog: a PostgreSQL URL (with the password in memory), or None."""
    from observer_app.ui.server_dialog import ServerStudyDialog

    dialog = ServerStudyDialog()
    return dialog.url if dialog.exec() else None


def run_gui(study_path: Path | str | None, *, server: bool = False) -> int:
    """Open the GUI on ``study_path`` (the demo study when ``None``; with ``server``, a study on
    a lab server chosen in a dialog); returns the exit code."""
    app = _application()
    from observer_app.export import tempfiles

    tempfiles.clean_stale()  # buffers of exports interrupted by a crash or a kill
    if server:
        study_path = choose_server_study()
        if study_path is None:
            return 0
    path = study_path if study_path is not None else demo_study_path()
    study = _sign_in(path)
    if study is None:
        return 0
    window = _window(study)
    window.show()
    if study.actor.is_manager:
        window.manage_study()
    if study.assignments.mine() or not study.actor.is_manager:
        window.open_queue()
    code = int(app.exec())
    study.close()
    return code


def run_coding(
    study_path: Path | str | URL,
    coder: str,
    password: PasswordSource,
    assignment_id: int | None,
) -> int:
    """Open straight into coding as ``coder`` (``observer-app code``)."""
    from observer_app.services.study import Study

    study = Study.open(study_path, as_coder=coder, password=password, probe=_probe())
    if assignment_id is not None:
        study.assignments.get(assignment_id)  # refuses another coder's blind work up front
    app = _application()
    window = _window(study)
    window.show()
    if assignment_id is not None:
        window.open_assignment(assignment_id)
    else:
        window.open_queue()
    code = int(app.exec())
    study.close()
    return code
