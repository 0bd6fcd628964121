"""Is a corrected instrument a re-key of the old one? And what did the correction change?

A **re-key** keeps the responses and changes only how they are scored: the same instrument id,
unit and items, in the same order, each on a scale with the same points (so a stored 5 still
means what the coder meant). Subscale membership, reverse keys, anchor labels, scoring rules,
composite scores, roll-ups and notes may change. Anything that changes items (added, removed,
renumbered or moved to another scale) is refused: the old responses would not answer the new
items, so that is a new instrument to be rated anew.
"""

from __future__ import annotations

from observer_app.coding.definitions.instrument import Instrument, Item


def rekey_refusals(old: Instrument, new: Instrument) -> list[str]:
    """Why ``new`` is not a re-key of ``old`` (empty when it is one)."""
    problems: list[str] = []
    if new.id != old.id:
        problems.append(f"it is instrument {new.id!r}, not {old.id!r}")
        return problems
    if new.unit != old.unit:
        problems.append(f"it is rated per {new.unit}, the old version per {old.unit}")
    old_ids, new_ids = old.item_ids, new.item_ids
    added = [i for i in new_ids if i not in set(old_ids)]
    removed = [i for i in old_ids if i not in set(new_ids)]
    if added:
        problems.append(f"items added ({', '.join(added)})")
    if removed:
        problems.append(f"items removed ({', '.join(removed)})")
    if not added and not removed and new_ids != old_ids:
        moved = [n for n, o in zip(new_ids, old_ids, strict=True) if n != o]
        problems.append(f"items renumbered or reordered ({', '.join(moved)})")
    for item_id in (i for i in old_ids if i in set(new_ids)):
        problems += _scale_refusals(old, new, item_id)
    return problems


def _scale_refusals(old: Instrument, new: Instrument, item_id: str) -> list[str]:
    a = old.scale_of(old.item(item_id))
    b = new.scale_of(new.item(item_id))
    if (a.min, a.max) != (b.min, b.max):
        return [
            f"item {item_id}: scale {a.min}..{a.max} becomes {b.min}..{b.max} "
            "(stored responses would change meaning)"
        ]
    if a.allow_not_rated and not b.allow_not_rated:
        return [f"item {item_id}: 'not rated' would no longer be allowed"]
    return []


def key_changes(old: Instrument, new: Instrument) -> list[str]:
    """What a re-key changes, one line each (subscales, reverse keys, anchors, scoring)."""
    changes: list[str] = []
    for item_id in old.item_ids:
        if item_id in new.item_ids:
            changes += _item_changes(item_id, old.item(item_id), new.item(item_id))
    for scale in new.scales:
        before = next((s for s in old.scales if s.id == scale.id), None)
        if before is not None and before.anchors != scale.anchors:
            changes.append(f"anchors of scale {scale.id!r} changed")
    if old.scoring != new.scoring:
        changes.append(_scoring_change(old, new))
    old_scores = [d.id for d in old.score_definitions()]
    new_scores = [d.id for d in new.score_definitions()]
    if added := [s for s in new_scores if s not in old_scores]:
        changes.append(f"scores added: {', '.join(added)}")
    if removed := [s for s in old_scores if s not in new_scores]:
        changes.append(f"scores removed: {', '.join(removed)}")
    if old.rollup != new.rollup:
        changes.append("roll-up rules changed")
    return changes


def _item_changes(item_id: str, a: Item, b: Item) -> list[str]:
    out: list[str] = []
    if a.subscales != b.subscales:
        before = ", ".join(a.subscales) or "none"
        out.append(f"item {item_id}: subscale {before} -> {', '.join(b.subscales) or 'none'}")
    if a.reverse != b.reverse:
        out.append(f"item {item_id}: {'reverse-keyed' if b.reverse else 'no longer reverse-keyed'}")
    if a.required != b.required:
        out.append(f"item {item_id}: {'required' if b.required else 'optional'}")
    return out


def _scoring_change(old: Instrument, new: Instrument) -> str:
    a, b = old.scoring, new.scoring
    parts = []
    if a.method != b.method:
        parts.append(f"method {a.method} -> {b.method}")
    if a.min_answered != b.min_answered:
        parts.append(f"min answered {a.min_answered:.0%} -> {b.min_answered:.0%}")
    if a.total != b.total:
        parts.append("total " + ("added" if b.total else "removed"))
    if a.scores != b.scores:
        parts.append("composite scores changed")
    return "scoring: " + ("; ".join(parts) or "labels changed")
