"""What one code key press means: log a point, open a state, or close one (pure).

Rules (the coder's contract, also shown in the README):

* a **point** code logs one event at the press time;
* a **state** code that is not open opens at the press time; pressed again, it closes there
  (first press opens, second closes);
* opening a state closes, at the same time, every open state of its mutually exclusive groups
  (``Scheme.exclusive_with``), so two exclusive states never overlap;
* a state cannot close before it opened (the coder seeked back): the press is refused with a
  message rather than writing an interval that runs backwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from observer_app.coding.definitions.scheme import Code, Scheme
from observer_app.coding.errors import InputError


class EventLike(Protocol):
    """The fields the pairing logic reads from an event record."""

    @property
    def id(self) -> int: ...
    @property
    def code(self) -> str: ...
    @property
    def onset_ms(self) -> int: ...
    @property
    def offset_ms(self) -> int | None: ...
    @property
    def is_state(self) -> bool: ...


@dataclass(frozen=True)
class OpenState:
    """A state event whose offset has not been logged yet."""

    event_id: int
    code: str
    onset_ms: int


@dataclass(frozen=True)
class Close:
    """Close the open state ``event_id`` at ``offset_ms``."""

    event_id: int
    code: str
    offset_ms: int


@dataclass(frozen=True)
class KeyPlan:
    """What a key press does: the states it closes, then the event it logs (if any)."""

    code: str
    time_ms: int
    closes: tuple[Close, ...] = ()
    #: "point" or "state" when a new event is logged at ``time_ms``; None when it only closes.
    logs: str | None = None

    @property
    def opens_state(self) -> bool:
        return self.logs == "state"

    def describe(self, scheme: Scheme) -> str:
        """A short phrase for the undo history and the status bar."""
        label = _label(scheme, self.code)
        if self.logs == "point":
            text = f"log {label}"
        elif self.logs == "state":
            text = f"open {label}"
        else:
            text = f"close {label}"
        others = [c for c in self.closes if c.code != self.code]
        if others:
            text += " (closes " + ", ".join(_label(scheme, c.code) for c in others) + ")"
        return text


def _label(scheme: Scheme, code_id: str) -> str:
    try:
        return scheme.code(code_id).label or code_id
    except KeyError:
        return code_id


def open_states(events: Iterable[EventLike]) -> list[OpenState]:
    """The open state events among ``events`` (deleted events must already be left out)."""
    return [
        OpenState(e.id, e.code, e.onset_ms) for e in events if e.is_state and e.offset_ms is None
    ]


def scheme_code(scheme: Scheme, code_id: str) -> Code:
    try:
        return scheme.code(code_id)
    except KeyError:
        raise InputError(f"scheme {scheme.id!r} has no code {code_id!r}") from None


def plan_key_press(
    scheme: Scheme, code_id: str, time_ms: int, open_now: Sequence[OpenState]
) -> KeyPlan:
    """The plan for pressing ``code_id``'s key at ``time_ms`` given the states open now."""
    code = scheme_code(scheme, code_id)
    time_ms = max(0, int(time_ms))
    if code.kind == "point":
        return KeyPlan(code.id, time_ms, (), "point")
    mine = [s for s in open_now if s.code == code.id]
    if mine:
        return KeyPlan(code.id, time_ms, tuple(_close(s, time_ms, scheme) for s in mine), None)
    rivals = set(scheme.exclusive_with(code.id))
    closes = tuple(_close(s, time_ms, scheme) for s in open_now if s.code in rivals)
    return KeyPlan(code.id, time_ms, closes, "state")


def _close(state: OpenState, time_ms: int, scheme: Scheme) -> Close:
    if time_ms < state.onset_ms:
        raise InputError(
            f"cannot close {_label(scheme, state.code)!r} at {format_ms(time_ms)}: it opened "
            f"later, at {format_ms(state.onset_ms)} (go forward, or edit the event in the log)"
        )
    return Close(state.event_id, state.code, time_ms)


def overlapping_exclusive(scheme: Scheme, events: Iterable[EventLike]) -> list[tuple[int, int]]:
    """Pairs of event ids of mutually exclusive states whose intervals overlap.

    Open states count as running to the end of the recording. Used to check edits (a retimed
    state must not overlap an exclusive one) and in tests of the pairing rules.
    """
    states = sorted((e for e in events if e.is_state), key=lambda e: (e.onset_ms, e.id))
    clashes: list[tuple[int, int]] = []
    for i, a in enumerate(states):
        rivals = set(scheme.exclusive_with(a.code))
        a_end = a.offset_ms if a.offset_ms is not None else 2**62
        for b in states[i + 1 :]:
            if b.onset_ms >= a_end:
                break
            if b.code in rivals:
                clashes.append((a.id, b.id))
    return clashes


def format_ms(ms: int) -> str:
    """``hh:mm:ss.mmm`` of a non-negative time in milliseconds (negative shown with '-')."""
    sign = "-" if ms < 0 else ""
    ms = abs(int(ms))
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{sign}{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def parse_time(text: str) -> int:
    """Milliseconds from ``hh:mm:ss.mmm``, ``mm:ss.mmm``, ``ss.mmm`` or plain ms digits."""
    raw = text.strip()
    if not raw:
        raise InputError("empty time")
    try:
        if ":" not in raw and "." not in raw:
            value = int(raw)
        else:
            parts = raw.split(":")
            if len(parts) > 3:
                raise ValueError(raw)
            seconds = float(parts[-1])
            minutes = int(parts[-2]) if len(parts) >= 2 else 0
            hours = int(parts[-3]) if len(parts) == 3 else 0
            if seconds < 0 or minutes < 0 or hours < 0:
                raise ValueError(raw)
            value = round((hours * 3600 + minutes * 60 + seconds) * 1000)
    except ValueError:
        raise InputError(f"{text!r} is not a time (use hh:mm:ss.mmm)") from None
    if value < 0:
        raise InputError(f"{text!r} is before the start of the recording")
    return value
