"""Study set-up commands: init, coders, recordings, assign, info, demo, score."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from observer_app.cli._output import print_json, print_table
from observer_app.cli._study import add_study_argument, open_study, read_password_line
from observer_app.cli.manage_cmds import add_coder_actions
from observer_app.cli.source_cmds import add_source_actions
from observer_app.coding.errors import InputError
from observer_app.services.study import Study

if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]


def register(sub: Subparsers) -> None:
    p = sub.add_parser("init", help="create a new study database")
    p.add_argument("study", help="a SQLite file path or a postgresql+psycopg:// URL")
    p.add_argument("--name", required=True, help="the study's name")
    p.add_argument("--manager", required=True, metavar="NAME", help="the study's first manager")
    p.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the first manager's password from standard input",
    )
    p.set_defaults(handler=_init)
    _register_coders(sub)
    _register_recordings(sub)
    _register_others(sub)


def _register_coders(sub: Subparsers) -> None:
    coders = sub.add_parser("coders", help="add or list coders").add_subparsers(
        dest="coders_command", metavar="ACTION", required=True
    )
    p = coders.add_parser("add", help="add a coder (or manager) profile")
    add_study_argument(p)
    p.add_argument("name")
    p.add_argument("--role", choices=("coder", "manager"), default="coder")
    p.add_argument("--initials")
    p.add_argument(
        "--password-stdin", action="store_true", help="read a password from standard input"
    )
    p.set_defaults(handler=_coders_add)
    p = coders.add_parser("list", help="list coder profiles")
    add_study_argument(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_coders_list)
    add_coder_actions(coders)


def _register_recordings(sub: Subparsers) -> None:
    recs = sub.add_parser("recordings", help="add or list recordings").add_subparsers(
        dest="recordings_command", metavar="ACTION", required=True
    )
    p = recs.add_parser("add", help="add media files (fingerprinted, duration read)")
    add_study_argument(p)
    p.add_argument("files", nargs="+", type=Path)
    p.add_argument("--client")
    p.add_argument("--therapist")
    p.add_argument("--dyad")
    p.add_argument("--session", type=int)
    p.add_argument(
        "--valid-only", action="store_true", help="add the good files, list the bad ones"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_recordings_add)
    p = recs.add_parser(
        "import", help="bulk metadata from a CSV or xlsx session list (all rows valid, or none)"
    )
    add_study_argument(p)
    p.add_argument("table", type=Path, help="CSV or xlsx; header row names the columns")
    p.add_argument("--sheet", help="worksheet name (xlsx; default: the first)")
    p.add_argument(
        "--valid-rows-only", action="store_true", help="import the valid rows, list the bad ones"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_recordings_import)
    p = recs.add_parser("list", help="list recordings")
    add_study_argument(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_recordings_list)
    p = recs.add_parser(
        "recheck", help="measure durations from the decoded media and correct the stored ones"
    )
    add_study_argument(p)
    p.add_argument("ids", nargs="*", type=int, help="recording ids (default: all)")
    p.add_argument(
        "--skip-missing", action="store_true", help="correct the others when a file is missing"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_recordings_recheck)
    add_source_actions(recs)


def _register_others(sub: Subparsers) -> None:
    p = sub.add_parser("assign", help="plan primary coding and a blind double-coded share")
    add_study_argument(p)
    p.add_argument("--coders", required=True, help="comma-separated coder names")
    p.add_argument("--double-code", type=float, default=0.25, help="share double-coded (0-1)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--dry-run", action="store_true", help="show the plan, write nothing")
    p.add_argument(
        "--stratify",
        metavar="BY",
        help="draw the double-coded share within each phase, dyad, therapist, client or "
        "meta:<column>",
    )
    p.add_argument(
        "--top-up",
        action="store_true",
        help="add reliability coders to recordings that already have a primary coder",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_assign)

    p = sub.add_parser("info", help="counts and schema version of a study")
    add_study_argument(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_info)

    p = sub.add_parser("score", help="mean and sum of every subscale and total of every rated form")
    add_study_argument(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_score)

    p = sub.add_parser("demo", help="create (or reopen) the demo study")
    p.add_argument("dir", nargs="?", type=Path, help="folder for the demo study")
    p.add_argument("--no-gui", action="store_true", help="only create it, do not open the GUI")
    p.set_defaults(handler=_demo)


def _probe() -> Any:
    """The media probe (libvlc): durations measured from the decoded stream, with the
    container's claim kept beside them (``observer_app.media.measure``)."""
    from observer_app.media.measure import measure

    return measure


