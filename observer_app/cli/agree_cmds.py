"""``observer-app agree FILE`` and ``observer-app agree-events A.csv B.csv``.

Reads ratings (wide or long CSV/xlsx) or two coders' event files, runs the statistics of
:mod:`observer_app.coding.agreement` and prints a table or one JSON object. Bad files give one
line naming the row or column and exit code 2 (via :class:`InputError`).
"""

from __future__ import annotations

import argparse
import csv
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from observer_app.cli._output import print_json, print_table
from observer_app.coding import agreement as ag
from observer_app.coding.errors import InputError


@dataclass(frozen=True)
class Table:
    """Ratings read from a file: ``cells[i][j]`` is unit i's rating by rater j (None = missing);
    ``where[(i, j)]`` names the file row and column of that cell for error messages."""

    units: list[str]
    raters: list[str]
    cells: list[list[Any]]
    where: dict[tuple[int, int], str]


STATS = ("icc", "cohen", "fleiss", "alpha", "ac1", "ac2", "bp", "percent")
NUMERIC_LEVELS = ("interval", "ratio")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "agree",
        help="inter-rater agreement of ratings in a CSV or xlsx file",
        description="Agreement statistics for a units x raters file (wide: unit,<rater>,...; "
        "long: unit,rater,value). An empty cell is a missing rating.",
    )
    p.add_argument("file", type=Path, help="ratings file (.csv or .xlsx)")
    p.add_argument("--stat", choices=STATS, required=True, help="statistic to compute")
    p.add_argument("--level", choices=ag.LEVELS, default=None, help="Krippendorff level")
    p.add_argument("--weights", choices=("none", "linear", "quadratic"), default=None)
    p.add_argument("--categories", default=None, help="the full scale, e.g. 1,2,3,4,5")
    p.add_argument("--input", choices=("wide", "long"), default="wide", dest="layout")
    p.add_argument(
        "--missing",
        choices=("listwise", "available"),
        default="listwise",
        help="fleiss: drop incomplete units (Fleiss 1971) or keep them (Gwet 2014)",
    )
    p.add_argument("--bootstrap", type=int, default=1000, help="alpha bootstrap resamples")
    p.add_argument("--seed", type=int, default=0, help="alpha bootstrap seed")
    p.add_argument(
        "--bootstrap-method",
        choices=("pairs", "units"),
        default="pairs",
        help="alpha bootstrap: value pairs (Hayes & Krippendorff 2007) or whole units",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=_agree)

    e = sub.add_parser(
        "agree-events",
        help="agreement of two coders' timed events",
        description="Two CSV files with columns code,onset_ms[,offset_ms].",
    )
    e.add_argument("file_a", type=Path)
    e.add_argument("file_b", type=Path)
    e.add_argument("--tolerance", default="2s", help="matching window, e.g. 2s, 1500ms")
    e.add_argument("--method", choices=("point", "elan", "time"), default="point")
    e.add_argument("--threshold", type=float, default=0.60, help="elan: overlap threshold")
    e.add_argument("--slice", default="1s", help="time: slice width, e.g. 1s, 500ms")
    e.add_argument(
        "--within-code", action="store_true", help="point: match only events with the same code"
    )
    e.add_argument("--json", action="store_true", help="print one JSON object")
    e.set_defaults(handler=_agree_events)


# ----------------------------------------------------------------------------- reading files


def _cell(v: Any) -> Any:
    """Missing -> None; numbers as float; other text stripped."""
    if v is None:
        return None
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int | float):
        return float(v)
    s = str(v).strip()
    if s == "":
        return None
    try:
        x = float(s)
    except ValueError:
        return s
    return x if math.isfinite(x) else s


