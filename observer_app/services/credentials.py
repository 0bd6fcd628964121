"""Passwords kept in the operating system's keyring (the ``keyring`` package), never by us.

observer-app writes no password to a file, a setting or the audit log. A password the user asks
to keep goes into the system keyring (macOS Keychain, Windows Credential Locker, a Secret Service
such as GNOME Keyring or KWallet), under the service name ``observer-app`` and one of two
accounts:

* ``profile NAME in LOCATION``: a profile's own password in a study that checks it itself (a
  SQLite file, or a PostgreSQL study opened with its owner's connection);
* ``ROLE@HOST:PORT/DATABASE``: the password of a database role on a lab server (where the profile
  *is* its login role); the GUI's Open server study… and the command line share it;
* ``export archives of LOCATION``: the password of the study's encrypted export archives
  (``observer-app export --encrypt``).

For a lab server, libpq's own ``~/.pgpass`` and ``pg_service.conf`` work as well: a URL without a
password is handed to libpq unchanged when the keyring holds nothing for it.
"""

from __future__ import annotations

from pathlib import Path

import keyring
import keyring.errors
from keyring.backends import fail
from sqlalchemy.engine import URL

from observer_app.coding.errors import InputError
from observer_app.store.engine import sqlite_path, to_url

KEYRING_SERVICE = "observer-app"
DEFAULT_PORT = 5432


def server_account(url: URL) -> str:
    """``ROLE@HOST:PORT/DATABASE`` of a server URL (a socket directory stands for the host)."""
    host = url.host or str(url.query.get("host") or "localhost")
    return f"{url.username or ''}@{host}:{url.port or DEFAULT_PORT}/{url.database or ''}"


def profile_account(location: str | Path | URL, profile: str) -> str:
    """The account of ``profile``'s own password in the study at ``location``."""
    url = to_url(location)
    path = sqlite_path(url)
    where = str(path) if path is not None else server_account(url)
    return f"profile {profile} in {where}"


def archive_account(location: str | Path | URL) -> str:
    """The account of the password for the study's encrypted export archives."""
    return profile_account(location, "").replace("profile  in ", "export archives of ", 1)


def no_backend_reason() -> str | None:
    """Why no password can be kept here (None when a keyring backend is available)."""
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        return (
            "no system keyring is available on this machine (install and unlock one, e.g. GNOME "
            "Keyring or KWallet; macOS and Windows have their own)"
        )
    return None


def get_secret(account: str) -> str | None:
    """The kept password of ``account``, or None (also when there is no keyring)."""
    try:
        return keyring.get_password(KEYRING_SERVICE, account)
    except keyring.errors.KeyringError:
        return None


def set_secret(account: str, secret: str) -> None:
    """Keep ``secret`` for ``account`` in the system keyring (refused plainly without one)."""
    reason = no_backend_reason()
    if reason is not None:
        raise InputError(f"cannot keep the password: {reason}")
    try:
        keyring.set_password(KEYRING_SERVICE, account, secret)
    except keyring.errors.KeyringError as exc:
        raise InputError(f"cannot keep the password in the system keyring: {exc}") from None


def delete_secret(account: str) -> bool:
    """Forget ``account``'s password; False when none was kept."""
    try:
        keyring.delete_password(KEYRING_SERVICE, account)
    except keyring.errors.PasswordDeleteError:
        return False
    except keyring.errors.KeyringError as exc:
        raise InputError(f"cannot reach the system keyring: {exc}") from None
    return True


def with_server_password(location: str | Path | URL) -> str | Path | URL:
    """A server URL without a password gets the keyring's password for its role (in memory
    only: the URL's text form hides it); anything else is returned unchanged, for libpq to
    find the password in ``~/.pgpass`` or a service file."""
    url = to_url(location)
    if sqlite_path(url) is not None or url.get_backend_name() != "postgresql" or url.password:
        return location
    secret = get_secret(server_account(url))
    return location if secret is None else url.set(password=secret)
