"""``observer-app scheme|instrument|textpack validate`` and ``instruments|schemes list``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from observer_app.cli import main
from observer_app.coding.definitions import builtin_instrument, builtin_instruments
from observer_app.coding.resources import resource_path


def test_instrument_validate_ok(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["instrument", "validate", str(resource_path("instruments", "wai-o.toml"))])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("wai-o.toml: valid instrument 'wai-o'\n")
    assert "  items:       36 (14 reverse-keyed)" in out
    assert f"  hash:        {builtin_instrument('wai-o').content_hash}" in out
    assert "  verify:      " in out


def test_instrument_validate_reports_every_located_problem(
    tmp_path: Path, instrument_text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(
        instrument_text.replace('subscale = "Bond"', 'subscale = "Bnd"', 1).replace(
            'unit = "session"', 'unit = "minute"'
        ),
        encoding="utf-8",
    )
    code = main(["instrument", "validate", str(path)])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    text = path.read_text(encoding="utf-8").splitlines()
    unit, bnd = text.index('unit = "minute"') + 1, text.index('subscale = "Bnd"') + 1
    assert captured.err.splitlines() == [
        f"broken.toml: unit (line {unit}): 'minute' is not one of session, segment",
        f"broken.toml: items[5].subscale (line {bnd}): 'Bnd' is not one of Goal, Task, Bond",
        "observer-app: error: broken.toml: 2 problems",
    ]


def test_instrument_validate_json(
    tmp_path: Path, instrument_text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "mini.toml"
    path.write_text(instrument_text, encoding="utf-8")
    assert main(["instrument", "validate", "--json", str(path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["valid"] is True and data["id"] == "mini" and data["items"] == 7
    path.write_text(instrument_text.replace('version = "1"', ""), encoding="utf-8")
    assert main(["instrument", "validate", "--json", str(path)]) == 2
    data = json.loads(capsys.readouterr().out)
    assert data == {
        "valid": False,
        "file": "mini.toml",
        "problems": [{"path": "", "line": None, "message": "missing required key 'version'"}],
    }


def test_missing_file_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scheme", "validate", str(tmp_path / "nope.toml")]) == 2
    assert (
        capsys.readouterr().err == f"observer-app: error: {tmp_path / 'nope.toml'}: no such file\n"
    )


def test_scheme_validate(
    tmp_path: Path, scheme_text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scheme", "validate", str(resource_path("schemes", "3rs.toml"))]) == 0
    out = capsys.readouterr().out
    assert "  segments:    5-minute segments rated with 3rs-segment" in out
    assert "  categories:  withdrawal (7), confrontation (7)" in out
    path = tmp_path / "mini-scheme.toml"
    path.write_text(scheme_text, encoding="utf-8")
    assert main(["scheme", "validate", str(path)]) == 0
    out = capsys.readouterr().out
    # The instruments it names are not built in: said, but not an error.
    assert "  note:        segments.instrument: no instrument 'mini-seg' among the built-ins" in out
    path.write_text(scheme_text.replace('key = "t"', 'key = "1"'), encoding="utf-8")
    assert main(["scheme", "validate", str(path)]) == 2
    line = scheme_text.splitlines().index('key = "t"') + 1
    assert f"codes[2].key (line {line}): '1' clashes with the key of code 'W1'" in (
        capsys.readouterr().err
    )


def test_textpack_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["textpack", "validate", str(resource_path("textpacks", "example-wai-o.toml"))]) == 0
    )
    assert capsys.readouterr().out == (
        "example-wai-o.toml: valid text pack for 'wai-o' version rev-iv: "
        "wording for 3 of 36 items\n"
    )
    pack = tmp_path / "pack.toml"
    pack.write_text(
        'kind = "textpack"\ninstrument = "vtas"\ninstrument_version = "1983"\n'
        '[items]\n"45" = "x"\n',
        encoding="utf-8",
    )
    assert main(["textpack", "validate", str(pack)]) == 2
    assert "pack.toml: items.45 (line 5): '45' is not an item of vtas" in capsys.readouterr().err


def test_instruments_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["instruments", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "id",
        "name",
        "version",
        "items",
        "subscales",
        "perspective",
        "unit",
        "item_text",
        "verify",
        "key_check",
    ]
    table = lines[: lines.index("")] if "" in lines else lines
    assert len(table) == 1 + len(builtin_instruments())
    # every unconfirmed fact is listed below the table (issue 10), e.g. the WAI-O subscale doubt
    assert any(line.startswith("  wai-o: item 9: subscale:") for line in lines)
    assert main(["instruments", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    wai = next(r for r in rows if r["id"] == "wai-o")
    assert (wai["items"], wai["subscales"], wai["perspective"], wai["unit"], wai["item_text"]) == (
        36,
        ["Goal", "Task", "Bond"],
        "observer",
        "session",
        False,
    )
    assert next(r for r in rows if r["id"] == "alliance-quick-demo")["item_text"] is True
    assert any(n.startswith("item 35: subscale:") for n in wai["verify_notes"])
    assert wai["key_check"] == "key not checked (no study given)"


def test_schemes_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schemes", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["id"], r["segment_minutes"], r["segment_instrument"]) for r in rows] == [
        ("3rs", 5, "3rs-segment")
    ]
    assert main(["schemes", "list"]) == 0
    assert capsys.readouterr().out.splitlines()[1].startswith("3rs ")
