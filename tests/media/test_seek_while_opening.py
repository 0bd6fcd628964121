"""A seek asked for while an audio recording is still opening is kept (real libvlc).

The coding window resumes at the remembered position right after ``load``; on the PCM WAV
working copy of an audio recording that seek was lost (issue 12 audit, docs/evidence/
issue12-xvfb.md): "resuming at 00:00:07.000" was announced and the player sat at 0.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from observer_app.media import VlcPlayer

pytestmark = pytest.mark.media


@pytest.fixture
def player(qtbot: QtBot) -> Iterator[VlcPlayer]:
    p = VlcPlayer(audio=False)
    yield p
    p.close()


def test_a_seek_right_after_loading_audio_lands_there_and_plays_on_from_it(
    player: VlcPlayer, qtbot: QtBot, media_files: dict[str, Path]
) -> None:
    player.load(media_files["pos_wav"])
    player.seek(4_000)  # at once, while libvlc is still opening the file
    qtbot.waitUntil(lambda: not player.seeking(), timeout=5000)
    qtbot.wait(300)
    assert player.position_ms() == 4_000
    player.play()
    qtbot.wait(600)
    # libvlc itself plays from 4 s (its clock is trusted after an audio seek), not from 0
    assert 4_000 <= player.libvlc_time_ms() <= 5_300
    assert 4_200 <= player.position_ms() <= 5_300
