"""SPSS (.sav) and Stata (.dta) files, one per table, with variable and value labels.

Written with pyreadstat (the optional extra ``observer-app[spss]``; it brings pandas), which
needs a whole table in memory: the files are for analysis, the workbook and CSV stream.
Types: ``int``/``bool`` columns are numeric (booleans 1/0 with value labels 0 = no,
1 = yes), numbers and seconds numeric, ``time`` columns seconds (numeric), ``date`` columns
dates, ``datetime`` columns date-times (UTC), everything else a string. Stata allows variable
labels of 80 characters and strings of 2,045: longer ones are cut (the CSV and workbook keep
them whole).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from observer_app.coding.errors import InputError
from observer_app.export.workbook import Column, _json_text

STATA_LABEL = 80
STATA_STRING = 2045
SPSS_LABEL = 256
FORMATS = ("sav", "dta")


def available() -> bool:
    try:
        import pyreadstat  # noqa: F401
    except ImportError:
        return False
    return True


def require() -> None:
    if not available():
        raise InputError("SPSS and Stata files need pyreadstat: pip install 'observer-app[spss]'")


def file_name(sheet: str, fmt: str) -> str:
    return sheet.lower().replace(" ", "_") + "." + fmt


def _series(col: Column, values: list[Any], fmt: str) -> Any:
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

    kind = col.kind
    if kind in ("int", "bool"):
        return pd.Series([None if v is None else float(int(v)) for v in values], dtype="float64")
    if kind in ("number", "float", "seconds"):
        return pd.Series([None if v is None else float(v) for v in values], dtype="float64")
    if kind == "time":
        return pd.Series([None if v is None else v / 1000 for v in values], dtype="float64")
    if kind == "date":
        # date objects: pyreadstat writes them as dates (datetime64[s] would silently become
        # 1970-01-01 in pyreadstat 1.3.8; nanoseconds are right)
        return pd.Series(values, dtype="object")
    if kind == "datetime":
        naive = [
            None
            if v is None
            else v.astimezone(dt.UTC).replace(tzinfo=None)
            if v.tzinfo is not None
            else v
            for v in values
        ]
        return pd.to_datetime(pd.Series(naive, dtype="object")).astype("datetime64[ns]")
    limit = STATA_STRING if fmt == "dta" else 32_767
    out = []
    for v in values:
        if v is None:
            out.append("")
            continue
        s = (_json_text(v) or "") if kind == "json" else _text(v)
        out.append(s[:limit])
    return pd.Series(out, dtype="object")


def _text(v: Any) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ", timespec="seconds")
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def _label(col: Column, limit: int) -> str:
    text = col.label or col.name
    if col.unit:
        text += f" [{col.unit}]"
    return text[:limit]


def write_table(
    path: Path, name: str, columns: Sequence[Column], rows: list[Sequence[Any]], fmt: str
) -> None:
    """One table as a .sav or .dta file at ``path``."""
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]
    import pyreadstat

    by_col: list[list[Any]] = [[] for _ in columns]
    for row in rows:
        for k, v in enumerate(row):
            by_col[k].append(v)
    frame = pd.DataFrame(
        {c.name: _series(c, vals, fmt) for c, vals in zip(columns, by_col, strict=True)}
    )
    limit = STATA_LABEL if fmt == "dta" else SPSS_LABEL
    labels: list[str | None] = [_label(c, limit) for c in columns]
    value_labels = {
        c.name: {float(v): lab for v, lab in c.value_labels}
        for c in columns
        if c.value_labels and c.kind in ("int", "bool")
    }
    if fmt == "sav":
        pyreadstat.write_sav(
            frame,
            str(path),
            file_label=name,
            column_labels=labels,
            variable_value_labels=value_labels or None,
        )
    else:
        pyreadstat.write_dta(
            frame,
            str(path),
            file_label=name[:STATA_LABEL],
            column_labels=labels,
            variable_value_labels={
                k: {int(v): s for v, s in d.items()} for k, d in value_labels.items()
            }
            or None,
        )
