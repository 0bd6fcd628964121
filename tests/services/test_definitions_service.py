"""Definitions stored in a study: versions by content hash, validation of events and ratings
against the version used, completion rules per unit, text packs."""

from __future__ import annotations

from pathlib import Path

import pytest

from observer_app.coding.definitions import score_responses
from observer_app.coding.errors import DefinitionError, InputError
from observer_app.coding.resources import resource_path

from .conftest import Lab


def _scheme(lab: Lab) -> int:
    return lab.admin.definitions.import_builtin("scheme", "3rs").id


def test_same_content_is_one_version_and_a_change_is_a_new_one(lab: Lab, tmp_path: Path) -> None:
    text = resource_path("instruments", "alliance-quick-demo.toml").read_text(encoding="utf-8")
    first = lab.admin.definitions.import_text(text, "aq.toml")
    again = lab.admin.definitions.import_text("# a comment only\n" + text, "aq-copy.toml")
    assert again.id == first.id and again.content_hash == first.content_hash
    changed = text.replace("min_answered = 0.8", "min_answered = 0.5")
    second = lab.admin.definitions.import_text(changed, "aq-v2.toml")
    assert second.id != first.id and second.content_hash != first.content_hash
    versions = {v.id: v.attached for v in lab.admin.definitions.versions("instrument")}
    assert versions == {first.id: False, second.id: True}
    # The stored rating still points at (and is validated by) the version it was made with.
    a = lab.admin.assignments.create(lab.rec1, lab.ana).id
    r = lab.as_("Ana Alves").ratings.set(a, first.id, "1", 4)
    assert r.instrument_version_id == first.id
    assert lab.admin.definitions.instrument(first.id).scoring.min_answered == 0.8


def test_invalid_definition_is_refused_with_located_problems(lab: Lab) -> None:
    bad = resource_path("instruments", "alliance-quick-demo.toml").read_text(encoding="utf-8")
    bad = bad.replace('subscale = "Bordin"', 'subscale = "Bordn"', 1)
    with pytest.raises(DefinitionError, match=r"bad\.toml: items\[1\]\.subscale \(line \d+\)"):
        lab.admin.definitions.import_text(bad, "bad.toml")
    assert lab.admin.definitions.versions() == []


def test_events_are_validated_against_the_scheme_version(lab: Lab) -> None:
    scheme_id = _scheme(lab)
    a = lab.admin.assignments.create(lab.rec1, lab.ana, scheme_version_id=scheme_id).id
    ana = lab.as_("Ana Alves")
    assert ana.events.log(a, "W1", 1_000).code == "W1"
    with pytest.raises(InputError, match="'ZZ' is not in coding scheme 3rs"):
        ana.events.log(a, "ZZ", 2_000)
    with pytest.raises(InputError, match="point code"):
        ana.events.log(a, "W1", 2_000, is_state=True)
    with pytest.raises(InputError):
        ana.events.log(a, "W1", 3_000, modifiers={"unknown": 1})


def test_ratings_are_validated_and_completion_needs_every_unit(lab: Lab) -> None:
    scheme_id = _scheme(lab)
    defs = lab.admin.definitions
    seg = defs.import_builtin("instrument", "3rs-segment").id
    ses = defs.import_builtin("instrument", "3rs-session").id
    a = lab.admin.assignments.create(lab.rec1, lab.ana, scheme_version_id=scheme_id).id
    ana = lab.as_("Ana Alves")
    assigned = ana.definitions.assigned_instruments(a)
    assert [x.instrument.id for x in assigned] == ["3rs-segment", "3rs-session"]
    # The fixture's media has no probed duration: zero segments; a known duration gives units.
    with pytest.raises(InputError, match="not on the scale"):
        ana.ratings.set(a, ses, defs.instrument(ses).items[0].id, 99)
    with pytest.raises(InputError, match="rated per session"):
        ana.ratings.set(a, ses, defs.instrument(ses).items[0].id, 1, unit_kind="segment")
    with pytest.raises(InputError, match="not in instrument"):
        ana.ratings.set(a, seg, "nope", 1, unit_kind="segment")
    problems = ana.assignments.problems(a)
    assert [p.kind for p in problems] == ["missing_item"]
    assert problems[0].instrument_version_id == ses
    for item in defs.instrument(ses).items:
        ana.ratings.set(a, ses, item.id, defs.instrument(ses).scale_of(item).min)
    assert ana.assignments.complete(a) == []


def test_segment_units_follow_the_recording_duration(lab: Lab, tmp_path: Path) -> None:
    from observer_app.services.study import Study

    class Probe:
        duration_ms, has_video, fps = 12 * 60_000 + 5, True, 25.0

    with Study.open(lab.path, probe=lambda _p: Probe()) as admin:
        media = tmp_path / "long.mp4"
        media.write_bytes(b"L" * 5000)
        rec = admin.recordings.add(media)
        scheme_id = admin.definitions.import_builtin("scheme", "3rs").id
        seg = admin.definitions.import_builtin("instrument", "3rs-segment").id
        a = admin.assignments.create(rec.id, lab.ana, scheme_version_id=scheme_id).id
        units = admin.definitions.assigned_instruments(a)[0].units
        assert units == (("segment", 0), ("segment", 1), ("segment", 2))
        unrated = [p for p in admin.assignments.problems(a) if p.kind == "unrated_segment"]
        assert [p.unit_index for p in unrated] == [0, 1, 2]
        assert all(p.instrument_version_id == seg for p in unrated)


def test_text_pack_import_and_lookup(lab: Lab, tmp_path: Path) -> None:
    wai = lab.admin.definitions.import_builtin("instrument", "wai-o").id
    inst = lab.admin.definitions.instrument(wai)
    pack = tmp_path / "wai-o-lab.toml"
    lines = [
        'kind = "textpack"',
        "format_version = 1",
        'instrument = "wai-o"',
        f'instrument_version = "{inst.version}"',
        'source = "our licensed copy"',
        "[items]",
        '"1" = "Lab wording one"',
    ]
    pack.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert lab.admin.definitions.text_pack(wai) is None
    lab.admin.definitions.import_text_pack(pack)
    stored = lab.admin.definitions.text_pack(wai)
    assert stored is not None and stored.text_for("1") == "Lab wording one"
    bad = tmp_path / "bad-pack.toml"
    bad.write_text("\n".join([*lines, '"999" = "no such item"']) + "\n", encoding="utf-8")
    with pytest.raises(DefinitionError, match="999"):
        lab.admin.definitions.import_text_pack(bad)


def test_score_cli_matches_the_scoring_functions(tmp_path: Path) -> None:
    from observer_app.services.demo import ensure_demo_study
    from observer_app.services.study import Study

    with Study.open(ensure_demo_study(tmp_path)) as study:
        rows = study.scores.for_study(study.assignments.list_all(), study.ratings.all_in_study())
        demo = study.definitions.instrument_version("alliance-quick-demo")
        assert demo is not None
        inst = study.definitions.instrument(demo.id)
        for assignment in study.assignments.list_all():
            ratings = [
                r
                for r in study.ratings.for_assignment(assignment.id)
                if r.instrument_version_id == demo.id
            ]
            if not ratings:
                continue
            expected = score_responses(
                inst, {r.item_id: int(r.value) for r in ratings if r.value is not None}
            ).values()
            got = {
                r.score_id: r.value
                for r in rows
                if r.assignment_id == assignment.id and r.instrument_version_id == demo.id
            }
            assert got == expected