def _init(args: argparse.Namespace) -> int:
    password = read_password_line() if args.password_stdin else None
    Study.create(args.study, args.name, manager=args.manager, manager_password=password).close()
    print(f"created study {args.name!r} in {args.study} with manager {args.manager}")
    return 0


def _coders_add(args: argparse.Namespace) -> int:
    with open_study(args) as study:
        # Standard input: the acting profile's password first (if it has one), then the new one.
        password = read_password_line() if args.password_stdin else None
        info = study.coders.add(
            args.name, role=args.role, initials=args.initials, password=password
        )
    print(f"added {info.role} {info.name} ({info.initials}) as #{info.id}")
    return 0


def _coders_list(args: argparse.Namespace) -> int:
    with open_study(args) as study:
        rows = [asdict(c) for c in study.coders.all()]
    if args.json:
        print_json(rows)
    else:
        print_table(rows, ["id", "name", "initials", "role", "active", "has_password"])
    return 0


def _recordings_add(args: argparse.Namespace) -> int:
    with open_study(args, probe=_probe()) as study:
        infos, problems = study.recordings.add_many(
            args.files,
            valid_only=args.valid_only,
            client_id=args.client,
            therapist_id=args.therapist,
            dyad_id=args.dyad,
            session_number=args.session,
        )
    if args.json:
        print_json([asdict(i) for i in infos])
        return 0
    for info in infos:
        secs = f"{info.duration_ms / 1000:.1f} s" if info.duration_ms else "unknown length"
        print(f"added recording #{info.id}: {info.media_path} ({secs})")
    for line in problems:
        print(f"skipped: {line}")
    return 0


def _recordings_import(args: argparse.Namespace) -> int:
    from observer_app.export.tables_in import read_table
    from observer_app.services.metadata_import import guess_mapping

    table = read_table(args.table, sheet=args.sheet)
    with open_study(args) as study:
        result = study.metadata_import.apply(
            table, guess_mapping(table.columns), valid_rows_only=args.valid_rows_only
        )
    problems = [str(p) for p in result.problems]
    if args.json:
        print_json(
            {
                "updated": list(result.updated),
                "skipped_rows": list(result.skipped_rows),
                "problems": problems,
            }
        )
        return 0
    print(f"updated {len(result.updated)} recording(s) from {args.table.name}")
    for line in problems:
        print(f"skipped: {line}")
    return 0


def _recordings_list(args: argparse.Namespace) -> int:
    with open_study(args) as study:
        rows = [asdict(r) | {"label": r.label} for r in study.recordings.all()]
    if args.json:
        print_json(rows)
    else:
        cols = ["id", "label", "duration_ms", "container_duration_ms", "client_id"]
        print_table(rows, [*cols, "session_number"])
    return 0


def _recordings_recheck(args: argparse.Namespace) -> int:
    from observer_app.media.measure import measure
    from observer_app.media.types import MediaError

    with open_study(args) as study:
        recordings = study.recordings.all()
        known = {r.id for r in recordings}
        unknown = [i for i in args.ids if i not in known]
        if unknown:
            raise InputError(f"no recording with id {', '.join(map(str, unknown))}")
        chosen = [r for r in recordings if not args.ids or r.id in args.ids]
        measured: dict[int, Any] = {}
        problems: list[str] = []
        for rec in chosen:  # measure everything before writing anything
            try:
                measured[rec.id] = measure(rec.media_path)
            except MediaError as exc:
                problems.append(f"recording #{rec.id}: {exc}")
        if problems and not args.skip_missing:
            raise InputError(
                "; ".join(problems) + " (nothing changed; --skip-missing corrects the rest)"
            )
        changes = study.recordings.apply_measurements(measured) if measured else []
    rows = [asdict(c) | {"changed": c.changed} for c in changes]
    if args.json:
        print_json({"changes": rows, "problems": problems})
        return 0
    for c in changes:
        was = "unknown" if c.before_ms is None else f"{c.before_ms / 1000:.3f} s"
        verb = "corrected" if c.changed else "confirmed"
        claim = f"; container claims {c.container_ms / 1000:.3f} s" if c.container_ms else ""
        print(f"recording #{c.recording_id}: {verb} {c.after_ms / 1000:.3f} s (was {was}{claim})")
    for line in problems:
        print(f"skipped: {line}")
    return 0


