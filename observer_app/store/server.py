"""A lab server: one PostgreSQL database per study, one login role per profile, row-level security.

``provision(conn, prefix)`` (run once by the lab's database administrator, the database's owner,
through ``observer-app server init``) creates:

* two group roles, ``<prefix>_coder`` and ``<prefix>_manager`` (no login), with the table
  privileges each needs: a coder reads the study's set-up, writes events and ratings, updates
  only the progress columns of an assignment and only the preferences column of a profile;
* functions that name the connected profile (``session_user`` matched against
  ``coder.db_role``) and decide what it may read and write;
* row-level security policies on ``assignment``, ``event``, ``rating``, ``audit_log`` and
  ``coder``: through their own connection, even with a plain ``psql``, a coder sees only their
  own assignments and the work on assignments that are not blind, and no audit log (whose
  snapshots would show blind work);
* ``observer_sync_login(coder_id, password)``: creates or updates the login role of a profile
  (membership of the right group, password, login allowed while active). It runs with the owner's
  rights and only for managers, so a manager adding a coder in the app creates their role in the
  same transaction.

The owner (the administrator's own role) bypasses row-level security, as PostgreSQL's table
owners do; it is for migrations and maintenance, not for coding.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, text

#: Longest identifier PostgreSQL keeps (NAMEDATALEN - 1).
MAX_IDENTIFIER = 63


def role_prefix(database: str) -> str:
    """The prefix of a study's roles: its database name, as a plain lower-case identifier."""
    slug = re.sub(r"[^a-z0-9_]+", "_", database.lower()).strip("_") or "study"
    return slug[:40]


def _functions(prefix: str) -> list[str]:
    definer = "LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public"
    return [
        f"""CREATE OR REPLACE FUNCTION observer_me() RETURNS integer {definer} AS $$
            SELECT id FROM public.coder WHERE db_role = session_user AND active $$""",
        f"""CREATE OR REPLACE FUNCTION observer_is_manager() RETURNS boolean {definer} AS $$
            SELECT EXISTS (SELECT 1 FROM public.coder
                           WHERE db_role = session_user AND active AND role = 'manager') $$""",
        f"""CREATE OR REPLACE FUNCTION observer_can_read(aid integer) RETURNS boolean
            {definer} AS $$
            SELECT observer_is_manager() OR EXISTS (
                SELECT 1 FROM public.assignment a
                WHERE a.id = aid AND (a.coder_id = observer_me() OR NOT a.blind)) $$""",
        f"""CREATE OR REPLACE FUNCTION observer_can_write(aid integer) RETURNS boolean
            {definer} AS $$
            SELECT observer_is_manager() OR EXISTS (
                SELECT 1 FROM public.assignment a
                WHERE a.id = aid AND a.coder_id = observer_me()) $$""",
        f"""CREATE OR REPLACE FUNCTION observer_sync_login(cid integer, new_password text)
            RETURNS text LANGUAGE plpgsql VOLATILE SECURITY DEFINER
            SET search_path = pg_catalog, public AS $$
        DECLARE
            c public.coder%ROWTYPE;
            login text;
            grp text;
            other text;
        BEGIN
            IF NOT (observer_is_manager() OR session_user = current_user) THEN
                RAISE EXCEPTION 'only a manager may change profiles' USING ERRCODE = '42501';
            END IF;
            SELECT * INTO c FROM public.coder WHERE id = cid;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'no profile #%', cid;
            END IF;
            login := coalesce(c.db_role,
                left('{prefix}_' || trim(both '_' from
                     regexp_replace(lower(c.name), '[^a-z0-9]+', '_', 'g')), {MAX_IDENTIFIER - 6})
                || '_' || c.id);
            grp := '{prefix}_' || c.role;
            other := CASE c.role WHEN 'manager' THEN '{prefix}_coder' ELSE '{prefix}_manager' END;
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = login) THEN
                EXECUTE format('CREATE ROLE %I LOGIN', login);
            END IF;
            EXECUTE format('GRANT %I TO %I', grp, login);
            EXECUTE format('REVOKE %I FROM %I', other, login);
            EXECUTE format('ALTER ROLE %I %s', login,
                           CASE WHEN c.active THEN 'LOGIN' ELSE 'NOLOGIN' END);
            IF new_password IS NOT NULL THEN
                EXECUTE format('ALTER ROLE %I PASSWORD %L', login, new_password);
            END IF;
            IF c.db_role IS DISTINCT FROM login THEN
                UPDATE public.coder SET db_role = login WHERE id = cid;
            END IF;
            RETURN login;
        END $$""",
        "REVOKE ALL ON FUNCTION observer_sync_login(integer, text) FROM PUBLIC",
        f"GRANT EXECUTE ON FUNCTION observer_sync_login(integer, text) TO {prefix}_manager",
    ]


