"""Coding schemes (e.g. the 3RS) as validated, immutable data.

A scheme lists the codes a coder logs while watching a recording: point codes (an instant) and
state codes (an interval), each with a label, category, default key, colour and optional
modifiers; groups of mutually exclusive state codes; and an optional segmenting rule (fixed
N-minute segments, each rated with a segment instrument) plus session-level instruments.

The model lives in :mod:`.model`, key bindings in :mod:`.keys` and parsing in :mod:`.parsing`;
this package re-exports the public names.
"""

from observer_app.coding.definitions.scheme.keys import (
    KEY_MODIFIERS,
    NAMED_KEYS,
    RESERVED_KEYS,
    WINDOW_SHORTCUTS,
    WindowShortcut,
    default_window_key,
    normalize_key,
    window_shortcut,
)
from observer_app.coding.definitions.scheme.model import (
    CODE_KINDS,
    DEFAULT_COLOUR,
    DEFAULT_MIN_LAST_SEGMENT_MS,
    FORMAT_VERSION,
    MODIFIER_TYPES,
    MS_PER_MINUTE,
    SUBJECT_MODES,
    Category,
    Code,
    ExclusiveGroup,
    Modifier,
    Scheme,
    Segmenting,
    Subject,
    plan_segments,
    segment_index,
)
from observer_app.coding.definitions.scheme.parsing import parse_scheme, parse_scheme_data

__all__ = [
    "CODE_KINDS",
    "DEFAULT_COLOUR",
    "DEFAULT_MIN_LAST_SEGMENT_MS",
    "FORMAT_VERSION",
    "KEY_MODIFIERS",
    "MODIFIER_TYPES",
    "MS_PER_MINUTE",
    "NAMED_KEYS",
    "RESERVED_KEYS",
    "SUBJECT_MODES",
    "WINDOW_SHORTCUTS",
    "Category",
    "Code",
    "ExclusiveGroup",
    "Modifier",
    "Scheme",
    "Segmenting",
    "Subject",
    "WindowShortcut",
    "default_window_key",
    "normalize_key",
    "parse_scheme",
    "parse_scheme_data",
    "plan_segments",
    "segment_index",
    "window_shortcut",
]
