"""Playback of session recordings (the only package that imports ``vlc``)."""
