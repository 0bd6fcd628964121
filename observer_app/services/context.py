"""What every service shares: sessions, the study, the actor, one transaction per action."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import sessionmaker

from observer_app.coding.errors import AccessDenied, InputError, NotFound, StorageError
from observer_app.services.records import Actor
from observer_app.store import audit, guards
from observer_app.store.engine import WRITE_OPTION, StudySession
from observer_app.store.models import Base

M = TypeVar("M", bound=Base)


@dataclass
class ServiceContext:
    engine: Engine
    sessions: sessionmaker[StudySession]
    study_id: int
    actor: Actor
    location: str
    #: A lab server (``observer-app server init``): profiles have database login roles.
    server: bool = False
    #: Called once, before the first write of this session (the study's backup: read-only
    #: opens never take a backup slot).
    before_first_write: Callable[[], object] | None = None

    @contextmanager
    def tx(self, context: str) -> Iterator[StudySession]:
        """One user action = one committed transaction, audited under ``context``.

        On any exception the whole action is rolled back: nothing is half-written.
        """
        hook, self.before_first_write = self.before_first_write, None
        if hook is not None:
            hook()
        try:
            with self.sessions() as session:
                session.info[audit.ACTOR_KEY] = (self.actor.id, self.actor.name)
                session.info[audit.CONTEXT_KEY] = context
                with session.begin():
                    # SQLite: BEGIN IMMEDIATE (store/engine.py), the write lock before the checks.
                    session.connection(execution_options={WRITE_OPTION: True})
                    yield session
        except OverflowError as exc:  # SQLite's driver, before the statement runs
            raise InputError(f"not saved: a number is too large to store ({exc})") from exc
        except DBAPIError as exc:
            if "out of range" in str(exc.orig):  # PostgreSQL: numeric value out of range
                raise InputError(f"not saved: a number is too large to store ({exc.orig})") from exc
            if guards.COMPLETE_MARKER in str(exc.orig):
                raise AccessDenied(
                    "the assignment is complete and read-only; a manager can reopen it"
                ) from exc
            reason = storage_failure(exc)
            if reason is None:
                raise
            # The pooled connections may be the broken ones (a file opened read-only, a socket
            # the server closed): the next attempt connects afresh.
            self.engine.dispose()
            raise StorageError(f"not saved: {reason}") from exc

    @contextmanager
    def read(self) -> Iterator[StudySession]:
        """A read-only unit of work (rolled back at the end)."""
        with self.sessions() as session:
            yield session


_STORAGE_REASONS = (
    ("readonly", "the study file is read-only"),
    ("read-only", "the study file is read-only"),
    ("disk is full", "the disk is full"),
    ("no space left", "the disk is full"),
    ("database is locked", "the study is locked by another program (timed out waiting)"),
    ("lock timeout", "the study is locked by another program (timed out waiting)"),
    ("disk i/o error", "the disk reported an input/output error"),
    ("unable to open database", "the study file cannot be opened"),
)


def storage_failure(exc: DBAPIError) -> str | None:
    """What went wrong with the storage itself, in words (None for other database errors)."""
    text = str(exc.orig if exc.orig is not None else exc).lower()
    for needle, reason in _STORAGE_REASONS:
        if needle in text:
            return reason
    lost = isinstance(exc, OperationalError | InterfaceError) and not isinstance(
        exc.orig, sqlite3.Error
    )
    if exc.connection_invalidated or lost:
        return "the study's server cannot be reached"
    return None


def lock_or_raise(session: StudySession, model: type[M], ident: int, what: str) -> M:
    """The row, locked until the transaction ends (``SELECT ... FOR UPDATE`` on PostgreSQL).

    Two actions on one assignment (a coder logging, a manager completing) are serialised: the
    second waits for the first to commit and then sees its result. SQLite needs no row lock: a
    write transaction holds the file's write lock from its start (``BEGIN IMMEDIATE``).
    """
    obj = session.get(model, ident, with_for_update=True)
    if obj is None:
        raise NotFound(f"{what} #{ident} does not exist")
    return obj


def get_or_raise(session: StudySession, model: type[M], ident: int, what: str) -> M:
    obj = session.get(model, ident)
    if obj is None:
        raise NotFound(f"{what} #{ident} does not exist")
    return obj
