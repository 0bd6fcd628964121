"""Scoring a table of completed forms: one row per form, one column per item (issue 10).

This is what a lab uses to score paper forms (``observer-app instrument score``) and what the
self-report import builds on. Pure: the caller reads the file (CSV or xlsx) into a header and
numbered rows; this module validates every cell and scores every row with
:func:`~observer_app.coding.definitions.scoring.score_responses`.

The table is *wide*: the id column names the form (``id`` unless told otherwise); a column whose
name is an item id of the instrument holds that item's responses; a column that *looks like* an
item but is not one is refused (see :func:`item_like`); every other column is carried through.
A cell is a response when it is a whole number on the item's scale, "not rated" (the scale's
``not_rated_label``, or ``NR``) where the scale allows it, or empty (unanswered). Anything else is
refused naming the row and the column: a value off the scale, text, a fraction, a missing or
repeated id. Nothing is scored unless the whole table is valid.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from observer_app.coding.definitions.instrument import Instrument, ResponseScale
from observer_app.coding.definitions.scoring import InstrumentScores, Responses, score_responses
from observer_app.coding.errors import InputError

DEFAULT_ID_COLUMN = "id"
NOT_RATED_WORDS = ("nr",)

_INT = re.compile(r"^[+-]?\d+(\.0*)?$")
_PREFIXED = re.compile(r"^(.*?)(\d+)$")


@dataclass(frozen=True)
class ScoredRow:
    """One scored form: its row number in the file, id, carried columns and scores."""

    row: int
    id: str
    extra: Mapping[str, Any]
    scores: InstrumentScores

    def as_dict(self) -> dict[str, Any]:
        """``{"id", "row", "columns", "scores": {score id: {mean, sum, answered, ...}}}``."""
        return {
            "id": self.id,
            "row": self.row,
            "columns": dict(self.extra),
            "scores": {
                s.id: {
                    "mean": s.mean,
                    "sum": s.sum,
                    "answered": s.answered,
                    "items": s.items,
                    "reason": s.reason,
                    "verify": s.verify,
                }
                for s in self.scores.scores
            },
        }


class _CellProblem(ValueError):
    pass


def parse_cell(scale: ResponseScale, cell: Any) -> int | str | None:
    """A cell as a response: an int, ``None`` ("not rated") or ``""`` (unanswered).

    Raises ``_CellProblem`` saying what is wrong with the cell.
    """
    if cell is None:
        return ""
    if isinstance(cell, bool):
        raise _CellProblem(f"{cell!r} is not a whole number")
    if isinstance(cell, float):
        if not cell.is_integer():
            raise _CellProblem(f"{cell:g} is not a whole number")
        cell = int(cell)
    if isinstance(cell, str):
        text = cell.strip()
        if not text:
            return ""
        if text.casefold() in {scale.not_rated_label.casefold(), *NOT_RATED_WORDS}:
            if not scale.allow_not_rated:
                raise _CellProblem(f"{text!r}: 'not rated' is not allowed on this scale")
            return None
        if not _INT.match(text):
            raise _CellProblem(
                f"{text!r} is not a whole number on the scale {scale.min}..{scale.max}"
            )
        cell = int(float(text))
    if not isinstance(cell, int):
        raise _CellProblem(f"{cell!r} is not a whole number")
    if not scale.min <= cell <= scale.max:
        raise _CellProblem(f"{cell} is outside the scale {scale.min}..{scale.max}")
    return cell


def responses_of(instrument: Instrument, cells: Mapping[str, Any]) -> Responses:
    """Item id -> cell as responses; raises ``InputError`` naming the first bad item."""
    out: dict[str, int | None] = {}
    for item_id, cell in cells.items():
        try:
            scale = instrument.scale_of(instrument.item(item_id))
        except KeyError:
            raise InputError(f"{item_id!r} is not an item of {instrument.id}") from None
        try:
            value = parse_cell(scale, cell)
        except _CellProblem as exc:
            raise InputError(f"item {item_id}: {exc}") from None
        if value != "":
            out[item_id] = None if value is None else int(value)
    return out


def score_response_mapping(instrument: Instrument, cells: Mapping[str, Any]) -> InstrumentScores:
    """Score one completed form given as item id -> cell (see :func:`parse_cell`)."""
    return score_responses(instrument, responses_of(instrument, cells))


def item_like(instrument: Instrument, column: str) -> bool:
    """Whether ``column`` looks like an item of this instrument: it has the form of the item
    ids (a number, or the items' common prefix and a number, e.g. ``q37`` beside ``q1..q36``)."""
    prefixes = set()
    for item_id in instrument.item_ids:
        match = _PREFIXED.match(item_id)
        if match:
            prefixes.add(match.group(1).casefold())
    found = _PREFIXED.match(column.strip())
    return found is not None and found.group(1).casefold() in prefixes


def score_response_table(
    instrument: Instrument,
    columns: Sequence[str],
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    *,
    id_column: str = DEFAULT_ID_COLUMN,
    source: str = "responses",
) -> list[ScoredRow]:
    """Validate and score every row; raise ``InputError`` naming the file, row and column of
    the first problem (and how many more there are). ``rows`` are (row number in the file,
    column -> cell)."""
    item_cols = _check_header(instrument, columns, id_column, source)
    extra_cols = [c for c in columns if c != id_column and c not in item_cols]
    problems: list[str] = []
    seen: dict[str, int] = {}
    scored: list[ScoredRow] = []
    for number, cells in rows:
        where = f"{source}: row {number}"
        form_id = _id_text(cells.get(id_column))
        if not form_id:
            problems.append(f"{where}, column {id_column!r}: no id")
        elif form_id in seen:
            problems.append(
                f"{where}, column {id_column!r}: id {form_id!r} repeats row {seen[form_id]}"
            )
        else:
            seen[form_id] = number
        responses = _row_responses(instrument, item_cols, cells, where, problems)
        if not problems:
            extra = {c: cells.get(c) for c in extra_cols}
            scored.append(ScoredRow(number, form_id, extra, score_responses(instrument, responses)))
    if problems:
        more = len(problems) - 1
        tail = f" (and {more} more problem{'s' if more != 1 else ''})" if more else ""
        raise InputError(problems[0] + tail)
    if not scored:
        raise InputError(f"{source}: no data rows below the header")
    return scored


def _check_header(
    instrument: Instrument, columns: Sequence[str], id_column: str, source: str
) -> list[str]:
    """The item columns; refuses a missing id column, an unknown item column, no item column."""
    items = set(instrument.item_ids)
    if id_column not in columns:
        raise InputError(
            f"{source}: the header row: no id column {id_column!r} "
            f"(columns: {', '.join(columns)}); name it with --id-column"
        )
    for c in columns:
        if c != id_column and c not in items and item_like(instrument, c):
            raise InputError(
                f"{source}: the header row, column {c!r}: not an item of {instrument.id} "
                f"(its items are {_item_range(instrument)})"
            )
    item_cols = [c for c in columns if c in items and c != id_column]
    if not item_cols:
        raise InputError(
            f"{source}: the header row: no column names an item of {instrument.id} "
            f"(its items are {_item_range(instrument)})"
        )
    return item_cols


def _row_responses(
    instrument: Instrument,
    item_cols: Sequence[str],
    cells: Mapping[str, Any],
    where: str,
    problems: list[str],
) -> dict[str, int | None]:
    responses: dict[str, int | None] = {}
    for column in item_cols:
        scale = instrument.scale_of(instrument.item(column))
        try:
            value = parse_cell(scale, cells.get(column))
        except _CellProblem as exc:
            problems.append(f"{where}, column {column!r}: {exc}")
            continue
        if value != "":
            responses[column] = None if value is None else int(value)
    return responses


def _id_text(cell: Any) -> str:
    if cell is None or isinstance(cell, bool):
        return "" if cell is None else str(cell)
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _item_range(instrument: Instrument) -> str:
    ids = instrument.item_ids
    if len(ids) > 4:
        return f"{ids[0]}, {ids[1]}, ..., {ids[-1]}"
    return ", ".join(ids)
