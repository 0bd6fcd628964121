"""What every service shares: sessions, the study, the actor, one transaction per action."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from observer_app.coding.errors import NotFound
from observer_app.services.records import Actor
from observer_app.store import audit
from observer_app.store.engine import StudySession
from observer_app.store.models import Base

M = TypeVar("M", bound=Base)


@dataclass
class ServiceContext:
    engine: Engine
    sessions: sessionmaker[StudySession]
    study_id: int
    actor: Actor
    location: str
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
        with self.sessions() as session:
            session.info[audit.ACTOR_KEY] = (self.actor.id, self.actor.name)
            session.info[audit.CONTEXT_KEY] = context
            with session.begin():
                yield session

    @contextmanager
    def read(self) -> Iterator[StudySession]:
        """A read-only unit of work (rolled back at the end)."""
        with self.sessions() as session:
            yield session


def get_or_raise(session: StudySession, model: type[M], ident: int, what: str) -> M:
    obj = session.get(model, ident)
    if obj is None:
        raise NotFound(f"{what} #{ident} does not exist")
    return obj
