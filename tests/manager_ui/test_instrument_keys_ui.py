"""The definitions tab's key sign-off and re-key actions, and the form header (issue 10)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from observer_app.coding.definitions import builtin_instrument
from observer_app.coding.resources import resource_path
from observer_app.services.instrument_keys import KEY_NOT_CHECKED
from observer_app.ui.instrument_form import InstrumentForm
from observer_app.ui.manager.definitions import DefinitionsPage
from tests.instrument_keys.test_rekey import ANA, OLD

from .conftest import Lab

KEY_COLUMN = 5


def _key_cell(page: DefinitionsPage, version_id: int) -> str:
    row = next(i for i, d in enumerate(page.model.rows()) if d.id == version_id)
    return str(page.model.index(row, KEY_COLUMN).data())


def test_sign_off_and_rekey_from_the_definitions_tab(
    lab: Lab, qtbot: QtBot, tmp_path: Path, qtmodeltester
) -> None:
    old_file = tmp_path / "wai-o-s-old.toml"
    old_file.write_text(OLD, encoding="utf-8")
    page = DefinitionsPage(lab.study)
    qtbot.addWidget(page)
    info = page.import_file(old_file)
    assert info is not None
    assert page.model.headerData(KEY_COLUMN, Qt.Orientation.Horizontal) == "Key check"
    assert _key_cell(page, info.id) == KEY_NOT_CHECKED
    assert "unconfirmed fact(s) (verify)" in page.details.text()
    assert page.signoff_button.isEnabled() and page.rekey_button.isEnabled()

    assert page.sign_off_selected("WAI-O-S manual, 2018", "checked by two of us")
    assert _key_cell(page, info.id).startswith("key checked by administrator on ")
    assert "Key: key checked by administrator" in page.details.text()

    # responses on the old key, then a refused correction and a real one
    a = lab.study.assignments.create(lab.recordings[0], lab.coders["Ana Alves"]).id
    for i, value in enumerate(ANA, start=1):
        lab.study.ratings.set(a, info.id, str(i), value)
    fixed = resource_path("instruments", "wai-o-s.toml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(fixed + '\n[[items]]\nid = "13"\nsubscale = "Bond"\n', encoding="utf-8")
    assert page.rekey_selected(bad) is None
    assert "Not re-keyed" in page.status.text() and "items added (13)" in page.status.text()
    good = tmp_path / "wai-o-s.toml"
    good.write_text(fixed, encoding="utf-8")
    result = page.rekey_selected(good)
    assert result is not None and result.ratings_moved == 12
    assert page.selected() is not None and page.selected().id == result.to_version_id
    assert _key_cell(page, result.to_version_id) == KEY_NOT_CHECKED
    assert "12 responses carried" in page.problems.toPlainText()
    assert "item 10: reverse-keyed" in page.problems.toPlainText()
    qtmodeltester.check(page.model)


def test_form_header_shows_key_check_and_verify(qtbot: QtBot) -> None:
    inst = builtin_instrument("wai-o")
    form = InstrumentForm(1, inst)
    qtbot.addWidget(form)
    text = form.key_label.text()
    assert "Key not checked" in text
    assert "unconfirmed fact(s) (verify)" in text
    assert "item 9: subscale:" in form.key_label.toolTip()
    signed = InstrumentForm(1, inst, key_check="key checked by Mo on 2026-12-03 against WAI-O IV")
    qtbot.addWidget(signed)
    assert "Key: key checked by Mo on 2026-12-03 against WAI-O IV" in signed.key_label.text()
