"""``VlcPlayer``: frame-accurate playback through libvlc 3's video callbacks.

libvlc 3 updates ``get_time()`` only every 250-500 ms, seeks by decode time, shows a picture a
few frames before the target after a seek while paused, skips the first ``next_frame()`` step,
and corrupts its clock when it seeks while paused at a rate other than 1. So:

- **Clock.** While playing, the clock is anchored on every ``MediaPlayerTimeChanged`` event
  (its value matches the picture displayed at that instant) and on every seek, resume and rate
  change, and extrapolated with ``time.monotonic()`` times the rate in between. Every picture
  libvlc displays is labelled with its frame index from that clock; after a resume the first new
  picture is labelled by counting the pictures libvlc still showed after the pause, and for a
  moment after a rate change (libvlc keeps showing queued pictures at the old rate) pictures
  are counted too. ``position_ms()`` stays inside the frame on screen and never runs
  backwards while playing.
- **Exact seeks** (``seek``, ``step_frame``, the initial load): wait until libvlc has stopped
  showing pictures decoded before (after a pause), seek while paused at rate 1 to three frames
  before the target, wait for the first picture decoded there, resume muted, label pictures
  with a clock started at the resume, and show the first one labelled with the target frame
  (or later, if libvlc dropped it: the position then says which frame it is). libvlc then
  pauses a frame or two further on; a resume counts from there (re-seeking it would stall
  libvlc 3 at the next rate change).
- **Threads.** Frames are copied out of libvlc's buffer on libvlc's thread into a new
  ``QImage`` and reach the GUI thread through queued signals. libvlc is never called from its
  own callbacks and never while holding our lock.
- **Audio-only clock.** libvlc's clock of a PCM WAV file (every audio-only recording the app
  plays, through its working copy) runs 50 ms ahead of the sample being played: its WAV
  demuxer reports the time after the 50 ms block it has just read. The player subtracts it
  from every libvlc clock value it anchors on (``_clock.WAV_LEAD_MS``, measured with
  ``scripts/audio_tap.py``: 49.5-50.0 ms median in every sample rate and channel count, with
  or without time stretching or more caching; after the correction the clock's median error
  against the decoder is -1 to +1 ms, see ``python -m benchmarks media``). Video is timed by
  its frames and is not corrected.
"""

from observer_app.media.vlc_player.player import VlcPlayer

__all__ = ["VlcPlayer"]
