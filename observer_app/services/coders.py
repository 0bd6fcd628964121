"""Coder profiles: add, list, deactivate, role, passwords, preferences."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select, text

from observer_app.coding.errors import AuthenticationError, Conflict, InputError, NotFound
from observer_app.services.access import require_manager
from observer_app.services.context import ServiceContext, get_or_raise
from observer_app.services.records import Actor, CoderInfo
from observer_app.services.security import hash_password, verify_password
from observer_app.store.audit import SECRET_SET
from observer_app.store.engine import StudySession
from observer_app.store.models import ROLES, AuditEntry, Coder
from observer_app.store.server import sync_login


def to_info(c: Coder) -> CoderInfo:
    return CoderInfo(c.id, c.name, c.initials, c.role, c.active, c.password_hash is not None)


def normalise_name(name: str) -> str:
    """Whitespace collapsed and trimmed ("Dana  Diaz " -> "Dana Diaz"); duplicates are then
    found case-insensitively."""
    return " ".join(name.split())


def _initials(name: str) -> str:
    return "".join(part[0] for part in name.split() if part).upper()[:4] or name[:2].upper()


#: A password, or a function that gives it (asked only when the profile has one).
PasswordSource = str | Callable[[], str | None] | None


def authenticate(ctx: ServiceContext, name: str, password: PasswordSource) -> Actor:
    """The actor for coder ``name`` after checking the password (when one is set).

    ``password`` may be a function: it is asked only when the profile has a password, after
    the read (the command line reads standard input or the keyring only then).
    """
    with ctx.read() as s:
        coder = s.scalar(select(Coder).where(Coder.study_id == ctx.study_id, Coder.name == name))
    if coder is None:
        raise AuthenticationError(f"no coder named {name!r} in this study")
    if not coder.active:
        raise AuthenticationError(f"coder {name!r} is deactivated")
    if coder.password_hash is not None:
        given = password() if callable(password) else password
        if given is None or not verify_password(given, coder.password_hash):
            raise AuthenticationError(f"wrong password for coder {name!r}")
    return Actor(coder.id, coder.name, coder.role)


def new_coder(
    study_id: int,
    name: str,
    role: str = "coder",
    initials: str | None = None,
    password: str | None = None,
) -> Coder:
    """A new profile row (not yet added to a session)."""
    return Coder(
        study_id=study_id,
        name=name.strip(),
        initials=initials or _initials(name.strip()),
        role=role,
        password_hash=hash_password(password) if password else None,
    )


def server_login(s: StudySession, coder_id: int, password: str | None) -> str:
    """Create or update the profile's login role on a lab server, in this transaction."""
    return sync_login(s.connection(), coder_id, password)


def password_entry(ctx: ServiceContext, coder_id: int, context: str) -> AuditEntry:
    """The audit entry of a password set on the server (no column of the study changes)."""
    return AuditEntry(
        actor_id=ctx.actor.id,
        actor_name=ctx.actor.name,
        action="update",
        entity="coder",
        entity_id=coder_id,
        before=None,
        after={"password": SECRET_SET},
        context=context,
    )


def session_profile(ctx: ServiceContext) -> Actor | None:
    """On a lab server: the profile whose login role this connection is (None for the owner)."""
    with ctx.read() as s:
        who = s.execute(text("SELECT session_user")).scalar_one()
        coder = s.scalar(select(Coder).where(Coder.db_role == who))
        if coder is None:
            return None
        if not coder.active:
            raise AuthenticationError(f"coder {coder.name!r} is deactivated")
        return Actor(coder.id, coder.name, coder.role)


class CoderService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def add(
        self,
        name: str,
        *,
        role: str = "coder",
        initials: str | None = None,
        password: str | None = None,
    ) -> CoderInfo:
        require_manager(self._ctx.actor, "add coders")
        name = normalise_name(name)
        if not name:
            raise InputError("a coder needs a name")
        if role not in ROLES:
            raise InputError(f"role {role!r} is not one of {', '.join(ROLES)}")
        with self._ctx.tx(f"add coder {name}") as s:
            same = [
                other
                for other in s.scalars(
                    select(Coder.name).where(Coder.study_id == self._ctx.study_id)
                )
                if normalise_name(other).casefold() == name.casefold()
            ]
            if same:
                raise Conflict(f"a coder named {same[0]!r} already exists (as {name!r})")
            server = self._ctx.server
            coder = new_coder(
                self._ctx.study_id, name, role, initials, None if server else password
            )
            s.add(coder)
            s.flush()
            if server:  # the profile's own login role, its password kept by the server only
                coder.db_role = server_login(s, coder.id, password)
                if password:
                    s.add(password_entry(self._ctx, coder.id, f"add coder {name}"))
            return to_info(coder)

    def all(self, *, include_inactive: bool = True) -> list[CoderInfo]:
        with self._ctx.read() as s:
            q = select(Coder).where(Coder.study_id == self._ctx.study_id).order_by(Coder.name)
            if not include_inactive:
                q = q.where(Coder.active.is_(True))
            return [to_info(c) for c in s.scalars(q)]

    def get(self, name: str) -> CoderInfo:
        for info in self.all():
            if info.name == name:
                return info
        raise NotFound(f"no coder named {name!r} in this study")

    def _update(
        self, coder_id: int, context: str, login_password: str | None = None, **changes: Any
    ) -> CoderInfo:
        require_manager(self._ctx.actor, context)
        with self._ctx.tx(context) as s:
            coder = get_or_raise(s, Coder, coder_id, "coder")
            for key, value in changes.items():
                setattr(coder, key, value)
            if self._ctx.server:  # group, login allowed, password of the login role
                s.flush()
                server_login(s, coder.id, login_password)
                if login_password is not None:  # the log says it was set, never the value
                    s.add(password_entry(self._ctx, coder.id, context))
            return to_info(coder)

    def set_active(self, coder_id: int, active: bool) -> CoderInfo:
        return self._update(
            coder_id, "activate coder" if active else "deactivate coder", active=active
        )

    def set_role(self, coder_id: int, role: str) -> CoderInfo:
        if role not in ROLES:
            raise InputError(f"role {role!r} is not one of {', '.join(ROLES)}")
        return self._update(coder_id, "change coder role", role=role)

    def set_password(self, coder_id: int, password: str | None) -> CoderInfo:
        """Set, reset (a new value) or remove (``None``) a coder's password (managers only)."""
        if self._ctx.server:
            return self._update(coder_id, "set coder password", login_password=password)
        hashed = hash_password(password) if password else None
        return self._update(coder_id, "set coder password", password_hash=hashed)

    def preferences(self, coder_id: int) -> dict[str, Any]:
        with self._ctx.read() as s:
            return dict(get_or_raise(s, Coder, coder_id, "coder").preferences)

    def set_preferences(self, coder_id: int, prefs: dict[str, Any]) -> None:
        """Store a coder's preferences (keymap, reaction lag, ...); coders set only their own."""
        actor = self._ctx.actor
        if not actor.is_manager and actor.id != coder_id:
            raise AuthenticationError("a coder may change only their own preferences")
        with self._ctx.tx("set preferences") as s:
            get_or_raise(s, Coder, coder_id, "coder").preferences = dict(prefs)
