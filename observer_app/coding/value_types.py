"""The type of a free-metadata column (condition, site, client_age, ...), from its values.

Session metadata arrives as text from spreadsheets and CSV files; an analysis wants numbers as
numbers and dates as dates. :func:`infer_type` looks at every value of one column and picks the
narrowest type that holds all of them; :func:`convert` turns one value into that type.

Rules: missing values (``None``, empty or blank text) do not vote. ``bool`` when every value is
a boolean; ``int`` when every value is a whole number (an ``int``, an integral ``float``, or
text of optional sign and digits without a leading zero such as ``"007"``, which is an
identifier); ``float`` when every value is a number (text in decimal or exponent notation with
a point, never a comma); ``date`` when every value is an ISO 8601 calendar date
(``YYYY-MM-DD``); otherwise ``text``. A column with no values is ``text``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from typing import Any, Literal

ValueType = Literal["bool", "int", "float", "date", "text"]

_INT_RE = re.compile(r"^[+-]?(0|[1-9][0-9]*)$")
_FLOAT_RE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_ZERO_LED_RE = re.compile(r"^[+-]?0[0-9]+$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _kind(v: Any) -> ValueType:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "int" if math.isfinite(v) and v.is_integer() else "float"
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return "date"
    if isinstance(v, str):
        s = v.strip()
        if _INT_RE.match(s):
            return "int"
        if _ZERO_LED_RE.match(s):
            return "text"
        if _FLOAT_RE.match(s):
            return "float"
        if _DATE_RE.match(s):
            try:
                dt.date.fromisoformat(s)
            except ValueError:
                return "text"
            return "date"
    return "text"


def infer_type(values: Iterable[Any]) -> ValueType:
    """The narrowest type that holds every non-missing value (see the module docstring)."""
    kinds = {_kind(v) for v in values if not _missing(v)}
    if not kinds:
        return "text"
    if len(kinds) == 1:
        return kinds.pop()
    if kinds <= {"int", "float"}:
        return "float"
    return "text"


def convert(v: Any, kind: ValueType) -> Any:
    """``v`` as ``kind`` (a value :func:`infer_type` accepted for that kind); missing -> None."""
    if _missing(v):
        return None
    if kind == "text":
        return v if isinstance(v, str) else str(v)
    if kind == "bool":
        return bool(v)
    if kind == "int":
        return int(v) if not isinstance(v, str) else int(v.strip())
    if kind == "float":
        return float(v)
    if isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v).strip())
