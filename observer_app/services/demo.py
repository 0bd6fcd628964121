"""The demo study: coders, the two shipped demo recordings, the 3RS scheme with its instruments and
the project's own demo instrument, an assignment plan, and some pre-coded work so that the coder
queue, reliability, reconciliation and the export all have something to show.

Every number in the pre-coded work is generated from the demo media's manifest (real moments of
the fictional dialogues) and a fixed seed, so the demo study is the same on every machine.
"""

from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from observer_app.coding.definitions import Scheme
from observer_app.coding.resources import resource_path
from observer_app.services.recordings import Probe
from observer_app.services.study import Study

DEMO_FILE = "demo-study.db"
SEED = 20261126
CODE_CATEGORY = {
    "withdrawal_marker": "withdrawal",
    "confrontation_marker": "confrontation",
    "resolution_strategy": "resolution",
}
CODERS = (("Ana Alves", "coder"), ("Ben Brook", "coder"), ("Cy Cole", "coder"))
MANAGER = "Morgan Lee"
#: The alliance from three perspectives: observers rate WAI-O-S on every session, clients and
#: therapists fill in WAI-C-S and WAI-T-S (entered as paper forms; one awaits its second entry).
PERSPECTIVE_INSTRUMENTS = ("wai-o-s", "wai-c-s", "wai-t-s")


def default_demo_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "observer-app" / "demo"


def ensure_demo_study(folder: Path, probe: Probe | None = None) -> Path:
    """The demo study in ``folder``: created on first use, reopened (unchanged) afterwards."""
    path = folder / DEMO_FILE
    if path.exists():
        Study.open(path, backup=False).close()  # checks the schema; upgrades an older one
        return path
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / (DEMO_FILE + ".partial")
    for leftover in folder.glob(DEMO_FILE + ".partial*"):
        leftover.unlink()
    with Study.create(partial, "Demo study: alliance ruptures (fictional)", probe=probe) as study:
        _build(study)
    for suffix in ("-wal", "-shm"):
        Path(str(partial) + suffix).unlink(missing_ok=True)
    partial.replace(path)  # a half-built demo never carries the real name
    return path


@dataclass(frozen=True)
class _Setup:
    scheme_id: int
    scheme: Scheme


#: Double-coded, completed sessions (manifest order from the third file on): (primary coder,
#: reliability coder). With the first session they give the reliability dashboard five units.
COMPLETED_PAIRS = (
    ("Ana Alves", "Cy Cole"),
    ("Ben Brook", "Cy Cole"),
    ("Cy Cole", "Ana Alves"),
    ("Cy Cole", "Ben Brook"),
)


def _build(study: Study) -> None:
    setup = _definitions(study)
    ids = {name: study.coders.add(name, role=role).id for name, role in CODERS}
    study.coders.add(MANAGER, role="manager")
    manifest = json.loads(resource_path("demo", "manifest.json").read_text(encoding="utf-8"))
    recordings = [_add_recording(study, entry) for entry in manifest["files"]]
    rng = random.Random(SEED)
    (rec1, codes1), (rec2, codes2), *rest = recordings

    def assign(rec: int, coder: str, purpose: str = "primary", **extra: Any) -> int:
        return study.assignments.create(
            rec, ids[coder], purpose=purpose, scheme_version_id=setup.scheme_id, **extra
        ).id

    def complete_pair(rec: int, codes: list[dict[str, Any]], first: str, second: str) -> None:
        a, b = assign(rec, first), assign(rec, second, "reliability")
        _code(study, setup, a, codes, rng, jitter_ms=0, drop_every=0, base=None)
        _code(study, setup, b, codes, rng, jitter_ms=900, drop_every=4, base=5)
        study.assignments.complete(a)
        study.assignments.complete(b)

    complete_pair(rec1, codes1, "Ana Alves", "Ben Brook")
    for (rec, codes), (first, second) in zip(rest, COMPLETED_PAIRS, strict=False):
        complete_pair(rec, codes, first, second)
    # Ben has started session 5: a couple of events, no ratings yet (the queue shows progress).
    ben2 = assign(rec2, "Ben Brook")
    _code(study, setup, ben2, codes2[:2], rng, jitter_ms=300, drop_every=0, base=None, rate=False)
    # Waiting in the queues: Ana re-codes that session blind; Cy calibrates on the first session
    # against Ana, the lab's master coder.
    assign(rec2, "Ana Alves", "reliability")
    assign(rec1, "Cy Cole", "calibration", reference={"master_coder_id": ids["Ana Alves"]})
    _self_reports(study, manifest["files"])


def _definitions(study: Study) -> _Setup:
    scheme_info = study.definitions.import_builtin("scheme", "3rs")
    scheme = study.definitions.scheme(scheme_info.id)
    for definition_id in (*scheme.instrument_ids, "alliance-quick-demo", *PERSPECTIVE_INSTRUMENTS):
        study.definitions.import_builtin("instrument", definition_id)
    return _Setup(scheme_info.id, scheme)


