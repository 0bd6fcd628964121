"""``recordings sources add|list|offset|remove``: further cameras and audio tracks (issue 11)."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from observer_app.cli._output import print_json, print_table
from observer_app.cli._study import add_study_argument, open_study

if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]


def add_source_actions(recs: Subparsers) -> None:
    sources = recs.add_parser(
        "sources", help="further cameras and audio tracks of a recording, with offsets"
    ).add_subparsers(dest="sources_command", metavar="ACTION", required=True)
    p = sources.add_parser("add", help="add a source played in sync with the recording")
    add_study_argument(p)
    p.add_argument("recording", type=int, help="recording id")
    p.add_argument("file", type=Path)
    p.add_argument("--kind", choices=("video", "audio"), help="default: video if it has one")
    p.add_argument("--label", help="default: the file name")
    p.add_argument(
        "--offset-ms",
        type=int,
        default=0,
        help="where the source's time 0 is on the session clock (negative: it started earlier)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_add)
    p = sources.add_parser("list", help="a recording's further sources")
    add_study_argument(p)
    p.add_argument("recording", type=int)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_list)
    p = sources.add_parser("offset", help="set a source's offset on the session clock")
    add_study_argument(p)
    p.add_argument("recording", type=int)
    p.add_argument("source", type=int, help="source id (see list)")
    p.add_argument("offset_ms", type=int)
    p.set_defaults(handler=_offset)
    p = sources.add_parser("remove", help="remove a source from a recording")
    add_study_argument(p)
    p.add_argument("recording", type=int)
    p.add_argument("source", type=int)
    p.set_defaults(handler=_remove)


def _probe() -> Any:
    from observer_app.media.measure import measure

    return measure


def _add(args: argparse.Namespace) -> int:
    with open_study(args, probe=_probe()) as study:
        info = study.sources.add(
            args.recording, args.file, kind=args.kind, label=args.label, offset_ms=args.offset_ms
        )
    if args.json:
        print_json(asdict(info))
    else:
        print(
            f"added source #{info.id} ({info.kind}, {info.label!r}) to recording "
            f"#{info.recording_id} at offset {info.offset_ms} ms: {info.media_path}"
        )
    return 0


def _list(args: argparse.Namespace) -> int:
    with open_study(args) as study:
        rows = [asdict(s) for s in study.sources.of(args.recording)]
    if args.json:
        print_json(rows)
    else:
        print_table(rows, ["id", "kind", "label", "offset_ms", "duration_ms", "media_path"])
    return 0


def _offset(args: argparse.Namespace) -> int:
    with open_study(args) as study:
        info = study.sources.set_offset(args.recording, args.source, args.offset_ms)
    print(f"source #{info.id} ({info.label!r}) now at offset {info.offset_ms} ms")
    return 0


def _remove(args: argparse.Namespace) -> int:
    with open_study(args) as study:
        info = study.sources.remove(args.recording, args.source)
    print(f"removed source #{info.id} ({info.label!r}) from recording #{info.recording_id}")
    return 0
