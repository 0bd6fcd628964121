"""Playback of session recordings (the only package that imports ``vlc``).

- :func:`probe` reads a recording's duration and streams without playing it.
- :class:`VlcPlayer` plays it frame-accurately (API: :class:`MediaPlayer`);
  :class:`FakePlayer` has the same API on a controllable clock for UI tests.
- :mod:`observer_app.media.widgets` has :class:`VideoSurface` and :class:`WaveformWidget`;
  :func:`compute_envelope` an audio waveform (run off the GUI thread by ``ui.workers``);
  :mod:`observer_app.media.audio_views` the timeline's waveform pyramid and spectrogram.

Nothing here needs libvlc at import time: a missing libvlc is reported as a
:class:`MediaError` (or ``errorOccurred``) naming the package to install.
"""

from observer_app.media.fake import FakePlayer
from observer_app.media.probe import probe
from observer_app.media.protocol import MediaPlayer
from observer_app.media.transport import Loop
from observer_app.media.types import AUDIO_STEP_MS, MediaError, MediaInfo, PlaybackState
from observer_app.media.vlc_player import VlcPlayer
from observer_app.media.waveform import Envelope, compute_envelope

__all__ = [
    "AUDIO_STEP_MS",
    "Envelope",
    "FakePlayer",
    "Loop",
    "MediaError",
    "MediaInfo",
    "MediaPlayer",
    "PlaybackState",
    "VlcPlayer",
    "compute_envelope",
    "probe",
]
