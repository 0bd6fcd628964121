"""The lab-server migration on a database written at the previous revision (both engines)."""

from __future__ import annotations

import json

from alembic import command
from sqlalchemy import text

from observer_app.store.engine import make_engine, to_url
from observer_app.store.migrate import _config, ensure_schema, head_revision


def test_upgrade_scrubs_hashes_from_old_audit_entries_and_installs_the_guards(
    study_location: str,
) -> None:
    engine = make_engine(to_url(study_location))
    with engine.begin() as conn:
        command.upgrade(_config(conn), "0001")
        conn.execute(
            text(
                "INSERT INTO audit_log (at, actor_name, action, entity, entity_id, before, "
                "after, context) VALUES (CURRENT_TIMESTAMP, 'administrator', 'insert', 'coder', "
                "1, NULL, :after, 'add coder')"
            ),
            {"after": json.dumps({"name": "Ana", "password_hash": "scrypt$32768$8$1$c2FsdA==$x"})},
        )
    assert ensure_schema(engine).current == head_revision()
    with engine.connect() as conn:
        after = conn.execute(text("SELECT after FROM audit_log")).scalar_one()
        if engine.dialect.name == "sqlite":
            triggers = conn.execute(
                text("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'")
            ).scalar_one()
        else:
            triggers = conn.execute(
                text("SELECT count(*) FROM pg_trigger WHERE tgname LIKE '%refuse_complete'")
            ).scalar_one()
    after = json.loads(after) if isinstance(after, str) else after
    assert after == {"name": "Ana", "password_hash": "(set)"}
    assert triggers >= 2
    engine.dispose()
