"""The facade: ``Study.create`` / ``Study.open`` and the use-case services hanging off it.

    study = Study.open("lab.db", as_coder="Ana", password="...")
    study.assignments.mine(); study.events.log(...); study.ratings.set(...)

``as_coder=None`` opens the study as its administrator (a manager without a profile), for
programmatic use (scripts, tests, the demo builder). The command line never does: every command
runs as a named profile (``cli/_study.open_study``), and the GUI always signs one in. On a lab
server the connection's own database role decides who the actor is.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from sqlalchemy import Engine, Select, func, select
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError

from observer_app import __version__
from observer_app.coding.errors import (
    AuthenticationError,
    Conflict,
    InputError,
    NotFound,
    StorageError,
    StoreVersionError,
)
from observer_app.services.access import require_manager
from observer_app.services.assignments import AssignmentService
from observer_app.services.audit_log import AuditService
from observer_app.services.coders import (
    CoderService,
    PasswordSource,
    authenticate,
    new_coder,
    session_profile,
)
from observer_app.services.consensus import ConsensusService
from observer_app.services.context import ServiceContext
from observer_app.services.definitions import DefinitionService
from observer_app.services.events import EventService
from observer_app.services.instrument_keys import InstrumentKeyService
from observer_app.services.live import ChangeFeed
from observer_app.services.metadata_import import MetadataImportService
from observer_app.services.perspectives import PerspectivesService
from observer_app.services.phases import PhaseService
from observer_app.services.ratings import RatingService
from observer_app.services.recording_sources import RecordingSourceService
from observer_app.services.recordings import Probe, RecordingService
from observer_app.services.records import ADMINISTRATOR, Actor, StudyInfo
from observer_app.services.reliability import ReliabilityService
from observer_app.services.scores import ScoreService
from observer_app.services.selfreports import SelfReportService
from observer_app.services.sequences import SequenceService
from observer_app.services.settings import SettingsService
from observer_app.services.streams import StreamService
from observer_app.store import models
from observer_app.store.backup import backup_sqlite, checkpoint, copy_sqlite
from observer_app.store.engine import (
    StudySession,
    make_engine,
    make_session_factory,
    sqlite_path,
    to_url,
)
from observer_app.store.migrate import check_sqlite_file, ensure_schema, read_state
from observer_app.store.server import is_provisioned


class Study:
    """An open study database, seen by one actor."""

    def __init__(self, ctx: ServiceContext, probe: Probe | None = None) -> None:
        self._ctx = ctx
        self.coders = CoderService(ctx)
        self.recordings = RecordingService(ctx, probe)
        self.sources = RecordingSourceService(ctx, probe)
        self.definitions = DefinitionService(ctx)
        self.assignments = AssignmentService(ctx)
        self.events = EventService(ctx, self.definitions.validate_event)
        self.ratings = RatingService(ctx, self.definitions.validate_rating)
        self.audit = AuditService(ctx)
        self.scores = ScoreService(ctx, self.definitions)
        self.instrument_keys = InstrumentKeyService(ctx, self.definitions)
        self.metadata_import = MetadataImportService(ctx)
        self.streams = StreamService(ctx)
        defs = self.definitions
        self.reliability = ReliabilityService(
            ctx, defs.scheme, defs.instrument, defs.min_last_segment_ms
        )
        self.consensus = ConsensusService(ctx, defs.validate_event, defs.validate_rating)
        self.assignments.add_completion_check(self.definitions.completion_problems)
        self.phases = PhaseService(ctx)
        self.sequences = SequenceService(
            ctx,
            recordings=self.recordings,
            assignments=self.assignments,
            streams=self.streams,
            phases=self.phases,
            definitions=self.definitions,
        )
        self.selfreports = SelfReportService(ctx, self.definitions)
        self.perspectives = PerspectivesService(
            ctx,
            defs,
            assignments=self.assignments,
            recordings=self.recordings,
            streams=self.streams,
            selfreports=self.selfreports,
            phases=self.phases,
        )
        self.settings = SettingsService(ctx)
        self.assignments.add_completion_check(self.consensus.completion_problems)
        self.ratings.set_placement_check(self.definitions.check_rating_place)

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        location: str | Path | URL,
        name: str,
        *,
        probe: Probe | None = None,
        manager: str | None = None,
        manager_password: str | None = None,
    ) -> Study:
        """Create a new study database (refuses to touch an existing study file).

        ``manager`` names the study's first manager profile, made in the same transaction (the
        command line requires one: it has no administrator access afterwards).
        """
        if manager is not None and not manager.strip():
            raise InputError("the first manager needs a name")
        url = to_url(location)
        db_file = sqlite_path(url)
        if db_file is not None:
            if db_file.exists() and db_file.stat().st_size > 0:
                raise Conflict(f"{db_file}: already exists; open it instead of creating it")
            db_file.parent.mkdir(parents=True, exist_ok=True)
        engine = make_engine(url)
        ensure_schema(engine)
        sessions = make_session_factory(engine)
        with sessions() as s, s.begin():
            if s.scalar(select(func.count()).select_from(models.Study)):
                raise Conflict(f"{location}: already holds a study")
            study = models.Study(name=name, settings={})
            s.add(study)
            s.add(models.AppMeta(key="created_by", value=f"observer-app {__version__}"))
            s.flush()
            study_id = study.id
            if manager is not None:
                s.add(new_coder(study_id, manager, role="manager", password=manager_password))
        ctx = ServiceContext(engine, sessions, study_id, ADMINISTRATOR, str(location))
        with engine.connect() as conn:
            ctx.server = is_provisioned(conn)
        return cls(ctx, probe)

    @classmethod
    def open(
        cls,
        location: str | Path | URL,
        *,
        as_coder: str | None = None,
        password: PasswordSource = None,
        probe: Probe | None = None,
        backup: bool = True,
    ) -> Study:
        """Open an existing study: check (or upgrade) its schema, back it up, sign the actor in.

        ``password`` may be a function, asked only if ``as_coder`` has a password the
        application checks (on a lab server the connection's own role signs the profile in).
        """
        url = to_url(location)
        db_file = sqlite_path(url)
        if db_file is not None and not db_file.exists():
            raise NotFound(f"{db_file}: no such study database (create one with observer-app init)")
        if db_file is not None:
            check_sqlite_file(db_file)  # a refused file is left byte-identical
        engine = make_engine(url)
        _connect_or_explain(engine, location, is_file=db_file is not None)
        sessions = make_session_factory(engine)
        with sessions() as s:
            study_ids = list(s.scalars(select(models.Study.id).order_by(models.Study.id)))
        if not study_ids:
            raise StoreVersionError(f"{location}: holds no study")
        ctx = ServiceContext(engine, sessions, study_ids[0], ADMINISTRATOR, str(location))
        if db_file is not None and backup:
            ctx.before_first_write = partial(backup_sqlite, db_file, "before-first-write")
        with engine.connect() as conn:
            ctx.server = is_provisioned(conn)
        me = session_profile(ctx) if ctx.server else None
        if me is not None:  # the server authenticated this connection as one profile
            if as_coder is not None and as_coder != me.name:
                raise AuthenticationError(
                    f"this connection signs in {me.name!r}, not {as_coder!r}: "
                    "connect with that profile's own database role"
                )
            ctx.actor = me
        elif as_coder is not None:
            ctx.actor = authenticate(ctx, as_coder, password)
        return cls(ctx, probe)

    def change_feed(self) -> ChangeFeed:
        """Tells whether another workstation changed the study (see ``services/live.py``)."""
        return ChangeFeed(self._ctx)

    def close(self) -> None:
        """Close the study; a SQLite file is checkpointed first so that the ``.db`` alone holds
        every committed change (nothing left only in ``-wal``)."""
        if self._ctx.engine.dialect.name == "sqlite":
            checkpoint(self._ctx.engine)
        self._ctx.engine.dispose()

    def backup_to(self, dest: Path) -> Path:
        """A consistent copy of the study file at ``dest`` (SQLite's online backup API)."""
        db_file = sqlite_path(to_url(self._ctx.location))
        if db_file is None:
            raise InputError(
                "a PostgreSQL study is backed up with the server's tools (pg_dump), not here"
            )
        return copy_sqlite(db_file, dest)

    def __enter__(self) -> Study:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- facts -----------------------------------------------------------------------------
    @property
    def actor(self) -> Actor:
        return self._ctx.actor

    @property
    def on_lab_server(self) -> bool:
        """A provisioned lab server: its connection's own database role signs the profile in."""
        return bool(self._ctx.server)

    @property
    def location(self) -> str:
        return self._ctx.location

    @property
    def study_file(self) -> Path | None:
        """The SQLite file of the study (None for a server database): media working copies
        are cached beside it."""
        return sqlite_path(to_url(self._ctx.location))

    @property
    def name(self) -> str:
        with self._ctx.read() as s:
            study = s.get(models.Study, self._ctx.study_id)
            assert study is not None
            return study.name

    def info(self) -> StudyInfo:
        """Counts of recordings, coders, assignments by status, events and ratings (managers:
        the counts span every coder's work, blind work included)."""
        require_manager(self._ctx.actor, "read the study's counts")
        with self._ctx.read() as s:
            sid = self._ctx.study_id

            by_status = dict.fromkeys(models.STATUSES, 0)
            rows = s.execute(
                select(models.Assignment.status, func.count())
                .where(models.Assignment.study_id == sid)
                .group_by(models.Assignment.status)
            )
            by_status.update({status: int(n) for status, n in rows})
            joined = models.Assignment.study_id == sid
            events = int(
                s.scalar(
                    select(func.count())
                    .select_from(models.Event)
                    .join(models.Assignment)
                    .where(joined, models.Event.deleted.is_(False))
                )
                or 0
            )
            ratings = int(
                s.scalar(
                    select(func.count())
                    .select_from(models.Rating)
                    .join(models.Assignment)
                    .where(joined)
                )
                or 0
            )
            return StudyInfo(
                name=self.name,
                location=self.location,
                schema_version=read_state(self._ctx.engine).current or "",
                recordings=_count(
                    s, select(models.Recording.id).where(models.Recording.study_id == sid)
                ),
                coders=_count(s, select(models.Coder.id).where(models.Coder.study_id == sid)),
                assignments_by_status=by_status,
                events=events,
                ratings=ratings,
            )


def _connect_or_explain(engine: Engine, location: object, *, is_file: bool) -> None:
    """Check (or upgrade) the schema; a server that refuses the connection is one clear line."""
    try:
        ensure_schema(engine)  # backs up before a migration
    except OperationalError as exc:
        if is_file:
            raise
        engine.dispose()
        reason = str(exc.orig or exc).strip().splitlines()[0]
        raise StorageError(
            f"{location}: cannot connect to the server ({reason}); the password comes from "
            "~/.pgpass, a pg_service.conf service or the system keyring "
            "(observer-app login STUDY --as NAME)"
        ) from None


def _count(s: StudySession, query: Select[int]) -> int:
    return int(s.scalar(select(func.count()).select_from(query.subquery())) or 0)
