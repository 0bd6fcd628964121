"""Cheap structural checks that catch truncated recordings before libvlc plays them.

libvlc happily opens an MP4 whose index (``moov``) survived but whose media data (``mdat``) was
cut short, reports the full duration, and then stops or stalls part-way. A truncated file is
common in practice (interrupted copies, recorders that crashed), so we look at the container's
own declared sizes: ISO base media (MP4/MOV/M4A/3GP) top-level boxes and RIFF (WAV/AVI).
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO

_ISO_BOXES = {
    b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"uuid", b"moof", b"mfra",
    b"styp", b"sidx", b"pdin", b"meta", b"pnot", b"junk",
}  # fmt: skip


def truncation_problem(path: Path) -> str | None:
    """A sentence describing how ``path`` is truncated, or None if it looks complete (or the
    container is not one we check)."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        head = fh.read(12)
        if head[:4] == b"RIFF" and len(head) >= 8:
            declared = struct.unpack("<I", head[4:8])[0] + 8
            if declared > size:
                return _short(size, declared)
            return None
        if len(head) >= 8 and head[4:8] in _ISO_BOXES:
            return _iso_problem(fh, size)
    return None


def _short(size: int, declared: int) -> str:
    return (
        f"the file is truncated: it ends after {size} bytes but its container declares "
        f"{declared} bytes ({100 * size / declared:.0f} % present)"
    )


def _iso_problem(f: BinaryIO, size: int) -> str | None:
    offset = 0
    while offset + 8 <= size:
        f.seek(offset)
        header = f.read(16)
        box_size, kind = struct.unpack(">I4s", header[:8])
        if box_size == 1 and len(header) >= 16:
            box_size = struct.unpack(">Q", header[8:16])[0]
        elif box_size == 0:  # extends to the end of the file
            return None
        if box_size < 8:
            return f"the file is damaged: invalid box size {box_size} at byte {offset}"
        if offset + box_size > size:
            name = kind.decode("latin-1")
            return _short(size, offset + box_size) + f" (box '{name}' at byte {offset} is cut)"
        offset += box_size
    return None
