"""Durations measured from the decoded stream; "re-check media" corrects stored ones (CLI)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from observer_app.cli import main
from observer_app.media.measure import MEASURE_VERSION, measure
from observer_app.media.probe import probe
from observer_app.services.study import Study

pytestmark = pytest.mark.media


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("name", ["mp3_16k_cbr", "mp3_22k_cbr"])
def test_measure_counts_decoded_samples_not_the_bitrate_guess(
    name: str, media_files: dict[str, Path]
) -> None:
    m = measure(media_files[f"pos_{name}"])
    assert m.duration_source == "decoded"
    assert abs(m.duration_ms - 12_000) <= 100  # the tune is 12 s long
    assert m.container_duration_ms < 11_000 and m.disagrees  # libvlc's parser is short


def test_recheck_corrects_a_wrong_stored_duration_and_shows_the_claim(
    capsys: pytest.CaptureFixture[str], media_files: dict[str, Path], tmp_path: Path
) -> None:
    db = str(tmp_path / "s.db")
    media = tmp_path / "dictaphone.mp3"
    other = tmp_path / "ok.wav"
    shutil.copy(media_files["pos_mp3_16k_cbr"], media)
    shutil.copy(media_files["pos_wav"], other)
    # A recording added before durations were measured: libvlc's parser guessed 9.7 s.
    with Study.create(db, "old", probe=probe, manager="Mo") as study:
        old = study.recordings.add(media)
        study.recordings.add(other)
    assert old.duration_ms is not None and old.duration_ms < 11_000
    code, out, err = run(capsys, "recordings", "recheck", db, "--as", "Mo")
    assert code == 0, err
    assert f"recording #{old.id}: corrected 12.000 s" in out
    assert "confirmed 12.000 s" in out
    code, out, _ = run(capsys, "recordings", "list", db, "--json", "--as", "Mo")
    row = next(r for r in json.loads(out) if r["id"] == old.id)
    assert row["duration_ms"] == 12_000 and row["duration_source"] == "decoded"
    assert row["container_duration_ms"] < 11_000
    with Study.open(db, backup=False) as study:
        assert study.recordings.get(old.id).duration_disagrees


def test_recheck_with_a_missing_file_writes_nothing(
    capsys: pytest.CaptureFixture[str], media_files: dict[str, Path], tmp_path: Path
) -> None:
    db = str(tmp_path / "s.db")
    media, gone = tmp_path / "a.mp3", tmp_path / "b.mp3"
    shutil.copy(media_files["pos_mp3_16k_cbr"], media)
    shutil.copy(media_files["pos_mp3_22k_cbr"], gone)
    with Study.create(db, "old", probe=probe, manager="Mo") as study:
        first = study.recordings.add(media)
        study.recordings.add(gone)
    gone.unlink()
    code, _, err = run(capsys, "recordings", "recheck", db, "--as", "Mo")
    assert code == 2 and "no such file" in err and "nothing changed" in err
    assert len(err.strip().splitlines()) == 1
    with Study.open(db, backup=False) as study:
        assert study.recordings.get(first.id).duration_ms == first.duration_ms
    code, out, _ = run(capsys, "recordings", "recheck", db, "--skip-missing", "--as", "Mo")
    assert code == 0 and "corrected 12.000 s" in out and "skipped: recording #2" in out


def test_manager_recheck_button_corrects_and_shows_the_disagreement(
    media_files: dict[str, Path], tmp_path: Path, qtbot: object
) -> None:
    from PySide6.QtCore import QThreadPool

    from observer_app.ui.manager.recordings import CLAIM_COLUMN, RecordingsPage

    db = str(tmp_path / "s.db")
    media = tmp_path / "telehealth.mp3"
    shutil.copy(media_files["pos_mp3_22k_cbr"], media)
    with Study.create(db, "old", probe=probe, manager="Mo") as study:
        old = study.recordings.add(media)
    study = Study.open(db, backup=False)
    page = RecordingsPage(study, QThreadPool.globalInstance())
    qtbot.addWidget(page)  # type: ignore[attr-defined]
    page.popup = lambda *a, **k: None  # type: ignore[method-assign]
    assert page.model.index(0, CLAIM_COLUMN).data() == ""  # not checked yet: no claim to compare
    page.recheck_button.click()
    qtbot.waitUntil(lambda: not page.tasks.busy, timeout=20_000)  # type: ignore[attr-defined]
    rec = study.recordings.get(old.id)
    assert abs((rec.duration_ms or 0) - 12_000) <= 100 and rec.duration_disagrees
    assert page.model.index(0, 2).data() in ("0:11", "0:12")  # 11.944 s decoded
    assert page.model.index(0, CLAIM_COLUMN).data() == "0:10"  # the container's claim, highlighted
    assert "1 duration(s) corrected" in page.status.text()
    study.close()


#: What the old method (libvlc's transcoder counting samples, measure version 1) stored for
#: the generated 12 s files: it dropped the codec's start-up samples.
OLD_LIBVLC_MS = {"pos_ogg_vorbis": 11_973, "pos_opus": 11_920}


def _old_study(tmp_path: Path, media_files: dict[str, Path]) -> tuple[str, dict[str, int], int]:
    """A SQLite study whose Ogg and Opus recordings carry the old method's durations (as an
    upgraded study has them: no measure version), under a segmented scheme."""
    db = str(tmp_path / "old.db")
    ids: dict[str, int] = {}
    with Study.create(db, "old", probe=measure, manager="Mo") as study:
        for name in OLD_LIBVLC_MS:
            media = tmp_path / media_files[name].name
            shutil.copy(media_files[name], media)
            ids[name] = study.recordings.add(media).id
        scheme_id = study.definitions.import_builtin("scheme", "3rs").id
    with sqlite3.connect(db) as con:
        for name, old_ms in OLD_LIBVLC_MS.items():
            con.execute(
                "UPDATE recording SET duration_ms = ?, measure_version = NULL WHERE id = ?",
                (old_ms, ids[name]),
            )
    return db, ids, scheme_id


def test_recheck_corrects_durations_of_the_old_libvlc_count_and_their_segment_plans(
    capsys: pytest.CaptureFixture[str], media_files: dict[str, Path], tmp_path: Path
) -> None:
    db, ids, scheme_id = _old_study(tmp_path, media_files)
    with Study.open(db, backup=False) as study:
        scheme = study.definitions.scheme(scheme_id)
        for name, rid in ids.items():
            rec = study.recordings.get(rid)
            assert rec.measured_by_older_method(MEASURE_VERSION)
            end = study.definitions.segment_bounds(scheme, rec.duration_ms)[-1][1]
            assert end == OLD_LIBVLC_MS[name]
    code, out, err = run(capsys, "recordings", "recheck", db, "--as", "Mo")
    assert code == 0, err
    for name, rid in ids.items():
        assert f"recording #{rid}: corrected 12.000 s (was {OLD_LIBVLC_MS[name] / 1000:.3f}" in out
    with Study.open(db, backup=False) as study:
        scheme = study.definitions.scheme(scheme_id)
        for rid in ids.values():
            rec = study.recordings.get(rid)
            assert (rec.duration_ms, rec.measure_version) == (12_000, MEASURE_VERSION)
            assert not rec.measured_by_older_method(MEASURE_VERSION)
            assert study.definitions.segment_bounds(scheme, rec.duration_ms)[-1][1] == 12_000
            [*_, entry] = study.audit.entries(entity="recording", entity_id=rid)
            assert entry.before is not None and entry.after is not None
            assert entry.before["duration_ms"] != 12_000 and entry.after["duration_ms"] == 12_000
            assert entry.actor_name == "Mo"


def test_the_recordings_page_offers_a_recheck_of_older_measurements(
    media_files: dict[str, Path], tmp_path: Path, qtbot: object
) -> None:
    from PySide6.QtCore import QThreadPool

    from observer_app.ui.manager.recordings import DURATION_COLUMN, RecordingsPage

    db, ids, _scheme = _old_study(tmp_path, media_files)
    study = Study.open(db, backup=False)
    page = RecordingsPage(study, QThreadPool.globalInstance())
    qtbot.addWidget(page)  # type: ignore[attr-defined]
    page.popup = lambda *a, **k: None  # type: ignore[method-assign]
    assert "2 recording(s) measured by an older method" in page.status.text()
    rows = range(page.model.rowCount())
    assert all(page.model.background(page.model.row_at(r), DURATION_COLUMN) for r in rows)
    page.recheck_button.click()
    qtbot.waitUntil(lambda: not page.tasks.busy, timeout=20_000)  # type: ignore[attr-defined]
    assert "2 duration(s) corrected" in page.status.text()
    assert not any(page.model.background(page.model.row_at(r), DURATION_COLUMN) for r in rows)
    assert {study.recordings.get(rid).duration_ms for rid in ids.values()} == {12_000}
    study.close()
