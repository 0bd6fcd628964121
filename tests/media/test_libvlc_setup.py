"""How the libvlc instance is configured: audio output choice and options."""

from __future__ import annotations

import pytest

from observer_app.media import _libvlc


def test_explicit_audio_choice_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OBSERVER_APP_AUDIO", "dummy")
    assert _libvlc.audio_wanted(True) is True
    assert _libvlc.audio_wanted(False) is False


@pytest.mark.parametrize("value", ["dummy", "off", "0", "none", "No"])
def test_env_var_silences_audio(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("OBSERVER_APP_AUDIO", value)
    assert _libvlc.audio_wanted(None) is False


def test_without_env_var_the_sound_device_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OBSERVER_APP_AUDIO", raising=False)
    monkeypatch.setattr(_libvlc, "sound_device_available", lambda: False)
    assert _libvlc.audio_wanted(None) is False
    monkeypatch.setattr(_libvlc, "sound_device_available", lambda: True)
    assert _libvlc.audio_wanted(None) is True


def test_silent_instances_use_the_dummy_output_and_keep_pitch() -> None:
    silent, audible = _libvlc.instance_options(False), _libvlc.instance_options(True)
    assert "--aout=dummy" in silent and not any(o.startswith("--aout") for o in audible)
    assert "--audio-time-stretch" in silent and "--audio-time-stretch" in audible
    assert "--ignore-config" in silent  # the user's vlcrc cannot change timing behaviour
