"""``observer-app gui STUDY.db`` (and ``observer-app`` with no arguments: the demo study)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("gui", help="open the GUI (the demo study when no STUDY is given)")
    p.add_argument(
        "study", nargs="?", help="study database: a SQLite file or a postgresql+psycopg:// URL"
    )
    p.add_argument(
        "--server",
        action="store_true",
        help="choose a study on a lab server (host, port, database, role) in a dialog",
    )
    p.set_defaults(handler=_gui)


def display_problem() -> str | None:
    """One clear line when Qt has no display to open a window on, instead of Qt's abort."""
    if sys.platform.startswith("linux"):
        platform = os.environ.get("QT_QPA_PLATFORM", "")
        has_display = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
        if not platform and not has_display:
            return (
                "observer-app: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set). "
                "Run it under 'xvfb-run observer-app ...' or set QT_QPA_PLATFORM=offscreen."
            )
    return None


def open_gui(study: Path | str | None, *, server: bool = False) -> int:
    """Open the GUI on ``study`` (the demo study when None; with ``server``, the study chosen in
    the Open server study dialog), or say why there is no display."""
    problem = display_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    from observer_app.app import run_gui

    return run_gui(study, server=server)


def _gui(args: argparse.Namespace) -> int:
    return open_gui(args.study, server=args.server)
