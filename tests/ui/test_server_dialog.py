"""Open server study… (issue 17): the dialog builds the location of a lab server study; the
password is not written to the settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from sqlalchemy import make_url

from observer_app.services.study import Study
from observer_app.ui.server_dialog import ServerStudyDialog, server_url


def test_server_url_hides_the_password_in_its_text() -> None:
    url = server_url("db.lab.example", 5433, "alliance", "ana_2", "s3cret")
    assert url.password == "s3cret"
    assert "s3cret" not in str(url) and str(url).startswith("postgresql+psycopg://ana_2:***@")
    sock = server_url("/run/postgresql", 5432, "alliance", "ana_2", None)
    assert sock.query == {"host": "/run/postgresql"} and sock.host is None


@pytest.mark.postgres
def test_dialog_opens_a_study_on_the_server(
    qapp: Any, fresh_postgres_url: str, tmp_path: Path
) -> None:
    Study.create(fresh_postgres_url, "Server study", manager="Mo").close()
    target = make_url(fresh_postgres_url)
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    dialog = ServerStudyDialog(settings)
    dialog.host.setText(target.query["host"])
    dialog.database.setText(str(target.database))
    dialog.user.setText(str(target.username))
    dialog.password.setText("typed-for-this-session")
    dialog.accept()
    assert dialog.url is not None
    with Study.open(dialog.url, as_coder="Mo", backup=False) as study:
        assert study.name == "Server study" and study.actor.is_manager
        assert "typed-for-this-session" not in study.location
    settings.sync()
    saved = (tmp_path / "s.ini").read_text()
    assert str(target.database) in saved and "typed-for-this-session" not in saved
    again = ServerStudyDialog(settings)
    assert again.database.text() == target.database and again.password.text() == ""
