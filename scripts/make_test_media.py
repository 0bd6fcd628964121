#!/usr/bin/env python3
"""Generate the media the media tests and benchmarks run on (needs ``ffmpeg`` on PATH).

    python scripts/make_test_media.py OUTDIR [--1080p]

Files (all derived from the definitions below, so tests can check pixels and samples):

- ``index25.mp4``: 25 fps H.264 + AAC, every frame shows its own index as a 4x4 grid of black or
  white blocks (:func:`encode_index` / :func:`decode_index`); keyframes only every 2 s so exact
  seeks really have to decode from a keyframe.
- ``index25_1080p.mp4``: the same pattern at 1920x1080 with moving noise (benchmark).
- ``index25_720p.mp4``: 8 s of the same at 1280x720 (tests of seeks on a busy decoder).
- ``speech.m4a``: audio only (AAC); loud and quiet tone sections at :data:`AUDIO_SECTIONS`.
- ``truncated.mp4``: ``index25.mp4`` with its index at the front (faststart), cut at 60 %.
- ``truncated.mkv``: ``index25.mp4`` remuxed to Matroska, cut at 50 % (its header still
  declares 20 s, and Matroska has no size fields a cheap check could compare).
- ``garbage.mp4``: bytes that are no media at all.
- ``index25.mkv``: ``index25.mp4`` remuxed to Matroska (complete).
- ``pos_<format>.<ext>`` (:data:`AUDIO_FORMATS`): :func:`position_signal` encoded in every audio
  format labs use, so the sample position being played can be found by matching the decoded
  PCM against the signal (``scripts/audio_tap.py``).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

FPS = 25
GRID = 4  # GRID x GRID blocks; bits 0-11 carry the index, bits 12-15 a check nibble.
INDEX_BITS = 12
#: (start_s, end_s, amplitude) of the tone sections of ``speech.m4a``; silence elsewhere.
AUDIO_SECTIONS: tuple[tuple[float, float, float], ...] = ((1.0, 3.0, 0.8), (4.0, 5.0, 0.1))
AUDIO_SECONDS = 6.0
#: Bump when the definition of a file changes, so cached copies are regenerated.
VERSION = 6
#: Length of the position-signal files and the note length of the signal.
POSITION_SECONDS = 12.0
NOTE_S = 0.05
#: name -> (extension, ffmpeg encoder arguments) of the position-signal audio files.
AUDIO_FORMATS: dict[str, tuple[str, list[str]]] = {
    "ogg_vorbis": ("ogg", ["-c:a", "libvorbis", "-q:a", "3"]),
    "opus": ("opus", ["-c:a", "libopus", "-b:a", "32k"]),
    "mp3_16k_cbr": ("mp3", ["-c:a", "libmp3lame", "-ar", "16000", "-b:a", "32k"]),
    "mp3_16k_vbr": ("mp3", ["-c:a", "libmp3lame", "-ar", "16000", "-q:a", "6"]),
    "mp3_22k_cbr": ("mp3", ["-c:a", "libmp3lame", "-ar", "22050", "-b:a", "48k"]),
    "mp3_22k_vbr": ("mp3", ["-c:a", "libmp3lame", "-ar", "22050", "-q:a", "5"]),
    "mp3_44k_cbr": ("mp3", ["-c:a", "libmp3lame", "-ar", "44100", "-b:a", "128k"]),
    "mp3_44k_vbr": ("mp3", ["-c:a", "libmp3lame", "-ar", "44100", "-q:a", "2"]),
    "wav": ("wav", ["-c:a", "pcm_s16le", "-ar", "44100"]),
    "m4a_aac": ("m4a", ["-c:a", "aac", "-b:a", "96k"]),
    "flac": ("flac", ["-c:a", "flac"]),
}


def _check_nibble(index: int) -> int:
    return (index * 7 + 3) % 16


def index_bits(index: int) -> list[int]:
    """The 16 block values (1 = white), row-major, for frame ``index``."""
    if not 0 <= index < 2**INDEX_BITS:
        raise ValueError(f"frame index {index} out of range")
    word = index | (_check_nibble(index) << INDEX_BITS)
    return [(word >> b) & 1 for b in range(GRID * GRID)]


def encode_index(index: int, width: int, height: int) -> np.ndarray:
    """An RGB frame (uint8, height x width x 3) whose blocks encode ``index``."""
    frame = np.zeros((height, width, 3), np.uint8)
    bw, bh = width // GRID, height // GRID
    for b, bit in enumerate(index_bits(index)):
        r, c = divmod(b, GRID)
        if bit:
            frame[r * bh : (r + 1) * bh, c * bw : (c + 1) * bw] = 255
    return frame


def decode_index(gray: np.ndarray) -> int | None:
    """The index encoded in a luminance image (2-D array), or None if the check nibble fails."""
    height, width = gray.shape
    bw, bh = width / GRID, height / GRID
    word = 0
    for b in range(GRID * GRID):
        r, c = divmod(b, GRID)
        y0, x0 = int((r + 0.3) * bh), int((c + 0.3) * bw)
        y1, x1 = int((r + 0.7) * bh), int((c + 0.7) * bw)
        if float(gray[y0:y1, x0:x1].mean()) > 128:
            word |= 1 << b
    index = word & (2**INDEX_BITS - 1)
    return index if word >> INDEX_BITS == _check_nibble(index) else None


def _ffmpeg() -> str:
    exe = shutil.which("ffmpeg")
    if exe is None:
        raise SystemExit("ffmpeg is needed to generate test media: sudo apt-get install ffmpeg")
    return exe


def _encode_raw(frames: int, width: int, height: int, args: list[str], out: Path) -> None:
    cmd = [_ffmpeg(), "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24"]
    cmd += ["-s", f"{width}x{height}", "-r", str(FPS), "-i", "-", *args, str(out)]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE)
    assert proc.stdin is not None
    try:
        for i in range(frames):
            proc.stdin.write(encode_index(i, width, height).tobytes())
    finally:
        proc.stdin.close()
    if proc.wait() != 0:
        raise RuntimeError(f"ffmpeg failed writing {out}")


def make_index_video(out: Path, seconds: float = 20.0, width: int = 320, height: int = 240) -> Path:
    """25 fps index-encoded H.264 with a 440 Hz AAC track, GOP 50, moov at the front."""
    tone = f"sine=frequency=440:sample_rate=48000:duration={seconds}"
    args = ["-f", "lavfi", "-i", tone, "-map", "0:v", "-map", "1:a"]
    args += ["-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p"]
    args += ["-g", "50", "-keyint_min", "50", "-sc_threshold", "0", "-bf", "2"]
    args += ["-c:a", "aac", "-b:a", "96k", "-shortest", "-movflags", "+faststart"]
    _encode_raw(round(seconds * FPS), width, height, args, out)
    return out


def make_index_video_1080p(
    out: Path, seconds: float = 30.0, size: tuple[int, int] = (1920, 1080)
) -> Path:
    """1920x1080 (or ``size``) 25 fps H.264 at ~6 Mbit/s with a keyframe every 2 s (like
    camera files), the index blocks under moving noise so the decoder does real work."""
    tone = f"sine=frequency=440:sample_rate=48000:duration={seconds}"
    noise = f"scale={size[0]}:{size[1]}:flags=neighbor,noise=alls=6:allf=t"
    args = ["-f", "lavfi", "-i", tone, "-map", "0:v", "-map", "1:a", "-vf", noise]
    args += ["-c:v", "libx264", "-preset", "veryfast", "-b:v", "6M", "-maxrate", "8M"]
    args += ["-bufsize", "12M", "-pix_fmt", "yuv420p", "-g", "50", "-bf", "2"]
    args += ["-c:a", "aac", "-b:a", "96k", "-shortest", "-movflags", "+faststart"]
    _encode_raw(round(seconds * FPS), 192, 108, args, out)
    return out


def audio_envelope(t: float) -> float:
    """Amplitude of ``speech.m4a`` at ``t`` seconds (by definition of :data:`AUDIO_SECTIONS`)."""
    return next((a for s, e, a in AUDIO_SECTIONS if s <= t < e), 0.0)


def make_audio(out: Path, rate: int = 48_000) -> Path:
    """Audio-only AAC: a 300 Hz tone at the :data:`AUDIO_SECTIONS` amplitudes, silence elsewhere."""
    t = np.arange(round(AUDIO_SECONDS * rate)) / rate
    env = np.array([audio_envelope(x) for x in t[::100]]).repeat(100)[: t.size]
    samples = (env * np.sin(2 * np.pi * 300 * t)).astype("<f4")
    cmd = [_ffmpeg(), "-v", "error", "-y", "-f", "f32le", "-ar", str(rate), "-ac", "1", "-i", "-"]
    cmd += ["-c:a", "aac", "-b:a", "128k", str(out)]
    subprocess.run(cmd, input=samples.tobytes(), check=True)
    return out


def position_signal(seconds: float = POSITION_SECONDS, rate: int = 16_000) -> np.ndarray:
    """A tune of random 50 ms notes (300-3000 Hz, continuous phase, seeded): tonal, so lossy
    codecs keep it, and never repeating, so any 0.2 s of it has one place in the tune."""
    rng = np.random.default_rng(11)
    n = round(seconds * rate)
    notes = int(np.ceil(seconds / NOTE_S))
    freqs = rng.uniform(300, 3000, notes)
    per_sample = freqs[np.minimum((np.arange(n) / rate / NOTE_S).astype(int), notes - 1)]
    return (0.5 * np.sin(2 * np.pi * np.cumsum(per_sample) / rate)).astype(np.float32)


def make_position_audio(out: Path, args: list[str], seconds: float = POSITION_SECONDS) -> Path:
    rate = 48_000
    samples = position_signal(seconds, rate).astype("<f4")
    cmd = [_ffmpeg(), "-v", "error", "-y", "-f", "f32le", "-ar", str(rate), "-ac", "1", "-i", "-"]
    subprocess.run([*cmd, *args, str(out)], input=samples.tobytes(), check=True)
    return out


def make_remux(source: Path, out: Path) -> Path:
    cmd = [_ffmpeg(), "-v", "error", "-y", "-i", str(source), "-c", "copy", str(out)]
    subprocess.run(cmd, check=True)
    return out


def make_truncated(source: Path, out: Path, keep: float = 0.6) -> Path:
    data = source.read_bytes()
    out.write_bytes(data[: int(len(data) * keep)])
    return out


def make_truncated_mkv(source: Path, out: Path, keep: float = 0.5) -> Path:
    full = out.with_suffix(".full.mkv")
    cmd = [_ffmpeg(), "-v", "error", "-y", "-i", str(source), "-c", "copy", str(full)]
    subprocess.run(cmd, check=True)
    make_truncated(full, out, keep)
    full.unlink()
    return out


def make_garbage(out: Path) -> Path:
    rng = np.random.default_rng(5)
    out.write_bytes(b"this is not a recording\n" + rng.integers(0, 256, 64_000, np.uint8).tobytes())
    return out


def make_all(outdir: Path, *, hd: bool = False) -> dict[str, Path]:
    """Generate (or reuse, if already made by this VERSION) every file; returns name -> path."""
    outdir.mkdir(parents=True, exist_ok=True)
    stamp = outdir / f".version{VERSION}{'-hd' if hd else ''}"
    files = {
        "index": outdir / "index25.mp4",
        "audio": outdir / "speech.m4a",
        "truncated": outdir / "truncated.mp4",
        "truncated_mkv": outdir / "truncated.mkv",
        "garbage": outdir / "garbage.mp4",
        "hd720": outdir / "index25_720p.mp4",
        "mkv": outdir / "index25.mkv",
    }
    for name, (ext, _args) in AUDIO_FORMATS.items():
        files[f"pos_{name}"] = outdir / f"pos_{name}.{ext}"
    if hd:
        files["hd"] = outdir / "index25_1080p.mp4"
    if stamp.exists() and all(p.exists() for p in files.values()):
        return files
    make_index_video(files["index"])
    make_audio(files["audio"])
    make_truncated(files["index"], files["truncated"])
    make_truncated_mkv(files["index"], files["truncated_mkv"])
    make_garbage(files["garbage"])
    make_index_video_1080p(files["hd720"], seconds=8.0, size=(1280, 720))
    make_remux(files["index"], files["mkv"])
    for name, (_ext, args) in AUDIO_FORMATS.items():
        make_position_audio(files[f"pos_{name}"], args)
    if hd:
        make_index_video_1080p(files["hd"])
    stamp.touch()
    return files


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--1080p", dest="hd", action="store_true", help="also the 1080p file")
    args = parser.parse_args(argv)
    for name, path in make_all(args.outdir, hd=args.hd).items():
        print(f"{name}: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
