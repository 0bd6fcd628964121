"""The start-up queue (blinding), sign-in, the item models under qtmodeltester, the CLI."""

from __future__ import annotations

import io
from typing import Any

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from observer_app.cli import main
from observer_app.coding.errors import AuthenticationError
from observer_app.services.records import Problem
from observer_app.services.study import Study
from observer_app.ui.models import CategoryFilterModel, EventTableModel, ProblemModel, QueueModel
from observer_app.ui.session import CodingSession
from observer_app.ui.startup import LoginDialog, QueueDialog


def test_queue_lists_only_this_coders_work_and_hides_blind_purposes(qtbot: QtBot, lab: Any) -> None:
    with lab.open_as("Ana Alves") as study:
        dialog = QueueDialog(study)
        qtbot.addWidget(dialog)
        model = dialog.model
        ids = [model.assignment(r).id for r in range(model.rowCount())]
        assert sorted(ids) == sorted([lab.mine, lab.reliability])  # never Ben's
        purposes = {model.index(r, 2).data() for r in range(model.rowCount())}
        assert purposes == {"Blind"}  # a reliability re-code is not announced as such
        assert all(model.assignment(r).purpose is None for r in range(model.rowCount()))
        assert {model.index(r, 3).data() for r in range(model.rowCount())} == {"Not started"}
        study.events.log(lab.mine, "nod", 1000)
        study.assignments.set_position(lab.mine, 95_000)
    with lab.open_as("Ana Alves") as study:
        dialog = QueueDialog(study)
        qtbot.addWidget(dialog)
        row = [dialog.model.assignment(r).id for r in range(2)].index(lab.mine)
        assert dialog.model.index(row, 3).data() == "In progress"
        assert dialog.model.index(row, 4).data().startswith("50 %")  # 95 of 190 s
        dialog.view.selectRow(row)
        dialog.accept()
        assert dialog.chosen == lab.mine


def test_manager_sees_purposes(qtbot: QtBot, lab: Any) -> None:
    with Study.open(lab.path, backup=False) as admin:
        model = QueueModel()
        model.set_rows([(a, 150_000) for a in admin.assignments.list_all()])
        assert {model.index(r, 2).data() for r in range(model.rowCount())} == {
            "Primary",
            "Reliability",
        }


def test_sign_in_with_password(qtbot: QtBot, lab: Any) -> None:
    with Study.open(lab.path, backup=False) as admin:
        coders = admin.coders.all()

    def open_as(name: str, password: str | None) -> Study:
        return Study.open(lab.path, as_coder=name, password=password, backup=False)

    dialog = LoginDialog("UI test study", coders, open_as)
    qtbot.addWidget(dialog)
    dialog.choose("Ben Brook", "wrong")
    assert dialog.password.isEnabled()
    dialog.accept()
    assert dialog.study is None and "wrong password" in dialog.error.text()
    dialog.choose("Ben Brook", "pw-ben")
    dialog.accept()
    assert dialog.study is not None and dialog.study.actor.name == "Ben Brook"
    dialog.study.close()
    dialog.choose("Ana Alves")
    assert not dialog.password.isEnabled()


def test_models_pass_qtmodeltester(qtmodeltester: ModelTester, qtbot: QtBot, lab: Any) -> None:
    with lab.open_as("Ana Alves") as study:
        for t, code in ((3_000, "nod"), (1_000, "talk"), (2_000, "nod")):
            study.events.log(lab.mine, code, t, is_state=code == "talk", comment=f"c{t}")
        session = CodingSession(study, lab.mine)
        events = EventTableModel(session.scheme, lambda _id, _changes: True)
        events.set_events(session.events.values())
        qtmodeltester.check(events, force_py=True)
        assert [events.index(r, 0).data() for r in range(3)] == [
            "00:00:01.000",
            "00:00:02.000",
            "00:00:03.000",
        ]
        assert events.index(0, EventTableModel.END).data() == "open"
        proxy = CategoryFilterModel()
        proxy.setSourceModel(events)
        proxy.set_categories(["states"])
        qtmodeltester.check(proxy, force_py=True)
        assert proxy.rowCount() == 1
        queue = QueueModel()
        queue.set_rows([(a, 150_000) for a in study.assignments.mine()])
        qtmodeltester.check(queue, force_py=True)
        problems = ProblemModel()
        problems.set_problems(session.problems())
        qtmodeltester.check(problems, force_py=True)
        assert isinstance(problems.problem(0), Problem)


def test_event_model_incremental_updates_keep_time_order(
    qtmodeltester: ModelTester, lab: Any
) -> None:
    with lab.open_as("Ana Alves") as study:
        model = EventTableModel(None)
        qtmodeltester.check(model, force_py=True)
        records = [study.events.log(lab.mine, "nod", t) for t in (5_000, 1_000, 3_000)]
        for r in records:
            model.upsert(r)
        moved = study.events.update(records[0].id, onset_ms=0)
        model.upsert(moved)
        model.upsert(study.events.delete(records[2].id))
        assert [model.event_at(r).onset_ms for r in range(model.rowCount())] == [0, 1_000]


def test_cli_code_refuses_unknown_coder_and_wrong_password(
    lab: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["code", str(lab.path), "--coder", "Nobody"]) == 2
    assert "no coder named 'Nobody'" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("not-the-password\n"))
    assert main(["code", str(lab.path), "--coder", "Ben Brook"]) == 2
    assert "wrong password" in capsys.readouterr().err
    assert main(["code", str(lab.path) + ".missing", "--coder", "Ana Alves"]) == 2


def test_cli_code_opens_the_window_on_the_assignment(
    lab: Any, monkeypatch: pytest.MonkeyPatch, qapp: Any
) -> None:
    seen: dict[str, Any] = {}

    def fake_run(path: Any, coder: str, password: str | None, assignment: int | None) -> int:
        with Study.open(path, as_coder=coder, password=password, backup=False) as study:
            seen["actor"] = study.actor.name
            seen["assignment"] = study.assignments.get(assignment).id if assignment else None
        return 0

    monkeypatch.setattr("observer_app.app.run_coding", fake_run)
    monkeypatch.setattr("sys.stdin", io.StringIO("pw-ben\n"))
    assert main(["code", str(lab.path), "--coder", "Ben Brook", "--assignment", str(lab.bens)]) == 0
    assert seen == {"actor": "Ben Brook", "assignment": lab.bens}
    with pytest.raises(AuthenticationError):
        Study.open(lab.path, as_coder="Ben Brook", backup=False)


def test_no_study_path_opens_the_demo_study(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot
) -> None:
    from observer_app.app import demo_study_path

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    path = demo_study_path()
    assert path.is_file() and path.is_relative_to(tmp_path)
    with Study.open(path, backup=False) as admin:
        coders = [c.name for c in admin.coders.all() if c.role == "coder"]
    with Study.open(path, as_coder=coders[0], backup=False) as study:
        dialog = QueueDialog(study)
        qtbot.addWidget(dialog)
        assert dialog.model.rowCount() >= 1