def _assign(args: argparse.Namespace) -> int:
    names = [n.strip() for n in args.coders.split(",") if n.strip()]
    with open_study(args) as study:
        ids = {c.name: c.id for c in study.coders.all()}
        unknown = [n for n in names if n not in ids]
        if unknown:
            raise InputError(f"unknown coder(s): {', '.join(unknown)}")
        scheme = study.definitions.study_scheme()
        if scheme is None and not study.definitions.versions("instrument", attached_only=True):
            raise InputError(
                "no scheme or instrument is attached to the study: attach one first "
                "(observer-app scheme attach STUDY ID), or the assignments accept any code "
                "and complete with no checks"
            )
        planner = study.assignments.plan_top_up if args.top_up else study.assignments.plan
        plan = planner(
            [ids[n] for n in names],
            double_share=args.double_code,
            seed=args.seed,
            strata_by=args.stratify,
        )
        if not args.dry_run:
            study.assignments.apply_plan(plan, scheme_version_id=scheme.id if scheme else None)
    by_id = {v: k for k, v in ids.items()}
    rows = [
        {"recording_id": a.recording_id, "coder": by_id[a.coder_id], "purpose": a.purpose}
        for a in plan.assignments
    ]
    if args.json:
        print_json(
            {
                "seed": plan.seed,
                "double_share": plan.double_share,
                "stratified_by": plan.strata_by or None,
                "assignments": rows,
            }
        )
    else:
        print_table(rows, ["recording_id", "coder", "purpose"])
        verb = "planned (dry run, nothing written)" if args.dry_run else "created"
        strata = f", stratified by {plan.strata_by}" if plan.strata_by else ""
        print(f"{len(rows)} assignments {verb} (seed {plan.seed}{strata})")
    return 0


def _info(args: argparse.Namespace) -> int:
    with open_study(args) as study:
        info = study.info()
    if args.json:
        print_json(asdict(info))
        return 0
    print(f"study:          {info.name} ({info.location})")
    print(f"schema version: {info.schema_version}")
    print(f"recordings:     {info.recordings}")
    print(f"coders:         {info.coders}")
    status = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in info.assignments_by_status.items())
    print(f"assignments:    {status}")
    print(f"events:         {info.events}")
    print(f"ratings:        {info.ratings}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from observer_app.services.demo import default_demo_dir, ensure_demo_study

    path = ensure_demo_study(args.dir or default_demo_dir(), probe=_probe())
    print(f"demo study: {path}")
    if args.no_gui:
        return 0
    from observer_app.cli.gui_cmds import open_gui

    return open_gui(path)


def _score(args: argparse.Namespace) -> int:
    with open_study(args) as study:
        rows = [
            asdict(r)
            for r in study.scores.for_study(
                study.assignments.list_all(), study.ratings.all_in_study()
            )
        ]
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print("no ratings yet")
        return 0
    for r in rows:
        r["unit"] = (
            r["unit_kind"] if r["unit_kind"] != "segment" else f"segment {r['unit_index'] + 1}"
        )
        for key in ("value", "mean", "sum"):
            r[key] = "" if r[key] is None else f"{r[key]:.2f}"
        r["verify"] = "verify" if r["verify"] else ""
        r["reason"] = r["reason"] or ""
    cols = ["assignment_id", "coder_name", "instrument_id", "unit", "score_id", "value", "mean"]
    print_table(rows, [*cols, "sum", "answered", "items", "verify", "reason"])
    if any(r["verify"] for r in rows):
        print("verify: these scores rest on facts of the instrument file not confirmed from a")
        print("citable source (see `observer-app instrument validate`): check them before use.")
    return 0
