"""The reconciliation view on the demo study with the real libvlc player: jumping to a
disagreement seeks a few seconds before it and plays the real recording."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from observer_app.media.types import PlaybackState
from observer_app.services.demo import MANAGER, ensure_demo_study
from observer_app.services.study import Study
from observer_app.ui.manager import default_player
from observer_app.ui.manager.reconcile import ReconcilePage

pytestmark = pytest.mark.media


def test_next_disagreement_plays_the_real_video_from_before_it(
    tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OBSERVER_APP_AUDIO", "dummy")
    from observer_app.media.probe import probe

    path = ensure_demo_study(tmp_path / "demo", probe=probe)
    study = Study.open(path, as_coder=MANAGER, backup=False)
    page = ReconcilePage(study, default_player)
    qtbot.addWidget(page)
    page.show()
    page.select_recording(1)
    rec = page.open_selected()
    assert rec is not None and rec.disagreements
    assert page.player.info().has_video
    item = page.next_disagreement()
    assert item is not None
    start = item.seek_ms(3000)
    qtbot.waitUntil(lambda: page.player.state() == PlaybackState.PLAYING, timeout=10_000)
    qtbot.waitUntil(lambda: page.player.position_ms() > start + 300, timeout=10_000)
    assert start - 100 <= page.player.position_ms() <= item.time_ms + 5000
    assert page.timeline.playhead_ms >= start
    page.player.close()
    study.close()
