"""Subjects in the agreement statistics: events matched within subject (the default) or across
subjects, chosen per request, by the study setting or on the command line; the agreement on
the subject of matched events reported beside; the same numbers in the export. Both engines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from observer_app.cli import main
from observer_app.coding import agreement as ag
from observer_app.coding.errors import InputError
from observer_app.export import export_study
from observer_app.services.reliability import ReliabilityRequest
from tests.reliability.subject_lab import ANA, BEN, TOLERANCE_MS, build_subject_lab


def _events(spec: tuple[tuple[str, int, str], ...]) -> list[tuple[str, int, None, str]]:
    return [(code, onset, None, subject) for code, onset, subject in spec]


def test_engine_matches_within_or_across_subjects() -> None:
    a, b = _events(ANA), _events(BEN)
    within = ag.point_event_agreement(a, b, TOLERANCE_MS, subjects="within")
    across = ag.point_event_agreement(a, b, TOLERANCE_MS, subjects="across")
    assert within.pairs == ((1, 1), (2, 2))
    assert across.pairs == ((0, 0), (1, 1), (2, 2))
    assert within.statistic("percent agreement").value == pytest.approx(0.5)
    assert across.statistic("percent agreement").value == pytest.approx(1.0)
    kappa = ag.subject_agreement(a, b, across.pairs)
    assert kappa.value == pytest.approx(0.4)
    assert kappa.n_units == 3
    # within subject every pair agrees on the subject
    assert ag.subject_agreement(a, b, within.pairs).details["p_observed"] == pytest.approx(1.0)
    assert ag.subject_agreement(a, b, ()).value is None


def test_service_within_is_the_default_across_on_request(
    study_location: str, tmp_path: Path
) -> None:
    lab = build_subject_lab(study_location, tmp_path)
    with lab.manager() as mia:
        svc = mia.reliability
        default = svc.compute(ReliabilityRequest(lab.scheme_id, tolerance_ms=TOLERANCE_MS))
        across = svc.compute(
            ReliabilityRequest(lab.scheme_id, tolerance_ms=TOLERANCE_MS, subjects="across")
        )
        assert default.subjects == "within" and across.subjects == "across"
        assert default.events is not None and across.events is not None
        assert default.events.statistic("percent agreement").value == pytest.approx(0.5)
        assert across.events.statistic("percent agreement").value == pytest.approx(1.0)
        al_within = next(c for c in default.codes if c.code == "AL")
        al_across = next(c for c in across.codes if c.code == "AL")
        assert (al_within.matched, al_within.unmatched_a, al_within.unmatched_b) == (2, 1, 1)
        assert (al_across.matched, al_across.unmatched_a, al_across.unmatched_b) == (3, 0, 0)
        for rep in (default, across):  # subject kappa: always over the across-subject pairs
            assert rep.subject_agreement is not None
            assert rep.subject_agreement.value == pytest.approx(0.4)
        assert default.to_dict()["settings"]["subjects"] == "within"
        assert default.to_dict()["subject_agreement"]["value"] == pytest.approx(0.4)
        # the study setting changes the default; a bad value is refused, nothing written
        mia.settings.set("reliability_subjects", "across")
        by_setting = svc.compute(ReliabilityRequest(lab.scheme_id, tolerance_ms=TOLERANCE_MS))
        assert by_setting.subjects == "across"
        with pytest.raises(InputError, match="reliability_subjects"):
            mia.settings.set("reliability_subjects", "sideways")
        assert mia.settings.get("reliability_subjects") == "across"
        with pytest.raises(InputError, match="subjects 'sideways'"):
            svc.compute(ReliabilityRequest(lab.scheme_id, subjects="sideways"))


def test_cli_subjects_option(
    study_location: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    build_subject_lab(study_location, tmp_path)
    results = {}
    for mode in ("within", "across"):
        monkeypatch.setattr("sys.stdin", __import__("io").StringIO("s3cret\n"))
        argv = ["reliability", study_location, "--as", "Mia Manager", "--tolerance", "500ms"]
        assert main([*argv, "--subjects", mode, "--json"]) == 0
        (report,) = json.loads(capsys.readouterr().out)["reports"]
        results[mode] = report
    pa = {
        m: next(s for s in r["events"]["results"] if s["name"] == "percent agreement")["value"]
        for m, r in results.items()
    }
    assert pa == pytest.approx({"within": 0.5, "across": 1.0})
    assert results["within"]["subject_agreement"]["value"] == pytest.approx(0.4)
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("s3cret\n"))
    with pytest.raises(SystemExit) as bad:
        main(["reliability", study_location, "--as", "Mia Manager", "--subjects", "both"])
    assert bad.value.code == 2
    assert "--subjects" in capsys.readouterr().err


def test_export_reliability_tables_carry_the_subjects(tmp_path: Path) -> None:
    lab = build_subject_lab(str(tmp_path / "lab.db"), tmp_path)
    with lab.manager() as mia:
        mia.settings.set("reliability_subjects", "across")
        summary = export_study(mia, tmp_path / "out.xlsx")
    wb = load_workbook(summary.xlsx)
    header = [c.value for c in wb["Reliability design"][1]]
    design = [
        dict(zip(header, r, strict=True))
        for r in wb["Reliability design"].iter_rows(min_row=2, values_only=True)
    ]
    scheme_row = next(r for r in design if r["definition_id"] == "subject-markers")
    assert scheme_row["subject_matching"] == "across"
    header = [c.value for c in wb["Reliability"][1]]
    rows = [
        dict(zip(header, r, strict=True))
        for r in wb["Reliability"].iter_rows(min_row=2, values_only=True)
    ]
    subj = [r for r in rows if r["target_kind"] == "subjects"]
    assert len(subj) == 1
    assert subj[0]["value"] == pytest.approx(0.4) and subj[0]["n_units"] == 3
    pa = next(
        r for r in rows if r["target_kind"] == "all_codes" and r["statistic"] == "percent agreement"
    )
    assert pa["value"] == pytest.approx(1.0)
