"""Reading definition files from disk (UTF-8 TOML), with the file name in every message."""

from __future__ import annotations

import tomllib
from pathlib import Path

from observer_app.coding.definitions.instrument import Instrument, parse_instrument
from observer_app.coding.definitions.scheme import Scheme, parse_scheme
from observer_app.coding.definitions.textpack import TextPack, parse_textpack
from observer_app.coding.errors import InputError


def read_definition_text(path: Path) -> str:
    """The text of a definition file; ``InputError`` naming the file when it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a definition file") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None


def load_instrument_file(path: Path) -> Instrument:
    """Parse and validate an instrument file (messages name the file by its base name)."""
    return parse_instrument(read_definition_text(path), path.name)


def load_scheme_file(path: Path) -> Scheme:
    """Parse and validate a coding-scheme file."""
    return parse_scheme(read_definition_text(path), path.name)


def load_textpack_file(path: Path, instrument: Instrument | None = None) -> TextPack:
    """Parse a text pack, checked against ``instrument`` when given."""
    return parse_textpack(read_definition_text(path), path.name, instrument)


def definition_kind(text: str) -> str | None:
    """``"scheme"``, ``"instrument"`` or ``"textpack"`` judged from the content, if it can be."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None
    kind = data.get("kind")
    if kind in ("scheme", "instrument", "textpack"):
        return str(kind)
    if "codes" in data:
        return "scheme"
    if "items" in data and "scale" in data:
        return "instrument"
    return None
