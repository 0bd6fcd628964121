"""``observer-app login|logout STUDY --as NAME``: keep a profile's password in the system keyring.

``login`` checks the password first (the study is opened once, as that profile) and keeps it
only then; nothing is written to the study, its audit log or any file of ours. ``logout`` forgets
it without opening the study (so a changed password can be forgotten too).
"""

from __future__ import annotations

import argparse

from observer_app.cli._study import add_study_argument, open_study, read_password_line
from observer_app.coding.errors import InputError, StorageError
from observer_app.services import credentials
from observer_app.services.study import Study
from observer_app.store.engine import sqlite_path, to_url


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "login",
        help="keep a profile's password in the system keyring (checked first)",
        description="Reads the password of --as NAME (standard input, or a prompt on a "
        "terminal), checks it against the study, and keeps it in the system keyring: later "
        "commands with --as NAME then need nothing on standard input. On a lab server the "
        "password is the profile's database role password.",
    )
    add_study_argument(p)
    p.add_argument(
        "--archive",
        action="store_true",
        help="keep the password of the study's encrypted export archives instead (a manager: "
        "your own password first as usual, then the archive's on the next line)",
    )
    p.set_defaults(handler=_login)
    q = sub.add_parser(
        "logout",
        help="forget a profile's password kept in the system keyring",
        description="Removes the keyring entry made by observer-app login (the study is not "
        "opened).",
    )
    add_study_argument(q)
    q.set_defaults(handler=_logout)


def _profile(args: argparse.Namespace) -> str:
    if not args.as_profile:
        raise InputError(f"{args.study}: name the profile with --as NAME")
    return str(args.as_profile)


def _login(args: argparse.Namespace) -> int:
    profile = _profile(args)
    reason = credentials.no_backend_reason()
    if reason is not None:
        raise InputError(f"cannot keep the password: {reason}")
    if args.archive:
        return _login_archive(args)
    password = read_password_line()
    account = _checked_account(args.study, profile, password)
    credentials.set_secret(account, password)
    print(f"kept the password of {profile} in the system keyring ({account})")
    return 0


def _login_archive(args: argparse.Namespace) -> int:
    with open_study(args, backup=False) as study:
        if not study.actor.is_manager:
            who = study.actor.name
            raise InputError(f"only a manager may keep the export archives' password ({who})")
    account = credentials.archive_account(args.study)
    password = read_password_line()
    if not password:
        raise InputError("the archive needs a password (an empty one encrypts nothing)")
    credentials.set_secret(account, password)
    print(f"kept the export archives' password in the system keyring ({account})")
    return 0


def _checked_account(location: str, profile: str, password: str) -> str:
    """Open the study once as ``profile`` with ``password``; the account the password is for.

    On a PostgreSQL URL without a password the typed one is tried as the connection's password:
    on a lab server the profile signs in as its own database role.
    """
    url = to_url(location)
    asked: list[bool] = []

    def given() -> str:
        asked.append(True)
        return password

    on_server = sqlite_path(url) is None and not url.password
    try:
        study = Study.open(
            url.set(password=password) if on_server else location,
            as_coder=profile,
            password=given,
            backup=False,
        )
    except StorageError:
        if not on_server:
            raise
        # not this role's password: the connection's own (keyring, ~/.pgpass), the profile's
        on_server = False
        location_now = credentials.with_server_password(location)
        study = Study.open(location_now, as_coder=profile, password=given, backup=False)
    with study:
        if asked:  # the application checked the profile's own password
            return credentials.profile_account(location, profile)
        if (
            on_server and study.on_lab_server and study.actor.name == profile
        ):  # the server checked the role's
            return credentials.server_account(url)
    raise InputError(f"{profile} has no password in {location}: there is nothing to keep")


def _logout(args: argparse.Namespace) -> int:
    profile = _profile(args)
    url = to_url(args.study)
    accounts = [credentials.profile_account(args.study, profile)]
    if sqlite_path(url) is None:
        accounts.append(credentials.server_account(url))
    removed = [a for a in accounts if credentials.delete_secret(a)]
    if removed:
        print(f"removed from the system keyring: {', '.join(removed)}")
    else:
        print(f"the system keyring held no password of {profile} for {args.study}")
    return 0
