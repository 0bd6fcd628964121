"""Locate the files under ``resources/`` (built-in schemes, instruments, demo media).

In a checkout (and an editable install) they sit beside the package; a wheel carries them as
``observer_app/_resources``.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    """The directory holding the shipped resources."""
    for candidate in (_PACKAGE_DIR.parent / "resources", _PACKAGE_DIR / "_resources"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"observer-app resources not found next to {_PACKAGE_DIR}")


def resource_path(*parts: str) -> Path:
    """Path of a shipped resource, e.g. ``resource_path("instruments", "wai-o.toml")``."""
    return resources_dir().joinpath(*parts)
