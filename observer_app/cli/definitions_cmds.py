"""``observer-app scheme|instrument|textpack validate`` and ``instruments|schemes list``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from observer_app.cli._output import print_json, print_table
from observer_app.cli._study import add_study_argument, open_study
from observer_app.cli.instrument_cmds import register_actions
from observer_app.cli.manage_cmds import add_definition_actions
from observer_app.coding.definitions import (
    DefinitionProblems,
    Instrument,
    Scheme,
    builtin_instrument,
    builtin_instruments,
    builtin_schemes,
    format_path,
    load_instrument_file,
    load_scheme_file,
    load_textpack_file,
    reference_problems,
)

EXIT_INVALID = 2


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    scheme = sub.add_parser("scheme", help="check a coding-scheme file")
    scheme_sub = scheme.add_subparsers(dest="scheme_command", metavar="ACTION", required=True)
    p = scheme_sub.add_parser("validate", help="validate a scheme TOML file and summarise it")
    p.add_argument("file", type=Path, help="scheme file (.toml)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(handler=_validate_scheme)
    add_definition_actions(scheme_sub, "scheme")

    instrument = sub.add_parser("instrument", help="check an instrument file")
    inst_sub = instrument.add_subparsers(dest="instrument_command", metavar="ACTION", required=True)
    p = inst_sub.add_parser("validate", help="validate an instrument TOML file and summarise it")
    p.add_argument("file", type=Path, help="instrument file (.toml)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(handler=_validate_instrument)
    register_actions(inst_sub)
    add_definition_actions(inst_sub, "instrument")

    textpack = sub.add_parser("textpack", help="check a text pack of licensed item wording")
    pack_sub = textpack.add_subparsers(dest="textpack_command", metavar="ACTION", required=True)
    p = pack_sub.add_parser("validate", help="validate a text pack against its instrument")
    p.add_argument("file", type=Path, help="text pack file (.toml)")
    p.add_argument(
        "--instrument",
        metavar="FILE_OR_ID",
        help="instrument file, or the id of a built-in (default: the built-in the pack names)",
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(handler=_validate_textpack)

    listing = sub.add_parser("instruments", help="list the built-in instruments")
    list_sub = listing.add_subparsers(dest="instruments_command", metavar="ACTION", required=True)
    p = list_sub.add_parser(
        "list",
        help="id, name, version, items, subscales, perspective, unit, verify notes; with a "
        "study, each built-in's key check in that study",
    )
    add_study_argument(p, optional=True)
    p.add_argument("--json", action="store_true", help="print the list as JSON")
    p.set_defaults(handler=_list_instruments)

    listing = sub.add_parser("schemes", help="list the built-in coding schemes")
    list_sub = listing.add_subparsers(dest="schemes_command", metavar="ACTION", required=True)
    p = list_sub.add_parser("list", help="id, name, version, codes, segmenting, instruments")
    p.add_argument("--json", action="store_true", help="print the list as JSON")
    p.set_defaults(handler=_list_schemes)


def _report_problems(exc: DefinitionProblems, as_json: bool) -> int:
    if as_json:
        print_json(
            {
                "valid": False,
                "file": exc.source,
                "problems": [
                    {"path": format_path(p.path), "line": p.line, "message": p.message}
                    for p in exc.problems
                ],
            }
        )
    for problem in exc.problems:
        print(problem, file=sys.stderr)
    count = len(exc.problems)
    print(
        f"observer-app: error: {exc.source}: {count} problem{'s' if count != 1 else ''}",
        file=sys.stderr,
    )
    return EXIT_INVALID


def _instrument_lines(inst: Instrument) -> list[str]:
    subs = ", ".join(s.id for s in inst.subscales) or "none (total only)"
    scores = ", ".join(d.id for d in inst.score_definitions()) or "none"
    text = "present" if inst.has_item_text else "none (shows 'see your manual'; add a text pack)"
    lines = [
        f"  name:        {inst.name}",
        f"  version:     {inst.version}",
        f"  perspective: {inst.perspective}, rated per {inst.unit}",
        f"  scale:       {inst.scale.min}..{inst.scale.max}"
        + (", 'not rated' allowed" if inst.scale.allow_not_rated else ""),
        f"  items:       {len(inst.items)} ({sum(i.reverse for i in inst.items)} reverse-keyed)",
        f"  subscales:   {subs}",
        f"  scores:      {scores} ({inst.scoring.method}, "
        f"min answered {inst.scoring.min_answered:.0%})",
        f"  item text:   {text}",
        f"  validated:   {'yes' if inst.validated else 'NO (not a validated instrument)'}",
        f"  hash:        {inst.content_hash}",
    ]
    if inst.rollup:
        lines.append(f"  roll-up:     {', '.join(r.id for r in inst.rollup)}")
    for note in _verify_notes(inst):
        lines.append(f"  verify:      {note}")
    return lines


def _validate_instrument(args: argparse.Namespace) -> int:
    try:
        inst = load_instrument_file(args.file)
    except DefinitionProblems as exc:
        return _report_problems(exc, args.json)
    if args.json:
        print_json({"valid": True, "file": args.file.name, **_instrument_json(inst)})
        return 0
    print(f"{args.file.name}: valid instrument '{inst.id}'")
    print("\n".join(_instrument_lines(inst)))
    return 0


def _scheme_lines(scheme: Scheme) -> list[str]:
    counts = {c.id: sum(code.category == c.id for code in scheme.codes) for c in scheme.categories}
    cats = ", ".join(f"{cid} ({n})" for cid, n in counts.items()) or "none declared"
    keyed = sum(1 for c in scheme.codes if c.key)
    points = sum(c.kind == "point" for c in scheme.codes)
    seg = (
        f"{scheme.segments.minutes}-minute segments rated with "
        f"{scheme.segments.instrument or '(no instrument)'}"
        if scheme.segments
        else "none"
    )
    lines = [
        f"  name:        {scheme.name}",
        f"  version:     {scheme.version}",
        f"  codes:       {len(scheme.codes)} ({points} point, {len(scheme.codes) - points} state; "
        f"{keyed} with keys)",
        f"  categories:  {cats}",
        f"  exclusive:   {len(scheme.exclusive_groups)} group(s)",
        f"  segments:    {seg}",
        f"  session:     {', '.join(scheme.session_instruments) or 'none'}",
        f"  hash:        {scheme.content_hash}",
    ]
    for problem in reference_problems(scheme, builtin_instruments()):
        lines.append(f"  note:        {problem} among the built-ins (import it into the study)")
    for note in scheme.verify:
        lines.append(f"  verify:      {note}")
    return lines


def _validate_scheme(args: argparse.Namespace) -> int:
    try:
        scheme = load_scheme_file(args.file)
    except DefinitionProblems as exc:
        return _report_problems(exc, args.json)
    if args.json:
        print_json(
            {
                "valid": True,
                "file": args.file.name,
                **scheme.summary(),
                "notes": reference_problems(scheme, builtin_instruments()),
                "verify_notes": list(scheme.verify),
            }
        )
        return 0
    print(f"{args.file.name}: valid coding scheme '{scheme.id}'")
    print("\n".join(_scheme_lines(scheme)))
    return 0


def _validate_textpack(args: argparse.Namespace) -> int:
    try:
        pack = load_textpack_file(args.file)
        if args.instrument is None:
            inst = builtin_instrument(pack.instrument)
        elif Path(args.instrument).suffix == ".toml" or Path(args.instrument).exists():
            inst = load_instrument_file(Path(args.instrument))
        else:
            inst = builtin_instrument(args.instrument)
        pack = load_textpack_file(args.file, inst)
    except DefinitionProblems as exc:
        return _report_problems(exc, args.json)
    covered = sum(1 for item in inst.items if pack.text_for(item.id))
    if args.json:
        print_json(
            {
                "valid": True,
                "file": args.file.name,
                "instrument": inst.id,
                "instrument_version": inst.version,
                "items_with_text": covered,
                "items": len(inst.items),
            }
        )
        return 0
    print(
        f"{args.file.name}: valid text pack for '{inst.id}' version {inst.version}: "
        f"wording for {covered} of {len(inst.items)} items"
    )
    return 0


def _verify_notes(inst: Instrument) -> list[str]:
    """Every ``verify`` note of the instrument: file-level, then per subscale and item."""
    notes = list(inst.verify)
    notes += [f"subscale {s.id}: {v}" for s in inst.subscales for v in s.verify]
    notes += [f"item {i.id}: {v}" for i in inst.items for v in i.verify]
    return notes


def _instrument_json(inst: Instrument) -> dict[str, Any]:
    return {
        **inst.summary(),
        "verify_notes": _verify_notes(inst),
        "citation": inst.citation,
        "license": inst.license,
    }


def _key_checks(args: argparse.Namespace) -> dict[str, str] | None:
    """Content hash -> key check of the study's versions (``None`` without a study)."""
    if args.study is None:
        return None
    from observer_app.services.instrument_keys import key_check_text

    with open_study(args, backup=False) as study:
        checks = study.instrument_keys.signoffs()
        return {
            v.content_hash: key_check_text(checks.get(v.id))
            for v in study.definitions.versions("instrument")
        }


