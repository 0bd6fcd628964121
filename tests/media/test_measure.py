"""``measure(path)``: the stored duration is the decoded stream's, the working copy's, and (for
video) the frame count times the frame duration; each checked by PyAV on generated files."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import av
import pytest

from observer_app.media import probe
from observer_app.media.measure import MEASURE_VERSION, measure
from observer_app.media.working_copy import make_working_copy, needs_working_copy
from tests.media.conftest import load_media_script

pytestmark = pytest.mark.media

#: Every audio format labs use, as generated (``make_test_media.AUDIO_FORMATS``).
AUDIO = list(load_media_script().AUDIO_FORMATS)
#: FFmpeg keeps the encoder's end padding of AAC in MP4 (up to one 1024-sample frame: the
#: generated 12 s decode to 576 512 samples at 48 kHz, 12.011 s); every other format here
#: decodes to exactly the generated samples (encoder delay, pre-skip and padding removed).
PADDED_BY_ONE_FRAME = {"m4a_aac": 1024 / 48}


def pyav_decoded_ms(path: Path) -> float:
    """The decoded length of the first audio stream by PyAV, counted independently here."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        samples = sum(frame.samples for frame in container.decode(stream))
        return samples * 1000 / stream.codec_context.sample_rate


@pytest.mark.parametrize("name", AUDIO)
def test_an_audio_duration_is_the_decoded_stream_and_the_working_copy(
    name: str, media_files: dict[str, Path], gen: ModuleType, tmp_path: Path
) -> None:
    path = media_files[f"pos_{name}"]
    m = measure(path)
    decoded = pyav_decoded_ms(path)
    assert abs(m.duration_ms - decoded) <= 1, (name, m.duration_ms, decoded)
    if needs_working_copy(probe(path)):
        copy = make_working_copy(path, tmp_path)
        assert abs(m.duration_ms - copy.duration_ms) <= 1, (name, copy.duration_ms)
        assert m.duration_source == "decoded"
    generated = gen.POSITION_SECONDS * 1000
    padding = PADDED_BY_ONE_FRAME.get(name, 0.0)
    assert 0 <= m.duration_ms - generated <= padding + 1, (name, m.duration_ms)
    assert m.measure_version == MEASURE_VERSION


@pytest.mark.parametrize("name", ["index", "mkv", "hd720"])
def test_a_video_duration_is_its_frames_times_the_frame_duration(
    name: str, media_files: dict[str, Path]
) -> None:
    """The verified demux (libvlc's, as stored) against PyAV's count of the video packets.

    Within one frame: a Matroska file's duration is its longest track's, and the AAC track
    of the remuxed test file ends 21 ms after the last frame (its end padding)."""
    path = media_files[name]
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = sum(1 for packet in container.demux(stream) if packet.size)
        frame_ms = 1000 / float(stream.average_rate)
    m = measure(path)
    assert m.duration_source == "container" and m.has_video
    assert abs(m.fps - 1000 / frame_ms) < 0.01
    assert 0 <= m.duration_ms - frames * frame_ms < frame_ms, (name, m.duration_ms, frames)
    assert m.duration_ms == m.container_duration_ms
