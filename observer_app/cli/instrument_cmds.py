"""``observer-app instrument score|signoff|rekey|keys`` (issue 10).

``score`` scores a wide response table (CSV or xlsx) with a built-in or TOML instrument, no study
needed; ``signoff`` records a manager's check of a study's instrument key against the manual;
``rekey`` carries a study's responses to a corrected version with the same items; ``keys``
lists the study's instrument versions with their key check and re-key history.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from observer_app.cli._output import print_json, print_table
from observer_app.cli._study import add_study_argument, open_study
from observer_app.coding.definitions import (
    Instrument,
    ScoredRow,
    builtin_instrument,
    load_instrument_file,
    score_response_table,
)
from observer_app.coding.errors import InputError, NotFound
from observer_app.services.instrument_keys import key_check_text
from observer_app.services.study import Study

OUT_SUFFIXES = (".csv", ".xlsx", ".json")


def register_actions(inst_sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = inst_sub.add_parser(
        "score",
        help="score a response table (one row per form, one column per item)",
        description="Score every row of a wide CSV or xlsx table: every subscale, composite and "
        "total with its mean, sum, items answered and, when it has no value, the reason. Extra "
        "columns are carried through. A value off the scale, an unknown item column or a "
        "missing id is refused naming the row and column (exit 2, nothing written).",
    )
    p.add_argument("instrument", help="a built-in instrument id or an instrument TOML file")
    p.add_argument("responses", type=Path, help="response table (.csv or .xlsx)")
    p.add_argument("--id-column", default="id", help="the column naming each form (default: id)")
    p.add_argument("--sheet", help="xlsx sheet (default: the first)")
    p.add_argument("--json", action="store_true", help="print a JSON list of scored rows")
    p.add_argument("--out", type=Path, help="write the scores to a .csv, .xlsx or .json file")
    p.set_defaults(handler=_score)

    p = inst_sub.add_parser(
        "signoff", help="record that a study's instrument key was checked against the manual"
    )
    add_study_argument(p)
    p.add_argument("instrument", help="instrument id (its attached version) or #VERSION_ID")
    p.add_argument("--manual", required=True, help="the manual or edition checked against")
    p.add_argument("--note", default="", help="a note (what was checked, by whom with you)")
    p.set_defaults(handler=_signoff)

    p = inst_sub.add_parser(
        "rekey",
        help="carry a study's responses to a corrected instrument version and re-score them",
        description="The corrected file must keep the items (same ids, order and scale points); "
        "only keys, subscales, anchors or scoring rules may change. One audited transaction; "
        "the old version is kept for provenance.",
    )
    add_study_argument(p)
    p.add_argument("file", type=Path, help="the corrected instrument TOML file")
    p.add_argument("--from-version", type=int, help="version id to re-key (default: attached)")
    p.add_argument("--note", default="", help="why the key was corrected")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_rekey)

    p = inst_sub.add_parser("keys", help="a study's instrument versions, key checks and re-keys")
    add_study_argument(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_keys)


def load_instrument_arg(value: str) -> Instrument:
    """A built-in id, or a TOML file (anything ending in .toml or naming an existing file)."""
    if Path(value).suffix == ".toml" or Path(value).exists():
        return load_instrument_file(Path(value))
    return builtin_instrument(value)


# -- score ---------------------------------------------------------------------------------------
def _score(args: argparse.Namespace) -> int:
    from observer_app.export.tables_in import read_table

    inst = load_instrument_arg(args.instrument)
    if args.out is not None and args.out.suffix.lower() not in OUT_SUFFIXES:
        raise InputError(f"{args.out}: --out must end in {', '.join(OUT_SUFFIXES)}")
    table = read_table(args.responses, sheet=args.sheet)
    rows = score_response_table(
        inst,
        table.columns,
        ((r.number, r.values) for r in table.rows),
        id_column=args.id_column,
        source=args.responses.name,
    )
    if args.out is not None:
        _write_out(args.out, inst, rows, args.id_column)
        print(f"wrote {args.out} ({len(rows)} forms scored with {inst.id} {inst.version})")
    elif args.json:
        print_json([r.as_dict() for r in rows])
    else:
        _print_scores(rows)
    _verify_notice(inst)
    return 0


def _print_scores(rows: Sequence[ScoredRow]) -> None:
    table: list[dict[str, Any]] = []
    for r in rows:
        for s in r.scores.scores:
            table.append(
                {
                    "id": r.id,
                    "score": s.id,
                    "mean": "" if s.mean is None else f"{s.mean:.3f}",
                    "sum": "" if s.sum is None else f"{s.sum:.2f}",
                    "answered": f"{s.answered}/{s.items}",
                    "verify": "verify" if s.verify else "",
                    "reason": s.reason or ("sum prorated" if s.prorated else ""),
                }
            )
    print_table(table, ["id", "score", "mean", "sum", "answered", "verify", "reason"])


def _verify_notice(inst: Instrument) -> None:
    if inst.needs_verification:
        n = len(inst.verify) + sum(len(i.verify) for i in inst.items)
        print(
            f"note: {inst.id} has {n} unconfirmed fact(s) marked verify (see `observer-app "
            f"instrument validate`); scores flagged verify are provisional",
            file=sys.stderr,
        )


def _wide(
    inst: Instrument, rows: Sequence[ScoredRow], id_column: str
) -> tuple[list[str], list[list[Any]]]:
    extra = list(rows[0].extra) if rows else []
    score_ids = [d.id for d in inst.score_definitions()]
    parts = ("mean", "sum", "answered", "reason")
    header = [id_column, *extra, *(f"{s}_{p}" for s in score_ids for p in parts)]
    body = []
    for r in rows:
        by_id = {s.id: s for s in r.scores.scores}
        cells: list[Any] = [r.id, *(r.extra[c] for c in extra)]
        for sid in score_ids:
            s = by_id[sid]
            cells += [s.mean, s.sum, s.answered, s.reason]
        body.append(cells)
    return header, body


def _write_out(path: Path, inst: Instrument, rows: Sequence[ScoredRow], id_column: str) -> None:
    """Write atomically: a temporary file beside ``path``, renamed over it when complete."""
    suffix = path.suffix.lower()
    folder = path.resolve().parent
    if not folder.is_dir():
        raise InputError(f"{path}: the folder {folder} does not exist")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=folder)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if suffix == ".json":
            tmp.write_text(
                json.dumps([r.as_dict() for r in rows], indent=2, ensure_ascii=False, default=str)
                + "\n",
                encoding="utf-8",
            )
        elif suffix == ".csv":
            header, body = _wide(inst, rows, id_column)
            buf = io.StringIO()
            writer = csv.writer(buf)
            writer.writerow(header)
            writer.writerows([["" if c is None else c for c in row] for row in body])
            tmp.write_text(buf.getvalue(), encoding="utf-8")
        else:
            _write_xlsx(tmp, *_wide(inst, rows, id_column))
        os.replace(tmp, path)
    except OSError as exc:
        raise InputError(f"{path}: cannot write ({exc.strerror or exc})") from None
    finally:
        tmp.unlink(missing_ok=True)


def _write_xlsx(path: Path, header: list[str], body: list[list[Any]]) -> None:
    from observer_app.export.workbook import Column, XlsxBook

    n_scores = sum(1 for h in header if h.endswith("_answered"))
    n_fixed = len(header) - 4 * n_scores
    kinds = ["key"] * n_fixed + ["float", "float", "int", "text"] * n_scores
    columns = [Column(h, k, max(10.0, len(h) + 2)) for h, k in zip(header, kinds, strict=True)]
    rows = [[c if isinstance(c, int | float) or c is None else str(c) for c in r] for r in body]
    book = XlsxBook()
    try:
        book.add_sheet("Scores", columns, rows)
        book.save(path)
    except Exception:
        book.discard()
        raise


# -- sign-off, re-key, keys ----------------------------------------------------------------------
def _version_id(study: Study, ref: str) -> int:
    if ref.startswith("#") and ref[1:].isdigit():
        return int(ref[1:])
    info = study.definitions.instrument_version(ref)
    if info is None:
        raise NotFound(f"instrument {ref!r} is not attached to the study")
    return info.id


def _signoff(args: argparse.Namespace) -> int:
    with open_study(args) as study:
        vid = _version_id(study, args.instrument)
        info = study.instrument_keys.sign_off(vid, args.manual, args.note)
        inst = study.definitions.instrument(vid)
    print(f"{inst.id} {inst.version} (#{vid}): {info.text}")
    return 0


def _rekey(args: argparse.Namespace) -> int:
    with open_study(args) as study:
        result = study.instrument_keys.rekey_file(
            args.file, from_version_id=args.from_version, note=args.note
        )
    if args.json:
        print_json(
            {
                "instrument": result.instrument_id,
                "from_version_id": result.from_version_id,
                "to_version_id": result.to_version_id,
                "ratings_moved": result.ratings_moved,
                "forms_rescored": result.forms_rescored,
                "scores_changed": result.scores_changed,
                "changes": list(result.changes),
            }
        )
        return 0
    print(
        f"re-keyed {result.instrument_id}: version #{result.from_version_id} -> "
        f"#{result.to_version_id}; {result.ratings_moved} responses carried, "
        f"{result.forms_rescored} forms re-scored, {result.scores_changed} scores changed"
    )
    for change in result.changes:
        print(f"  {change}")
    print("  the new version's key is not checked yet: `observer-app instrument signoff`")
    return 0


def _keys(args: argparse.Namespace) -> int:
    with open_study(args, backup=False) as study:
        checks = study.instrument_keys.signoffs()
        versions = study.definitions.versions("instrument")
        rekeys = study.instrument_keys.rekeys()
    rows = [
        {
            "version_id": v.id,
            "id": v.definition_id,
            "version": v.version,
            "attached": "yes" if v.attached else "no",
            "key_check": key_check_text(checks.get(v.id)),
        }
        for v in versions
    ]
    if args.json:
        print_json(
            {
                "versions": rows,
                "rekeys": [
                    {"from": r.from_version_id, "to": r.to_version_id, "moved": r.ratings_moved}
                    for r in rekeys
                ],
            }
        )
        return 0
    print_table(rows, ["version_id", "id", "version", "attached", "key_check"])
    for r in rekeys:
        print(
            f"re-key: {r.instrument_id} #{r.from_version_id} -> #{r.to_version_id} "
            f"({r.ratings_moved} responses)"
        )
    return 0
