"""Locating problems in TOML definition files and collecting every problem of a file.

``tomllib`` reports syntax errors with a line number but gives none for the values it returns.
:class:`SourceMap` recovers them by scanning the source text for table headers and ``key =``
lines, so a validation problem can say "items[7].subscale (line 88)". Paths are tuples of keys
and 0-based indices internally; they are shown 1-based (``items[7]`` is the seventh
``[[items]]`` table) because that is how a person counts the tables in the file.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from observer_app.coding.errors import DefinitionError

PathPart = str | int
Path = tuple[PathPart, ...]

_HEADER_AOT = re.compile(r"^\s*\[\[\s*(?P<key>[^\[\]]+?)\s*\]\]\s*(#.*)?$")
_HEADER_TABLE = re.compile(r"^\s*\[\s*(?P<key>[^\[\]]+?)\s*\]\s*(#.*)?$")
_KEY_VALUE = re.compile(
    r"^\s*(?P<key>(?:[A-Za-z0-9_\-]+|\"[^\"]*\"|'[^']*')"
    r"(?:\s*\.\s*(?:[A-Za-z0-9_\-]+|\"[^\"]*\"|'[^']*'))*)\s*="
)
_KEY_PART = re.compile(r"[A-Za-z0-9_\-]+|\"[^\"]*\"|'[^']*'")


def format_path(path: Path) -> str:
    """``("items", 6, "subscale")`` -> ``"items[7].subscale"`` (indices shown 1-based)."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part + 1}]"
        else:
            text += f".{part}" if text else part
    return text


def _split_key(key: str) -> list[str]:
    parts = []
    for match in _KEY_PART.finditer(key):
        token = match.group(0)
        parts.append(token[1:-1] if token[0] in "\"'" else token)
    return parts


class SourceMap:
    """Line numbers (1-based) of the tables and keys of a TOML text, by path."""

    def __init__(self, text: str) -> None:
        self._lines: dict[Path, int] = {}
        self._scan(text)

    def _scan(self, text: str) -> None:
        aot_counts: dict[Path, int] = {}
        aot_paths: set[Path] = set()
        current: Path = ()
        depth = 0
        in_multiline: str | None = None
        for lineno, line in enumerate(text.splitlines(), start=1):
            if in_multiline is not None:
                if line.count(in_multiline) % 2 == 1:
                    in_multiline = None
                continue
            if depth > 0:
                depth += _bracket_balance(line)
                continue
            header = _HEADER_AOT.match(line)
            if header:
                base = self._resolve(_split_key(header["key"]), aot_counts, aot_paths)
                index = aot_counts.get(base, 0)
                aot_counts[base] = index + 1
                aot_paths.add(base)
                current = (*base, index)
                self._lines.setdefault(base, lineno)
                self._lines[current] = lineno
                continue
            header = _HEADER_TABLE.match(line)
            if header:
                current = self._resolve(_split_key(header["key"]), aot_counts, aot_paths)
                self._lines.setdefault(current, lineno)
                continue
            key_value = _KEY_VALUE.match(line)
            if key_value:
                path = (*current, *_split_key(key_value["key"]))
                self._lines.setdefault(path, lineno)
                rest = line[key_value.end() :]
                for quote in ('"""', "'''"):
                    if rest.count(quote) % 2 == 1:
                        in_multiline = quote
                        break
                if in_multiline is None:
                    depth = max(0, _bracket_balance(rest))

    @staticmethod
    def _resolve(parts: list[str], aot_counts: dict[Path, int], aot_paths: set[Path]) -> Path:
        """The full path of a header: every array-of-tables prefix gets its current index."""
        path: Path = ()
        for part in parts[:-1]:
            path = (*path, part)
            if path in aot_paths:
                path = (*path, aot_counts[path] - 1)
        return (*path, *parts[-1:])

    def line_of(self, path: Path) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        for end in range(len(path), 0, -1):
            line = self._lines.get(path[:end])
            if line is not None:
                return line
        return None


def _bracket_balance(text: str) -> int:
    """Opened minus closed brackets and braces outside strings and comments (approximate)."""
    balance = 0
    quote: str | None = None
    for char in text:
        if quote:
            if char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == "#":
            break
        elif char in "[{":
            balance += 1
        elif char in "]}":
            balance -= 1
    return balance


@dataclass(frozen=True)
class Problem:
    """One located validation problem."""

    source: str
    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = format_path(self.path)
        if self.line is not None:
            where = f"{where} (line {self.line})" if where else f"line {self.line}"
        return (
            f"{self.source}: {where}: {self.message}" if where else f"{self.source}: {self.message}"
        )


class DefinitionProblems(DefinitionError):
    """A definition file failed validation; ``problems`` lists every problem found, located."""

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class Collector:
    """Collects every problem of one file, then raises them together."""

    source: str
    text: str | None = None
    problems: list[Problem] = field(default_factory=list)
    _map: SourceMap | None = None

    def add(self, path: Path, message: str) -> None:
        line = None
        if self.text is not None:
            if self._map is None:
                self._map = SourceMap(self.text)
            line = self._map.line_of(path)
        self.problems.append(Problem(self.source, path, line, message))

    def raise_if_any(self) -> None:
        if self.problems:
            ordered = sorted(self.problems, key=lambda p: (p.line is None, p.line or 0))
            raise DefinitionProblems(self.source, ordered)


#: Limits on a definition file: far above any real scheme or instrument (the shipped ones are
#: under 40 KB and nest 4 deep), low enough that a hostile file cannot exhaust memory or the stack.
MAX_TOML_CHARS = 2_000_000
MAX_TOML_DEPTH = 32


