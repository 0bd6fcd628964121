"""The schemes and instruments shipped in ``resources/`` (3RS, WAI-O, VTAS, CALPAS-O, ...)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from observer_app.coding.definitions.instrument import Instrument
from observer_app.coding.definitions.loader import load_instrument_file, load_scheme_file
from observer_app.coding.definitions.scheme import Scheme
from observer_app.coding.errors import NotFound
from observer_app.coding.resources import resource_path

#: The instrument the demo study uses: the project's own, non-validated quick rating.
DEMO_INSTRUMENT_ID = "alliance-quick-demo"


@cache
def builtin_instruments() -> tuple[Instrument, ...]:
    """Every shipped instrument, sorted by id."""
    files = sorted(resource_path("instruments").glob("*.toml"))
    return tuple(sorted((load_instrument_file(f) for f in files), key=lambda i: i.id))


@cache
def builtin_schemes() -> tuple[Scheme, ...]:
    """Every shipped coding scheme, sorted by id."""
    files = sorted(resource_path("schemes").glob("*.toml"))
    return tuple(sorted((load_scheme_file(f) for f in files), key=lambda s: s.id))


def builtin_instrument(instrument_id: str) -> Instrument:
    for instrument in builtin_instruments():
        if instrument.id == instrument_id:
            return instrument
    known = ", ".join(i.id for i in builtin_instruments())
    raise NotFound(f"no built-in instrument {instrument_id!r} (built-ins: {known})")


def builtin_scheme(scheme_id: str) -> Scheme:
    for scheme in builtin_schemes():
        if scheme.id == scheme_id:
            return scheme
    known = ", ".join(s.id for s in builtin_schemes())
    raise NotFound(f"no built-in scheme {scheme_id!r} (built-ins: {known})")


def reference_problems(scheme: Scheme, instruments: Iterable[Instrument]) -> list[str]:
    """What is wrong with the instruments a scheme names, given the instruments available.

    The segment instrument must exist and be rated per segment; session instruments must
    exist and be rated per session.
    """
    by_id = {i.id: i for i in instruments}
    problems: list[str] = []
    if scheme.segments and scheme.segments.instrument:
        seg = by_id.get(scheme.segments.instrument)
        if seg is None:
            problems.append(f"segments.instrument: no instrument {scheme.segments.instrument!r}")
        elif seg.unit != "segment":
            problems.append(
                f"segments.instrument: {seg.id!r} is rated per {seg.unit}, not per segment"
            )
    for index, inst_id in enumerate(scheme.session_instruments, start=1):
        inst = by_id.get(inst_id)
        if inst is None:
            problems.append(f"session_instruments[{index}]: no instrument {inst_id!r}")
        elif inst.unit != "session":
            problems.append(
                f"session_instruments[{index}]: {inst_id!r} is rated per "
                f"{inst.unit}, not per session"
            )
    return problems
