"""The timeline's per-category event store: sorted lists for hit tests, numpy columns to paint."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PySide6.QtGui import QColor

_NO_OFFSET = -1

Item = tuple[int, int | None, bool, int]  # onset, offset, is_state, id


_COLUMNS = ("on", "off", "state", "colour", "bar", "row")
_DTYPES = (np.int64, np.int64, np.bool_, np.uint32, np.uint32, np.int64)
#: Per code: marker colour, bar colour (ARGB) and the sub-row of its lane its state bars use.
Style = tuple[int, int, int]


@dataclass
class _Lane:
    """One category's (or one category and subject's) events in onset order: lists for hit
    tests, numpy columns for painting (both kept in step on every insert and removal)."""

    category: str
    label: str
    subject: str = ""  # a per-subject lane: the subject's label ...
    heading: str = ""  # ... and its category's, written once over the category's lanes
    onsets: list[int] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    max_len: int = 0
    rows: int = 1  # sub-rows for the bars of its state codes (one per code)
    arrays: dict[str, np.ndarray] = field(
        default_factory=lambda: {c: np.empty(0, d) for c, d in zip(_COLUMNS, _DTYPES, strict=True)}
    )

    def clear(self) -> None:
        self.onsets.clear()
        self.items.clear()
        self.max_len = 0
        self.arrays = {c: np.empty(0, d) for c, d in zip(_COLUMNS, _DTYPES, strict=True)}

    def insert(self, pos: int, item: Item, colours: Style) -> None:
        self.onsets.insert(pos, item[0])
        self.items.insert(pos, item)
        row = (item[0], _NO_OFFSET if item[1] is None else item[1], item[2], *colours)
        for column, value in zip(_COLUMNS, row, strict=True):
            self.arrays[column] = np.insert(self.arrays[column], pos, value)

    def remove(self, pos: int) -> None:
        del self.onsets[pos]
        del self.items[pos]
        for column in _COLUMNS:
            self.arrays[column] = np.delete(self.arrays[column], pos)

    def load(self, items: list[Item], colours: list[Style]) -> None:
        """Replace the contents with ``items`` (already in onset order)."""
        n = len(items)
        self.items = list(items)
        self.onsets = [i[0] for i in items]
        self.arrays = {
            "on": np.fromiter(self.onsets, np.int64, n),
            "off": np.fromiter((_NO_OFFSET if i[1] is None else i[1] for i in items), np.int64, n),
            "state": np.fromiter((i[2] for i in items), np.bool_, n),
            "colour": np.fromiter((c[0] for c in colours), np.uint32, n),
            "bar": np.fromiter((c[1] for c in colours), np.uint32, n),
            "row": np.fromiter((c[2] for c in colours), np.int64, n),
        }


def _bar_colour(colour: QColor) -> int:
    bar = QColor(colour)
    bar.setHsvF(bar.hsvHueF(), bar.hsvSaturationF() * 0.55, min(1.0, bar.valueF() * 0.5 + 0.5))
    return int(bar.rgba())
