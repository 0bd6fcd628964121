"""The Consensus sheet: each reconciliation's decisions and the events and ratings it kept."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from observer_app.export.sheets.base import Row, Sheet, StudyData
from observer_app.export.workbook import Column


def consensus(data: StudyData) -> Sheet:
    cols = (
        Column("recording_id", "int", 12),
        Column("consensus_assignment_id", "int", 13),
        Column("manager", "key", 16),
        Column("status", "key", 11),
        Column("stale", "text", 30),
        Column("coder_a", "key", 14),
        Column("coder_b", "key", 14),
        Column("record", "key", 8),
        Column("key", "key", 14),
        Column("alignment", "key", 12),
        Column("decision", "key", 10),
        Column("decided_at", "datetime", 19),
        Column("result_id", "int", 10),
        Column("code", "key", 9),
        Column("onset_s", "seconds", 9),
        Column("onset", "time", 12),
        Column("instrument_version_id", "int", 12),
        Column("item_id", "key", 8),
        Column("unit", "key", 8),
        Column("segment", "int", 8),
        Column("value", "float", 8),
        Column("value_a", "float", 8),
        Column("value_b", "float", 8),
        Column("source_ids", "key", 16),
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
            head = (
                a.recording_id,
                aid,
                data.coder(a.coder_name),
                a.status,
                stale.get(aid),
                names[0],
                names[1],
            )
            for key, decision in sorted(ref.get("decisions", {}).items()):
                at = _when(decision.get("at"))
                evs = live[aid].get(key, [])
                if not evs:
                    yield (*head, "event", key, None, decision.get("decision"), at, *([None] * 12))
                for e in evs:
                    ids = ", ".join(str(i) for i in e.source.get("events", []))
                    yield (
                        *head,
                        "event",
                        key,
                        e.source.get("kind"),
                        decision.get("decision"),
                        at,
                        e.id,
                        e.code,
                        e.onset_ms / 1000,
                        e.onset_ms,
                        *([None] * 7),
                        ids,
                    )
            for r in data.ratings():
                if r.assignment_id != aid:
                    continue
                src = r.source
                values = src.get("values", {})
                ids = ", ".join(str(i) for i in src.get("ratings", []))
                seg = r.unit_index + 1 if r.unit_kind == "segment" else None
                yield (
                    *head,
                    "rating",
                    r.item_id,
                    None,
                    src.get("decision"),
                    None,
                    r.id,
                    None,
                    None,
                    None,
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


def _when(text: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(text)) if text else None
    except ValueError:
        return None
