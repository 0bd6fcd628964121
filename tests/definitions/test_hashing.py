"""Content hashes: layout and comments do not make a new version; content does."""

from __future__ import annotations

import hashlib
import json

from observer_app.coding.definitions import (
    canonical_json,
    parse_instrument,
    parse_instrument_data,
    parse_scheme,
    parse_scheme_data,
)


def test_hash_is_sha256_of_the_canonical_json(instrument_text: str) -> None:
    inst = parse_instrument(instrument_text, "mini.toml")
    digest = hashlib.sha256(canonical_json(inst.to_canonical_dict()).encode("utf-8")).hexdigest()
    assert inst.content_hash == "sha256:" + digest
    assert json.loads(canonical_json(inst.to_canonical_dict())) == inst.to_canonical_dict()


def test_comments_whitespace_and_key_order_keep_the_hash(instrument_text: str) -> None:
    base = parse_instrument(instrument_text, "mini.toml").content_hash
    relaid = "# a new comment at the top\n\n" + instrument_text.replace(
        'name = "Mini alliance"', 'name    =    "Mini alliance"   # c'
    ).replace("[scale]\nmin = 1\nmax = 7", "[scale]\n\n\nmax = 7\nmin = 1").replace(
        "\n\n", "\n\n\n"
    )
    assert parse_instrument(relaid, "other-name.toml").content_hash == base


def test_defaults_written_out_keep_the_hash(instrument_text: str) -> None:
    base = parse_instrument(instrument_text, "mini.toml").content_hash
    explicit = instrument_text.replace(
        'id = "1"\nsubscale = "Goal"',
        'id = "1"\nsubscale = ["Goal"]\nreverse = false\nrequired = true',
    ).replace("[scoring]\n", "[scoring]\ntotal = true\n")
    assert parse_instrument(explicit, "mini.toml").content_hash == base


def test_content_changes_make_a_new_version(instrument_text: str) -> None:
    base = parse_instrument(instrument_text, "mini.toml").content_hash
    changes = [
        ('id = "3"\nsubscale = "Task"', 'id = "3"\nsubscale = "Task"\nreverse = true'),
        ("min_answered = 0.75", "min_answered = 0.8"),
        ('4 = "No evidence"', '4 = "No evidence either way"'),
        ('id = "7"\nsubscale = "Bond"', 'id = "7"\nsubscale = "Goal"'),
    ]
    hashes = {base}
    for old, new in changes:
        assert old in instrument_text
        hashes.add(parse_instrument(instrument_text.replace(old, new), "mini.toml").content_hash)
    assert len(hashes) == len(changes) + 1


def test_item_order_is_content(instrument_text: str) -> None:
    inst = parse_instrument(instrument_text, "mini.toml")
    data = inst.to_canonical_dict()
    data["items"] = list(reversed(data["items"]))
    assert parse_instrument_data(data, "mini").content_hash != inst.content_hash


def test_canonical_dict_round_trips(instrument_text: str, scheme_text: str) -> None:
    inst = parse_instrument(instrument_text, "mini.toml")
    again = parse_instrument_data(json.loads(canonical_json(inst.to_canonical_dict())), "x")
    assert again == inst and again.content_hash == inst.content_hash
    scheme = parse_scheme(scheme_text, "s.toml")
    again_s = parse_scheme_data(json.loads(canonical_json(scheme.to_canonical_dict())), "x")
    assert again_s == scheme and again_s.content_hash == scheme.content_hash


def test_scheme_key_spelling_is_normalised_in_the_hash(scheme_text: str) -> None:
    base = parse_scheme(scheme_text, "s.toml").content_hash
    assert (
        parse_scheme(scheme_text.replace('"shift+t"', '"Shift+T"'), "s.toml").content_hash == base
    )
    assert parse_scheme(scheme_text.replace('"shift+t"', '"alt+t"'), "s.toml").content_hash != base
