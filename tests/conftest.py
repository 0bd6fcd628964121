"""Suite-wide set-up: Qt runs offscreen so ``make test`` needs no display."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Keep QSettings written by tests out of the user's real configuration.
os.environ.setdefault(
    "XDG_CONFIG_HOME", os.path.join(os.environ.get("TMPDIR", "/tmp"), "observer-app-test-config")
)
# No test reaches the developer's own keyring: without the ``system_keyring`` fixture there is
# no keyring at all (keyring's "fail" backend, as on a machine without one).
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")

import contextlib
import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as _hypothesis_settings

# CI runs are reproducible: the same examples on every run (a failure found locally with random
# examples is kept by hypothesis' database; CI must not depend on the draw).
_hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    _hypothesis_settings.load_profile("ci")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL server on a Unix socket (no TCP), for the duration of the run
    (``scripts/pg_cluster.py``); skips with the reason when the server is not installed."""
    from scripts.pg_cluster import PostgresMissing, throwaway_cluster

    try:
        cluster = throwaway_cluster("observer_test", fsync=False)
        url = cluster.__enter__()
    except PostgresMissing as exc:
        pytest.skip(str(exc))
    try:
        yield url
    finally:
        cluster.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _collect_garbage_on_the_main_thread() -> Iterator[None]:
    """The app collects garbage only on the GUI thread (observer_app.ui.gui_gc); the suite does
    the same: no automatic collection (which could run in a worker thread and destroy Qt objects
    there), a full collection on the main thread after every test."""
    gc.disable()
    try:
        yield
    finally:
        gc.collect()
        gc.enable()


@contextlib.contextmanager
def _new_database(postgres_url: str) -> Iterator[str]:
    """An empty database of its own on the test server (dropped afterwards)."""
    import uuid

    from sqlalchemy import create_engine

    name = f"observer_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield postgres_url.replace("/observer_test?", f"/{name}?")
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def fresh_postgres_url(postgres_url: str) -> Iterator[str]:
    """An empty database of its own on the test server (dropped afterwards)."""
    with _new_database(postgres_url) as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def study_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a test's study lives: a SQLite file, then (second run) a PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "lab.db")
    return str(request.getfixturevalue("fresh_postgres_url"))


@pytest.fixture
def system_keyring(tmp_path: Path) -> Iterator[Any]:
    """A real keyring backend that runs headless: ``keyrings.cryptfile`` (an AES-encrypted file,
    Argon2-derived key) in ``tmp_path``, made the process's keyring for the test.

    The OS backends (Secret Service, Keychain, Credential Locker) need a desktop session; this
    one goes through the same ``keyring`` API, and its file shows whether a password was kept
    in plain text by anyone.
    """
    import keyring
    from keyrings.cryptfile.cryptfile import CryptFileKeyring

    before = keyring.get_keyring()
    ring = CryptFileKeyring()
    ring.file_path = str(tmp_path / "keyring" / "cryptfile_pass.cfg")
    ring.keyring_key = "the keyring's own unlock password"
    keyring.set_keyring(ring)
    try:
        yield ring
    finally:
        keyring.set_keyring(before)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def module_study_location(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """``study_location`` for a module-scoped study (built once per engine and module)."""
    if request.param == "sqlite":
        yield str(tmp_path_factory.mktemp("study") / "lab.db")
        return
    with _new_database(request.getfixturevalue("postgres_url")) as url:
        yield url
