"""Instrument keys a lab can trust: a manager's sign-off of a version's key, and the re-key that
carries a study's responses to a corrected version (issue 10).

**Sign-off.** A manager records that an instrument version's key (item-to-subscale membership,
reverse keys, anchors, scoring rules) was checked against the lab's manual: who, when, which
manual or edition, a note. It belongs to that version (a corrected version has a new key and is
"key not checked" until signed off) and is audited like every change.

**Re-key.** Responses are stored per item and scores are derived. When a corrected version has
the same items (see :func:`observer_app.coding.definitions.rekey_refusals`), every response of the
study on the old version is carried to the new one and so re-scored by the new key, in one
audited transaction: the new version is stored and attached, each rating row points at it (one
audit row per rating, before and after), and an ``instrument_rekey`` row records what moved and
what the new key changed. The old version stays stored for provenance. Completed assignments are
re-keyed too: their responses do not change, only the version (key) they are scored with.
Because the responses now belong to the attached version, a reopened assignment asks only for
items still unanswered, and reliability and scores compare coders who rated before and after the
correction on one key.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from observer_app.coding.definitions import (
    Instrument,
    key_changes,
    parse_instrument,
    read_definition_text,
    rekey_refusals,
    score_responses,
)
from observer_app.coding.errors import Conflict, InputError, NotFound
from observer_app.services.access import require_manager
from observer_app.services.context import ServiceContext, get_or_raise
from observer_app.services.definitions import DefinitionService
from observer_app.store.engine import StudySession
from observer_app.store.models import (
    Assignment,
    DefinitionVersion,
    InstrumentRekey,
    KeySignoff,
    Rating,
)

KEY_NOT_CHECKED = "key not checked"
_MAX_MANUAL = 300

#: (assignment id, unit kind, unit index) -> item id -> response
Forms = dict[tuple[int, str, int], dict[str, int | None]]


@dataclass(frozen=True)
class KeySignoffInfo:
    id: int
    version_id: int
    signed_by: str
    signed_at: dt.datetime
    manual: str
    note: str

    @property
    def text(self) -> str:
        """``key checked by NAME on YYYY-MM-DD against MANUAL`` (for forms, sheets, lists)."""
        return f"key checked by {self.signed_by} on {self.signed_at.date()} against {self.manual}"


@dataclass(frozen=True)
class RekeyResult:
    id: int
    instrument_id: str
    from_version_id: int
    to_version_id: int
    ratings_moved: int
    forms_rescored: int
    scores_changed: int
    changes: tuple[str, ...]


def key_check_text(signoff: KeySignoffInfo | None) -> str:
    return KEY_NOT_CHECKED if signoff is None else signoff.text


class InstrumentKeyService:
    def __init__(self, ctx: ServiceContext, definitions: DefinitionService) -> None:
        self._ctx = ctx
        self._defs = definitions

    # -- sign-off ------------------------------------------------------------------------------
    def sign_off(self, version_id: int, manual: str, note: str = "") -> KeySignoffInfo:
        """Record that this version's key was checked against ``manual`` (managers only)."""
        require_manager(self._ctx.actor, "sign off an instrument key")
        manual = manual.strip()
        if not manual:
            raise InputError("name the manual or edition the key was checked against")
        if len(manual) > _MAX_MANUAL:
            raise InputError(f"the manual's name is longer than {_MAX_MANUAL} characters")
        inst = self._defs.instrument(version_id)
        actor = self._ctx.actor
        with self._ctx.tx(f"sign off key of {inst.id} #{version_id}") as s:
            row = KeySignoff(
                study_id=self._ctx.study_id,
                definition_version_id=version_id,
                signed_by_id=actor.id,
                signed_by=actor.name,
                manual=manual,
                note=note.strip(),
            )
            s.add(row)
            s.flush()
            return _signoff_info(row)

    def signoffs(self) -> dict[int, KeySignoffInfo]:
        """The current (newest) sign-off of every signed instrument version, by version id."""
        with self._ctx.read() as s:
            rows = s.scalars(
                select(KeySignoff)
                .where(KeySignoff.study_id == self._ctx.study_id)
                .order_by(KeySignoff.id)
            )
            return {r.definition_version_id: _signoff_info(r) for r in rows}

    def signoff(self, version_id: int) -> KeySignoffInfo | None:
        return self.signoffs().get(version_id)

    def key_check(self, version_id: int) -> str:
        """ "key checked by ... on ..." or "key not checked"."""
        return key_check_text(self.signoff(version_id))

    # -- re-key --------------------------------------------------------------------------------
    def rekey_file(
        self, path: Path, *, from_version_id: int | None = None, note: str = ""
    ) -> RekeyResult:
        return self.rekey_text(
            read_definition_text(path), path.name, from_version_id=from_version_id, note=note
        )

    def rekey_text(
        self,
        text: str,
        source_name: str,
        *,
        from_version_id: int | None = None,
        note: str = "",
    ) -> RekeyResult:
        """Carry the study's responses to the corrected instrument in ``text`` and re-score
        them, in one audited transaction; refused (nothing written) unless it is a re-key."""
        require_manager(self._ctx.actor, "re-key an instrument")
        new = parse_instrument(text, source_name)
        old_id = self._from_version(new, from_version_id)
        old = self._defs.instrument(old_id)
        if old.content_hash == new.content_hash:
            raise InputError(
                f"{source_name}: the same content as version #{old_id}: no change (to re-key "
                "the responses of an older version to it, name that one with --from-version)"
            )
        refusals = rekey_refusals(old, new)
        if refusals:
            raise InputError(
                f"{source_name}: not a re-key of {old.id} #{old_id}: {'; '.join(refusals)}. "
                "A re-key keeps the items and changes only how they are scored; a correction "
                "that changes items is a new instrument (import it and rate it anew)"
            )
        changes = tuple(key_changes(old, new))
        context = f"re-key {new.id} #{old_id} to {source_name}"
        with self._ctx.tx(context) as s:
            row = self._defs.store_version(s, "instrument", new, text, source_name)
            moved, forms = self._move_ratings(s, old_id, row.id)
            self._defs.attach_in(s, row)
            rescored, changed = _rescore(old, new, forms)
            summary = {
                "from_hash": old.content_hash,
                "to_hash": new.content_hash,
                "forms_rescored": rescored,
                "scores_changed": changed,
                "changes": list(changes),
            }
            rekey = InstrumentRekey(
                study_id=self._ctx.study_id,
                from_version_id=old_id,
                to_version_id=row.id,
                actor_name=self._ctx.actor.name,
                ratings_moved=moved,
                summary=summary,
                note=note.strip(),
            )
            s.add(rekey)
            s.flush()
            return RekeyResult(rekey.id, new.id, old_id, row.id, moved, rescored, changed, changes)

    def _from_version(self, new: Instrument, from_version_id: int | None) -> int:
        if from_version_id is not None:
            info = next(
                (v for v in self._defs.versions("instrument") if v.id == from_version_id), None
            )
            if info is None:
                raise NotFound(f"instrument version #{from_version_id} does not exist")
            return info.id
        attached = self._defs.instrument_version(new.id)
        if attached is None:
            raise NotFound(
                f"instrument {new.id!r} is not attached to the study: nothing to re-key "
                "(import it instead)"
            )
        return attached.id

    def _move_ratings(self, s: StudySession, old_id: int, new_id: int) -> tuple[int, Forms]:
        ratings = list(
            s.scalars(
                select(Rating)
                .join(Assignment, Assignment.id == Rating.assignment_id)
                .where(
                    Assignment.study_id == self._ctx.study_id,
                    Rating.instrument_version_id == old_id,
                )
                .order_by(Rating.id)
            )
        )
        _refuse_overlap(s, ratings, new_id)
        forms: Forms = defaultdict(dict)
        for r in ratings:
            r.instrument_version_id = new_id
            value = None if r.value is None else round(r.value)
            forms[(r.assignment_id, r.unit_kind, r.unit_index)][r.item_id] = value
        s.flush()
        return len(ratings), forms

    def rekeys(self) -> list[RekeyResult]:
        """Every re-key of the study, oldest first (the provenance of carried responses)."""
        require_manager(self._ctx.actor, "read the re-key history")
        with self._ctx.read() as s:
            rows = list(
                s.scalars(
                    select(InstrumentRekey)
                    .where(InstrumentRekey.study_id == self._ctx.study_id)
                    .order_by(InstrumentRekey.id)
                )
            )
            out = []
            for r in rows:
                version = get_or_raise(s, DefinitionVersion, r.to_version_id, "version")
                summary = r.summary or {}
                out.append(
                    RekeyResult(
                        r.id,
                        version.definition_id,
                        r.from_version_id,
                        r.to_version_id,
                        r.ratings_moved,
                        int(summary.get("forms_rescored", 0)),
                        int(summary.get("scores_changed", 0)),
                        tuple(summary.get("changes", ())),
                    )
                )
            return out


