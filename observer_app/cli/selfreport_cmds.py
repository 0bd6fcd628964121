"""Self-reports and perspectives: ``selfreports import|list`` and ``perspectives``.

Managers only (coders are blind to self-reports): the services refuse anyone else, so these
commands do too (exit 2, one line).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from observer_app.cli._output import print_json, print_table
from observer_app.cli._study import add_study_argument, open_study
from observer_app.coding.errors import InputError

if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]


def register(sub: Subparsers) -> None:
    group = sub.add_parser(
        "selfreports", help="client and therapist self-report forms (managers only)"
    ).add_subparsers(dest="selfreports_command", metavar="ACTION", required=True)
    p = group.add_parser(
        "import", help="import a survey export (one row per completed form; all rows or none)"
    )
    add_study_argument(p)
    p.add_argument("table", type=Path, help="CSV or xlsx; the header row names the columns")
    p.add_argument("--instrument", required=True, help="a client or therapist instrument id")
    p.add_argument(
        "--mapping",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="respondent=, session=, date=, dyad=, items=PREFIX{item} or item.N=COLUMN "
        "(repeatable; remembered per study and instrument)",
    )
    p.add_argument("--sheet", help="worksheet name (xlsx; default: the first)")
    p.add_argument(
        "--valid-rows-only", action="store_true", help="import the valid rows, list the bad ones"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_import)
    p = group.add_parser("list", help="list the study's self-report forms and their scores")
    add_study_argument(p)
    p.add_argument("--instrument", help="only this instrument")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_list)

    p = sub.add_parser(
        "perspectives",
        help="observer, client and therapist alliance side by side, and their agreement",
    )
    add_study_argument(p)
    p.add_argument("--family", help="instrument family: wai or wai-s (default: the one with data)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_perspectives)


def _overrides(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, column = pair.partition("=")
        if not sep or not key.strip() or not column.strip():
            raise InputError(f"--mapping {pair!r}: expected FIELD=COLUMN")
        out[key.strip()] = column.strip()
    return out


def _import(args: argparse.Namespace) -> int:
    from observer_app.export.tables_in import read_table

    overrides = _overrides(args.mapping)
    table = read_table(args.table, sheet=args.sheet)
    with open_study(args) as study:
        svc = study.selfreports
        version_id = svc.instrument_version(args.instrument)
        mapping = svc.mapping_for(table, version_id, overrides)
        result = svc.import_table(table, version_id, mapping, valid_rows_only=args.valid_rows_only)
    problems = [str(p) for p in result.problems]
    if args.json:
        print_json(
            {
                "created": list(result.created),
                "replaced": list(result.replaced),
                "unchanged": list(result.unchanged),
                "skipped_rows": list(result.skipped_rows),
                "problems": problems,
                "mapping": result.mapping.as_dict(),
            }
        )
        return 0
    print(
        f"{args.table.name}: {len(result.created)} form(s) added, {len(result.replaced)} "
        f"replaced, {len(result.unchanged)} unchanged"
    )
    for line in problems:
        print(f"skipped: {line}")
    return 0


def _list(args: argparse.Namespace) -> int:
    with open_study(args) as study:
        forms = study.selfreports.all(instrument_id=args.instrument)
    rows: list[dict[str, Any]] = []
    for f in forms:
        total = f.scores.get("total", {})
        rows.append(
            {
                "id": f.id,
                "instrument": f.instrument_id,
                "role": f.respondent_role,
                "respondent": f.respondent_id,
                "dyad": f.dyad_id,
                "session": f.session_number,
                "recording_id": f.recording_id,
                "date": f.form_date,
                "status": f.status,
                "responses": f.responses,
                "scores": f.scores,
                "total_mean": _fmt(total.get("mean")),
                "total_sum": _fmt(total.get("sum")),
            }
        )
    if args.json:
        print_json(rows)
    else:
        columns = ["id", "instrument", "role", "respondent", "dyad", "session", "status"]
        print_table(rows, [*columns, "total_mean", "total_sum"])
    return 0


def _fmt(v: Any) -> str:
    return "" if v is None else f"{v:.3f}"


def _perspectives(args: argparse.Namespace) -> int:
    with open_study(args) as study:
        report = study.perspectives.compute(args.family)
    if args.json:
        print_json(report.as_dict())
        return 0
    print(
        f"family {report.family}: "
        + ", ".join(f"{p} {i or '-'}" for p, i in report.instruments.items())
    )
    for note in report.notes:
        print(f"  {note}")
    print("\nper session")
    rows = [r.as_dict() for r in report.sessions]
    cols = ["dyad", "session", "phase", "score", "metric", "observer", "client", "therapist"]
    diffs = ["observer_minus_client", "observer_minus_therapist", "client_minus_therapist"]
    print_table([_rounded(r) for r in rows], [*cols, *diffs, "observer_source"])
    print("\nper dyad (mean over sessions)")
    dyads = [_rounded(r.as_dict()) for r in report.dyads]
    print_table(
        dyads,
        ["dyad", "score", "metric", "sessions", "mean_observer", "mean_client", "mean_therapist"],
    )
    print("\nagreement across sessions")
    stats = []
    for a in report.agreement:
        d = a.as_dict()
        ci = d["ci95"]
        d["ci95"] = "" if not ci else f"[{ci[0]:.3f}, {ci[1]:.3f}]"
        d["value"] = _fmt(d["value"])
        d["reason"] = d["reason"] or ""
        stats.append(d)
    print_table(stats, ["score", "phase", "pair", "metric", "name", "value", "ci95", "n", "reason"])
    return 0


def _rounded(row: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (_fmt(v) if isinstance(v, float) else ("" if v is None else v)) for k, v in row.items()
    }
