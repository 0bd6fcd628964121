"""The missing-media rule of ``ui.session`` (issue 11): no event is timed by a frozen clock."""

from __future__ import annotations

import pytest

from observer_app.coding.errors import ObserverError
from observer_app.ui.session import event_time


def test_with_media_the_event_is_the_frame_minus_the_lag() -> None:
    assert event_time(True, 10_000, 300) == 9_700
    assert event_time(True, 100, 300) == 0


def test_without_media_only_an_entered_time_logs() -> None:
    with pytest.raises(ObserverError, match="no clock"):
        event_time(False, 0, 300)
    assert event_time(False, 0, 300, entered_ms=61_000) == 61_000  # no lag on a typed time
    with pytest.raises(ObserverError, match="negative"):
        event_time(False, 0, 0, entered_ms=-5)
