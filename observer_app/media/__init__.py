"""Playback of session recordings (the only package that imports ``vlc``).

``probe(path) -> MediaInfo`` reads a recording's duration and streams without playing it;
``VlcPlayer`` plays it frame-accurately (see ``MediaPlayer`` for the API); ``FakePlayer`` has the
same API on a controllable clock for UI tests; ``observer_app.media.widgets`` has the video and
waveform widgets. Nothing here needs libvlc at import time: a missing libvlc is reported as a
:class:`MediaError` (or ``errorOccurred``) naming the package to install.
"""

from observer_app.media.probe import probe
from observer_app.media.types import AUDIO_STEP_MS, MediaError, MediaInfo, PlaybackState

__all__ = ["AUDIO_STEP_MS", "MediaError", "MediaInfo", "PlaybackState", "probe"]
