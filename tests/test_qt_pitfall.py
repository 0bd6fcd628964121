"""Regression guard for the PySide6 6.12.0 / Python 3.11 reference leak on ``None``.

PySide6(-Essentials) 6.12.0 drops one reference to ``None`` on every
``QCoreApplication.processEvents()`` call under Python 3.11; after a few thousand calls the
interpreter aborts with "none_dealloc: deallocating None". We pin PySide6 below 6.12; this test
fails loudly (or crashes the run) if a leaking release slips back in.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication


def test_process_events_does_not_leak_none(qapp: QCoreApplication) -> None:
    calls = 20_000
    before = sys.getrefcount(None)
    for _ in range(calls):
        QCoreApplication.processEvents()
    after = sys.getrefcount(None)
    if sys.version_info < (3, 12):
        # None is not immortal before 3.12: a leak shows up as a falling refcount.
        assert before - after < calls // 2, f"None refcount fell by {before - after}"
    else:
        assert after >= 0
