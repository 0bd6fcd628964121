"""``observer-app code STUDY.db --coder NAME [--assignment ID]``: straight into coding.

When the coder has a password it is read from standard input (one line; without echo when
standard input is a terminal), never from the command line.
"""

from __future__ import annotations

import argparse
import sys

from observer_app.cli._study import read_password_line
from observer_app.cli.gui_cmds import display_problem


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "code",
        help="open the coding window as a coder (password read from stdin when set)",
        description="Open the coding window as CODER, on ASSIGNMENT or on the coder's queue.",
    )
    p.add_argument("study", help="study database: a SQLite file or a postgresql+psycopg:// URL")
    p.add_argument("--coder", required=True, help="coder profile name")
    p.add_argument("--assignment", type=int, help="assignment id to open at once")
    p.set_defaults(handler=_code)


def _needs_password(study: str, coder: str) -> bool:
    from observer_app.services.study import Study

    with Study.open(study, backup=False) as admin:
        return admin.coders.get(coder).has_password


def _code(args: argparse.Namespace) -> int:
    password = read_password_line() if _needs_password(args.study, args.coder) else None
    problem = display_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    from observer_app.app import run_coding

    return run_coding(args.study, args.coder, password, args.assignment)