def _read_rows(path: Path) -> list[list[Any]]:
    """All rows of a CSV or the first sheet of an xlsx, as lists of cells."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix not in (".csv", ".txt", ".tsv", ""):
        raise InputError(f"{path}: unsupported file type {suffix!r} (use .csv or .xlsx)")
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            delimiter = _delimiter(fh.readline(), suffix)
            fh.seek(0)
            rows = list(csv.reader(fh, delimiter=delimiter))
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not a UTF-8 text file ({exc.reason})") from exc
    if delimiter == ";":  # spreadsheet exports in many locales: 3,5 means 3.5
        rows = [[_DECIMAL_COMMA.sub(r"\1.\2", c) for c in row] for row in rows]
    return rows


_DECIMAL_COMMA = re.compile(r"^\s*(-?\d+),(\d+)\s*$")


def _delimiter(header_line: str, suffix: str) -> str:
    """Tab for .tsv; otherwise the first of comma, semicolon or tab found in the header line."""
    if suffix == ".tsv":
        return "\t"
    for d in (",", ";", "\t"):
        if d in header_line:
            return d
    return ","


def _read_xlsx(path: Path) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise InputError(f"{path}: cannot be read as an xlsx workbook ({exc})") from exc
    try:
        ws = wb.worksheets[0]
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    while rows and all(c is None or str(c).strip() == "" for c in rows[-1]):
        rows.pop()
    # trailing empty columns of the used range are not data
    width = max((_last_filled(r) for r in rows), default=0)
    return [r[:width] for r in rows]


def _last_filled(row: Sequence[Any]) -> int:
    for i in range(len(row), 0, -1):
        if row[i - 1] is not None and str(row[i - 1]).strip() != "":
            return i
    return 0


def _nonblank(rows: list[list[Any]]) -> list[tuple[int, list[Any]]]:
    """(1-based file row number, row) for rows that hold anything."""
    return [
        (i + 1, r)
        for i, r in enumerate(rows)
        if any(c is not None and str(c).strip() != "" for c in r)
    ]


def read_wide(path: Path) -> Table:
    """Units, raters and cells from ``unit,<rater>,...`` (one row per unit)."""
    rows = _nonblank(_read_rows(path))
    if not rows:
        raise InputError(f"{path}: the file is empty")
    head_line, head = rows[0]
    header = [str(c).strip() if c is not None else "" for c in head]
    if not header or header[0].lower() != "unit":
        raise InputError(f"{path}: row {head_line}, column 1: the header must start with 'unit'")
    raters = header[1:]
    for j, name in enumerate(raters, start=2):
        if name == "":
            raise InputError(f"{path}: row {head_line}, column {j}: empty rater name")
        if raters.index(name) != j - 2:
            raise InputError(f"{path}: row {head_line}, column {j}: rater {name!r} repeated")
    t = Table([], raters, [], {})
    seen: set[str] = set()
    for lineno, row in rows[1:]:
        if len(row) != len(header):
            raise InputError(
                f"{path}: row {lineno} has {len(row)} cells but the header has {len(header)}"
            )
        unit = _unit_id(path, lineno, row[0])
        if unit in seen:
            raise InputError(f"{path}: row {lineno}, column 1 (unit): unit {unit!r} repeated")
        seen.add(unit)
        for j, name in enumerate(raters):
            t.where[(len(t.cells), j)] = f"row {lineno}, column {j + 2} (rater {name!r})"
        t.units.append(unit)
        t.cells.append([_cell(v) for v in row[1:]])
    return t


def _unit_id(path: Path, lineno: int, v: Any) -> str:
    c = _cell(v)
    if c is None:
        raise InputError(f"{path}: row {lineno}, column 1 (unit): the unit id is empty")
    if isinstance(c, float) and c == int(c):
        return str(int(c))
    return str(c)


def read_long(path: Path) -> Table:
    """Units, raters and cells from ``unit,rater,value`` rows."""
    rows = _nonblank(_read_rows(path))
    if not rows:
        raise InputError(f"{path}: the file is empty")
    head_line, head = rows[0]
    header = [str(c).strip().lower() if c is not None else "" for c in head]
    for j, want in enumerate(("unit", "rater", "value"), start=1):
        got = header[j - 1] if j <= len(header) else ""
        if got != want:
            raise InputError(
                f"{path}: row {head_line}, column {j}: expected header {want!r}, found {got!r} "
                "(long input is unit,rater,value)"
            )
    if len(header) > 3:
        raise InputError(f"{path}: row {head_line}, column 4: unexpected column {header[3]!r}")
    values: dict[str, dict[str, tuple[Any, int]]] = {}
    raters: list[str] = []
    for lineno, row in rows[1:]:
        if len(row) != 3:
            raise InputError(f"{path}: row {lineno} has {len(row)} cells; expected 3")
        unit = _unit_id(path, lineno, row[0])
        rater = "" if row[1] is None else str(row[1]).strip()
        if rater == "":
            raise InputError(f"{path}: row {lineno}, column 2 (rater): the rater is empty")
        per = values.setdefault(unit, {})
        if rater in per:
            raise InputError(f"{path}: row {lineno}: rater {rater!r} rated unit {unit!r} twice")
        per[rater] = (_cell(row[2]), lineno)
        if rater not in raters:
            raters.append(rater)
    t = Table(list(values), raters, [], {})
    for i, unit in enumerate(t.units):
        t.cells.append([values[unit].get(r, (None, 0))[0] for r in raters])
        for j, r in enumerate(raters):
            if r in values[unit]:
                line = values[unit][r][1]
                t.where[(i, j)] = f"row {line}, column 3 (value of rater {r!r})"
    return t


# ------------------------------------------------------------------------------- statistics


def _check_numeric(path: Path, t: Table, why: str) -> None:
    for i, row in enumerate(t.cells):
        for j, v in enumerate(row):
            if v is not None and not isinstance(v, float):
                raise InputError(f"{path}: {t.where[(i, j)]}: {v!r} is not a number ({why})")


def _parse_categories(text: str | None) -> list[Any] | None:
    if text is None:
        return None
    parts = [p.strip() for p in text.split(",")]
    if any(p == "" for p in parts):
        raise InputError(f"--categories {text!r}: an empty category")
    return [_cell(p) for p in parts]


def _matrix(cells: list[list[Any]]) -> list[list[Any]]:
    return [[math.nan if v is None else v for v in row] for row in cells]


def _compute(args: argparse.Namespace, path: Path, t: Table) -> list[ag.AgreementResult]:
    stat: str = args.stat
    cats = _parse_categories(args.categories)
    data = _matrix(t.cells)
    weights = args.weights or ("quadratic" if stat == "ac2" else "none")
    if stat == "icc":
        _check_numeric(path, t, "ICC needs numeric ratings")
        return list(ag.icc(data))
    if stat == "alpha":
        level = args.level or "nominal"
        if level in NUMERIC_LEVELS:
            _check_numeric(path, t, f"the {level} level needs numbers")
        alpha = ag.krippendorff_alpha(
            data,
            level,
            categories=cats,
            bootstrap=args.bootstrap,
            seed=args.seed,
            bootstrap_method=args.bootstrap_method,
        )
        return [alpha]
    if weights != "none" and cats is None:
        _check_numeric(path, t, f"{weights} weights need numbers, or --categories for ranks")
    if stat == "cohen":
        if len(t.raters) != 2:
            raise InputError(
                f"{path}: Cohen's kappa needs exactly 2 rater columns; found {len(t.raters)} "
                "(use --stat fleiss or alpha for more)"
            )
        return [ag.cohen_kappa(data, weights, categories=cats)]
    if stat == "fleiss":
        overall, per = ag.fleiss_kappa(data, categories=cats, missing=args.missing)
        if args.missing == "available":  # per-category kappas need complete units
            return [overall]
        return [overall, *(c.result for c in per)]
    if stat in ("ac1", "ac2"):
        return [ag.gwet_ac(data, weights if stat == "ac2" else "none", categories=cats)]
    if stat == "bp":
        return [ag.brennan_prediger(data, weights, categories=cats)]
    out = [ag.percent_agreement(data, weights, categories=cats)]
    if all(v is None or isinstance(v, float) for row in t.cells for v in row):
        out.append(ag.within_one(data, categories=cats))
    return out


def _fmt(x: float | None, digits: int = 3) -> str:
    return "" if x is None else f"{x:.{digits}f}"


def _print_results(results: Sequence[ag.AgreementResult]) -> None:
    rows = []
    for r in results:
        rows.append(
            {
                "statistic": r.name,
                "value": _fmt(r.value) if r.defined else "undefined",
                "95% CI": "" if r.ci95 is None else f"[{_fmt(r.ci95[0])}, {_fmt(r.ci95[1])}]",
                "SE": _fmt(r.se),
                "p": "" if r.p is None else f"{r.p:.4g}",
                "units": r.n_units,
                "raters": r.n_raters,
                "dropped": r.n_dropped,
                "label": r.label or "",
            }
        )
    print_table(
        rows, ["statistic", "value", "95% CI", "SE", "p", "units", "raters", "dropped", "label"]
    )
    for r in results:
        if r.undefined_reason:
            print(f"{r.name}: undefined: {r.undefined_reason}")


def _agree(args: argparse.Namespace) -> int:
    path: Path = args.file
    reader = read_long if args.layout == "long" else read_wide
    t = reader(path)
    units, raters = t.units, t.raters
    if not units:
        raise InputError(f"{path}: no unit rows below the header")
    if len(raters) < 2:
        raise InputError(
            f"{path}: agreement needs at least 2 raters; found {len(raters)} "
            f"({', '.join(raters) or 'none'})"
        )
    results = _compute(args, path, t)
    if args.json:
        print_json(
            {
                "statistic": args.stat,
                "file": str(path),
                "raters": raters,
                "n_units_in_file": len(units),
                "results": [r.to_dict() for r in results],
            }
        )
    else:
        _print_results(results)
    return 0


# ----------------------------------------------------------------------------------- events


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|min)?\s*$")


def parse_duration_ms(text: str, what: str) -> int:
    """``2s``, ``1500ms``, ``0.5 s``, ``1min`` or a bare number of milliseconds."""
    m = _DURATION.match(text)
    if not m:
        raise InputError(f"--{what} {text!r}: expected a duration such as 2s or 1500ms")
    value = float(m.group(1))
    factor = {"ms": 1, None: 1, "s": 1000, "min": 60_000}[m.group(2)]
    return round(value * factor)


def read_events(path: Path) -> list[ag.Event]:
    """Events from a CSV with columns ``code,onset_ms[,offset_ms]`` (header required)."""
    rows = _nonblank(_read_rows(path))
    if not rows:
        raise InputError(f"{path}: the file is empty")
    header = [str(c).strip().lower() for c in rows[0][1]]
    if header not in (["code", "onset_ms"], ["code", "onset_ms", "offset_ms"]):
        raise InputError(
            f"{path}: row {rows[0][0]}: the header must be code,onset_ms[,offset_ms]; "
            f"found {','.join(header)}"
        )
    out = []
    for lineno, row in rows[1:]:
        if len(row) != len(header):
            raise InputError(f"{path}: row {lineno} has {len(row)} cells; expected {len(header)}")
        code = str(row[0]).strip() if row[0] is not None else ""
        if code == "":
            raise InputError(f"{path}: row {lineno}, column 1 (code): the code is empty")
        onset = _ms(path, lineno, 2, "onset_ms", row[1])
        if onset is None:
            raise InputError(f"{path}: row {lineno}, column 2 (onset_ms): the onset is empty")
        offset = _ms(path, lineno, 3, "offset_ms", row[2]) if len(row) == 3 else None
        if offset is not None and offset < onset:
            raise InputError(f"{path}: row {lineno}, column 3 (offset_ms): offset before onset")
        out.append(ag.Event(code, onset, offset))
    return out


def _ms(path: Path, lineno: int, col: int, name: str, v: Any) -> int | None:
    c = _cell(v)
    if c is None:
        return None
    if not isinstance(c, float) or c != int(c) or c < 0:
        raise InputError(
            f"{path}: row {lineno}, column {col} ({name}): {v!r} is not a whole number of ms"
        )
    return int(c)


def _agree_events(args: argparse.Namespace) -> int:
    a = read_events(args.file_a)
    b = read_events(args.file_b)
    tol = parse_duration_ms(args.tolerance, "tolerance")
    if args.method == "point":
        res = ag.point_event_agreement(a, b, tol, across_codes=not args.within_code)
    elif args.method == "elan":
        res = ag.interval_event_agreement(a, b, args.threshold)
    else:
        width = parse_duration_ms(args.slice, "slice")
        if width <= 0:
            raise InputError("--slice must be positive")
        res = ag.time_based_agreement(a, b, width, math.ceil(tol / width))
    if args.json:
        print_json({"file_a": str(args.file_a), "file_b": str(args.file_b), **res.to_dict()})
        return 0
    _print_results(res.statistics)
    print()
    labels = res.confusion.labels
    table = [
        {"A \\ B": lab, **{c: str(n) for c, n in zip(labels, row, strict=True)}}
        for lab, row in zip(labels, res.confusion.counts, strict=True)
    ]
    print_table(table, ["A \\ B", *labels])
    if res.method != "time":
        print()
        print_table(
            [
                {
                    "code": c.code,
                    "matched": c.matched,
                    "mismatched A": c.mismatched_a,
                    "mismatched B": c.mismatched_b,
                    "unmatched A": c.unmatched_a,
                    "unmatched B": c.unmatched_b,
                }
                for c in res.per_code
            ],
            ["code", "matched", "mismatched A", "mismatched B", "unmatched A", "unmatched B"],
        )
    return 0
