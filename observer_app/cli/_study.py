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

from observer_app.coding.errors import AuthenticationError, InputError
from observer_app.services import credentials
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
        help="run as this coder or manager profile (its password: the first line on standard "
        "input, else the system keyring's entry kept by observer-app login)",
    )


def read_password_line() -> str:
    """One password line from standard input (without echo on a terminal)."""
    if sys.stdin.isatty():
        return getpass.getpass("Password: ")
    line = sys.stdin.readline()
    if not line:
        raise InputError("this profile has a password: give it on standard input")
    return line.rstrip("\r\n")


def _piped_or_kept(account: str) -> tuple[str | None, bool]:
    """A secret from the next line of piped standard input, else the keyring's entry for
    ``account``; and whether it came from the keyring. (None, False) when neither has one."""
    if not sys.stdin.isatty():
        line = sys.stdin.readline()
        if line:
            return line.rstrip("\r\n"), False
    kept = credentials.get_secret(account)
    return kept, kept is not None


class ArchivePassword:
    """The password of an encrypted export archive: the next line on standard input (after the
    profile's own, when it has one), else the keyring's entry (``login --archive``), else a
    prompt on a terminal (asked twice)."""

    def __init__(self, location: str) -> None:
        self.account = credentials.archive_account(location)

    def __call__(self) -> str:
        given, _ = _piped_or_kept(self.account)
        if given is not None:
            return given
        if not sys.stdin.isatty():
            raise InputError(
                "--encrypt: give the archive's password on standard input (the line after your "
                "own password, if you have one) or keep it with observer-app login --archive"
            )
        first = getpass.getpass("Archive password: ")
        if getpass.getpass("The archive password again: ") != first:
            raise InputError("--encrypt: the two archive passwords differ")
        return first


class ProfilePassword:
    """The ``--as`` profile's password, asked for only when the profile has one.

    A line on standard input (a pipe) comes first; then the system keyring's entry (kept by
    ``observer-app login``); then, on a terminal, a prompt. ``from_keyring`` tells where it came
    from, so a stale keyring entry can be named.
    """

    def __init__(self, location: str, profile: str) -> None:
        self.account = credentials.profile_account(location, profile)
        self.profile = profile
        self.from_keyring = False

    def __call__(self) -> str:
        given, self.from_keyring = _piped_or_kept(self.account)
        if given is not None:
            return given
        if sys.stdin.isatty():
            return getpass.getpass(f"Password for {self.profile}: ")
        hint = credentials.no_backend_reason() or (
            f"or keep it in the system keyring with observer-app login STUDY --as {self.profile!r}"
        )
        raise InputError(f"{self.profile} has a password: give it on standard input ({hint})")


def open_study(args: argparse.Namespace, **kwargs: Any) -> Study:
    """Open ``args.study`` once, as the profile named by ``--as``.

    There is no anonymous or administrator access from the command line: without ``--as`` the
    command is refused before the study is touched. The profile's password is read only when it
    has one (``ProfilePassword``); a server URL without a password takes its role's password from
    the keyring, else libpq's ``~/.pgpass`` or service file. The services then apply the same
    access rules as in the GUI (manager-only commands, blinding).
    """
    profile = getattr(args, "as_profile", None)
    if not profile:
        raise InputError(
            f"{args.study}: say who you are with --as NAME (a coder or manager profile of the "
            "study; its password is read from standard input)"
        )
    password = ProfilePassword(args.study, profile)
    location = credentials.with_server_password(args.study)
    try:
        return Study.open(location, as_coder=profile, password=password, **kwargs)
    except AuthenticationError as exc:
        if not password.from_keyring:
            raise
        raise AuthenticationError(
            f"{exc} (the password kept in the system keyring: run observer-app login again)"
        ) from None
