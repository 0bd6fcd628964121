"""The Consensus sheet: each reconciliation's decisions and the events and ratings it kept."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from observer_app.export.sheets.base import Row, Sheet, StudyData
from observer_app.export.workbook import Column

_OWN = (
    Column("coder_a", "key", 14, label="first reconciled coder"),
    Column("coder_b", "key", 14, label="second reconciled coder"),
    Column("record", "key", 8, label="what was decided", allowed="event, rating"),
    Column("decision_key", "key", 14, label="the decision's key within the reconciliation"),
    Column("alignment", "key", 12, label="how the two coders' events aligned"),
    Column(
        "decision",
        "key",
        10,
        label="decision",
        allowed="agree, accept_a, accept_b, both, neither, edit",
    ),
    Column("decided_at", "datetime", 19, label="when it was decided", unit="UTC"),
    Column("decided_by", "key", 14, label="who decided"),
    Column("result_id", "int", 10, label="the consensus event or rating"),
    Column("code", "key", 9, label="consensus event's code"),
    Column("onset_s", "seconds", 9, label="consensus event's onset", unit="seconds"),
    Column("onset", "time", 12, label="consensus event's onset", unit="hh:mm:ss.000"),
    Column("instrument", "key", 14, label="instrument id"),
    Column("instrument_version", "key", 10, label="instrument's own version"),
    Column("version_id", "int", 10, label="stored definition version"),
    Column("item_id", "key", 8, label="item id"),
    Column("unit", "key", 8, label="what was rated", allowed="session, segment"),
    Column("segment", "int", 8, label="segment number (from 1)"),
    Column("value", "number", 8, label="consensus value"),
    Column("value_a", "number", 8, label="first coder's value"),
    Column("value_b", "number", 8, label="second coder's value"),
    Column("source_ids", "key", 16, label="ids of the coders' events or ratings it came from"),
)


def consensus(data: StudyData) -> Sheet:
    ctx = data.context
    cols = (
        *ctx.columns,
        Column("stale", "text", 30, label="what changed in the sources since the consensus"),
        *_OWN,
    )
    cons = {aid: a for aid, a in data.assignments.items() if a.purpose == "consensus"}
    stale = data.study.consensus.stale() if cons else {}

    def rows() -> Iterator[Row]:
        if not cons:
            return
        live: dict[int, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
        for e in data.stream.events(only=sorted(cons)):
            if e.assignment_id in cons:
                live[e.assignment_id][str(e.source.get("key"))].append(e)
        for aid, a in sorted(cons.items()):
            ref = a.reference
            names = [data.coder(n) for n in ref.get("coders", [])] + [None, None]
            head = (*ctx.of(aid), stale.get(aid), names[0], names[1])
            for key, decision in sorted(ref.get("decisions", {}).items()):
                at = _when(decision.get("at"))
                by = _who(data, decision.get("by"))
                evs = live[aid].get(key, [])
                what = decision.get("decision")
                if not evs:
                    yield (*head, "event", key, None, what, at, by, *([None] * 14))
                for e in evs:
                    ids = ", ".join(str(i) for i in e.source.get("events", []))
                    yield (
                        *head,
                        "event",
                        key,
                        e.source.get("kind"),
                        what,
                        at,
                        by,
                        e.id,
                        e.code,
                        e.onset_ms / 1000,
                        e.onset_ms,
                        *([None] * 9),
                        ids,
                    )
            for r in data.ratings():
                if r.assignment_id != aid:
                    continue
                src = r.source
                values = src.get("values", {})
                ids = ", ".join(str(i) for i in src.get("ratings", []))
                seg = r.unit_index + 1 if r.unit_kind == "segment" else None
                inst = data.instruments.get(r.instrument_version_id)
                yield (
                    *head,
                    "rating",
                    r.item_id,
                    None,
                    src.get("decision"),
                    _when(src.get("at")),
                    _who(data, src.get("by")),
                    r.id,
                    None,
                    None,
                    None,
                    inst.id if inst else None,
                    inst.version if inst else None,
                    r.instrument_version_id,
                    r.item_id,
                    r.unit_kind,
                    seg,
                    r.value,
                    values.get("A"),
                    values.get("B"),
                    ids,
                )

    return Sheet("Consensus", cols, rows())


def _who(data: StudyData, name: Any) -> str | None:
    return None if not name else data.coder(str(name))


def _when(text: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(text)) if text else None
    except ValueError:
        return None
