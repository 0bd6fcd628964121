"""One way for every command to name a study and the profile it runs as.

``add_study_argument`` adds the positional ``STUDY`` (a SQLite file path or a PostgreSQL URL, kept
as text: ``type=Path`` would collapse ``postgresql://`` into a local file name) and the identity
option ``--as NAME``. ``open_study`` opens it as that profile. Every
command that opens an existing study goes through these two functions, so identity and access
rules apply to the command line in one place.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from observer_app.coding.errors import InputError
from observer_app.services.study import Study


def add_study_argument(parser: argparse.ArgumentParser, *, optional: bool = False) -> None:
    """The ``STUDY`` location plus ``--as NAME``."""
    help_text = "study database: a SQLite file or a postgresql+psycopg:// URL"
    if optional:
        parser.add_argument("study", nargs="?", default=None, help=help_text)
    else:
        parser.add_argument("study", help=help_text)
    add_identity_arguments(parser)


def add_identity_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--as",
        dest="as_profile",
        metavar="NAME",
        default=None,
        help="run as this coder or manager profile (its password is read from standard input)",
    )


def read_password_line() -> str:
    """One password line from standard input (without echo on a terminal)."""
    if sys.stdin.isatty():
        return getpass.getpass("Password: ")
    line = sys.stdin.readline()
    if not line:
        raise InputError("this profile has a password: give it on standard input")
    return line.rstrip("\r\n")


def open_study(args: argparse.Namespace, **kwargs: Any) -> Study:
    """Open ``args.study`` as the profile named by ``--as`` (its password from stdin if set).

    There is no anonymous or administrator access from the command line: without ``--as`` the
    command is refused before the study is touched. The services then apply the same access
    rules as in the GUI (manager-only commands, blinding).
    """
    profile = getattr(args, "as_profile", None)
    if not profile:
        raise InputError(
            f"{args.study}: say who you are with --as NAME (a coder or manager profile of the "
            "study; its password is read from standard input)"
        )
    with Study.open(args.study, backup=False) as admin:
        needs = admin.coders.get(profile).has_password
    password = read_password_line() if needs else None
    return Study.open(args.study, as_coder=profile, password=password, **kwargs)
