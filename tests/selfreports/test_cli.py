"""``observer-app selfreports import|list`` and ``observer-app perspectives``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from observer_app.cli import main
from tests.selfreports.lab import PerspectiveLab, write_csv


def test_import_list_and_perspectives(
    plab: PerspectiveLab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(plab.path)
    me = ("--as", "Mia")
    rows = [
        {"Pat": r["ClientID"], "Visit": r["Session"]}
        | {f"it{k[1:]}": v for k, v in r.items() if k.startswith("Q")}
        for r in plab.client_rows
    ]
    odd = write_csv(tmp_path / "odd.csv", rows)
    assert main(["selfreports", "import", db, *me, str(odd), "--instrument", "wai-c-s"]) == 2
    assert "no column for the respondent" in capsys.readouterr().err
    args = ["selfreports", "import", db, *me, str(odd), "--instrument", "wai-c-s"]
    mapping = ["--mapping", "respondent=Pat", "--mapping", "session=Visit"]
    assert main([*args, *mapping]) == 0
    assert "14 form(s) added, 0 replaced, 0 unchanged" in capsys.readouterr().out
    assert main([*args, "--json"]) == 0  # the mapping is remembered
    out = json.loads(capsys.readouterr().out)
    assert len(out["unchanged"]) == 14 and out["mapping"]["fields"]["respondent"] == "Pat"
    ther = write_csv(tmp_path / "t.csv", plab.therapist_rows)
    assert main(["selfreports", "import", db, *me, str(ther), "--instrument", "wai-t-s"]) == 0
    capsys.readouterr()
    bad = [dict(r) for r in plab.therapist_rows]
    bad[4]["Q7"] = "12"
    badfile = write_csv(tmp_path / "bad.csv", bad)
    assert main(["selfreports", "import", db, *me, str(badfile), "--instrument", "wai-t-s"]) == 2
    err = capsys.readouterr().err
    assert "row 6, column 'Q7': item 7: 12 is outside the scale 1..7" in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert main(["selfreports", "list", db, *me, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) == 28 and {f["role"] for f in listed} == {"client", "therapist"}
    assert main(["perspectives", db, *me, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["family"] == "wai-s" and report["metrics"]["total"]["kind"] == "pomp"
    assert len(report["sessions"]) == 14 * 4
    with plab.as_("Mia") as mia:
        assert report == json.loads(json.dumps(mia.perspectives.compute().as_dict(), default=str))
    assert main(["perspectives", db, *me]) == 0
    text = capsys.readouterr().out
    assert "agreement across sessions" in text and "Pearson r" in text
    assert main(["selfreports", "import", db, *me, str(odd), "--instrument", "wai-o-s"]) == 2
    assert "not a client or therapist self-report" in capsys.readouterr().err
    assert main([*args, "--mapping", "respondent"]) == 2
    assert "expected FIELD=COLUMN" in capsys.readouterr().err