def _add_recording(study: Study, entry: dict[str, Any]) -> tuple[int, list[dict[str, Any]]]:
    info = study.recordings.add(
        resource_path("demo", entry["file"]),
        client_id=entry.get("client_id"),
        therapist_id=entry.get("therapist_id"),
        dyad_id=entry.get("dyad"),
        session_number=entry.get("session_number"),
        meta={"title": entry.get("title", ""), "fictional": True},
    )
    return info.id, list(entry.get("demo_codes", []))


def _code(
    study: Study,
    setup: _Setup,
    assignment_id: int,
    moments: list[dict[str, Any]],
    rng: random.Random,
    *,
    jitter_ms: int,
    drop_every: int,
    base: int | None,
    rate: bool = True,
) -> None:
    """Log one event per manifest moment (jittered; some dropped) and rate every instrument."""
    by_category: dict[str, list[str]] = {}
    for definition in setup.scheme.codes:
        by_category.setdefault(definition.category, []).append(definition.id)
    for i, moment in enumerate(moments):
        if drop_every and i % drop_every == drop_every - 1:
            continue
        choices = by_category[CODE_CATEGORY[moment["code"]]]
        code = choices[i % len(choices)]
        if base is not None and i == 1:
            code = choices[(i + 1) % len(choices)]  # a deliberate disagreement on the code
        onset = max(0, int(moment["onset_ms"]) + rng.randint(-jitter_ms, jitter_ms))
        study.events.log(assignment_id, code, onset, comment=str(moment.get("note", "")))
    if rate:
        _rate(study, assignment_id, rng, shift=base)


def _rate(study: Study, assignment_id: int, rng: random.Random, *, shift: int | None) -> None:
    """Rate every unit of every instrument: a per-item "true" value plus coder noise, so that two
    coders of the same session agree well but not perfectly."""
    recording_id = study.assignments.get(assignment_id).recording_id
    session = study.recordings.get(recording_id).session_number
    for assigned in study.definitions.assigned_instruments(assignment_id):
        inst = assigned.instrument
        own = inst.id in PERSPECTIVE_INSTRUMENTS  # its own noise: the older numbers stay put
        noisy = random.Random(f"{assignment_id}/{inst.id}") if own else rng
        for unit_kind, index in assigned.units:
            for item in inst.items:
                scale = inst.scale_of(item)
                seed = f"{recording_id}/{inst.id}/{unit_kind}/{index}/{item.id}"
                truth = random.Random(seed).randint(scale.min, scale.max)
                if own:
                    truth = _alliance_item(session, item.id)
                noise = noisy.choice((-1, 1)) if shift is not None and noisy.random() < 0.3 else 0
                value = min(scale.max, max(scale.min, truth + noise))
                study.ratings.set(
                    assignment_id,
                    assigned.version_id,
                    item.id,
                    value,
                    unit_kind=unit_kind,
                    unit_index=index,
                )


def _alliance_item(session: int | None, item_id: str) -> int:
    """A session's "true" alliance on a 1-7 item: low in the rupture sessions 3-5, repaired
    later, with a fixed per-item wobble (the same for every perspective)."""
    level = {3: 3.6, 4: 4.0, 5: 3.8, 6: 4.6, 7: 5.2, 8: 5.0}.get(session or 0, 4.5)
    wobble = random.Random(f"wai/{session}/{item_id}").choice((-1, 0, 0, 1))
    return int(min(7, max(1, round(level + wobble))))


def _self_reports(study: Study, files: list[dict[str, Any]]) -> None:
    """Client and therapist WAI short forms for every demo session, entered as paper forms:
    clients rate the alliance about a point higher than the observers, therapists about half a
    point lower (as in much of the literature); one therapist form awaits its second entry."""
    from observer_app.services.selfreports import FormHeader

    client = study.definitions.instrument_version("wai-c-s")
    therapist = study.definitions.instrument_version("wai-t-s")
    assert client is not None and therapist is not None
    rng = random.Random(SEED + 15)
    for n, entry in enumerate(files):
        session = int(entry["session_number"])
        for version, person, shift in (
            (client.id, entry["client_id"], 1.0),
            (therapist.id, entry["therapist_id"], -0.5),
        ):
            items = study.definitions.instrument(version).items
            values = {
                i.id: int(
                    min(
                        7,
                        max(
                            1,
                            round(
                                _alliance_item(session, i.id)
                                + shift
                                + rng.choice((-1, 0, 0, 1)) * 0.6
                            ),
                        ),
                    )
                )
                for i in items
            }
            header = FormHeader(version, person, session, dyad_id=entry.get("dyad"))
            pending = version == therapist.id and n == len(files) - 1
            study.selfreports.enter(header, values, double_entry=pending)
