"""Rating instruments (WAI-O, VTAS, CALPAS, ...) as validated, immutable data.

An instrument file is TOML (see ``resources/instruments/`` and the README). It is parsed and
validated into an :class:`Instrument`; every problem of the file is reported at once, each with
the file, the field path, its line and what is wrong. The canonical dict
(:meth:`Instrument.to_canonical_dict`) is the parseable, default-filled form whose SHA-256 is
the instrument's version identity (:attr:`Instrument.content_hash`).

The model lives in :mod:`.model`, parsing in :mod:`.parsing` and the checks across parts in
:mod:`.cross_checks`; this package re-exports the public names.
"""

from observer_app.coding.definitions.instrument.model import (
    DEFAULT_SCALE,
    FORMAT_VERSION,
    PERSPECTIVES,
    ROLLUP_METHODS,
    SCORE_METHODS,
    TOTAL_SCORE_ID,
    UNITS,
    CompositeScore,
    Instrument,
    Item,
    ResponseScale,
    RollupRule,
    ScoreDefinition,
    Scoring,
    Subscale,
)
from observer_app.coding.definitions.instrument.parsing import (
    parse_instrument,
    parse_instrument_data,
)

__all__ = [
    "DEFAULT_SCALE",
    "FORMAT_VERSION",
    "PERSPECTIVES",
    "ROLLUP_METHODS",
    "SCORE_METHODS",
    "TOTAL_SCORE_ID",
    "UNITS",
    "CompositeScore",
    "Instrument",
    "Item",
    "ResponseScale",
    "RollupRule",
    "ScoreDefinition",
    "Scoring",
    "Subscale",
    "parse_instrument",
    "parse_instrument_data",
]
