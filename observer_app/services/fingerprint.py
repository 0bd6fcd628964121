"""Media fingerprints: size plus SHA-256 of the first and last MiB.

Cheap to compute on multi-GB recordings and stable across moves and renames, so a study can find
a recording again after its folder moved.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

CHUNK = 1024 * 1024


def fingerprint(path: Path) -> tuple[int, str]:
    """``(size_bytes, "size:sha256hex")`` of the file at ``path``."""
    size = path.stat().st_size
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        digest.update(fh.read(CHUNK))
        if size > CHUNK:
            fh.seek(max(CHUNK, size - CHUNK))
            digest.update(fh.read(CHUNK))
    return size, f"{size}:{digest.hexdigest()}"
