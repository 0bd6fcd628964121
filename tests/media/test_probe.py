"""probe(): stream facts without playing, and one clear MediaError per kind of bad file."""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType

import pytest

from observer_app.coding.errors import InputError
from observer_app.media import MediaError, _libvlc, probe

pytestmark = pytest.mark.media


def test_video_facts_match_the_file(media_files: dict[str, Path], gen: ModuleType) -> None:
    info = probe(media_files["index"])
    assert info.has_video and info.has_audio
    assert (info.width, info.height) == (320, 240)
    assert info.fps == gen.FPS
    assert info.frame_ms == 1000 / gen.FPS
    # make_index_video() writes 20 s of frames.
    assert abs(info.duration_ms - 20_000) <= 1000 / gen.FPS


def test_audio_only_file(media_files: dict[str, Path], gen: ModuleType) -> None:
    info = probe(media_files["audio"])
    assert info.has_audio and not info.has_video
    assert info.fps == 0.0 and (info.width, info.height) == (0, 0)
    assert abs(info.duration_ms - gen.AUDIO_SECONDS * 1000) <= 50  # AAC priming/padding


def test_missing_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "session01.mp4"
    with pytest.raises(MediaError, match=r"session01\.mp4: no such file"):
        probe(path)


def test_media_error_is_an_input_error() -> None:
    assert issubclass(MediaError, InputError)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.mp4"
    path.write_bytes(b"")
    with pytest.raises(MediaError, match=r"empty\.mp4: the file is empty"):
        probe(path)


def test_undecodable_file(media_files: dict[str, Path]) -> None:
    with pytest.raises(MediaError, match=r"garbage\.mp4: not a recording libvlc can decode"):
        probe(media_files["garbage"])


def test_truncated_file_is_reported_as_truncated(media_files: dict[str, Path]) -> None:
    # libvlc alone would accept this file (its index is intact) and report the full duration.
    with pytest.raises(MediaError, match=r"truncated\.mp4: the file is truncated.*60 % present"):
        probe(media_files["truncated"])


def test_truncated_wav(tmp_path: Path, media_files: dict[str, Path]) -> None:
    import wave

    path = tmp_path / "cut.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\0\0" * 8000)
    path.write_bytes(path.read_bytes()[:5000])
    with pytest.raises(MediaError, match=r"cut\.wav: the file is truncated"):
        probe(path)


def test_missing_libvlc_names_the_package(
    monkeypatch: pytest.MonkeyPatch, media_files: dict[str, Path]
) -> None:
    monkeypatch.setattr(_libvlc, "_modules", {})
    monkeypatch.setitem(sys.modules, "vlc", None)  # makes ``import vlc`` raise ImportError
    with pytest.raises(MediaError) as err:
        probe(media_files["index"])
    assert "libvlc" in str(err.value)
    assert _libvlc.INSTALL_HINT in str(err.value)
    if sys.platform.startswith("linux"):
        assert "sudo apt-get install libvlc5 vlc-plugin-base" in str(err.value)
