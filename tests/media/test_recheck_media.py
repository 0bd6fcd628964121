"""Durations measured from the decoded stream; "re-check media" corrects stored ones (CLI)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from observer_app.cli import main
from observer_app.media.measure import measure
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
