"""Setting up a lab server: a study in an empty PostgreSQL database, with login roles and
row-level security (``store/server.py``). Run by the lab's database administrator."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from observer_app.coding.errors import InputError
from observer_app.services.study import Study
from observer_app.store import models
from observer_app.store.engine import make_engine, to_url
from observer_app.store.server import provision, role_prefix, sync_login


@dataclass(frozen=True)
class ServerSetup:
    prefix: str
    manager_login: str


def init_server(
    location: str | Path, name: str, manager: str, manager_password: str | None
) -> ServerSetup:
    """Create the study, its first manager and the server's roles and policies.

    ``location`` is a PostgreSQL URL of an empty database owned by the connecting role, which
    needs the CREATEROLE privilege.
    """
    url = to_url(location)
    if url.get_backend_name() != "postgresql" or not url.database:
        raise InputError(f"{location}: a lab server is a PostgreSQL database URL")
    prefix = role_prefix(url.database)
    Study.create(location, name, manager=manager).close()
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            provision(conn, prefix)
            manager_id = conn.execute(
                select(models.Coder.id).where(models.Coder.name == manager.strip())
            ).scalar_one()
            login = sync_login(conn, manager_id, manager_password)
    finally:
        engine.dispose()
    return ServerSetup(prefix, login)
