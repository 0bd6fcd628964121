"""The SDIS export read back by a strict parser written here, not by the writer's code.

What the parser accepts, and where each rule comes from:

* a data-type keyword (``Event``, ``State``, ``Timed``, ``Interval``, ``Multievent``) opens the
  declaration, which lists the codes and ends with ``;``; codes may be grouped in parentheses,
  a group optionally named ``$name =``; a session is an optional ``<label>``, its start time
  ``,t``, its events and its end time ``,t``, closed by ``/``; in timed-event data an event is
  ``code,onset`` or ``code,onset-offset`` -- Bakeman & Quera (2011), *Sequential analysis and
  observational methods for the behavioral sciences*, ch. 4 (SDIS) and the GSEQ help, as the
  writer's docstring (observer_app/coding/sequences/sdis.py) summarises them. ``verify``: that
  text was not at hand on this project's machines (searched: the docs, pages and code corpora
  for "SDIS", "Sequential Data Interchange Standard", "GSEQ" and ".sds"), so these rules are
  the published description as recalled, not checked against the book.
* ``%`` starts a comment to the end of the line; ``code,onset-offset`` with seconds and
  millisecond decimals; ``/`` after each session -- the only other source found: BORIS's SDIS
  (.sds) exporter (github.com/olivierfriard/BORIS, boris/export_observation.py), a secondary
  source (an implementation), read for the syntax only.
* Stricter than the format needs, on purpose: onsets in time order, an offset after its onset
  (a zero-length state is not a state), every event inside its session's start and end, every
  code declared once, names of letters, digits and ``_`` starting with a letter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from observer_app.coding.errors import InputError
from observer_app.coding.sequences.sdis import SdisEvent, SdisSession, write_sdis
from observer_app.services.study import Study

DATA_TYPES = ("Event", "State", "Timed", "Interval", "Multievent")
NAME = r"[A-Za-z][A-Za-z0-9_]*"
TIME = r"\d+(?:\.\d{1,3})?"
EVENT = re.compile(rf"({NAME}),({TIME})(?:-({TIME}))?")
BOUND = re.compile(rf",({TIME})")


class SdisSyntaxError(ValueError):
    pass


@dataclass(frozen=True)
class Parsed:
    data_type: str
    sets: dict[str, tuple[str, ...]]  # "" for codes outside a named set
    sessions: list[tuple[str | None, float, float, list[tuple[str, float, float | None]]]]


def _declaration(text: str) -> tuple[str, dict[str, tuple[str, ...]], list[str]]:
    head, sep, rest = text.partition(";")
    if not sep:
        raise SdisSyntaxError("the declaration does not end with ';'")
    words = head.split(None, 1)
    if not words or words[0] not in DATA_TYPES:
        raise SdisSyntaxError(f"no data type keyword at the start: {head[:20]!r}")
    body = words[1] if len(words) > 1 else ""
    sets: dict[str, tuple[str, ...]] = {}
    for group, name, codes, single in re.findall(
        rf"(\(\s*(?:\$({NAME})\s*=\s*)?((?:{NAME}\s*)+)\))|({NAME})", body
    ):
        members = tuple(codes.split()) if group else (single,)
        key = name if group else ""
        sets[key] = sets.get(key, ()) + members
    leftover = re.sub(rf"\(\s*(?:\${NAME}\s*=\s*)?(?:{NAME}\s*)+\)|{NAME}", "", body).strip()
    if leftover:
        raise SdisSyntaxError(f"not a code or a code set in the declaration: {leftover!r}")
    declared = [c for codes in sets.values() for c in codes]
    if len(set(declared)) != len(declared):
        raise SdisSyntaxError("a code is declared twice")
    return words[0], sets, rest.split("/")


def _session(
    chunk: str, declared: set[str]
) -> tuple[str | None, float, float, list[tuple[str, float, float | None]]]:
    label = None
    m = re.match(r"\s*<([^<>/;]+)>", chunk)
    if m:
        label, chunk = m.group(1), chunk[m.end() :]
    tokens = chunk.split()
    if len(tokens) < 2:
        raise SdisSyntaxError(f"session {label}: a start and an end time are needed")
    start, end = (BOUND.fullmatch(t) for t in (tokens[0], tokens[-1]))
    if start is None or end is None:
        raise SdisSyntaxError(f"session {label}: no ',start' / ',end' time around the events")
    t0, t1 = float(start.group(1)), float(end.group(1))
    events: list[tuple[str, float, float | None]] = []
    for token in tokens[1:-1]:
        e = EVENT.fullmatch(token)
        if e is None:
            raise SdisSyntaxError(f"session {label}: not a timed event: {token!r}")
        code, onset = e.group(1), float(e.group(2))
        offset = None if e.group(3) is None else float(e.group(3))
        if code not in declared:
            raise SdisSyntaxError(f"session {label}: code {code} is not declared")
        if events and onset < events[-1][1]:
            raise SdisSyntaxError(f"session {label}: {token} is out of time order")
        if offset is not None and offset <= onset:
            raise SdisSyntaxError(f"session {label}: {token} ends before it begins")
        if not t0 <= onset <= t1 or (offset is not None and offset > t1):
            raise SdisSyntaxError(f"session {label}: {token} lies outside {t0}-{t1}")
        events.append((code, onset, offset))
    return label, t0, t1, events


def parse_sdis(text: str) -> Parsed:
    """Read SDIS timed-event text by the rules in the module docstring; raise on any departure."""
    text = re.sub(r"%[^\n]*", "", text)
    data_type, sets, chunks = _declaration(text)
    if chunks[-1].strip():
        raise SdisSyntaxError("text after the last '/'")
    declared = {c for codes in sets.values() for c in codes}
    sessions = [_session(chunk, declared) for chunk in chunks[:-1]]
    return Parsed(data_type, sets, sessions)


def test_the_parser_is_strict() -> None:
    good = "% comment\nTimed ($rup = W1 C1) R1 ;\n<s 1> ,0 W1,1.5 R1,2-3.25 ,10/\n"
    parsed = parse_sdis(good)
    assert parsed.sets == {"rup": ("W1", "C1"), "": ("R1",)}
    assert parsed.sessions == [("s 1", 0.0, 10.0, [("W1", 1.5, None), ("R1", 2.0, 3.25)])]
    for bad, why in (
        ("Timed W1\n<a> ,0 ,1/", "';'"),
        ("Timing W1 ;\n<a> ,0 ,1/", "keyword"),
        ("Timed W1 ;\n<a> ,0 X1,0.5 ,1/", "not declared"),
        ("Timed W1 ;\n<a> ,0 W1,0.7 W1,0.5 ,1/", "order"),
        ("Timed W1 ;\n<a> ,0 W1,0.5-0.5 ,1/", "ends before"),
        ("Timed W1 ;\n<a> ,0 W1,2 ,1/", "outside"),
        ("Timed W1 ;\n<a> ,0 W1,0.5 ,1", "after the last"),
        ("Timed (W1) W1 ;\n<a> ,0 ,1/", "twice"),
        ("Timed W1 ;\n<a> W1,0.5/", "start and an end"),
    ):
        with pytest.raises(SdisSyntaxError, match=why):
            parse_sdis(bad)


def test_writer_output_reads_back_event_for_event() -> None:
    sessions = [
        SdisSession(
            "rec 1 / Ana",
            90_000,
            (
                SdisEvent("R1", 12_345, 20_000),
                SdisEvent("W1", 1_500),
                SdisEvent("C1", 12_345),
            ),
        ),
        SdisSession("rec 2", 5_000, (SdisEvent("W1", 5_000),)),
    ]
    text = write_sdis(sessions, {"rupture": ["W1", "C1"], "resolution": ["R1"]})
    parsed = parse_sdis(text)
    assert parsed.data_type == "Timed"
    assert parsed.sets == {"rupture": ("W1", "C1"), "resolution": ("R1",)}
    assert [(label, end) for label, _, end, _ in parsed.sessions] == [
        ("rec_1_Ana", 90.0),
        ("rec_2", 5.0),
    ]
    assert parsed.sessions[0][3] == [("W1", 1.5, None), ("C1", 12.345, None), ("R1", 12.345, 20.0)]


def test_a_zero_length_state_is_written_as_a_momentary_event() -> None:
    """A duration code stopped at its start (possible in the coding screen) is not a state of
    length 0 (``W1,3-3``, rejected), but an event at its onset."""
    text = write_sdis([SdisSession("a", 10_000, (SdisEvent("W1", 3_000, 3_000),))], {"r": ["W1"]})
    assert parse_sdis(text).sessions[0][3] == [("W1", 3.0, None)]


def test_an_offset_before_its_onset_is_refused() -> None:
    with pytest.raises(InputError, match="ends before"):
        write_sdis([SdisSession("a", 10_000, (SdisEvent("W1", 3_000, 2_000),))], {"r": ["W1"]})


def test_the_demo_study_export_parses(demo_path: Path) -> None:
    with Study.open(demo_path, backup=False) as study:
        sessions = study.sequences.sessions()
        parsed = parse_sdis(study.sequences.sdis(sessions))
    assert len(parsed.sessions) == len(sessions) > 0
    assert [len(s[3]) for s in parsed.sessions] == [len(c.events) for c in sessions]
    declared = {c for codes in parsed.sets.values() for c in codes}
    assert {e.code for c in sessions for e in c.events} <= declared
