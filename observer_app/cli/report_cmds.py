"""``observer-app export`` (Excel workbook and CSV) and ``observer-app reliability`` (the
reliability dashboard's numbers as text or JSON)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from observer_app.cli._output import print_json, print_table
from observer_app.cli._study import ArchivePassword, add_study_argument, open_study
from observer_app.cli.agree_cmds import parse_duration_ms
from observer_app.coding.agreement import AgreementResult
from observer_app.coding.errors import InputError
from observer_app.services.reliability import (
    ICC_FORM_NAMES,
    SUBJECT_MODES,
    ReliabilityReport,
    ReliabilityRequest,
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "export",
        help="export the study: Excel workbook, CSV, SPSS and Stata files",
        description="An analysis data set: every table with its context columns, a codebook "
        "(one row per variable), wide Sessions and Segments tables, tidy reliability tables. "
        "Give any of --xlsx, --csv-dir, --sav, --dta. Nothing is written unless all of it "
        "succeeds.",
    )
    add_study_argument(p)
    p.add_argument("--xlsx", type=Path, help="workbook to write (.xlsx)")
    p.add_argument(
        "--csv-dir",
        type=Path,
        help="one UTF-8 CSV file per table here, and read_observer_export.R to read them in R",
    )
    p.add_argument("--no-bom", action="store_true", help="CSV files without a byte-order mark")
    p.add_argument("--sav", type=Path, metavar="DIR", help="one SPSS .sav file per table here")
    p.add_argument("--dta", type=Path, metavar="DIR", help="one Stata .dta file per table here")
    p.add_argument(
        "--pseudonymize", action="store_true", help="replace coder names by codes C01, C02, ..."
    )
    p.add_argument(
        "--encrypt",
        type=Path,
        metavar="ARCHIVE.zip",
        help="write one AES-256 zip instead (7-Zip reads it): --xlsx, --csv-dir, --sav, --dta "
        "then only choose what goes in (default: all there is), nothing is written in plain; "
        "its password: the next line on standard input, else the keyring (login --archive)",
    )
    _common(p)
    p.add_argument("--quiet", action="store_true", help="no progress on standard error")
    p.set_defaults(handler=_export)

    r = sub.add_parser(
        "reliability",
        help="inter-rater reliability of every scheme and instrument with coded data",
        description="The reliability dashboard's numbers: ICC forms, Krippendorff's alpha and "
        "kappa per item, subscale and total; event and segment agreement per code; drift "
        "against the master coder.",
    )
    add_study_argument(r)
    _common(r)
    r.add_argument("--master", help="master coder's name (calibration and drift)")
    r.add_argument("--json", action="store_true", help="print one JSON object")
    r.set_defaults(handler=_reliability)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tolerance", default="2s", help="event matching window, e.g. 2s, 1500ms")
    p.add_argument(
        "--icc-form",
        default="auto",
        choices=("auto", *ICC_FORM_NAMES),
        help="auto: the form that matches the design (named with the reason)",
    )
    p.add_argument(
        "--subjects",
        choices=SUBJECT_MODES,
        default=None,
        help="match events within subject (default, or the study setting "
        "reliability_subjects) or across subjects (subject ignored)",
    )
    p.add_argument(
        "--include-incomplete",
        action="store_true",
        help="count assignments that are not complete in reliability",
    )


def _export(args: argparse.Namespace) -> int:
    from observer_app.export import ExportOptions, export_study

    options = ExportOptions(
        tolerance_ms=parse_duration_ms(args.tolerance, "tolerance"),
        pseudonymize=args.pseudonymize,
        icc_form=args.icc_form,
        completed_only=not args.include_incomplete,
        csv_bom=not args.no_bom,
        subjects=args.subjects,
    )
    if args.encrypt is not None:
        return _export_encrypted(args, options)
    if not (args.xlsx or args.csv_dir or args.sav or args.dta):
        raise InputError("nothing to write: give --xlsx, --csv-dir, --sav, --dta or --encrypt")
    progress = _progress(args)
    with open_study(args, backup=False) as study:
        summary = export_study(
            study,
            args.xlsx,
            csv_dir=args.csv_dir,
            sav_dir=args.sav,
            dta_dir=args.dta,
            options=options,
            progress=progress,
        )
    if progress is not None:
        print(file=sys.stderr)
    rows = summary.rows
    what = summary.xlsx if summary.xlsx is not None else "the data set"
    print(
        f"wrote {what} ({len(rows)} sheets; {rows.get('Events', 0)} events, "
        f"{rows.get('Ratings', 0)} ratings) in {summary.seconds:.1f} s"
    )
    for kind, files in (
        ("CSV", summary.csv_files),
        ("SPSS", summary.sav_files),
        ("Stata", summary.dta_files),
    ):
        if files:
            print(f"wrote {len(files)} {kind} files to {files[0].parent}")
    return 0


def _progress(args: argparse.Namespace) -> Any:
    return None if args.quiet or not sys.stderr.isatty() else _progress_line


def _export_encrypted(args: argparse.Namespace, options: Any) -> int:
    from observer_app.export.archive import export_archive

    chosen = {"xlsx": args.xlsx, "csv": args.csv_dir, "sav": args.sav, "dta": args.dta}
    parts = tuple(kind for kind, given in chosen.items() if given) or None
    progress = _progress(args)
    with open_study(args, backup=False) as study:
        password = ArchivePassword(args.study)()
        summary = export_archive(
            study, args.encrypt, password, parts=parts, options=options, progress=progress
        )
    if progress is not None:
        print(file=sys.stderr)
    rows = summary.rows
    print(
        f"wrote the encrypted archive {summary.archive} (AES-256; {len(rows)} tables; "
        f"{rows.get('Events', 0)} events, {rows.get('Ratings', 0)} ratings) "
        f"in {summary.seconds:.1f} s"
    )
    return 0


def _progress_line(done: int, total: int) -> None:
    print(f"\rexporting: {100 * done // max(total, 1):3d}%", end="", file=sys.stderr)


def _reliability(args: argparse.Namespace) -> int:
    tolerance = parse_duration_ms(args.tolerance, "tolerance")
    with open_study(args, backup=False) as study:
        master = study.coders.get(args.master).id if args.master else None
        svc = study.reliability
        reports = [
            svc.compute(
                ReliabilityRequest(
                    vid,
                    tolerance_ms=tolerance,
                    icc_form=args.icc_form,
                    master_coder_id=master,
                    completed_only=not args.include_incomplete,
                    subjects=args.subjects,
                )
            )
            for vid in svc.versions_with_data()
        ]
    if args.json:
        print_json({"study": str(args.study), "reports": [r.to_dict() for r in reports]})
        return 0
    if not reports:
        raise InputError(f"{args.study}: no coded events or ratings to compare yet")
    for rep in reports:
        _print_report(rep)
    return 0


def _f(x: float | None) -> str:
    return "" if x is None else f"{x:.3f}"


def _ci(r: AgreementResult) -> str:
    return "" if r.ci95 is None else f"[{_f(r.ci95[0])}, {_f(r.ci95[1])}]"


def _print_report(rep: ReliabilityReport) -> None:
    coders = ", ".join(c.name for c in rep.coders) or "none"
    print(f"\n{rep.kind} {rep.definition_id} {rep.definition_version} ({rep.name})")
    print(f"coders: {coders}; recordings: {len(rep.recording_ids)}; raters as {rep.layout}")
    for note in rep.notes:
        print(f"note: {note}")
    if rep.scores:
        rows: list[dict[str, Any]] = [
            {
                "kind": s.kind,
                "id": s.id,
                rep.icc_form: s.insufficient or _f(s.icc.value) or "undefined",
                "95% CI": "" if s.insufficient else _ci(s.icc),
                "label": s.icc.label or "",
                "alpha": _f(s.alpha.value),
                "kappa": "" if s.kappa is None else _f(s.kappa.value),
                "units": s.icc.n_units,
                "flag": _flag(s.flagged, s.icc.value) or ("CI?" if s.icc.ci_note else ""),
            }
            for s in rep.scores
        ]
        print_table(rows, list(rows[0]))
    if rep.events is not None:
        print(
            f"event agreement (tolerance {rep.request.tolerance_ms} ms, "
            f"matched {rep.subjects} subjects):"
        )
        stats = (*rep.events.statistics, *[rep.subject_agreement] * bool(rep.subject_agreement))
        for r in stats:
            print(f"  {r.name}: {_f(r.value) or 'undefined'} {_ci(r)} {r.label or ''}".rstrip())
    if rep.codes:
        rows = [
            {
                "code": c.code,
                "A": c.events_a,
                "B": c.events_b,
                "matched": c.matched,
                "specific": _f(c.specific_agreement),
                "seg kappa": _f(c.presence_kappa.value),
                "seg AC1": _f(c.presence_ac1.value),
                "count ICC": _f(c.count_icc.value),
                "flag": _flag(c.flagged, c.specific_agreement),
            }
            for c in rep.codes
        ]
        print_table(rows, list(rows[0]))
    if rep.drift and rep.master_coder is not None:
        print(f"drift against {rep.master_coder.name}:")
        for p in rep.drift:
            when = p.completed_at.date().isoformat() if p.completed_at else "open"
            print(f"  {p.coder_name} {when} recording {p.recording_id}: {_f(p.value)}")


def _flag(flagged: bool, value: float | None) -> str:
    """ "LOW" below the threshold; "NO DATA" when there is nothing to judge (e.g. a code neither
    coder used, or an undefined ICC): both need the lab's attention, for different reasons."""
    if not flagged:
        return ""
    return "NO DATA" if value is None else "LOW"
