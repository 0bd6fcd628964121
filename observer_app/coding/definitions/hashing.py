"""Canonical JSON and content hashes: the version identity of a definition.

A definition's canonical form is its validated content with every default filled in, as JSON
with sorted keys, no insignificant whitespace and UTF-8 text. Its content hash is the SHA-256
of those bytes, so comments, layout and key order in the TOML file do not change the version,
while any change of content does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

#: Prefix of every content hash, so a stored hash says how it was made.
HASH_PREFIX = "sha256:"


def canonical_json(data: Mapping[str, Any]) -> str:
    """The canonical JSON text of a canonical dict (sorted keys, compact, UTF-8 text)."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def content_hash_of(data: Mapping[str, Any]) -> str:
    """``"sha256:<64 hex digits>"`` of :func:`canonical_json` of ``data``."""
    digest = hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()
    return HASH_PREFIX + digest