def _signoff_info(row: KeySignoff) -> KeySignoffInfo:
    return KeySignoffInfo(
        row.id, row.definition_version_id, row.signed_by, row.signed_at, row.manual, row.note
    )


def _refuse_overlap(s: StudySession, ratings: list[Rating], new_id: int) -> None:
    """The new version must not already hold a response in a slot being carried over."""
    assignments = {r.assignment_id for r in ratings}
    if not assignments:
        return
    taken = set(
        s.execute(
            select(Rating.assignment_id, Rating.unit_kind, Rating.unit_index, Rating.item_id).where(
                Rating.instrument_version_id == new_id, Rating.assignment_id.in_(assignments)
            )
        )
    )
    for r in ratings:
        if (r.assignment_id, r.unit_kind, r.unit_index, r.item_id) in taken:
            raise Conflict(
                f"assignment #{r.assignment_id} already has a response to item {r.item_id} on "
                f"the new version #{new_id}: the re-key would overwrite it"
            )


def _rescore(old: Instrument, new: Instrument, forms: Forms) -> tuple[int, int]:
    """(forms re-scored, scores whose value changed) when ``new`` replaces ``old``."""
    changed = 0
    for responses in forms.values():
        before = score_responses(old, responses).values()
        after = score_responses(new, responses).values()
        changed += sum(1 for k, v in after.items() if k in before and before[k] != v)
    return len(forms), changed
