"""The key check and every verify note reach the workbook and the command line (issue 10)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from observer_app.cli import main
from observer_app.coding.resources import resource_path
from observer_app.export import export_study
from observer_app.services.study import Study
from tests.instrument_keys.test_rekey import ANA, OLD
from tests.services.conftest import make_media

NEW = resource_path("instruments", "wai-o-s.toml")


def _table(ws: Any) -> list[dict[str, Any]]:
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


@pytest.fixture
def study_path(tmp_path: Path) -> Path:
    path = tmp_path / "k.db"
    with Study.create(path, "Keys") as admin:
        ana = admin.coders.add("Ana Alves").id
        admin.coders.add("Mia Manager", role="manager")
        rec = admin.recordings.add(make_media(tmp_path, "s.mp4", seed=3)).id
        vid = admin.definitions.import_file(NEW).id
        a = admin.assignments.create(rec, ana).id
    with Study.open(path, as_coder="Ana Alves", backup=False) as coder:
        for i, value in enumerate(ANA, start=1):
            coder.ratings.set(a, vid, str(i), value)
    return path


def test_workbook_shows_key_check_and_verify(study_path: Path, tmp_path: Path) -> None:
    with Study.open(study_path, backup=False) as admin:
        vid = admin.definitions.instrument_version("wai-o-s")
        assert vid is not None
        export_study(admin, tmp_path / "before.xlsx")
        admin.instrument_keys.sign_off(vid.id, "Santirso et al. 2018, Table 2")
        export_study(admin, tmp_path / "after.xlsx")
    before, after = load_workbook(tmp_path / "before.xlsx"), load_workbook(tmp_path / "after.xlsx")
    setting = f"key_check wai-o-s 1 #{vid.id}"
    assert {r["setting"]: r["value"] for r in _table(before["About"])}[setting] == "key not checked"
    checked = {r["setting"]: r["value"] for r in _table(after["About"])}[setting]
    assert checked.startswith("key checked by administrator on ")
    assert checked.endswith(" against Santirso et al. 2018, Table 2")
    codebook = _table(after["Definitions"])  # the element-by-element definitions
    assert [r["label"] for r in codebook if r["element"] == "key_check"] == [checked]
    verify = [r for r in codebook if r["element"] == "verify" and r["definition_id"] == "wai-o-s"]
    assert {r["belongs_to"] for r in verify} == {None, "subscale"}
    assert any("wai.profhorvath.com" in r["label"] for r in verify)
    (score,) = _table(after["Scores"])
    assert (score["goal_mean"], score["goal_sum"], score["total_sum"]) == (4.5, 18, 64)
    assert score["agreement_sum"] == 42
    assert score["key_check"] == checked
    assert score["verify"].startswith("provisional (Goal, Task, Bond, Agreement, total)")
    assert _table(before["Scores"])[0]["key_check"] == "key not checked"


def test_cli_signoff_keys_rekey_and_lists(
    study_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(study_path)
    me = ("--as", "Mia Manager")
    assert main(["instruments", "list", db, *me, "--json"]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["wai-o-s"]["key_check"] == "key not checked"
    assert rows["wai-o"]["key_check"] == "not in the study"

    assert main(["instrument", "signoff", db, *me, "wai-o-s", "--manual", "WAI-O-S 2018"]) == 0
    out = capsys.readouterr().out
    assert "key checked by Mia Manager on " in out and out.strip().endswith("WAI-O-S 2018")
    assert main(["instruments", "list", db, *me]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("wai-o-s "))
    assert "key checked by Mia Manager" in line

    assert main(["score", db, *me, "--json"]) == 0
    scores = {r["score_id"]: r for r in json.loads(capsys.readouterr().out)}
    assert (scores["Task"]["mean"], scores["Task"]["sum"], scores["Task"]["verify"]) == (
        6,
        24,
        True,
    )
    assert main(["score", db, *me]) == 0
    text = capsys.readouterr().out
    assert "verify: these scores rest on facts" in text

    # a re-key from the command line: refused when items change, then done
    assert main(["instrument", "rekey", db, *me, str(NEW)]) == 2
    assert "the same content" in capsys.readouterr().err
    # the study holds the corrected key; re-key it "back" to the old file to see it run
    (tmp_path / "old.toml").write_text(OLD, encoding="utf-8")
    assert main(["instrument", "rekey", db, *me, str(tmp_path / "old.toml"), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["ratings_moved"] == 12 and result["forms_rescored"] == 1
    assert main(["instrument", "keys", db, *me, "--json"]) == 0
    keys = json.loads(capsys.readouterr().out)
    assert [v["key_check"].split(" on ")[0] for v in keys["versions"]] == [
        "key checked by Mia Manager",
        "key not checked",
    ]
    assert keys["rekeys"] == [{"from": 1, "to": 2, "moved": 12}]
