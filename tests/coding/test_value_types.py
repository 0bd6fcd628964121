"""Free metadata columns get the narrowest type that holds every value."""

from __future__ import annotations

import datetime as dt

import pytest

from observer_app.coding.value_types import convert, infer_type


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (["34", " 41", None, ""], "int"),
        ([34, 41.0], "int"),
        (["34", "41.5"], "float"),
        (["1e3", "2"], "float"),
        (["007", "12"], "text"),  # an identifier with a leading zero stays text
        (["2024-03-01", "2024-12-31"], "date"),
        (["2024-02-30"], "text"),  # not a calendar date
        ([True, False], "bool"),
        ([True, 1], "text"),
        (["CBT", "PDT"], "text"),
        (["3,5"], "text"),  # a decimal comma is not guessed
        ([None, " "], "text"),
        ([], "text"),
    ],
)
def test_infer_type(values: list[object], kind: str) -> None:
    assert infer_type(values) == kind


def test_convert() -> None:
    assert convert(" 41", "int") == 41
    assert convert("41.5", "float") == 41.5
    assert convert("2024-03-01", "date") == dt.date(2024, 3, 1)
    assert convert("", "int") is None
    assert convert(7, "text") == "7"
