"""``observer-app sequences`` (rupture -> resolution, lag-1 table, time-window test, SDIS) and
``observer-app phases`` (show or set the study's phases)."""

from __future__ import annotations

import argparse
import dataclasses
import os
import tempfile
from pathlib import Path
from typing import Any

from observer_app.cli._output import print_json, print_table
from observer_app.cli._study import add_study_argument, open_study
from observer_app.coding.errors import InputError
from observer_app.coding.phases import parse_phase_spec
from observer_app.services.sequences import SequenceReport, parse_window
from observer_app.services.sequences.report_json import report_dict, summary_dict


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    s = sub.add_parser(
        "sequences",
        help="rupture -> resolution sequences, time to repair, lag-1 and time-window statistics",
        description="For every rupture marker the first resolution strategy that follows it "
        "(window from the study's settings, default 60 s), summaries per session, dyad, "
        "therapist and phase, the lag-1 table of categories and a permutation test of 'a "
        "strategy follows a rupture within the window more often than chance'.",
    )
    add_study_argument(s)
    s.add_argument("--window", help="e.g. 60s, 1.5min or 'segment' (default: study setting)")
    s.add_argument(
        "--any-next", action="store_true", help="a strategy after the next rupture still counts"
    )
    s.add_argument("--shuffles", type=int, help="permutation shuffles (default: study setting)")
    s.add_argument("--seed", type=int, help="permutation seed (default: study setting)")
    s.add_argument("--save", action="store_true", help="store these settings in the study")
    s.add_argument("--sdis", type=Path, help="also write the codings as SDIS for GSEQ")
    s.add_argument("--json", action="store_true", help="print one JSON object")
    s.set_defaults(handler=_sequences)

    p = sub.add_parser(
        "phases",
        help="show or set the study's phases of therapy (and per-dyad starts)",
        description="Without options: the phases and every recording's phase. --set replaces "
        "the phases (ID:FIRST_SESSION[:LABEL] ...); --dyad D --phase ID --from N starts a "
        "phase at another session for one dyad (--from default resets it).",
    )
    add_study_argument(p)
    p.add_argument("--set", nargs="+", metavar="ID:FIRST[:LABEL]", help="replace the phases")
    p.add_argument("--dyad", help="dyad whose phase start to change")
    p.add_argument("--phase", help="phase id (with --dyad)")
    p.add_argument("--from", dest="first", help="first session (with --dyad), or 'default'")
    p.add_argument("--reset", action="store_true", help="back to the default phases")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=_phases)


def _settings(args: argparse.Namespace, current: Any) -> Any:
    changes: dict[str, Any] = {}
    if args.window is not None:
        changes["window_s"] = parse_window(args.window)
    if args.any_next:
        changes["before_next_rupture"] = False
    if args.shuffles is not None:
        changes["shuffles"] = args.shuffles
    if args.seed is not None:
        changes["seed"] = args.seed
    return dataclasses.replace(current, **changes)


def _write_atomic(path: Path, text: str) -> None:
    folder = path.parent if str(path.parent) else Path()
    if not folder.is_dir():
        raise InputError(f"{path}: folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=path.name + ".", suffix=".partial")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _sequences(args: argparse.Namespace) -> int:
    with open_study(args, backup=False) as study:
        settings = _settings(args, study.sequences.settings())
        sessions = study.sequences.sessions()
        report = study.sequences.report(settings, sessions=sessions)
        sdis = study.sequences.sdis(sessions) if args.sdis else None
        if sdis is not None:
            _write_atomic(args.sdis, sdis)
        if args.save:
            study.sequences.set_settings(settings)
    if args.json:
        print_json({"study": str(args.study), **report_dict(report)})
        return 0
    _print_report(report)
    if args.sdis:
        print(f"wrote {args.sdis} (SDIS for GSEQ: check a first file in GSEQ, syntax 'verify')")
    return 0


def _num(x: float | None, fmt: str = ".1f") -> str:
    return "" if x is None else format(x, fmt)


def _print_report(rep: SequenceReport) -> None:
    print(f"rule: the first resolution strategy {rep.rules}; {len(rep.sessions)} codings")
    for note in rep.notes:
        print(f"note: {note}")
    rows = []
    for s in rep.summaries:
        d = summary_dict(s.summary)
        rows.append(
            {
                "level": s.level,
                "group": s.key,
                "codings": s.codings,
                "ruptures": d["ruptures"],
                "per hour": _num(d["ruptures_per_hour"]),
                "resolved": _num(d["share_resolved"], ".0%"),
                "median s": _num(d["time_to_repair_median_s"]),
                "IQR s": ""
                if d["time_to_repair_q1_s"] is None
                else f"{d['time_to_repair_q1_s']:.1f}-{d['time_to_repair_q3_s']:.1f}",
            }
        )
    if rows:
        print_table(rows, list(rows[0]))
    cells = [c for c in rep.lag.cells() if c["count"]]
    if cells:
        print("lag-1 transitions (categories):")
        print_table(
            [
                {
                    "given": c["given"],
                    "target": c["target"],
                    "n": c["count"],
                    "p(t|g)": _num(c["conditional"], ".2f"),  # type: ignore[arg-type]
                    "adj. residual": _num(c["adjusted_residual"], ".2f"),  # type: ignore[arg-type]
                    "Yule's Q": _num(c["yules_q"], ".2f"),  # type: ignore[arg-type]
                }
                for c in cells
            ],
            ["given", "target", "n", "p(t|g)", "adj. residual", "Yule's Q"],
        )
    w = rep.window
    print(
        f"time window (Yoder & Tapp, 1-s units): a={w.a} b={w.b} c={w.c} d={w.d}, "
        f"Yule's Q {_num(w.yules_q, '.2f') or 'undefined'}"
    )
    perm = rep.permutation
    if perm is not None:
        print(
            f"followed within the window: {perm.followed}/{perm.givens} "
            f"({_num(perm.proportion, '.0%')}); chance {_num(perm.chance_proportion, '.0%')}; "
            f"p = {perm.p_value:.4f} ({perm.shuffles} shuffles of onsets, seed {perm.seed})"
        )


def _phases(args: argparse.Namespace) -> int:
    with open_study(args, backup=False) as study:
        svc = study.phases
        if args.reset:
            svc.reset()
        if args.set:
            svc.set_phases(parse_phase_spec(args.set))
        if args.dyad or args.phase or args.first:
            if not (args.dyad and args.phase and args.first):
                raise InputError("a dyad start needs --dyad, --phase and --from together")
            first = None if args.first == "default" else _session(args.first)
            svc.set_dyad_start(args.dyad, args.phase, first)
        plan = svc.plan()
        recordings = study.recordings.all()
        rows = []
        for r in sorted(recordings, key=lambda r: (r.dyad_id or "", r.session_number or 0)):
            ph = svc.phase_of(r, plan)
            rows.append(
                {
                    "recording": r.id,
                    "dyad": r.dyad_id or "",
                    "session": r.session_number,
                    "phase": ph.number if ph else None,
                    "phase_id": ph.id if ph else "",
                }
            )
    if args.json:
        print_json({"study": str(args.study), **plan.to_json(), "recordings": rows})
        return 0
    print(f"phases: {plan.describe()}")
    if rows:
        print_table(rows, list(rows[0]))
    return 0


def _session(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise InputError(f"--from {text!r}: a session number (1 or more) or 'default'")
    return int(text)
