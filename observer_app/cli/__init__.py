"""The ``observer-app`` command line.

Each command group lives in its own module with a ``register(subparsers)`` function; this module
only assembles the parser and turns domain errors into one clear line and a non-zero exit code.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from observer_app import __version__
from observer_app.coding.errors import ObserverError

#: Modules that register sub-commands, in the order they appear in ``--help``.
COMMAND_MODULES: tuple[str, ...] = (
    "observer_app.cli.gui_cmds",
    "observer_app.cli.code_cmds",
    "observer_app.cli.study_cmds",
    "observer_app.cli.agree_cmds",
    "observer_app.cli.definitions_cmds",
    "observer_app.cli.report_cmds",
    "observer_app.cli.server_cmds",
    "observer_app.cli.login_cmds",
    "observer_app.cli.sequence_cmds",
    "observer_app.cli.selfreport_cmds",
    "observer_app.cli.manage_cmds",
)

#: Exit code for bad input and refused operations (argparse uses 2 for usage errors as well).
EXIT_BAD_INPUT = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="observer-app",
        description="Observer coding of psychotherapy session recordings. "
        "With no command, opens the GUI on the demo study.",
    )
    parser.add_argument("--version", action="version", version=f"observer-app {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        args = parser.parse_args(["gui"])
        handler = args.handler
    try:
        return int(handler(args) or 0)
    except ObserverError as exc:
        print(f"observer-app: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("observer-app: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `observer-app info X | head`: the reader left, not an error
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (keeps the interpreter's flush quiet)
        return 0
