"""The lab server (issue 17): ``observer-app server init`` provisions an empty PostgreSQL database;
each profile connects with its own login role; row-level security keeps blind work out of a
coder's own connection even with plain SQL."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import make_url

from observer_app.cli import main
from observer_app.coding.errors import AccessDenied, AuthenticationError
from observer_app.services.study import Study

pytestmark = pytest.mark.postgres


@dataclass
class Server:
    url: str
    logins: dict[str, str]
    ana_blind: int
    ben_blind: int
    ben_open: int

    def url_as(self, name: str) -> str:
        return make_url(self.url).set(username=self.logins[name]).render_as_string(False)

    def psql(self, name: str) -> psycopg.Connection[tuple[object, ...]]:
        u = make_url(self.url)
        return psycopg.connect(
            dbname=u.database, host=u.query["host"], user=self.logins[name], autocommit=True
        )


@pytest.fixture
def server(
    fresh_postgres_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Iterator[Server]:
    monkeypatch.setattr("sys.stdin", io.StringIO("mo-db-pw\n"))
    argv = ["server", "init", fresh_postgres_url, "--name", "Lab", "--manager", "Mo"]
    assert main([*argv, "--password-stdin"]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    mo_login = out.split("database role ")[1].strip()
    logins = {"Mo": mo_login}
    url_mo = make_url(fresh_postgres_url).set(username=mo_login).render_as_string(False)
    with Study.open(url_mo) as mo:
        assert mo.actor.name == "Mo" and mo.actor.is_manager
        ana = mo.coders.add("Ana Alves", password="ana-pw")
        ben = mo.coders.add("Ben Brook", password="ben-pw")
        recs = []
        for i in range(2):
            media = tmp_path / f"s{i}.bin"
            media.write_bytes(bytes([i + 1]) * 4096)
            recs.append(mo.recordings.add(media).id)
        ana_blind = mo.assignments.create(recs[0], ana.id).id
        ben_blind = mo.assignments.create(recs[0], ben.id, purpose="reliability").id
        ben_open = mo.assignments.create(recs[1], ben.id, blind=False).id
    with Study.open(fresh_postgres_url, backup=False) as owner:
        for c in owner.coders.all():
            assert not c.has_password  # the server holds the passwords, the study none
    srv = Server(fresh_postgres_url, logins, ana_blind, ben_blind, ben_open)
    with srv.psql("Mo") as conn:
        rows = conn.execute("SELECT name, db_role FROM coder").fetchall()
    srv.logins.update({str(n): str(r) for n, r in rows})
    yield srv


def _code(srv: Server) -> None:
    with Study.open(srv.url_as("Ana Alves")) as ana:
        assert ana.actor.name == "Ana Alves"
        ana.events.log(srv.ana_blind, "withdrawal", 1_000)
    with Study.open(srv.url_as("Ben Brook")) as ben:
        ben.events.log(srv.ben_blind, "confrontation", 2_000, comment="blind")
        ben.events.log(srv.ben_open, "confrontation", 3_000, comment="open")


def test_a_coder_connection_sees_no_blind_work_of_others_with_plain_sql(server: Server) -> None:
    _code(server)
    with server.psql("Ana Alves") as conn:
        events = conn.execute("SELECT assignment_id, onset_ms FROM event ORDER BY onset_ms")
        assert events.fetchall() == [(server.ana_blind, 1_000), (server.ben_open, 3_000)]
        ids = {r[0] for r in conn.execute("SELECT id FROM assignment").fetchall()}
        assert ids == {server.ana_blind, server.ben_open}
        assert conn.execute("SELECT count(*) FROM rating").fetchone() == (0,)
        hashes = conn.execute("SELECT count(*) FROM coder WHERE password_hash IS NOT NULL")
        assert hashes.fetchone() == (0,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT count(*) FROM audit_log")  # its snapshots show blind work
    with server.psql("Mo") as conn:
        assert conn.execute("SELECT count(*) FROM event").fetchone() == (3,)
        assert conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] > 0


def test_a_coder_connection_cannot_write_others_work_or_promote_itself(server: Server) -> None:
    _code(server)
    with server.psql("Ana Alves") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE coder SET role = 'manager' WHERE name = 'Ana Alves'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO event (assignment_id, code, onset_ms, is_state, modifiers, "
                "comment, deleted, source, created_at, updated_at) VALUES "
                f"({server.ben_open}, 'x', 1, false, '{{}}', '', false, '{{}}', now(), now())"
            )
        changed = conn.execute(
            f"UPDATE event SET onset_ms = 9 WHERE assignment_id = {server.ben_open}"
        )
        assert changed.rowcount == 0
        assert conn.execute("DELETE FROM event WHERE onset_ms = 2000").rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT observer_sync_login(1, 'x')")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM audit_log")
    with server.psql("Mo") as conn:
        assert conn.execute("SELECT count(*) FROM event").fetchone() == (3,)
        assert conn.execute("SELECT role FROM coder WHERE name = 'Ana Alves'").fetchone() == (
            "coder",
        )


def test_the_app_on_a_coder_connection_is_that_coder(server: Server) -> None:
    _code(server)
    with pytest.raises(AuthenticationError, match="signs in 'Ana Alves', not 'Mo'"):
        Study.open(server.url_as("Ana Alves"), as_coder="Mo")
    with Study.open(server.url_as("Ana Alves"), as_coder="Ana Alves") as ana:
        with pytest.raises(AccessDenied):
            ana.events.all_in_study()
        with pytest.raises(AccessDenied):
            ana.coders.add("Eve", role="manager")
        assert [a.id for a in ana.assignments.mine()] == [server.ana_blind]
        # everything a coder does in the coding window works through their own role
        ana.assignments.set_position(server.ana_blind, 4_000)
        ana.coders.set_preferences(ana.actor.id or 0, {"reaction_lag_ms": 150})
        ev = ana.events.log(server.ana_blind, "withdrawal", 5_000)
        ana.events.update(ev.id, comment="checked")
        ana.events.delete(ev.id)
        assert ana.assignments.complete(server.ana_blind) == []
        assert ana.assignments.get(server.ana_blind).status == "complete"


def test_managers_role_changes_follow_the_profile(server: Server) -> None:
    with Study.open(server.url_as("Mo")) as mo:
        ana = mo.coders.get("Ana Alves")
        mo.coders.set_role(ana.id, "manager")
    with server.psql("Ana Alves") as conn:
        assert conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] > 0
        groups = conn.execute(
            "SELECT b.rolname FROM pg_auth_members m JOIN pg_roles b ON b.oid = m.roleid "
            "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = current_user"
        ).fetchall()
    assert [g[0].rsplit("_", 1)[1] for g in groups] == ["manager"]
    with Study.open(server.url_as("Mo")) as mo:
        mo.coders.set_active(mo.coders.get("Ben Brook").id, False)
    with server.psql("Mo") as conn:
        login = server.logins["Ben Brook"]
        can = conn.execute("SELECT rolcanlogin FROM pg_roles WHERE rolname = %s", (login,))
        assert can.fetchone() == (False,)


def test_the_audit_log_says_a_server_password_was_set_never_the_value(server: Server) -> None:
    with Study.open(server.url_as("Mo")) as mo:
        ana = mo.coders.get("Ana Alves")
        mo.coders.set_password(ana.id, "new-secret-pw")
        entries = [e for e in mo.audit.entries(entity="coder") if e.entity_id == ana.id]
    assert {"password": "(set)"} in [e.after for e in entries]
    assert "secret" not in repr([(e.before, e.after) for e in entries])


def test_a_coder_connection_sees_no_blind_ratings_of_others(server: Server) -> None:
    with Study.open(server.url_as("Mo")) as mo:
        version = mo.definitions.import_builtin("instrument", "alliance-quick-demo").id
    with Study.open(server.url_as("Ben Brook")) as ben:
        ben.ratings.set(server.ben_blind, instrument_version_id=version, item_id="1", value=5)
        ben.ratings.set(server.ben_open, instrument_version_id=version, item_id="1", value=3)
    with server.psql("Ana Alves") as conn:
        seen = conn.execute("SELECT assignment_id, value FROM rating").fetchall()
        assert seen == [(server.ben_open, 3.0)]
        assert conn.execute("UPDATE rating SET value = 1").rowcount == 0
    with server.psql("Mo") as conn:
        assert conn.execute("SELECT count(*) FROM rating").fetchone() == (2,)


def test_a_coder_connection_reads_key_checks_but_never_self_reports(server: Server) -> None:
    """Client and therapist self-reports are the managers' alone, in the database itself (issue
    15's blinding on a lab server); the key check a coder's form header shows is readable."""
    with Study.open(server.url_as("Mo")) as mo:
        vid = mo.definitions.import_builtin("instrument", "wai-c-s").id
        mo.instrument_keys.sign_off(vid, "WAI manual")
    with server.psql("Ana Alves") as conn:
        assert conn.execute("SELECT count(*) FROM key_signoff").fetchone() == (1,)
        for table in ("self_report", "self_report_item"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"SELECT count(*) FROM {table}")
    with server.psql("Mo") as conn:
        assert conn.execute("SELECT count(*) FROM self_report").fetchone() == (0,)


@pytest.mark.usefixtures("system_keyring", "qapp")
def test_login_keeps_the_role_password_for_the_command_line_and_the_dialog(
    server: Server,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """On a lab server ``login`` keeps the profile's database role password under the role's
    account; the command line and Open server study… both find it there (the test cluster
    trusts its socket, so the server itself does not check the password here)."""
    from PySide6.QtCore import QSettings

    from observer_app.services import credentials
    from observer_app.ui.server_dialog import ServerStudyDialog

    url = server.url_as("Ana Alves")
    monkeypatch.setattr("sys.stdin", io.StringIO("ana-pw\n"))
    assert main(["login", url, "--as", "Ana Alves"]) == 0, capsys.readouterr().err
    account = credentials.server_account(make_url(url))
    assert credentials.get_secret(account) == "ana-pw"
    assert credentials.profile_account(url, "Ana Alves") != account
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["recordings", "list", url, "--as", "Ana Alves", "--json"]) == 0
    assert "ana-pw" not in capsys.readouterr().out

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    dialog = ServerStudyDialog(settings)
    target = make_url(url)
    dialog.host.setText(str(target.query["host"]))
    dialog.database.setText(str(target.database))
    dialog.user.setText(str(target.username))
    dialog.accept()
    assert dialog.url is not None and dialog.url.password == "ana-pw"
    with Study.open(dialog.url, backup=False) as ana:
        assert ana.actor.name == "Ana Alves"
    settings.sync()
    assert "ana-pw" not in (tmp_path / "s.ini").read_text()
    assert main(["logout", url, "--as", "Ana Alves"]) == 0
    assert credentials.get_secret(account) is None
