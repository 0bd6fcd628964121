"""Fixtures of the media tests: real files generated once per machine by
``scripts/make_test_media.py`` (ffmpeg), cached in the temp directory by version."""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "make_test_media.py"


def load_media_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_test_media", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def gen() -> ModuleType:
    """The generator module (frame-index codec and audio definition)."""
    return load_media_script()


@pytest.fixture(scope="session")
def media_files(gen: ModuleType) -> dict[str, Path]:
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is needed to generate the test media (sudo apt-get install ffmpeg)")
    cache = Path(tempfile.gettempdir()) / "observer-app-test-media"
    files: dict[str, Path] = gen.make_all(cache)
    return files


@pytest.fixture(autouse=True)
def _silent_audio(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests never need a sound card: libvlc decodes and paces audio into the dummy output."""
    monkeypatch.setenv("OBSERVER_APP_AUDIO", "dummy")
    yield
