"""The sequence report as plain JSON-ready data (the CLI's ``--json`` and the tests)."""

from __future__ import annotations

from typing import Any

from observer_app.coding.sequences import RepairSummary
from observer_app.services.sequences.model import RuptureRow, SequenceReport


def summary_dict(s: RepairSummary) -> dict[str, Any]:
    return {
        "ruptures": s.ruptures,
        "resolved": s.resolved,
        "share_resolved": s.share_resolved,
        "coded_hours": s.coded_ms / 3_600_000,
        "ruptures_per_hour": s.per_hour,
        "time_to_repair_median_s": None if s.median_ms is None else s.median_ms / 1000,
        "time_to_repair_q1_s": None if s.q1_ms is None else s.q1_ms / 1000,
        "time_to_repair_q3_s": None if s.q3_ms is None else s.q3_ms / 1000,
        "by_category": dict(sorted(s.by_category.items())),
        "marker_to_first_strategy": [
            {"marker": m, "strategy": r, "count": n} for (m, r), n in sorted(s.pairs.items())
        ],
    }


def rupture_dict(row: RuptureRow) -> dict[str, Any]:
    c, r = row.session, row.repair
    rec = c.recording
    return {
        "recording_id": rec.id,
        "dyad": rec.dyad_id,
        "therapist": rec.therapist_id,
        "session_number": rec.session_number,
        "phase": c.phase.number if c.phase else None,
        "phase_label": c.phase.label if c.phase else None,
        "coder": c.coder,
        "source": c.source,
        "assignment_id": c.assignment_id,
        "marker": r.rupture.code,
        "category": r.category,
        "subject": r.rupture.subject,
        "onset_s": r.rupture.onset_ms / 1000,
        "resolved": r.resolved,
        "first_strategy": r.resolution.code if r.resolution else None,
        "time_to_repair_s": None if r.time_to_repair_ms is None else r.time_to_repair_ms / 1000,
        "strategies": list(r.strategies),
    }


def report_dict(rep: SequenceReport) -> dict[str, Any]:
    perm = rep.permutation
    return {
        "rule": rep.rules,
        "settings": rep.settings.to_json(),
        "codings": len(rep.sessions),
        "summaries": [
            {"level": s.level, "key": s.key, "codings": s.codings, **summary_dict(s.summary)}
            for s in rep.summaries
        ],
        "lag1": {"codes": list(rep.lag.codes), "cells": rep.lag.cells()},
        "time_window": {
            "table": {"a": rep.window.a, "b": rep.window.b, "c": rep.window.c, "d": rep.window.d},
            "yules_q": rep.window.yules_q,
            "odds_ratio": rep.window.odds_ratio,
        },
        "permutation": None
        if perm is None
        else {
            "followed": perm.followed,
            "ruptures": perm.givens,
            "proportion": perm.proportion,
            "chance_proportion": perm.chance_proportion,
            "shuffles": perm.shuffles,
            "seed": perm.seed,
            "p_value": perm.p_value,
        },
        "ruptures": [rupture_dict(r) for r in rep.ruptures],
        "notes": rep.notes,
    }
