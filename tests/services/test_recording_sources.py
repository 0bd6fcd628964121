"""Several sources per recording (issue 11): a further camera or audio track with an offset on
the session clock; manager-only, audited, refused with one reason when it cannot be right."""

from __future__ import annotations

from pathlib import Path

import pytest

from observer_app.coding.errors import AccessDenied, Conflict, InputError, NotFound
from tests.services.conftest import make_media


def test_a_manager_adds_lists_re_times_and_removes_a_source(lab, tmp_path: Path) -> None:
    mia = lab.as_("Mia Manager", "s3cret")
    cam2 = make_media(tmp_path, "s01-cam2.mp4", seed=7)
    added = mia.sources.add(lab.rec1, cam2, kind="video", label="Camera 2", offset_ms=2500)
    assert (added.label, added.kind, added.offset_ms) == ("Camera 2", "video", 2500)
    assert added.media_path == str(cam2.resolve())
    assert added.size_bytes == cam2.stat().st_size
    audio = mia.sources.add(lab.rec1, make_media(tmp_path, "room.wav", seed=8), kind="audio")
    assert audio.label == "room"  # the file name without its suffix
    assert [s.id for s in mia.sources.of(lab.rec1)] == [added.id, audio.id]
    assert lab.as_("Ana Alves").sources.of(lab.rec1)[0].offset_ms == 2500  # coders play them
    assert mia.sources.of(lab.rec2) == []

    moved = mia.sources.set_offset(lab.rec1, added.id, -1200)
    assert moved.offset_ms == -1200
    assert mia.sources.of(lab.rec1)[0].offset_ms == -1200
    mia.sources.remove(lab.rec1, audio.id)
    assert [s.id for s in mia.sources.of(lab.rec1)] == [added.id]

    log = mia.audit.entries(entity="recording_source")
    assert [e.action for e in log] == ["insert", "insert", "update", "delete"]
    assert all(e.actor_name == "Mia Manager" for e in log)
    assert log[2].before == {"offset_ms": 2500} and log[2].after == {"offset_ms": -1200}


def test_coders_cannot_change_sources(lab, tmp_path: Path) -> None:
    cam2 = make_media(tmp_path, "cam2.mp4", seed=7)
    ana = lab.as_("Ana Alves")
    with pytest.raises(AccessDenied, match="only a manager may add recording sources"):
        ana.sources.add(lab.rec1, cam2)
    src = lab.admin.sources.add(lab.rec1, cam2)
    with pytest.raises(AccessDenied, match="set source offsets"):
        ana.sources.set_offset(lab.rec1, src.id, 10)
    with pytest.raises(AccessDenied, match="remove recording sources"):
        ana.sources.remove(lab.rec1, src.id)
    assert lab.admin.sources.of(lab.rec1)[0].offset_ms == 0


def test_bad_sources_are_refused_with_one_reason_and_nothing_written(lab, tmp_path) -> None:
    admin = lab.admin
    cam2 = make_media(tmp_path, "cam2.mp4", seed=7)
    with pytest.raises(InputError, match=r"nope\.mp4: no such file"):
        admin.sources.add(lab.rec1, tmp_path / "nope.mp4")
    with pytest.raises(Conflict, match=r"recording #.*'s own file"):
        admin.sources.add(lab.rec1, tmp_path / "s01.mp4")
    with pytest.raises(InputError, match="offset 86400001 ms is out of range"):
        admin.sources.add(lab.rec1, cam2, offset_ms=24 * 3600 * 1000 + 1)
    with pytest.raises(InputError, match="source kind 'subtitles'"):
        admin.sources.add(lab.rec1, cam2, kind="subtitles")
    with pytest.raises(InputError, match="source label ''"):
        admin.sources.add(lab.rec1, cam2, label="  ")
    with pytest.raises(NotFound, match="recording #999 does not exist"):
        admin.sources.add(999, cam2)
    assert admin.sources.of(lab.rec1) == []
    src = admin.sources.add(lab.rec1, cam2)
    with pytest.raises(Conflict, match=r"already a source of recording .* as 'cam2'"):
        admin.sources.add(lab.rec1, tmp_path / "cam2.mp4")
    with pytest.raises(InputError, match="offset -86400001 ms is out of range"):
        admin.sources.set_offset(lab.rec1, src.id, -24 * 3600 * 1000 - 1)
    with pytest.raises(NotFound, match="has no source"):
        admin.sources.set_offset(lab.rec2, src.id, 0)  # another recording's source
    assert admin.sources.of(lab.rec1)[0].offset_ms == 0
    assert len(admin.audit.entries(entity="recording_source")) == 1


def test_the_probe_decides_the_kind_and_refuses_a_video_source_without_picture(
    lab, tmp_path: Path
) -> None:
    from observer_app.services.study import Study

    class Probed:
        def __init__(self, has_video: bool) -> None:
            self.has_video, self.fps, self.duration_ms = has_video, 25.0 if has_video else 0.0, 9000

    def probe(path: Path) -> Probed:
        return Probed(path.suffix == ".mp4")

    with Study.open(lab.path, backup=False, probe=probe) as admin:
        cam = admin.sources.add(lab.rec1, make_media(tmp_path, "cam.mp4", seed=5))
        mic = admin.sources.add(lab.rec1, make_media(tmp_path, "mic.ogg", seed=6))
        assert (cam.kind, cam.fps, cam.duration_ms) == ("video", 25.0, 9000)
        assert (mic.kind, mic.fps) == ("audio", None)
        with pytest.raises(InputError, match="has no picture, cannot be a video source"):
            admin.sources.add(lab.rec1, make_media(tmp_path, "b.ogg", seed=9), kind="video")