def _list_instruments(args: argparse.Namespace) -> int:
    instruments = builtin_instruments()
    checks = _key_checks(args)

    def key_check(inst: Instrument) -> str:
        if checks is None:
            return "key not checked (no study given)"
        return checks.get(inst.content_hash, "not in the study")

    if args.json:
        print_json([{**_instrument_json(i), "key_check": key_check(i)} for i in instruments])
        return 0
    rows = [
        {
            **i.summary(),
            "subscales": ",".join(s.id for s in i.subscales) or "-",
            "item_text": "yes" if i.has_item_text else "no",
            "verify": f"{len(_verify_notes(i))} verify" if i.needs_verification else "",
            "key_check": key_check(i),
        }
        for i in instruments
    ]
    columns = ["id", "name", "version", "items", "subscales", "perspective", "unit", "item_text"]
    print_table(rows, [*columns, "verify", "key_check"])
    unconfirmed = [i for i in instruments if i.needs_verification]
    if unconfirmed:
        print(
            f"\n{len(unconfirmed)} instruments carry unconfirmed facts (verify); "
            "`observer-app instruments list --json` or `instrument validate FILE` lists them:"
        )
        for inst in unconfirmed:
            for note in _verify_notes(inst):
                print(f"  {inst.id}: {note}")
    return 0


def _list_schemes(args: argparse.Namespace) -> int:
    schemes = builtin_schemes()
    if args.json:
        print_json([{**s.summary(), "verify_notes": list(s.verify)} for s in schemes])
        return 0
    rows = [
        {
            **s.summary(),
            "segments": f"{s.segments.minutes} min" if s.segments else "-",
            "instruments": ",".join(s.instrument_ids) or "-",
            "verify": "verify" if s.verify else "",
        }
        for s in schemes
    ]
    print_table(rows, ["id", "name", "version", "codes", "segments", "instruments", "verify"])
    return 0
