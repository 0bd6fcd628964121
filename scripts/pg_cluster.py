"""A throwaway PostgreSQL cluster on a Unix socket (no TCP): the test fixture (tests/conftest.py
``postgres_url``) and the lab-server benchmark (benchmarks/bench_lab_server.py) both start theirs
here.

Uses the Debian server binaries (``/usr/lib/postgresql/<version>/bin``; ``.ci/run`` installs
them). As root, the cluster runs as the ``postgres`` system user, as initdb requires. Every
connection over the socket is trusted; the cluster and its files are removed when it stops.
"""

from __future__ import annotations

import getpass
import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class PostgresMissing(RuntimeError):
    """The PostgreSQL server binaries are not installed."""


def server_bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


@contextmanager
def throwaway_cluster(
    database: str, *, fsync: bool = True, options: tuple[str, ...] = ()
) -> Iterator[str]:
    """Start a cluster with one empty ``database``; yields its ``postgresql+psycopg`` URL.

    ``fsync=False`` for tests (nothing must survive a crash); benchmarks keep the default
    durability. ``options``: more ``-c name=value`` server settings.
    """
    bindir = server_bindir()
    if bindir is None:
        raise PostgresMissing(
            "PostgreSQL server binaries not installed (apt-get install postgresql)"
        )
    root = Path(tempfile.mkdtemp(prefix="observer-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    as_root = os.geteuid() == 0
    user = "postgres" if as_root else getpass.getuser()
    if as_root:
        shutil.chown(root, user)
        shutil.chown(sock, user)
    prefix = ["runuser", "-u", user, "--"] if as_root else []
    env = {**os.environ, "LC_ALL": "C.UTF-8"}

    def run(*argv: str, check: bool = True) -> None:
        subprocess.run([*prefix, *argv], check=check, capture_output=True, env=env)

    settings = ["listen_addresses=''", *([] if fsync else ["fsync=off"]), *options]
    opts = f"-k {sock} " + " ".join(f"-c {s}" for s in settings)
    try:
        run(str(bindir / "initdb"), "-D", str(data), "-U", user, "-A", "trust", "-E", "UTF8")
        run(
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            opts,
            "-w",
            "-l",
            str(root / "log"),
            "start",
        )
        try:
            run(str(bindir / "createdb"), "-h", str(sock), "-U", user, database)
            yield f"postgresql+psycopg://{user}@/{database}?host={sock}"
        finally:
            run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop", check=False)
    finally:
        shutil.rmtree(root, ignore_errors=True)
