"""Paper-form entry with double entry (mismatches item by item, resolved), and blinding: coders
never see nor change self-reports, through the services or the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from observer_app.cli import main
from observer_app.coding.errors import AccessDenied, Conflict, InputError
from observer_app.services.selfreports import FormHeader
from observer_app.store.models import AuditEntry
from tests.selfreports.lab import PerspectiveLab, write_csv

FORM = {str(i): 4 for i in range(1, 13)}


def _header(lab: PerspectiveLab, session: int = 1, respondent: str = "C1") -> FormHeader:
    vid = lab.study.selfreports.instrument_version("wai-c-s")
    return FormHeader(vid, respondent, session)


def test_single_entry_is_final_and_scored(plab: PerspectiveLab) -> None:
    with plab.as_("Mia") as mia:
        form = mia.selfreports.enter(_header(plab), FORM)
    assert form.status == "single" and form.final
    assert form.recording_id == plab.recordings[("D1", 1)] and form.dyad_id == "D1"
    assert form.scores["total"]["mean"] == 4 and form.scores["total"]["sum"] == 48
    with pytest.raises(Conflict, match="already in the study"):
        plab.study.selfreports.enter(_header(plab), FORM)


def test_bad_values_are_refused(plab: PerspectiveLab) -> None:
    svc = plab.study.selfreports
    with pytest.raises(InputError, match=r"item 3: 9 is outside 1\.\.7"):
        svc.enter(_header(plab), FORM | {"3": 9})
    with pytest.raises(InputError, match="'x' is not an item"):
        svc.enter(_header(plab), FORM | {"x": 1})
    with pytest.raises(InputError, match="no item is answered"):
        svc.enter(_header(plab), {})
    assert svc.all() == []


def test_double_entry_lists_mismatches_item_by_item_and_resolves(plab: PerspectiveLab) -> None:
    plab.study.coders.add("Rae", role="manager")
    with plab.as_("Mia") as mia:
        first = mia.selfreports.enter(_header(plab), FORM, double_entry=True)
        assert first.status == "first_entry" and first.scores == {}
        with pytest.raises(AccessDenied, match="must be made by another person"):
            mia.selfreports.enter_second(first.id, FORM)
    second_values = FORM | {"3": 5, "10": 2}
    del second_values["12"]
    with plab.as_("Rae") as rae:
        second = rae.selfreports.enter_second(first.id, second_values)
        assert second.status == "mismatch" and not second.final and second.scores == {}
        found = [(m.item_id, m.first, m.second) for m in rae.selfreports.mismatches(first.id)]
        assert found == [("3", 4, 5), ("10", 4, 2), ("12", 4, None)]
        with pytest.raises(InputError, match="not mismatched"):
            rae.selfreports.resolve(first.id, {"1": 4})
        partly = rae.selfreports.resolve(first.id, {"3": 5})
        assert partly.status == "mismatch"
        done = rae.selfreports.resolve(first.id, {"10": 4, "12": None})
    assert done.status == "verified"
    assert done.responses["3"] == 5
    assert "12" not in done.responses and done.responses["10"] == 4
    assert done.scores["total"]["answered"] == 11
    assert done.source["entered_by"] == ["Mia", "Rae"]
    with plab.study._ctx.read() as s:
        contexts = {a.context for a in s.scalars(select(AuditEntry))}
    assert {"second entry of a self-report", "resolve double-entry mismatches"} <= contexts


def test_agreeing_second_entry_verifies(plab: PerspectiveLab) -> None:
    plab.study.coders.add("Rae", role="manager")
    with plab.as_("Mia") as mia:
        first = mia.selfreports.enter(_header(plab, 2), FORM, double_entry=True)
    with plab.as_("Rae") as rae:
        assert rae.selfreports.enter_second(first.id, FORM).status == "verified"


def test_coders_never_see_or_change_self_reports(plab: PerspectiveLab, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "client.csv", plab.client_rows)
    from observer_app.export.tables_in import read_table

    svc = plab.study.selfreports
    vid = svc.instrument_version("wai-c-s")
    table = read_table(path)
    svc.import_table(table, vid, svc.mapping_for(table, vid))
    report_id = svc.all()[0].id
    with plab.as_("Ana") as ana:
        s = ana.selfreports
        for call in (
            s.all,
            lambda: s.get(report_id),
            lambda: s.mismatches(report_id),
            lambda: s.delete(report_id),
            lambda: s.enter(_header(plab, 3), FORM),
            lambda: s.import_table(table, vid, svc.mapping_for(table, vid)),
            lambda: s.check(table, vid, svc.mapping_for(table, vid)),
            lambda: s.remembered_mapping("wai-c-s"),
            ana.perspectives.compute,
        ):
            with pytest.raises(AccessDenied, match="manager"):
                call()
    # self-report instruments are never offered to a coder on an assignment
    ana_id = plab.coders["Ana"]
    mine = [a for a in plab.study.assignments.list_all() if a.coder_id == ana_id]
    offered = {i.instrument.id for i in plab.study.definitions.assigned_instruments(mine[0].id)}
    assert offered == {"wai-o-s"}


def test_cli_refuses_a_coder(
    plab: PerspectiveLab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "client.csv", plab.client_rows)
    db = str(plab.path)
    args = ["selfreports", "import", db, str(path), "--instrument", "wai-c-s", "--as", "Ana"]
    assert main(args) == 2
    assert "only a manager may" in capsys.readouterr().err
    assert main(["perspectives", db, "--as", "Ben"]) == 2
    assert "only a manager may" in capsys.readouterr().err
    assert main(["selfreports", "list", db, "--as", "Ana"]) == 2
    assert plab.study.selfreports.all() == []


def test_a_form_saved_meanwhile_is_caught_by_the_database(
    plab: PerspectiveLab, monkeypatch: pytest.MonkeyPatch
) -> None:
    svc = plab.study.selfreports
    svc.enter(_header(plab), FORM)
    # another person's identical form got past the check (the race the constraint closes)
    monkeypatch.setattr(type(svc), "_find", lambda self, s, inst, identity: None)
    with pytest.raises(Conflict, match="saved by someone else meanwhile; nothing was written"):
        svc.enter(_header(plab), FORM | {"1": 1})
    monkeypatch.undo()
    (only,) = svc.all()
    assert only.responses == FORM
