"""Secrets stay secret (issue 17): the audit log records that a password was set, never the
hash; backups carry no hashes; the export has no password column."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from observer_app.services.study import Study
from observer_app.store.backup import list_backups

from .conftest import Lab


def test_audit_log_says_a_password_was_set_never_the_hash(lab: Lab) -> None:
    x = lab.admin.coders.add("Xia", password="first-secret")
    lab.admin.coders.set_password(x.id, "second-secret")
    lab.admin.coders.set_password(x.id, None)
    entries = [e for e in lab.admin.audit.entries(entity="coder") if e.entity_id == x.id]
    shown = [(e.before or {}).get("password_hash") for e in entries] + [
        (e.after or {}).get("password_hash") for e in entries
    ]
    assert set(shown) == {None, "(set)"}
    assert "scrypt" not in json.dumps([(e.before, e.after) for e in entries])
    assert [(e.before or {}).get("password_hash") for e in entries] == [None, "(set)", "(set)"]
    assert [(e.after or {}).get("password_hash") for e in entries] == ["(set)", "(set)", None]


def test_backups_carry_no_password_hashes(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    study = Study.create(path, "S", manager="Mo", manager_password="boss-pw")
    study.coders.add("Ana", password="ana-pw")
    study.close()
    with Study.open(path) as again:  # a session's first write takes the backup (issue 13)
        again.coders.add("Cy")
    backup = list_backups(path)[-1]
    with sqlite3.connect(backup) as conn:
        hashes = conn.execute("SELECT name, password_hash FROM coder ORDER BY name").fetchall()
    assert hashes == [("Ana", None), ("Mo", None)]
    assert b"scrypt$" not in backup.read_bytes()
    assert b"scrypt$" in path.read_bytes()  # the study itself keeps them
