"""Line numbers recovered from TOML text (tomllib gives none for values)."""

from __future__ import annotations

import tomllib

from observer_app.coding.definitions._source import SourceMap, format_path

TEXT = '''\
# [not a table] comment with brackets
id = "x"                       # line 2
notes = """
[[items]] inside a string is not a table
"""
verify = [
  "a [bracket] in a string",
  "b",
]
lit = \'\'\'
id = "not a key"
\'\'\'

[scale]
anchors = { 1 = "low", 7 = "high" }

[scales."wide one"]
min = 0

[[items]]
id = "1"

[[items]]
id = "2"
subscale = ["A",
            "B"]

  [[items.modifiers]]
  id = "m1"

[[items]]
id = "3"
'''


def test_lines_follow_tables_keys_and_array_indices() -> None:
    tomllib.loads(TEXT)  # the fixture is valid TOML
    lines = TEXT.splitlines()
    source = SourceMap(TEXT)

    def line(needle: str, occurrence: int = 1) -> int:
        return [n for n, text in enumerate(lines, 1) if text.strip() == needle][occurrence - 1]

    assert source.line_of(("id",)) == 2
    assert source.line_of(("verify", 1)) == line("verify = [")  # nearest ancestor
    assert source.line_of(("scale", "anchors", "7")) == line('anchors = { 1 = "low", 7 = "high" }')
    assert source.line_of(("scales", "wide one", "min")) == line("min = 0")
    assert source.line_of(("items", 0, "id")) == line('id = "1"')
    assert source.line_of(("items", 1, "subscale", 1)) == line('subscale = ["A",')
    assert source.line_of(("items", 1, "modifiers", 0, "id")) == line('id = "m1"')
    assert source.line_of(("items", 2)) == line("[[items]]", 3)
    assert source.line_of(("items", 2, "id")) == line('id = "3"')
    assert source.line_of(("nothing",)) is None


def test_paths_are_shown_one_based() -> None:
    assert format_path(("items", 6, "subscale")) == "items[7].subscale"
    assert format_path(("codes", 0, "modifiers", 1, "min")) == "codes[1].modifiers[2].min"
    assert format_path(()) == ""
