"""``observer-app code STUDY.db --coder NAME [--assignment ID]``: straight into coding.

When the coder has a password it is read from standard input (one line), else taken from the
system keyring (``observer-app login``), else asked for on a terminal; never from the command
line. The study is opened once.
"""

from __future__ import annotations

import argparse
import sys

from observer_app.cli._study import ProfilePassword
from observer_app.cli.gui_cmds import display_problem
from observer_app.services import credentials


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "code",
        help="open the coding window as a coder (password from stdin or the keyring when set)",
        description="Open the coding window as CODER, on ASSIGNMENT or on the coder's queue.",
    )
    p.add_argument("study", help="study database: a SQLite file or a postgresql+psycopg:// URL")
    p.add_argument("--coder", required=True, help="coder profile name")
    p.add_argument("--assignment", type=int, help="assignment id to open at once")
    p.set_defaults(handler=_code)


def _code(args: argparse.Namespace) -> int:
    problem = display_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    from observer_app.app import run_coding

    password = ProfilePassword(args.study, args.coder)
    location = credentials.with_server_password(args.study)
    return run_coding(location, args.coder, password, args.assignment)
