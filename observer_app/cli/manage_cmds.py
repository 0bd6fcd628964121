"""Set-up and lifecycle commands: ``scheme|instrument attach|detach``, ``coders deactivate``,
``assignments list|reassign|cancel|reopen|delete|hand-over``, ``audit``."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from observer_app.cli._output import print_json, print_table
from observer_app.cli._study import add_study_argument, open_study
from observer_app.coding.errors import InputError, NotFound
from observer_app.services.study import Study

if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]


# -- scheme / instrument attach|detach ----------------------------------------------------------
def add_definition_actions(sub: Subparsers, kind: str) -> None:
    for action in ("attach", "detach"):
        p = sub.add_parser(action, help=f"{action} a {kind} version imported into the study")
        add_study_argument(p)
        p.add_argument(
            "definition",
            help=f"{kind} id (its newest version in the study, else the built-in one, imported), "
            "a version id #N, or a TOML file to import",
        )
        p.set_defaults(handler=_attach, kind=kind, attached=action == "attach")


def _version(study: Study, kind: str, ident: str) -> int:
    versions = study.definitions.versions(kind)
    if ident.lstrip("#").isdigit():
        wanted = int(ident.lstrip("#"))
        if any(v.id == wanted for v in versions):
            return wanted
        raise NotFound(f"no {kind} version #{wanted} in this study")
    matching = [v for v in versions if v.definition_id == ident]
    if matching:
        return matching[-1].id
    if ident.endswith(".toml") and Path(ident).is_file():
        return study.definitions.import_file(Path(ident)).id
    try:
        return study.definitions.import_builtin(kind, ident).id
    except NotFound:
        known = ", ".join(sorted({v.definition_id for v in versions})) or "none imported"
        raise NotFound(
            f"no {kind} {ident!r} in this study (imported: {known}) and no built-in one"
        ) from None


def _attach(args: argparse.Namespace) -> int:
    with open_study(args) as study:
        info = study.definitions.attach(
            _version(study, args.kind, args.definition), attached=args.attached
        )
    state = "attached" if info.attached else "detached"
    print(f"{args.kind} {info.definition_id} {info.version} (#{info.id}) {state}")
    return 0


# -- coders deactivate --------------------------------------------------------------------------
def add_coder_actions(sub: Subparsers) -> None:
    p = sub.add_parser("deactivate", help="deactivate a profile (its open work can be handed over)")
    add_study_argument(p)
    p.add_argument("name")
    p.add_argument("--hand-over-to", metavar="NAME", help="reassign the coder's open work")
    p.set_defaults(handler=_deactivate)


def _deactivate(args: argparse.Namespace) -> int:
    with open_study(args) as study:
        coder = study.coders.get(args.name)
        target = study.coders.get(args.hand_over_to) if args.hand_over_to else None
        moved = study.assignments.hand_over(coder.id, target.id) if target else []
        study.coders.set_active(coder.id, False)
        open_left = [
            a.id
            for a in study.assignments.list_all()
            if a.coder_id == coder.id and a.status in ("not_started", "in_progress")
        ]
    print(f"{args.name} deactivated; {len(moved)} assignment(s) handed over")
    if open_left:
        print(f"open work left with {args.name}: {', '.join(f'#{i}' for i in open_left)}")
    return 0


# -- assignments ----------------------------------------------------------------------------------
def register(sub: Subparsers) -> None:
    group = sub.add_parser("assignments", help="list, reassign, cancel, reopen or delete work")
    acts = group.add_subparsers(dest="assignments_command", metavar="ACTION", required=True)
    p = acts.add_parser("list", help="every assignment with its coder, purpose and status")
    add_study_argument(p)
    p.add_argument("--coder", help="only this coder's")
    p.add_argument("--status", help="only this status (not_started, in_progress, ...)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_list)
    p = acts.add_parser("reassign", help="give an assignment to another coder (audited)")
    add_study_argument(p)
    p.add_argument("assignment", type=int)
    p.add_argument("--to", required=True, metavar="NAME", help="the new coder")
    p.add_argument(
        "--keep-work",
        action="store_true",
        help="copy the old coder's events and ratings (default: the new coder starts empty)",
    )
    p.set_defaults(handler=_reassign)
    for action, text in (
        ("cancel", "stop an assignment that is not complete"),
        ("reopen", "reopen a complete or cancelled assignment"),
        ("delete", "soft-delete an assignment (kept in the audit trail)"),
    ):
        p = acts.add_parser(action, help=text)
        add_study_argument(p)
        p.add_argument("assignment", type=int)
        p.set_defaults(handler=_change, action=action)
    p = acts.add_parser("hand-over", help="reassign every open assignment of one coder")
    add_study_argument(p)
    p.add_argument("--from", dest="from_coder", required=True, metavar="NAME")
    p.add_argument("--to", required=True, metavar="NAME")
    p.add_argument("--keep-work", action="store_true")
    p.set_defaults(handler=_hand_over)
    _register_audit(sub)
    p = sub.add_parser("backup", help="a consistent copy of a study file (SQLite backup API)")
    add_study_argument(p)
    p.add_argument("dest", type=Path, help="the copy to write (never overwritten)")
    p.set_defaults(handler=_backup)


def _backup(args: argparse.Namespace) -> int:
    if args.dest.exists():
        raise InputError(f"{args.dest}: already exists; choose a new file")
    if not args.dest.parent.is_dir():
        raise InputError(f"{args.dest.parent}: no such folder")
    with open_study(args, backup=False) as study:
        written = study.backup_to(args.dest)
    print(f"wrote {written}")
    return 0


def _row(a: Any, stale: dict[int, str]) -> dict[str, Any]:
    return {
        "id": a.id,
        "recording_id": a.recording_id,
        "coder": a.coder_name,
        "purpose": a.purpose,
        "status": a.status,
        "completed_at": a.completed_at.isoformat(timespec="seconds") if a.completed_at else "",
        "stale": stale.get(a.id, ""),
    }


def _list(args: argparse.Namespace) -> int:
    with open_study(args) as study:
        everything = study.assignments.list_all()
        stale = study.consensus.stale()
        rows = [
            _row(a, stale)
            for a in everything
            if (args.coder is None or a.coder_name == args.coder)
            and (args.status is None or a.status == args.status)
        ]
    if args.json:
        print_json(rows)
    elif rows:
        print_table(rows, list(rows[0]))
    else:
        print("no assignments")
    return 0


def _reassign(args: argparse.Namespace) -> int:
    with open_study(args) as study:
        new = study.assignments.reassign(
            args.assignment, study.coders.get(args.to).id, keep_work=args.keep_work
        )
    kept = "with the old coder's work" if args.keep_work else "starting empty"
    print(f"assignment #{args.assignment} reassigned to {new.coder_name} as #{new.id} ({kept})")
    return 0


def _change(args: argparse.Namespace) -> int:
    with open_study(args) as study:
        svc = study.assignments
        if args.action == "cancel":
            svc.cancel(args.assignment)
        elif args.action == "reopen":
            svc.reopen(args.assignment)
        else:
            svc.delete(args.assignment)
    print(f"assignment #{args.assignment}: {args.action} done")
    return 0


def _hand_over(args: argparse.Namespace) -> int:
    with open_study(args) as study:
        moved = study.assignments.hand_over(
            study.coders.get(args.from_coder).id,
            study.coders.get(args.to).id,
            keep_work=args.keep_work,
        )
    print(f"{len(moved)} assignment(s) handed over from {args.from_coder} to {args.to}")
    return 0


# -- audit ----------------------------------------------------------------------------------------
def _register_audit(sub: Subparsers) -> None:
    p = sub.add_parser("audit", help="who changed what, when (before/after)")
    add_study_argument(p)
    p.add_argument("--who", help="only changes by this profile")
    p.add_argument("--what", help="only this kind of record (assignment, event, rating, ...)")
    p.add_argument("--id", type=int, help="only this record id")
    p.add_argument("--since", help="from this UTC date or time (ISO 8601)")
    p.add_argument("--until", help="up to this UTC date or time (ISO 8601)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_audit)


def _when(text: str | None, name: str) -> dt.datetime | None:
    if text is None:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"--{name}: {text!r} is not an ISO 8601 date or time") from None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _audit(args: argparse.Namespace) -> int:
    since, until = _when(args.since, "since"), _when(args.until, "until")
    with open_study(args) as study:
        entries = study.audit.entries(
            entity=args.what, entity_id=args.id, who=args.who, since=since, until=until
        )
    rows = []
    for e in entries:
        at = e.at if e.at.tzinfo else e.at.replace(tzinfo=dt.UTC)
        rows.append(
            {
                "at": at.isoformat(timespec="seconds"),
                "who": e.actor_name,
                "action": e.action,
                "what": e.entity,
                "id": e.entity_id,
                "context": e.context or "",
                "before": e.before,
                "after": e.after,
            }
        )
    if args.json:
        print_json(rows)
        return 0
    for r in rows:
        change = f"{r['before']} -> {r['after']}" if r["action"] == "update" else ""
        print(f"{r['at']} {r['who']}: {r['action']} {r['what']} #{r['id']} {r['context']} {change}")
    print(f"{len(rows)} entries")
    return 0
