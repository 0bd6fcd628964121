"""Key sign-off and re-key after a correction, on a real SQLite study (issue 10).

The study starts with the WAI-O-S file this project shipped before issue 10 (the WAI-SR-like key:
Task 1 2 10 12, Goal 4 6 8 11, nothing reversed) and is re-keyed mid-study to the corrected file
(Task 1 2 8 12, Goal 4 6 10 11, items 4 and 10 reversed, Agreement = Goal + Task). Three coders:
Ana finishes before the correction, Ben straddles it, Cy rates only after it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from observer_app.coding.errors import AccessDenied, InputError, NotFound
from observer_app.coding.resources import resource_path
from observer_app.services.instrument_keys import KEY_NOT_CHECKED
from observer_app.services.reliability import ReliabilityRequest
from observer_app.services.study import Study
from tests.services.conftest import make_media

OLD = (Path(__file__).parent / "wai-o-s-before-issue-10.toml").read_text(encoding="utf-8")
NEW = resource_path("instruments", "wai-o-s.toml").read_text(encoding="utf-8")

ANA = [7, 6, 5, 2, 4, 3, 6, 5, 7, 1, 2, 6]  # items 1..12 (the worked vector of the key tests)
ANA_2 = [5, 5, 5, 3, 5, 5, 5, 5, 5, 3, 5, 5]
BEN = [6, 6, 5, 3, 4, 3, 6, 5, 6, 2, 2, 5]
CY = [7, 7, 6, 1, 5, 4, 6, 6, 7, 1, 3, 6]


class Lab:
    def __init__(self, tmp_path: Path) -> None:
        self.path = tmp_path / "lab.db"
        admin = Study.create(self.path, "Re-key")
        self.ana = admin.coders.add("Ana Alves").id
        self.ben = admin.coders.add("Ben Brook").id
        self.cy = admin.coders.add("Cy Cole").id
        admin.coders.add("Mia Manager", role="manager")
        self.rec1 = admin.recordings.add(make_media(tmp_path, "s1.mp4", seed=1)).id
        self.rec2 = admin.recordings.add(make_media(tmp_path, "s2.mp4", seed=2)).id
        self.v1 = admin.definitions.import_text(OLD, "wai-o-s.toml").id
        a = admin.assignments
        self.a1 = a.create(self.rec1, self.ana).id
        self.a2 = a.create(self.rec2, self.ana).id
        self.b1 = a.create(self.rec1, self.ben, purpose="reliability").id
        self.b2 = a.create(self.rec2, self.ben, purpose="reliability").id
        self.c1 = a.create(self.rec1, self.cy, purpose="reliability").id
        admin.close()

    def as_(self, name: str) -> Study:
        return Study.open(self.path, as_coder=name, backup=False)


def _rate(study: Study, assignment: int, version: int, values: list[int], items: range) -> None:
    for i in items:
        study.ratings.set(assignment, version, str(i), values[i - 1])


@pytest.fixture
def lab(tmp_path: Path) -> Lab:
    lab = Lab(tmp_path)
    with lab.as_("Ana Alves") as ana:
        _rate(ana, lab.a1, lab.v1, ANA, range(1, 13))
        _rate(ana, lab.a2, lab.v1, ANA_2, range(1, 13))
        assert ana.assignments.complete(lab.a1) == []
        assert ana.assignments.complete(lab.a2) == []
    with lab.as_("Ben Brook") as ben:
        _rate(ben, lab.b2, lab.v1, ANA_2, range(1, 13))
        assert ben.assignments.complete(lab.b2) == []
        _rate(ben, lab.b1, lab.v1, BEN, range(1, 7))  # half done when the key is corrected
    return lab


def _scores(study: Study) -> dict[tuple[int, str], tuple[float | None, float | None]]:
    rows = study.scores.for_study(study.assignments.list_all(), study.ratings.all_in_study())
    return {(r.assignment_id, r.score_id): (r.mean, r.sum) for r in rows}


def test_rekey_carries_responses_rescores_and_audits(lab: Lab) -> None:
    with lab.as_("Mia Manager") as mia:
        before = _scores(mia)
        # the old, wrong key: Task = 1 2 10 12 = 7+6+1+6, Goal = 4 6 8 11 = 2+3+5+2, no reversal
        assert before[(lab.a1, "Task")] == (5.0, 20.0)
        assert before[(lab.a1, "Goal")] == (3.0, 12.0)
        n_audit = len(mia.audit.entries())
        ratings_before = {r.id: r for r in mia.ratings.all_in_study()}
        result = mia.instrument_keys.rekey_text(NEW, "wai-o-s.toml", note="issue 10 key")
        assert result.from_version_id == lab.v1 and result.to_version_id != lab.v1
        assert result.ratings_moved == 12 + 12 + 12 + 6
        assert result.forms_rescored == 4
        # a1: Task, Goal, total change; Bond does not. a2 / b2 (5s, items 4 and 10 = 3):
        # Goal 5+5+5+3 -> (8-3)+5+(8-3)+5: changes, and so does the total; Task 5 5 3 5 -> 5 5 5 5.
        # b1 (6 of 12 answered) has no score under either key.
        assert result.scores_changed == 3 + 3 + 3
        assert "item 4: reverse-keyed" in result.changes
        assert "item 8: subscale Goal -> Task" in result.changes
        assert "scores added: Agreement" in result.changes
        v2 = result.to_version_id

        after = _scores(mia)
        assert after[(lab.a1, "Task")] == (6.0, 24.0)  # 7+6+5+6
        assert after[(lab.a1, "Goal")] == (4.5, 18.0)  # (8-2)+3+(8-1)+2
        assert after[(lab.a1, "Bond")] == before[(lab.a1, "Bond")] == (5.5, 22.0)
        assert after[(lab.a1, "Agreement")] == (5.25, 42.0)
        assert after[(lab.a1, "total")][1] == 64.0

        # responses unchanged, now on the new version; the old version kept, detached
        ratings_after = {r.id: r for r in mia.ratings.all_in_study()}
        assert ratings_after.keys() == ratings_before.keys()
        for rid, r in ratings_after.items():
            old = ratings_before[rid]
            assert (r.item_id, r.value, r.assignment_id) == (
                old.item_id,
                old.value,
                old.assignment_id,
            )
            assert r.instrument_version_id == v2
        versions = {v.id: v for v in mia.definitions.versions("instrument")}
        assert versions[lab.v1].attached is False and versions[v2].attached is True
        assert mia.definitions.instrument(lab.v1).content_hash == versions[lab.v1].content_hash

        # one audited transaction: every moved rating, the new version, the re-key record
        new_entries = mia.audit.entries()[n_audit:]
        assert {e.context for e in new_entries} == {f"re-key wai-o-s #{lab.v1} to wai-o-s.toml"}
        moved = [e for e in new_entries if e.entity == "rating" and e.action == "update"]
        assert len(moved) == 42
        assert all(
            e.before is not None
            and e.after is not None
            and e.before["instrument_version_id"] == lab.v1
            and e.after["instrument_version_id"] == v2
            for e in moved
        )
        assert [e.entity for e in new_entries if e.action == "insert"] == [
            "definition_version",
            "instrument_rekey",
        ]
        assert all(e.actor_name == "Mia Manager" for e in new_entries)
        history = mia.instrument_keys.rekeys()
        assert [(h.from_version_id, h.to_version_id, h.ratings_moved) for h in history] == [
            (lab.v1, v2, 42)
        ]


def test_after_rekey_work_continues_and_reliability_spans_it(lab: Lab) -> None:
    with lab.as_("Mia Manager") as mia:
        v2 = mia.instrument_keys.rekey_text(NEW, "wai-o-s.toml").to_version_id
    # Ben finishes on the new version: only the 6 unanswered items are asked for
    with lab.as_("Ben Brook") as ben:
        assigned = ben.definitions.assigned_instruments(lab.b1)
        assert [a.version_id for a in assigned] == [v2]
        problems = ben.assignments.complete(lab.b1)
        assert len(problems) == 1 and "6 required item(s) unanswered (7, 8, 9, 10, 11 ...)" in (
            problems[0].message
        )
        _rate(ben, lab.b1, v2, BEN, range(7, 13))
        assert ben.assignments.complete(lab.b1) == []
    with lab.as_("Cy Cole") as cy:
        _rate(cy, lab.c1, v2, CY, range(1, 13))
        assert cy.assignments.complete(lab.c1) == []
    with lab.as_("Mia Manager") as mia:
        # a reopened assignment completed before the re-key asks for nothing again
        mia.assignments.reopen(lab.a1)
        assert mia.assignments.complete(lab.a1) == []
        assert mia.reliability.versions_with_data() == [v2]  # nothing left on the old version
        report = mia.reliability.compute(ReliabilityRequest(v2, bootstrap=50, layout="coders"))
    # the design unit is the primary + blind reliability pair (issue 13): Cy, a third coder on
    # rec1, is analysed apart and never shrinks the main analysis
    assert {c.name for c in report.coders} == {"Ana Alves", "Ben Brook"}
    goal = next(s for s in report.scores if s.id == "Goal")
    # Goal means under the corrected key, per recording and coder (items 4r 6 10r 11):
    # rec1: Ana (6+3+7+2)/4 = 4.5, Ben (5+3+6+2)/4 = 4.0, Cy (7+4+7+3)/4 = 5.25
    # rec2: Ana = Ben = (5+5+5+5)/4 = 5.0, Cy did not rate it
    by_coder = dict(zip(goal.matrix.coders, zip(*goal.matrix.values, strict=True), strict=True))
    assert by_coder["Ana Alves"] == (4.5, 5.0)
    assert by_coder["Ben Brook"] == (4.0, 5.0)
    assert goal.alpha.n_units == 2


def test_signoff_per_version_shown_and_audited(lab: Lab) -> None:
    with lab.as_("Mia Manager") as mia:
        assert mia.instrument_keys.key_check(lab.v1) == KEY_NOT_CHECKED
        info = mia.instrument_keys.sign_off(lab.v1, "WAI-O-S (Santirso et al. 2018) Table 1", "BL")
        assert info.signed_by == "Mia Manager"
        assert mia.instrument_keys.key_check(lab.v1).startswith(
            f"key checked by Mia Manager on {info.signed_at.date()} against WAI-O-S"
        )
        audit = mia.audit.entries(entity="key_signoff")
        assert [(e.action, e.after and e.after["manual"]) for e in audit] == [
            ("insert", "WAI-O-S (Santirso et al. 2018) Table 1")
        ]
        v2 = mia.instrument_keys.rekey_text(NEW, "wai-o-s.toml").to_version_id
        # a corrected key is a new key: not checked until signed off again; the old one kept
        assert mia.instrument_keys.key_check(v2) == KEY_NOT_CHECKED
        assert mia.instrument_keys.signoff(lab.v1) == info
        with pytest.raises(InputError, match="name the manual"):
            mia.instrument_keys.sign_off(v2, "  ")
    with lab.as_("Ana Alves") as ana:
        with pytest.raises(AccessDenied):
            ana.instrument_keys.sign_off(lab.v1, "manual")
        with pytest.raises(AccessDenied):
            ana.instrument_keys.rekey_text(NEW, "wai-o-s.toml")


def _changed(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


REFUSED = [
    (
        "an item removed",
        lambda t: _changed(t[: t.rindex("[[items]]")], '"11", "12"]', '"11"]'),
        "items removed (12)",
    ),
    (
        "an item added",
        lambda t: t + '\n[[items]]\nid = "13"\nsubscale = "Bond"\n',
        "items added (13)",
    ),
    (
        "items renumbered",
        lambda t: _changed(
            _changed(t, 'id = "1"\n', 'id = "X"\n'), 'id = "2"\n', 'id = "1"\n'
        ).replace('id = "X"\n', 'id = "2"\n'),
        "items renumbered or reordered (2, 1)",
    ),
    (
        "a scale changed",
        lambda t: (
            _changed(t, "min = 1\nmax = 7", "min = 0\nmax = 6")
            .replace("anchors = { 1 = ", "anchors = { 0 = ")
            .replace(", 7 = ", ", 6 = ")
        ),
        "item 1: scale 1..7 becomes 0..6",
    ),
]


@pytest.mark.parametrize("case", REFUSED, ids=[c[0] for c in REFUSED])
def test_a_correction_that_changes_items_is_refused(
    lab: Lab, case: tuple[str, object, str]
) -> None:
    _, change, message = case
    assert callable(change)
    text = change(NEW)
    with lab.as_("Mia Manager") as mia:
        n_audit = len(mia.audit.entries())
        versions = mia.definitions.versions()
        ratings = mia.ratings.all_in_study()
        with pytest.raises(InputError) as err:
            mia.instrument_keys.rekey_text(text, "wai-o-s-fixed.toml")
        assert message in str(err.value)
        assert "not a re-key of wai-o-s" in str(err.value)
        assert "a correction that changes items is a new instrument" in str(err.value)
        # nothing written
        assert len(mia.audit.entries()) == n_audit
        assert mia.definitions.versions() == versions
        assert mia.ratings.all_in_study() == ratings


def test_rekey_with_the_same_content_or_another_instrument_is_refused(lab: Lab) -> None:
    with lab.as_("Mia Manager") as mia:
        with pytest.raises(InputError, match="the same content"):
            mia.instrument_keys.rekey_text(OLD, "again.toml")
        other = resource_path("instruments", "wai-c-s.toml").read_text(encoding="utf-8")
        with pytest.raises(NotFound, match="is not attached to the study"):
            mia.instrument_keys.rekey_text(other, "wai-c-s.toml")
        with pytest.raises(InputError, match="it is instrument 'wai-c-s', not 'wai-o-s'"):
            mia.instrument_keys.rekey_text(other, "wai-c-s.toml", from_version_id=lab.v1)


def test_rekey_to_a_version_already_imported(lab: Lab) -> None:
    """A lab that imported the corrected file first re-keys the old version's responses to it."""
    with lab.as_("Mia Manager") as mia:
        v2 = mia.definitions.import_text(NEW, "wai-o-s.toml").id
        with pytest.raises(InputError, match="name that one with --from-version"):
            mia.instrument_keys.rekey_text(NEW, "wai-o-s.toml")
        result = mia.instrument_keys.rekey_text(NEW, "wai-o-s.toml", from_version_id=lab.v1)
        assert (result.to_version_id, result.ratings_moved) == (v2, 42)
        assert {r.instrument_version_id for r in mia.ratings.all_in_study()} == {v2}


@pytest.mark.postgres
def test_rekey_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    """The same re-key, audit and sign-off on a real PostgreSQL server (its own database)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("CREATE DATABASE observer_rekey"))
    engine.dispose()
    url = postgres_url.replace("/observer_test", "/observer_rekey")
    with Study.create(url, "PG re-key") as admin:
        ana = admin.coders.add("Ana Alves").id
        rec = admin.recordings.add(make_media(tmp_path, "pg.mp4", seed=5)).id
        v1 = admin.definitions.import_text(OLD, "wai-o-s.toml").id
        a = admin.assignments.create(rec, ana).id
        _rate(admin, a, v1, ANA, range(1, 13))
        admin.instrument_keys.sign_off(v1, "manual")
        result = admin.instrument_keys.rekey_text(NEW, "wai-o-s.toml")
        assert (result.ratings_moved, result.scores_changed) == (12, 3)
        moved = [e for e in admin.audit.entries(entity="rating") if e.action == "update"]
        assert len(moved) == 12
        assert _scores(admin)[(a, "Goal")] == (4.5, 18.0)
        assert admin.instrument_keys.key_check(result.to_version_id) == KEY_NOT_CHECKED
        assert admin.instrument_keys.key_check(v1).startswith("key checked by administrator")
