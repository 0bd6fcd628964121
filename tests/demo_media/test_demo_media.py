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
MAX_TOTAL_BYTES = 4 * 1024 * 1024  # the issue asks for "a few MB together"
CODES = {"withdrawal_marker", "confrontation_marker", "resolution_strategy"}
RUPTURES = {"withdrawal_marker", "confrontation_marker"}
PHASE_1_LAST_SESSION = 5  # the demo study's phase 1 is sessions 1-5, phase 2 the later ones
SPEAKERS = {"therapist", "client"}
FRAME_TOLERANCE_MS = 40  # one frame at 25 fps: containers round durations to frames/packets
DECODE_RATE = 8000


def _manifest() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(MANIFEST.read_text(encoding="utf-8"))
    return data


def _entries() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = _manifest()["files"]
    return entries


FILES = [e["file"] for e in _entries()]  # every check below runs for every listed file


def _entry(name: str) -> dict[str, Any]:
    return next(e for e in _entries() if e["file"] == name)


def test_manifest_lists_one_video_and_audio_files() -> None:
    manifest = _manifest()
    assert manifest["format"] == "observer-app-demo-media"
    assert manifest["version"] == 1
    assert set(manifest["codes"]) == CODES
    kinds = [e["kind"] for e in manifest["files"]]
    assert kinds.count("video") == 1
    assert kinds.count("audio") == len(kinds) - 1 >= 1
    assert len(set(FILES)) == len(FILES), "a file is listed twice"


def test_dyads_keep_their_people_and_span_both_phases() -> None:
    by_dyad: dict[str, list[dict[str, Any]]] = {}
    for entry in _entries():
        by_dyad.setdefault(entry["dyad"], []).append(entry)
    people = {d: {(e["client_id"], e["therapist_id"]) for e in es} for d, es in by_dyad.items()}
    for dyad, pairs in people.items():
        assert len(pairs) == 1, f"{dyad} changes client or therapist id between sessions"
    clients = [next(iter(p))[0] for p in people.values()]
    therapists = [next(iter(p))[1] for p in people.values()]
    assert len(set(clients)) == len(clients) and len(set(therapists)) == len(therapists)
    for dyad, entries in by_dyad.items():
        numbers = [e["session_number"] for e in entries]
        assert len(set(numbers)) == len(numbers), f"{dyad} repeats a session number"
        assert all(isinstance(n, int) and n >= 1 for n in numbers)
    numbers = [e["session_number"] for e in _entries()]
    assert min(numbers) <= PHASE_1_LAST_SESSION < max(numbers), "both phases need sessions"


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


@pytest.mark.parametrize("name", FILES)
def test_utterances_are_ordered_and_inside_the_recording(name: str) -> None:
    entry = _entry(name)
    utterances = entry["utterances"]
    assert {u["speaker"] for u in utterances} == SPEAKERS
    previous_offset = 0
    for position, u in enumerate(utterances):
        assert u["index"] == position
        assert u["text"].strip()
        assert isinstance(u["onset_ms"], int) and isinstance(u["offset_ms"], int)
        assert previous_offset <= u["onset_ms"] < u["offset_ms"] <= entry["duration_ms"]
        previous_offset = u["offset_ms"]


@pytest.mark.parametrize("name", FILES)
def test_demo_codes_span_their_utterances(name: str) -> None:
    entry = _entry(name)
    utterances = entry["utterances"]
    kinds = {c["code"] for c in entry["demo_codes"]}
    assert kinds <= CODES
    assert kinds & RUPTURES, "no rupture marker moment"
    assert "resolution_strategy" in kinds, "no resolution moment"
    onsets = [c["onset_ms"] for c in entry["demo_codes"]]
    assert onsets == sorted(onsets)
    for code in entry["demo_codes"]:
        first, last = code["utterances"][0], code["utterances"][-1]
        assert code["utterances"] == list(range(first, last + 1))
        assert code["onset_ms"] == utterances[first]["onset_ms"]
        assert code["offset_ms"] == utterances[last]["offset_ms"]
        assert code["note"].strip()


def test_every_code_occurs_in_the_demo_media() -> None:
    assert {c["code"] for e in _entries() for c in e["demo_codes"]} == CODES


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
@pytest.mark.parametrize("name", FILES)
def test_manifest_agrees_with_ffprobe(name: str) -> None:
    entry = _entry(name)
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
@pytest.mark.parametrize("name", FILES)
def test_speech_is_where_the_manifest_says(name: str) -> None:
    entry = _entry(name)
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
@pytest.mark.parametrize("name", FILES)
def test_libvlc_reads_the_manifest_duration(name: str) -> None:
    vlc = pytest.importorskip("vlc", reason="python-vlc not installed")
    instance = vlc.Instance("--quiet", "--no-video", "--aout=dummy", "--vout=dummy")
    if instance is None:
        pytest.skip("libvlc could not be loaded")
    entry = _entry(name)
    media = instance.media_new_path(str(DEMO_DIR / entry["file"]))
    media.parse_with_options(vlc.MediaParseFlag.local, 5000)
    deadline = time.monotonic() + 10
    while media.get_parsed_status() == 0 and time.monotonic() < deadline:  # 0: still parsing
        time.sleep(0.02)
    assert media.get_parsed_status() == vlc.MediaParsedStatus.done
    assert abs(media.get_duration() - entry["duration_ms"]) <= FRAME_TOLERANCE_MS
    media.release()
    instance.release()
