"""Text packs: a lab's licensed item wording, kept apart from the instrument structure.

Published instruments ship without item text. A lab that holds a licence adds the wording as a
separate TOML file naming the instrument id and version and giving a text per item id::

    kind = "textpack"
    instrument = "wai-o"
    instrument_version = "rev-iv"
    source = "Licensed copy held by the lab (not for redistribution)"

    [items]
    "1" = "..."

A pack is validated against its instrument (unknown item ids and a different instrument or
version are errors). Applying a pack changes only what the form displays: the instrument's
content hash, and so the version every rating points at, stays the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from observer_app.coding.definitions._source import Collector, Reader, load_toml, show
from observer_app.coding.definitions.hashing import content_hash_of
from observer_app.coding.definitions.instrument import Instrument

FORMAT_VERSION = 1


@dataclass(frozen=True)
class TextPack:
    instrument: str
    instrument_version: str
    texts: tuple[tuple[str, str], ...]
    source: str = ""

    def text_for(self, item_id: str) -> str | None:
        return dict(self.texts).get(item_id)

    def to_canonical_dict(self) -> dict[str, Any]:
        return {
            "kind": "textpack",
            "format_version": FORMAT_VERSION,
            "instrument": self.instrument,
            "instrument_version": self.instrument_version,
            "source": self.source,
            "items": dict(self.texts),
        }

    @cached_property
    def content_hash(self) -> str:
        return content_hash_of(self.to_canonical_dict())


def parse_textpack(text: str, source_name: str, instrument: Instrument | None = None) -> TextPack:
    """Parse a text pack; with ``instrument``, also check it fits (every problem, located)."""
    return parse_textpack_data(load_toml(text, source_name), source_name, text, instrument)


def parse_textpack_data(
    data: Mapping[str, Any],
    source_name: str,
    text: str | None = None,
    instrument: Instrument | None = None,
) -> TextPack:
    out = Collector(source_name, text)
    top = Reader(data, (), out)
    top.check_keys(
        ("kind", "format_version", "instrument", "instrument_version", "source", "items")
    )
    kind = data.get("kind", "textpack")
    if kind != "textpack":
        top.problem("kind", f"{show(kind)} is not 'textpack'")
    if data.get("format_version", FORMAT_VERSION) != FORMAT_VERSION:
        top.problem("format_version", "is not supported (this version reads 1)")
    pack_for = top.string("instrument")
    version = top.string("instrument_version")
    texts: list[tuple[str, str]] = []
    items = top.table("items", required=True)
    if items is not None:
        for item_id, value in items.data.items():
            if not isinstance(value, str) or not value.strip():
                items.problem(item_id, "item text must be a non-empty string")
                continue
            texts.append((item_id, value))
    pack = TextPack(pack_for, version, tuple(texts), top.string("source", required=False))
    if instrument is not None:
        _check(pack, instrument, out)
    out.raise_if_any()
    return pack


def check_textpack(pack: TextPack, instrument: Instrument, source_name: str = "text pack") -> None:
    """Raise ``DefinitionProblems`` unless ``pack`` is for this instrument and version."""
    out = Collector(source_name)
    _check(pack, instrument, out)
    out.raise_if_any()


def _check(pack: TextPack, instrument: Instrument, out: Collector) -> None:
    if pack.instrument != instrument.id:
        out.add(("instrument",), f"pack is for {show(pack.instrument)}, not {show(instrument.id)}")
    if pack.instrument_version != instrument.version:
        out.add(
            ("instrument_version",),
            f"pack is for version {show(pack.instrument_version)}, "
            f"the instrument is version {show(instrument.version)}",
        )
    known = set(instrument.item_ids)
    for item_id, _ in pack.texts:
        if item_id not in known:
            out.add(("items", item_id), f"{show(item_id)} is not an item of {instrument.id}")


def item_display_text(instrument: Instrument, item_id: str, pack: TextPack | None = None) -> str:
    """What the form shows for an item: the pack's text, the file's text, or a pointer.

    Without wording: ``"Item 7 (Bond) — see your manual"`` (the item's short label, when it has
    one, replaces ``Item 7``).
    """
    item = instrument.item(item_id)
    if pack is not None:
        text = pack.text_for(item_id)
        if text:
            return text
    if item.text:
        return item.text
    subs = ", ".join(instrument.subscale_label(s) for s in item.subscales)
    name = item.label or f"Item {item.id}"
    label = f"{name} ({subs})" if subs else name
    return f"{label} — see your manual"


def item_display_texts(instrument: Instrument, pack: TextPack | None = None) -> dict[str, str]:
    """``item_display_text`` of every item, in item order (checks the pack first)."""
    if pack is not None:
        check_textpack(pack, instrument)
    return {i.id: item_display_text(instrument, i.id, pack) for i in instrument.items}
