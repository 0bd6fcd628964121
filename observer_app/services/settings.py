"""Study-level settings (``study.settings`` JSON): read by anyone, changed by managers, audited.

Known settings are checked here: ``reliability_min_units`` (the minimum-units rule of the
reliability report: an integer, never below 5) and ``reliability_subjects`` (event matching
"within" or "across" subjects).
"""

from __future__ import annotations

from typing import Any

from observer_app.coding.errors import InputError
from observer_app.services.access import require_manager
from observer_app.services.context import ServiceContext, get_or_raise
from observer_app.services.reliability.request import (
    MIN_UNITS_FLOOR,
    MIN_UNITS_SETTING,
    SUBJECT_MODES,
    SUBJECTS_SETTING,
)
from observer_app.store.models import Study


def _check(key: str, value: Any) -> None:
    if key == MIN_UNITS_SETTING and (
        not isinstance(value, int) or isinstance(value, bool) or value < MIN_UNITS_FLOOR
    ):
        raise InputError(f"{key} must be a whole number, {MIN_UNITS_FLOOR} or more; got {value!r}")
    if key == SUBJECTS_SETTING and value not in SUBJECT_MODES:
        raise InputError(f"{key} must be one of {', '.join(SUBJECT_MODES)}; got {value!r}")


class SettingsService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def get(self, key: str, default: Any = None) -> Any:
        with self._ctx.read() as s:
            study = get_or_raise(s, Study, self._ctx.study_id, "study")
            return (study.settings or {}).get(key, default)

    def set(self, key: str, value: Any) -> None:
        """Set one setting (one audited transaction; a bad value changes nothing)."""
        require_manager(self._ctx.actor, "change study settings")
        _check(key, value)
        with self._ctx.tx(f"setting {key}") as s:
            study = get_or_raise(s, Study, self._ctx.study_id, "study")
            study.settings = {**(study.settings or {}), key: value}
