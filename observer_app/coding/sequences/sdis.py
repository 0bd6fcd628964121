"""SDIS (Sequential Data Interchange Standard) timed-event text, the input format of GSEQ.

Written as Bakeman & Quera (2011, ch. 3 and the GSEQ documentation) describe timed-event data:
a declaration line ``Timed`` listing the codes (here grouped into sets by their scheme
category, ``($name = code ...)``) ending with ``;``, then one session after another. A session
starts with its label in angle brackets and its start time (``,0``), lists each event as
``code,onset`` (a momentary event) or ``code,onset-offset`` (a state event), and ends with its end
time and ``/``. Times are seconds with millisecond decimals. A state stopped at its onset
(0 s long) is written as a momentary event; one ending before its onset is refused.

Read back in ``tests/sequences/test_sdis.py`` by a strict parser written from the published
description (and BORIS's .sds exporter, a secondary source), not from this writer.

``verify``: the syntax follows the published descriptions, but a file written here has not been
read by GSEQ on this project's machines: check a first export in GSEQ before relying on it.

Reference: Bakeman, R., & Quera, V. (2011). Sequential analysis and observational methods for
the behavioral sciences. Cambridge University Press. (GSEQ: Bakeman & Quera, 1995, 2009.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from observer_app.coding.errors import InputError

VERIFY = "SDIS syntax not yet checked by reading an export in GSEQ (verify)"
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


@dataclass(frozen=True)
class SdisEvent:
    code: str
    onset_ms: int
    offset_ms: int | None = None


@dataclass(frozen=True)
class SdisSession:
    label: str
    duration_ms: int
    events: tuple[SdisEvent, ...]


def _seconds(ms: int) -> str:
    return f"{ms / 1000:.3f}".rstrip("0").rstrip(".")


def _label(text: str) -> str:
    return re.sub(r"[<>/;,\s]+", "_", text).strip("_") or "session"


def _check_code(code: str) -> str:
    if not _NAME.fullmatch(code):
        raise InputError(f"code {code!r} cannot be written to SDIS (letters, digits, _ only)")
    return code


def write_sdis(sessions: Iterable[SdisSession], code_sets: Mapping[str, Sequence[str]]) -> str:
    """The SDIS text of ``sessions``; ``code_sets`` names each set of codes (category -> codes)."""
    declared = [_check_code(c) for codes in code_sets.values() for c in codes]
    if len(set(declared)) != len(declared):
        raise InputError("a code belongs to two SDIS code sets")
    sets = " ".join(
        f"(${_check_code(name)} = {' '.join(codes)})" for name, codes in code_sets.items() if codes
    )
    lines = [f"Timed {sets} ;"]
    known = set(declared)
    for s in sessions:
        parts = [f"<{_label(s.label)}>", ",0"]
        end = s.duration_ms
        for e in sorted(s.events, key=lambda e: (e.onset_ms, e.code)):
            if e.code not in known:
                raise InputError(f"session {s.label}: code {e.code!r} is not declared")
            span = _seconds(e.onset_ms)
            if e.offset_ms is not None and e.offset_ms < e.onset_ms:
                raise InputError(f"session {s.label}: {e.code} at {span} s ends before it begins")
            if e.offset_ms is not None and e.offset_ms > e.onset_ms:  # 0 s long: an event
                span += "-" + _seconds(e.offset_ms)
            parts.append(f"{e.code},{span}")
            end = max(end, e.offset_ms or e.onset_ms)
        parts.append(f",{_seconds(end)}/")
        lines.append(" ".join(parts))
    return "\n".join(lines) + "\n"
