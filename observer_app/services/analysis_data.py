"""Which work is analysis data: the one rule every export and analysis reads.

- Only complete work is analysis data. Per recording the analysis assignment is its completed
  consensus (when preferred and present), else its completed primary coding; a recording whose
  primary coding is not complete has no analysis assignment (``analysis`` is False everywhere).
- Work that has not started is not data at all: it is absent from the data sheets (a
  not-started assignment shown as zero counts reads as "no ruptures").
- Work in progress appears in the data sheets with its status, never as analysis data.
"""

from __future__ import annotations

from collections.abc import Iterable

#: Statuses whose work appears in data sheets (with its status and completed_at).
IN_DATA_STATUSES = ("in_progress", "complete")
#: The only status that can be analysis data.
ANALYSIS_STATUS = "complete"


def in_data(status: str) -> bool:
    """True for work that appears in data sheets (started work; not-started work is absent)."""
    return status in IN_DATA_STATUSES


def choose_analysis(
    rows: Iterable[tuple[int, int, str, str]], *, prefer_consensus: bool = True
) -> dict[int, int]:
    """Per recording, the analysis assignment from ``(recording, assignment, purpose, status)``
    rows in assignment-id order: the completed consensus (when preferred), else the first
    completed primary coding."""
    chosen: dict[int, int] = {}
    found = list(rows)
    for rid, aid, purpose, status in found:
        if purpose == "primary" and status == ANALYSIS_STATUS and rid not in chosen:
            chosen[rid] = aid
    if prefer_consensus:
        for rid, aid, purpose, status in found:
            if purpose == "consensus" and status == ANALYSIS_STATUS:
                chosen[rid] = aid
    return chosen
