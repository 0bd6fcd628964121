"""Sequence analyses of a study: rupture -> resolution, lag-1 tables, time windows, segments."""

from observer_app.services.sequences.model import (
    CodedSession,
    RuptureRow,
    SegmentRow,
    SequenceReport,
    SequenceSettings,
    SummaryRow,
    parse_window,
)
from observer_app.services.sequences.service import SequenceService

__all__ = [
    "CodedSession",
    "RuptureRow",
    "SegmentRow",
    "SequenceReport",
    "SequenceService",
    "SequenceSettings",
    "SummaryRow",
    "parse_window",
]
