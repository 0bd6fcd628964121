"""The Sessions sheet: the analysis-ready wide table, one row per session and coder.

One row per assignment (a session as one coder coded it; filter ``analysis = 1`` for one row
per session), with the context columns, every code's count and rate per hour, and every
instrument's scores side by side (session instruments: subscale, composite and total scores;
segment instruments: their roll-ups), each named ``<instrument>_<score>`` by the naming rule.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from observer_app.coding.varnames import unique_names
from observer_app.export.sheets.base import Row, Sheet, StudyData
from observer_app.export.sheets.event_sheets import WHOLE_RECORDING_MS, code_columns
from observer_app.export.sheets.rating_sheets import form_scores, forms, score_ids
from observer_app.export.workbook import Column

MS_PER_HOUR = 3_600_000


def _score_targets(data: StudyData) -> list[tuple[str, str, str, str]]:
    """(instrument id, score id, label, instrument version) for every score column."""
    seen: set[tuple[str, str]] = set()
    out: list[tuple[str, str, str, str]] = []
    for inst in data.instruments.values():
        for sid, label in score_ids(inst):
            if (inst.id, sid.lower()) not in seen:
                seen.add((inst.id, sid.lower()))
                out.append((inst.id, sid, label, inst.version))
    return out


def sessions(data: StudyData) -> Sheet:
    ctx = data.context
    code_index, count_cols = code_columns(data)
    codes = list(code_index)
    targets = _score_targets(data)
    fixed = [c.name for c in ctx.columns] + ["duration_s"]
    rate_names = unique_names(fixed + [c.name for c in count_cols] + [f"rate_{c}" for c in codes])
    rate_names = rate_names[len(fixed) + len(count_cols) :]
    taken = fixed + [c.name for c in count_cols] + rate_names
    score_names = unique_names(taken + [f"{i}_{s}" for i, s, _, _ in targets])[len(taken) :]
    rate_cols = [
        Column(n, "float", max(9.0, len(n) + 2), label=f"{c} events per hour", unit="per hour")
        for n, c in zip(rate_names, codes, strict=True)
    ]
    score_cols = [
        Column(
            n,
            "float",
            max(10.0, len(n) + 2),
            label=f"{iid} {sid} ({label})",
            source=iid,
            source_version=version,
        )
        for n, (iid, sid, label, version) in zip(score_names, targets, strict=True)
    ]
    score_col = {(iid, sid.lower()): k for k, (iid, sid, _, _) in enumerate(targets)}
    cols = (
        *ctx.columns,
        Column("duration_s", "seconds", 11, label="recording duration", unit="seconds"),
        *count_cols,
        *rate_cols,
        *score_cols,
    )

    def rows() -> Iterator[Row]:
        scored: dict[int, list[float | None]] = defaultdict(lambda: [None] * len(targets))
        for (aid, vid), units in forms(data.ratings()).items():
            inst = data.instruments.get(vid)
            if inst is None:
                continue
            values, _, _, _ = form_scores(inst, units)
            slot = scored[aid]
            for sid, value in values:
                slot[score_col[(inst.id, sid.lower())]] = value
        coded = [a.id for a in data.assignments.values() if a.scheme_version_id in data.schemes]
        counts = data.stream.segment_counts(coded, WHOLE_RECORDING_MS)
        per: dict[int, dict[str, int]] = defaultdict(dict)
        for (aid, _, code), k in counts.items():
            per[aid][code] = per[aid].get(code, 0) + k
        for aid, a in sorted(data.assignments.items()):
            if aid not in scored and a.scheme_version_id not in data.schemes:
                continue
            duration = data.recordings[a.recording_id].duration_ms
            mine = per.get(aid, {})
            scheme = data.schemes.get(a.scheme_version_id or -1)
            own = set() if scheme is None else {c.id for c in scheme.codes}
            n = [mine.get(c, 0) if c in own else None for c in codes]
            hours = duration / MS_PER_HOUR if duration else None
            rates = [None if x is None or hours is None else x / hours for x in n]
            yield (
                *ctx.of(aid),
                None if duration is None else duration / 1000,
                *n,
                *rates,
                *scored.get(aid, [None] * len(targets)),
            )

    return Sheet("Sessions", cols, rows())