def _too_deep(text: str) -> int | None:
    """The line where brackets and braces (outside strings and comments) nest deeper than
    ``MAX_TOML_DEPTH``, or None."""
    depth, line, quote, comment = 0, 1, "", False
    for char in text:
        if char == "\n":
            line += 1
            comment = False
            if quote and quote not in ('"""', "'''"):
                quote = ""
            continue
        if comment:
            continue
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "#":
            comment = True
        elif char in "[{":
            depth += 1
            if depth > MAX_TOML_DEPTH:
                return line
        elif char in "]}":
            depth = max(0, depth - 1)
    return None


def load_toml(text: str, source: str) -> dict[str, Any]:
    """Parse TOML text; a syntax error becomes a :class:`DefinitionProblems` naming the file.

    A file over ``MAX_TOML_CHARS`` characters, or nesting deeper than ``MAX_TOML_DEPTH``, is
    refused before it is parsed (Python's TOML parser recurses once per nesting level)."""

    def refuse(message: str) -> DefinitionProblems:
        return DefinitionProblems(source, [Problem(source, (), None, message)])

    if len(text) > MAX_TOML_CHARS:
        raise refuse(
            f"too large for a definition ({len(text):,} characters, at most {MAX_TOML_CHARS:,})"
        )
    deep = _too_deep(text)
    if deep is not None:
        raise refuse(f"line {deep}: nested more than {MAX_TOML_DEPTH} levels deep")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise refuse(f"not valid TOML: {exc}") from exc
    except RecursionError as exc:  # pragma: no cover - the depth check comes first
        raise refuse(f"nested too deeply to read ({exc})") from exc


class Reader:
    """Typed access to one table of a definition, reporting problems to a :class:`Collector`."""

    def __init__(self, data: Mapping[str, Any], path: Path, out: Collector) -> None:
        self.data = data
        self.path = path
        self.out = out

    def at(self, key: PathPart) -> Path:
        return (*self.path, key)

    def problem(self, key: PathPart | None, message: str) -> None:
        self.out.add(self.path if key is None else self.at(key), message)

    def check_keys(self, allowed: Iterable[str]) -> None:
        allowed = list(allowed)
        for key in self.data:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = (
                    f"did you mean '{close[0]}'?"
                    if close
                    else f"expected one of {', '.join(allowed)}"
                )
                self.problem(key, f"unknown key '{key}' ({hint})")

    def string(self, key: str, *, required: bool = True, default: str = "") -> str:
        value = self.data.get(key)
        if value is None:
            if required:
                self.problem(None, f"missing required key '{key}'")
            return default
        if not isinstance(value, str):
            self.problem(key, f"must be a string, not {_kind(value)}")
            return default
        if required and not value.strip():
            self.problem(key, "must not be empty")
        return value

    def optional_string(self, key: str) -> str | None:
        if key not in self.data:
            return None
        value = self.string(key, required=False)
        return value if value != "" else None

    def boolean(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            self.problem(key, f"must be true or false, not {_kind(value)}")
            return default
        return value

    def integer(self, key: str, *, required: bool = True, default: int = 0) -> int:
        value = self.data.get(key)
        if value is None:
            if required:
                self.problem(None, f"missing required key '{key}'")
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(key, f"must be a whole number, not {_kind(value)}")
            return default
        return value

    def number(self, key: str) -> float | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(key, f"must be a number, not {_kind(value)}")
            return None
        return float(value) if isinstance(value, float) else value

    def choice(self, key: str, options: Sequence[str], *, default: str | None = None) -> str:
        value = self.data.get(key, default)
        if value is None:
            self.problem(None, f"missing required key '{key}' (one of {', '.join(options)})")
            return options[0]
        if value not in options:
            self.problem(key, f"{_show(value)} is not one of {', '.join(options)}")
            return options[0]
        return str(value)

    def string_list(self, key: str, *, allow_single: bool = False) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            return ()
        if allow_single and isinstance(value, str):
            return (value,)
        if not isinstance(value, list):
            self.problem(key, f"must be a list of strings, not {_kind(value)}")
            return ()
        result = []
        for i, entry in enumerate(value):
            if isinstance(entry, str):
                result.append(entry)
            else:
                self.out.add((*self.at(key), i), f"must be a string, not {_kind(entry)}")
        return tuple(result)

    def table(self, key: str, *, required: bool = False) -> Reader | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.problem(None, f"missing required table [{format_path(self.at(key))}]")
            return None
        if not isinstance(value, dict):
            self.problem(key, f"must be a table, not {_kind(value)}")
            return None
        return Reader(value, self.at(key), self.out)

    def tables(self, key: str) -> list[Reader]:
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.problem(key, f"must be an array of tables ([[{format_path(self.at(key))}]])")
            return []
        return [Reader(v, (*self.at(key), i), self.out) for i, v in enumerate(value)]


def verify_notes(reader: Reader) -> tuple[str, ...]:
    """The optional ``verify`` key: one note or a list of notes on facts still to confirm."""
    notes = reader.string_list("verify", allow_single=True)
    return tuple(n for n in notes if n.strip())


def _kind(value: object) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string"}
    for typ, name in names.items():
        if type(value) is typ:
            return f"{name} ({_show(value)})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def _show(value: object) -> str:
    return (
        f"'{value}'"
        if isinstance(value, str)
        else repr(value).lower()
        if isinstance(value, bool)
        else repr(value)
    )


show = _show


def check_header(top: Reader, kind: str, other: str, format_version: int) -> None:
    """The ``kind`` and ``format_version`` every definition file starts with (both optional)."""
    found = top.data.get("kind", kind)
    if found != kind:
        top.problem("kind", f"{show(found)} is not {kind!r} (is this {other}?)")
    fmt = top.data.get("format_version", format_version)
    if fmt != format_version:
        top.problem(
            "format_version",
            f"{show(fmt)} is not supported (this version reads {format_version})",
        )
