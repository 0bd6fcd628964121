"""Self-reports on a real PostgreSQL server: import, idempotent re-import, the identity
constraint, double entry and the perspectives numbers, as on SQLite."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from observer_app.export.tables_in import read_table
from observer_app.services.selfreports import FormHeader
from observer_app.services.study import Study
from tests.selfreports.lab import PerspectiveLab, build_lab, write_csv


def _fresh_database(url: str, name: str) -> str:
    admin = create_engine(url.replace("/observer_test", "/postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return url.replace("/observer_test", f"/{name}")


@pytest.mark.postgres
def test_self_reports_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    url = _fresh_database(postgres_url, "selfreports_test")
    sqlite_lab: PerspectiveLab = build_lab(tmp_path / "sqlite")
    study = Study.create(url, "PG perspectives")
    try:
        study.coders.add("Mia", role="manager")
        for inst in ("wai-c-s", "wai-t-s"):
            study.definitions.import_builtin("instrument", inst)
        svc = study.selfreports
        vid = svc.instrument_version("wai-c-s")
        table = read_table(write_csv(tmp_path / "c.csv", sqlite_lab.client_rows))
        mapping = svc.mapping_for(table, vid)
        first = svc.import_table(table, vid, mapping)
        again = svc.import_table(table, vid, mapping)
        assert len(first.created) == 14 and len(again.unchanged) == 14
        forms = svc.all()
        assert len(forms) == 14 and all(f.recording_id is None for f in forms)
        header = FormHeader(svc.instrument_version("wai-t-s"), "T1", 1, dyad_id="")
        pending = svc.enter(header, {str(i): 3 for i in range(1, 13)}, double_entry=True)
        with Study.open(url, as_coder="Mia", backup=False) as mia:
            done = mia.selfreports.enter_second(pending.id, {str(i): 3 for i in range(1, 13)})
        assert done.status == "verified"
        sqlite_forms = {(r["ClientID"], int(r["Session"])): r for r in sqlite_lab.client_rows}
        for f in forms:
            row = sqlite_forms[(f.respondent_id, f.session_number)]
            assert f.responses == {k[1:]: int(v) for k, v in row.items() if k.startswith("Q")}
        with study._ctx.read() as s:
            n = s.execute(text("SELECT count(*) FROM self_report_item")).scalar()
        assert n == 14 * 12 + 2 * 12
    finally:
        study.close()
        sqlite_lab.study.close()
