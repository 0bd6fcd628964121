"""``recordings sources add|list|offset|remove`` (issue 11), on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from observer_app.cli import main
from observer_app.services.study import Study
from tests.media.conftest import load_media_script
from tests.services.conftest import make_media


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_sources_from_the_command_line(
    study_location: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    admin = Study.create(study_location, "Lab")
    admin.coders.add("Mo", role="manager")
    admin.coders.add("Ana")
    rec = admin.recordings.add(make_media(tmp_path, "s01.bin", seed=1)).id
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is needed to generate the test media")
    cam = load_media_script().make_index_video(tmp_path / "cam2.mp4", seconds=2.0)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    loc, r = study_location, str(rec)
    code, out, err = run(
        capsys,
        "recordings",
        "sources",
        "add",
        loc,
        r,
        str(cam),
        "--kind",
        "video",
        "--label",
        "Camera 2",
        "--offset-ms",
        "2500",
        "--as",
        "Mo",
    )
    assert code == 0, err
    assert "added source #1 (video, 'Camera 2')" in out and "offset 2500 ms" in out
    code, out, err = run(
        capsys, "recordings", "sources", "offset", loc, r, "1", "-1200", "--as", "Mo"
    )
    assert code == 0, err
    code, out, _ = run(capsys, "recordings", "sources", "list", loc, r, "--json", "--as", "Ana")
    assert [(s["label"], s["offset_ms"]) for s in json.loads(out)] == [("Camera 2", -1200)]

    # one clear line, exit 2, nothing written
    code, out, err = run(
        capsys, "recordings", "sources", "add", loc, r, str(tmp_path / "no.mp4"), "--as", "Mo"
    )
    assert (code, out) == (2, "")
    assert err.strip().endswith("no.mp4: no such file") and len(err.strip().splitlines()) == 1
    code, _, err = run(
        capsys, "recordings", "sources", "offset", loc, r, "1", "99999999999", "--as", "Mo"
    )
    assert code == 2 and "out of range" in err
    code, _, err = run(capsys, "recordings", "sources", "remove", loc, r, "1", "--as", "Ana")
    assert code == 2 and "only a manager may remove recording sources" in err
    assert [s.offset_ms for s in admin.sources.of(rec)] == [-1200]
    code, out, err = run(capsys, "recordings", "sources", "remove", loc, r, "1", "--as", "Mo")
    assert code == 0, err
    assert admin.sources.of(rec) == []
