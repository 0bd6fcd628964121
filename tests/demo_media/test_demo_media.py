"""The committed demo media (resources/demo) exist, stay small, and agree with manifest.json.

The manifest's times are what the demo study pre-codes against, so besides the bookkeeping
(files present, sizes, hashes, ordering) this checks them against the media themselves: the
durations as ffprobe and libvlc report them, and the decoded audio being loud inside each
utterance and silent in the pauses between them. The media checks skip, with the reason, when
ffprobe/ffmpeg or libvlc are not installed.
"""

from __future__ import annotations

import array
import hashlib
import itertools
import json
import math
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from observer_app.coding.resources import resource_path

DEMO_DIR = resource_path("demo")
MANIFEST = DEMO_DIR / "manifest.json"
MAX_TOTAL_BYTES = 5 * 1024 * 1024  # the issue asks for "a few MB together"
CODES = {"withdrawal_marker", "confrontation_marker", "resolution_strategy"}
SPEAKERS = {"therapist", "client"}
FRAME_TOLERANCE_MS = 40  # one frame at 25 fps: containers round durations to frames/packets
DECODE_RATE = 8000


def _manifest() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(MANIFEST.read_text(encoding="utf-8"))
    return data


def _entries() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = _manifest()["files"]
    return entries


def test_manifest_lists_one_video_and_one_audio_file() -> None:
    manifest = _manifest()
    assert manifest["format"] == "observer-app-demo-media"
    assert manifest["version"] == 1
    assert set(manifest["codes"]) == CODES
    kinds = sorted(e["kind"] for e in manifest["files"])
    assert kinds == ["audio", "video"]


def test_files_exist_match_manifest_and_stay_small() -> None:
    total = 0
    for entry in _entries():
        path = DEMO_DIR / entry["file"]
        assert path.is_file(), f"{path} is listed in manifest.json but missing"
        data = path.read_bytes()
        assert len(data) == entry["size_bytes"], f"{path.name}: size differs from the manifest"
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], f"{path.name}: hash differs"
        total += len(data)
    total += MANIFEST.stat().st_size
    assert total <= MAX_TOTAL_BYTES, f"demo media take {total} bytes, over {MAX_TOTAL_BYTES}"


@pytest.mark.parametrize("index", [0, 1])
def test_utterances_are_ordered_and_inside_the_recording(index: int) -> None:
    entry = _entries()[index]
    utterances = entry["utterances"]
    assert {u["speaker"] for u in utterances} == SPEAKERS
    previous_offset = 0
    for position, u in enumerate(utterances):
        assert u["index"] == position
        assert u["text"].strip()
        assert isinstance(u["onset_ms"], int) and isinstance(u["offset_ms"], int)
        assert previous_offset <= u["onset_ms"] < u["offset_ms"] <= entry["duration_ms"]
        previous_offset = u["offset_ms"]


@pytest.mark.parametrize("index", [0, 1])
def test_demo_codes_span_their_utterances(index: int) -> None:
    entry = _entries()[index]
    utterances = entry["utterances"]
    assert {c["code"] for c in entry["demo_codes"]} == CODES  # a rupture of each kind, a repair
    for code in entry["demo_codes"]:
        first, last = code["utterances"][0], code["utterances"][-1]
        assert code["utterances"] == list(range(first, last + 1))
        assert code["onset_ms"] == utterances[first]["onset_ms"]
        assert code["offset_ms"] == utterances[last]["offset_ms"]
        assert code["note"].strip()


def _ffprobe(path: Path) -> dict[str, Any]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", path],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    data: dict[str, Any] = json.loads(out)
    return data


@pytest.mark.skipif(shutil.which("ffprobe") is None, reason="ffprobe not installed (ffmpeg)")
@pytest.mark.parametrize("index", [0, 1])
def test_manifest_agrees_with_ffprobe(index: int) -> None:
    entry = _entries()[index]
    info = _ffprobe(DEMO_DIR / entry["file"])
    duration_ms = float(info["format"]["duration"]) * 1000
    assert abs(duration_ms - entry["duration_ms"]) <= FRAME_TOLERANCE_MS
    streams = {s["codec_type"]: s for s in info["streams"]}
    if entry["kind"] == "video":
        video = streams["video"]
        assert video["codec_name"] == "h264"
        assert video["avg_frame_rate"] == f"{entry['fps']}/1"
        assert (video["width"], video["height"]) == (entry["width"], entry["height"])
        assert int(video["nb_frames"]) == entry["frame_count"]
        assert streams["audio"]["codec_name"] == "aac"
    else:
        assert set(streams) == {"audio"}
    for stream in info["streams"]:
        stream_ms = float(stream["duration"]) * 1000
        assert abs(stream_ms - entry["duration_ms"]) <= FRAME_TOLERANCE_MS, stream["codec_type"]


def _decode(path: Path) -> array.array[int]:
    """The audio as mono 16-bit samples at DECODE_RATE (ffmpeg resamples)."""
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", path, "-f", "s16le", "-ac", "1", "-ar", str(DECODE_RATE),
         "-"],
        capture_output=True,
        check=True,
    ).stdout  # fmt: skip
    samples = array.array("h", raw)
    if sys.byteorder == "big":
        samples.byteswap()
    return samples


def _rms(samples: array.array[int], start_ms: int, stop_ms: int) -> float:
    chunk = samples[start_ms * DECODE_RATE // 1000 : stop_ms * DECODE_RATE // 1000]
    return math.sqrt(sum(s * s for s in chunk) / max(1, len(chunk)))


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg not installed")
@pytest.mark.parametrize("index", [0, 1])
def test_speech_is_where_the_manifest_says(index: int) -> None:
    entry = _entries()[index]
    samples = _decode(DEMO_DIR / entry["file"])
    utterances = entry["utterances"]
    for u in utterances:  # the whole utterance, less 60 ms at each edge for codec smearing
        loud = _rms(samples, u["onset_ms"] + 60, u["offset_ms"] - 60)
        assert loud > 1000, f"utterance {u['index']} is quiet (rms {loud:.0f})"
    for before, after in itertools.pairwise(utterances):
        if after["onset_ms"] - before["offset_ms"] >= 300:  # the pause between two lines
            quiet = _rms(samples, before["offset_ms"] + 80, after["onset_ms"] - 80)
            assert quiet < 100, f"pause after utterance {before['index']} is loud ({quiet:.0f})"


@pytest.mark.media
@pytest.mark.parametrize("index", [0, 1])
def test_libvlc_reads_the_manifest_duration(index: int) -> None:
    vlc = pytest.importorskip("vlc", reason="python-vlc not installed")
    instance = vlc.Instance("--quiet", "--no-video", "--aout=dummy", "--vout=dummy")
    if instance is None:
        pytest.skip("libvlc could not be loaded")
    entry = _entries()[index]
    media = instance.media_new_path(str(DEMO_DIR / entry["file"]))
    media.parse_with_options(vlc.MediaParseFlag.local, 5000)
    deadline = time.monotonic() + 10
    while media.get_parsed_status() == 0 and time.monotonic() < deadline:  # 0: still parsing
        time.sleep(0.02)
    assert media.get_parsed_status() == vlc.MediaParsedStatus.done
    assert abs(media.get_duration() - entry["duration_ms"]) <= FRAME_TOLERANCE_MS
    media.release()
    instance.release()
