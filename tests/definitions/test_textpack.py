"""Text packs and the display text of items without shipped wording."""

from __future__ import annotations

import pytest

from observer_app.coding.definitions import (
    DefinitionProblems,
    builtin_instrument,
    check_textpack,
    item_display_text,
    item_display_texts,
    load_textpack_file,
    parse_instrument,
    parse_textpack,
)
from observer_app.coding.resources import resource_path


def test_published_items_point_to_the_manual() -> None:
    wai = builtin_instrument("wai-o")
    bond_item = next(i for i in wai.items if i.subscales == ("Bond",))
    assert item_display_text(wai, bond_item.id) == f"Item {bond_item.id} (Bond) — see your manual"


def test_labelled_items_use_their_label() -> None:
    seg = builtin_instrument("3rs-segment")
    assert (
        item_display_text(seg, "withdrawal") == "Withdrawal rupture significance — see your manual"
    )


def test_pack_text_replaces_the_pointer_and_keeps_the_version(
    tmp_path, instrument_text: str
) -> None:
    inst = parse_instrument(instrument_text, "mini.toml")
    path = tmp_path / "mini-pack.toml"
    path.write_text(
        'kind = "textpack"\ninstrument = "mini"\ninstrument_version = "1"\n'
        'source = "test"\n\n[items]\n"2" = "Own test wording for item two"\n',
        encoding="utf-8",
    )
    pack = load_textpack_file(path, inst)
    texts = item_display_texts(inst, pack)
    assert texts["2"] == "Own test wording for item two"
    assert texts["1"] == "Item 1 (Goal) — see your manual"
    assert list(texts) == [i.id for i in inst.items]
    assert parse_instrument(instrument_text, "mini.toml").content_hash == inst.content_hash


def test_pack_for_another_instrument_is_refused(instrument_text: str) -> None:
    pack = parse_textpack(
        'kind = "textpack"\ninstrument = "wai-o"\ninstrument_version = "rev-iv"\n'
        '[items]\n"1" = "x"\n',
        "p.toml",
    )
    with pytest.raises(DefinitionProblems) as info:
        check_textpack(pack, parse_instrument(instrument_text, "mini.toml"), "p.toml")
    assert str(info.value).splitlines() == [
        "p.toml: instrument: pack is for 'wai-o', not 'mini'",
        "p.toml: instrument_version: pack is for version 'rev-iv', the instrument is version '1'",
    ]


def test_empty_pack_text_is_an_error() -> None:
    with pytest.raises(DefinitionProblems, match=r"items\.1 \(line 5\): item text must be"):
        parse_textpack(
            'kind = "textpack"\ninstrument = "m"\ninstrument_version = "1"\n[items]\n"1" = " "\n',
            "p.toml",
        )


def test_shipped_example_pack_fits_wai_o_and_carries_no_wording() -> None:
    wai = builtin_instrument("wai-o")
    pack = load_textpack_file(resource_path("textpacks", "example-wai-o.toml"), wai)
    assert all(text.startswith("(your licensed wording of WAI-O item") for _, text in pack.texts)
