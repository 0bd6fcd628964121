"""The Audit sheet: who changed what, when, with the values before and after.

One row per audit entry in the order recorded. With pseudonymisation the actor's name and any
coder name inside the context or the before/after values become the coder's code (C01, ...),
and a coder record's name and initials are left out. Secrets are never in the audit trail (the
store's audit hook leaves password hashes out), so none can reach the sheet.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from observer_app.export.sheets.base import Row, Sheet, StudyData
from observer_app.export.workbook import Column

AUDIT_COLUMNS = (
    Column("audit_id", "int", 9),
    Column("at", "datetime", 19),
    Column("who", "key", 16),
    Column("action", "key", 9),
    Column("what", "key", 14),
    Column("record_id", "int", 10),
    Column("context", "text", 40),
    Column("before", "json", 40),
    Column("after", "json", 40),
)
_NAME_FIELDS = ("name", "initials")


def _masked(values: Mapping[str, Any] | None, entity: str, names: Mapping[str, str]) -> Any:
    if values is None:
        return None
    return {
        key: _deep(value, names)
        for key, value in values.items()
        if not (entity == "coder" and key in _NAME_FIELDS)
    }


def _deep(value: Any, names: Mapping[str, str]) -> Any:
    """Every coder name inside a value (nested lists and dicts too) replaced by its code."""
    if isinstance(value, str):
        return _mask_text(value, names)
    if isinstance(value, list):
        return [_deep(v, names) for v in value]
    if isinstance(value, dict):
        return {_mask_text(str(k), names): _deep(v, names) for k, v in value.items()}
    return value


def _mask_text(text: str, names: Mapping[str, str]) -> str:
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, names[name])
    return text


def audit(data: StudyData) -> Sheet:
    pseudo = data.options.pseudonymize
    names = dict(data.display) if pseudo else {}

    def rows() -> Iterator[Row]:
        for e in data.study.audit.entries():
            before, after = e.before, e.after
            if pseudo:
                before = _masked(before, e.entity, names)
                after = _masked(after, e.entity, names)
            yield (
                e.id,
                e.at,
                data.coder(e.actor_name) if pseudo else e.actor_name,
                e.action,
                e.entity,
                e.entity_id,
                (_mask_text(e.context, names) if pseudo else e.context) or None,
                before,
                after,
            )

    return Sheet("Audit", AUDIT_COLUMNS, rows())
