"""Phases and sequence settings live in study.settings (JSON): the same on PostgreSQL.

(Importing a scheme on PostgreSQL fails today: ``definition_version.content_hash`` is
String(64) but holds ``sha256:`` + 64 hex digits; reported to the integrator, outside issue 16.
So this test covers the settings and phases, not a coded report.)
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text

from observer_app.coding.phases import Phase
from observer_app.services.sequences import SequenceSettings
from observer_app.services.study import Study
from tests.sequences.conftest import ProbeResult


def test_phases_and_settings_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text("DROP DATABASE IF EXISTS observer_seq"))
        c.execute(text("CREATE DATABASE observer_seq"))
    admin.dispose()
    url = postgres_url.replace("/observer_test", "/observer_seq")
    media = tmp_path / "s4.mp4"
    media.write_bytes(b"session four" * 100)
    with Study.create(url, "PG sequences", probe=lambda p: ProbeResult(600_000)) as study:
        rec = study.recordings.add(media, dyad_id="A", session_number=4).id
        study.phases.set_phases([Phase("early", "Early", 1), Phase("late", "Late", 6)])
        study.phases.set_dyad_start("A", "late", 4)
        study.sequences.set_settings(SequenceSettings(window_s=None, before_next_rupture=False))
    with Study.open(url) as again:
        phase = again.phases.phase_of(again.recordings.get(rec))
        assert phase is not None and (phase.number, phase.id) == (2, "late")
        assert again.sequences.settings() == SequenceSettings(
            window_s=None, before_next_rupture=False
        )
        report = again.sequences.report()
        assert report.sessions == [] and report.permutation is None
        assert any(e.context == "set phase start for dyad A" for e in again.audit.entries())
