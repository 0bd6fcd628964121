"""Coding schemes, rating instruments and text packs as validated data, and their scoring.

Definitions are TOML files validated into frozen dataclasses. Each has a canonical dict
(``to_canonical_dict()``) whose SHA-256 (``content_hash``) is its version identity: the store
keeps the TOML source and the hash, and rebuilds the object with ``parse_scheme`` /
``parse_instrument``. Pure: no Qt, database or media imports.
"""

from observer_app.coding.definitions._source import DefinitionProblems, Problem, format_path
from observer_app.coding.definitions.builtins import (
    DEMO_INSTRUMENT_ID,
    builtin_instrument,
    builtin_instruments,
    builtin_scheme,
    builtin_schemes,
    reference_problems,
)
from observer_app.coding.definitions.hashing import canonical_json, content_hash_of
from observer_app.coding.definitions.instrument import (
    CompositeScore,
    Instrument,
    Item,
    ResponseScale,
    RollupRule,
    ScoreDefinition,
    Scoring,
    Subscale,
    parse_instrument,
    parse_instrument_data,
)
from observer_app.coding.definitions.loader import (
    definition_kind,
    load_instrument_file,
    load_scheme_file,
    load_textpack_file,
    read_definition_text,
)
from observer_app.coding.definitions.rekey import key_changes, rekey_refusals
from observer_app.coding.definitions.response_scoring import (
    ScoredRow,
    score_response_mapping,
    score_response_table,
)
from observer_app.coding.definitions.scheme import (
    DEFAULT_MIN_LAST_SEGMENT_MS,
    RESERVED_KEYS,
    Category,
    Code,
    ExclusiveGroup,
    Modifier,
    Scheme,
    Segmenting,
    normalize_key,
    parse_scheme,
    parse_scheme_data,
    plan_segments,
    segment_index,
)
from observer_app.coding.definitions.scoring import (
    InstrumentScores,
    RolledUpScore,
    Score,
    check_responses,
    keyed_values,
    missing_required,
    needed_items,
    response_problems,
    roll_up,
    score_responses,
)
from observer_app.coding.definitions.textpack import (
    TextPack,
    check_textpack,
    item_display_text,
    item_display_texts,
    parse_textpack,
    parse_textpack_data,
)

__all__ = [
    "DEFAULT_MIN_LAST_SEGMENT_MS",
    "DEMO_INSTRUMENT_ID",
    "RESERVED_KEYS",
    "Category",
    "Code",
    "CompositeScore",
    "DefinitionProblems",
    "ExclusiveGroup",
    "Instrument",
    "InstrumentScores",
    "Item",
    "Modifier",
    "Problem",
    "ResponseScale",
    "RolledUpScore",
    "RollupRule",
    "Scheme",
    "Score",
    "ScoreDefinition",
    "ScoredRow",
    "Scoring",
    "Segmenting",
    "Subscale",
    "TextPack",
    "builtin_instrument",
    "builtin_instruments",
    "builtin_scheme",
    "builtin_schemes",
    "canonical_json",
    "check_responses",
    "check_textpack",
    "content_hash_of",
    "definition_kind",
    "format_path",
    "item_display_text",
    "item_display_texts",
    "key_changes",
    "keyed_values",
    "load_instrument_file",
    "load_scheme_file",
    "load_textpack_file",
    "missing_required",
    "needed_items",
    "normalize_key",
    "parse_instrument",
    "parse_instrument_data",
    "parse_scheme",
    "parse_scheme_data",
    "parse_textpack",
    "parse_textpack_data",
    "plan_segments",
    "read_definition_text",
    "reference_problems",
    "rekey_refusals",
    "response_problems",
    "roll_up",
    "score_response_mapping",
    "score_response_table",
    "score_responses",
    "segment_index",
]
