"""Suite-wide set-up: Qt runs offscreen so ``make test`` needs no display."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Keep QSettings written by tests out of the user's real configuration.
os.environ.setdefault(
    "XDG_CONFIG_HOME", os.path.join(os.environ.get("TMPDIR", "/tmp"), "observer-app-test-config")
)