def _grants(prefix: str) -> list[str]:
    coder, manager = f"{prefix}_coder", f"{prefix}_manager"
    # key_signoff / instrument_rekey: a coder's form header shows whether its key was checked.
    # Self-reports (self_report, self_report_item) are granted to managers only: a coder's
    # connection cannot read a client's or therapist's own ratings at all.
    read_only = (
        "study",
        "recording",
        "definition_version",
        "text_pack",
        "app_meta",
        "key_signoff",
        "instrument_rekey",
    )
    return [
        f"GRANT USAGE ON SCHEMA public TO {coder}, {manager}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {manager}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {coder}, {manager}",
        f"GRANT SELECT ON {', '.join(read_only)}, alembic_version TO {coder}",
        f"GRANT SELECT ON assignment, coder TO {coder}",
        f"GRANT UPDATE (status, last_position_ms, completed_at) ON assignment TO {coder}",
        f"GRANT UPDATE (preferences) ON coder TO {coder}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON event, rating TO {coder}",
        f"GRANT INSERT ON audit_log TO {coder}",
    ]


def _policies() -> list[str]:
    out = []
    for table in ("assignment", "event", "rating", "audit_log", "coder"):
        out.append(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    mine = "observer_is_manager() OR coder_id = observer_me()"
    out += [
        f"CREATE POLICY assignment_read ON assignment FOR SELECT USING ({mine} OR NOT blind)",
        f"CREATE POLICY assignment_write ON assignment FOR UPDATE USING ({mine}) "
        f"WITH CHECK ({mine})",
        "CREATE POLICY assignment_create ON assignment FOR INSERT "
        "WITH CHECK (observer_is_manager())",
        "CREATE POLICY assignment_remove ON assignment FOR DELETE USING (observer_is_manager())",
        "CREATE POLICY audit_read ON audit_log FOR SELECT USING (observer_is_manager())",
        "CREATE POLICY audit_write ON audit_log FOR INSERT WITH CHECK (true)",
        "CREATE POLICY coder_read ON coder FOR SELECT USING (true)",
        "CREATE POLICY coder_write ON coder FOR UPDATE "
        "USING (observer_is_manager() OR db_role = session_user)",
        "CREATE POLICY coder_create ON coder FOR INSERT WITH CHECK (observer_is_manager())",
    ]
    for table in ("event", "rating"):
        w = "observer_can_write(assignment_id)"
        out += [
            f"CREATE POLICY {table}_read ON {table} FOR SELECT "
            "USING (observer_can_read(assignment_id))",
            f"CREATE POLICY {table}_insert ON {table} FOR INSERT WITH CHECK ({w})",
            f"CREATE POLICY {table}_update ON {table} FOR UPDATE USING ({w}) WITH CHECK ({w})",
            f"CREATE POLICY {table}_delete ON {table} FOR DELETE USING ({w})",
        ]
    return out


def provision(conn: Connection, prefix: str) -> None:
    """Create the group roles, privileges, functions and policies (in ``conn``'s transaction)."""
    for group in ("coder", "manager"):
        role = f"{prefix}_{group}"
        exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
        if exists.first() is None:
            conn.exec_driver_sql(f"CREATE ROLE {role} NOLOGIN")
    conn.exec_driver_sql("REVOKE ALL ON SCHEMA public FROM PUBLIC")
    for sql in [*_functions(prefix), *_grants(prefix), *_policies()]:
        conn.exec_driver_sql(sql.replace("%", "%%"))  # no parameters: % is the driver's escape


def is_provisioned(conn: Connection) -> bool:
    """True for a database set up by ``provision`` (its profiles have login roles)."""
    if conn.dialect.name != "postgresql":
        return False
    found = conn.execute(text("SELECT 1 FROM pg_proc WHERE proname = 'observer_sync_login'"))
    return found.first() is not None


def sync_login(conn: Connection, coder_id: int, password: str | None) -> str:
    """Create or update a profile's login role (see ``observer_sync_login``); returns its name."""
    name = conn.execute(
        text("SELECT observer_sync_login(:cid, :pw)"), {"cid": coder_id, "pw": password}
    ).scalar_one()
    return str(name)
