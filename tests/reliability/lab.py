"""A small but realistic double-coded study in a real SQLite file, shared by the reliability,
consensus and export tests: coders, recordings (opaque media files with a fake probe for their
duration), a point-event scheme with 1-minute segments, the project's demo instrument, and
seeded coding with jitter, dropped events and rating noise."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from observer_app.services.study import Study

SCHEME_TOML = """
kind = "scheme"
format_version = 1
id = "test-markers"
name = "Test markers"
version = "1"
citation = "observer-app test suite"
license = "MIT"

[segments]
minutes = 1

[[categories]]
id = "rupture"
label = "Rupture"

[[categories]]
id = "repair"
label = "Repair"

[[codes]]
id = "WD"
label = "Withdrawal"
category = "rupture"
kind = "point"
key = "w"

  [[codes.modifiers]]
  id = "intensity"
  label = "Intensity"
  type = "range"
  min = 1
  max = 3
  integer = true

[[codes]]
id = "CF"
label = "Confrontation"
category = "rupture"
kind = "point"
key = "c"

[[codes]]
id = "RS"
label = "Resolution"
category = "repair"
kind = "point"
key = "r"

[[codes]]
id = "XX"
label = "Never used"
category = "repair"
kind = "point"
key = "x"

[[codes]]
id = "ST"
label = "Silence"
category = "repair"
kind = "state"
key = "s"
"""

DURATION_MS = 5 * 60_000
CODES = ("WD", "CF", "RS")


def fake_probe(path: Path) -> SimpleNamespace:
    return SimpleNamespace(duration_ms=DURATION_MS, has_video=True, fps=25.0)


def make_media(folder: Path, name: str, seed: int) -> Path:
    path = folder / name
    block = bytes((seed * 31 + i) % 251 for i in range(1024))
    path.write_bytes(block * 64 + seed.to_bytes(4, "big"))
    return path


@dataclass
class Lab:
    path: Path | str
    admin: Study
    scheme_id: int
    instrument_id: int
    coders: dict[str, int]
    recordings: list[int]
    #: (recording id, coder name) -> assignment id
    assignments: dict[tuple[int, str], int] = field(default_factory=dict)

    def as_(self, name: str, password: str | None = None) -> Study:
        return Study.open(self.path, as_coder=name, password=password, backup=False)

    def manager(self) -> Study:
        return self.as_("Mia Manager", "s3cret")


def build_lab(
    tmp_path: Path,
    *,
    n_recordings: int = 4,
    coders_per_recording: int = 2,
    seed: int = 7,
    complete: bool = True,
    single_coded: int = 0,
    location: str | None = None,
) -> Lab:
    """Recording i is coded by coders[i % 3] and the next ones (round robin); the last
    ``single_coded`` recordings only by their primary coder."""
    where = location if location is not None else tmp_path / "lab.db"  # or a PostgreSQL URL
    admin = Study.create(where, "Reliability lab", probe=fake_probe)
    scheme_id = admin.definitions.import_text(SCHEME_TOML, "test-markers.toml").id
    instrument_id = admin.definitions.import_builtin("instrument", "alliance-quick-demo").id
    names = ("Ana Alves", "Ben Brook", "Cy Cole")
    coders = {n: admin.coders.add(n).id for n in names}
    coders["Mia Manager"] = admin.coders.add("Mia Manager", role="manager", password="s3cret").id
    recordings = [
        admin.recordings.add(
            make_media(tmp_path, f"s{i + 1:02d}.mp4", i + 1),
            client_id=f"C{i % 2 + 1}",
            therapist_id="T1",
            session_number=i + 1,
        ).id
        for i in range(n_recordings)
    ]
    lab = Lab(where, admin, scheme_id, instrument_id, coders, recordings)
    rng = random.Random(seed)
    inst = admin.definitions.instrument(instrument_id)
    for i, rec in enumerate(recordings):
        truth_events = sorted(
            (rng.randrange(0, DURATION_MS - 5000), rng.choice(CODES)) for _ in range(8)
        )
        truth_items = {item.id: rng.randint(1, 5) for item in inst.items}
        coders_here = 1 if i >= n_recordings - single_coded else coders_per_recording
        for k in range(coders_here):
            name = names[(i + k) % len(names)]
            purpose = "primary" if k == 0 else "reliability"
            aid = admin.assignments.create(
                rec, coders[name], purpose=purpose, scheme_version_id=scheme_id
            ).id
            lab.assignments[(rec, name)] = aid
            _code(lab, aid, truth_events, truth_items, rng, noisy=k > 0)
            if complete:
                problems = admin.assignments.complete(aid)
                assert problems == [], problems
    return lab


def _code(
    lab: Lab,
    aid: int,
    truth_events: list[tuple[int, str]],
    truth_items: dict[str, int],
    rng: random.Random,
    *,
    noisy: bool,
) -> None:
    study = lab.admin
    for onset, true_code in truth_events:
        if noisy and rng.random() < 0.15:
            continue  # missed
        code = rng.choice(CODES) if noisy and rng.random() < 0.15 else true_code
        jitter = rng.randint(-1500, 1500) if noisy else 0
        mods = {"intensity": rng.randint(1, 3)} if code == "WD" else {}
        study.events.log(aid, code, max(0, onset + jitter), modifiers=mods)
    if noisy and rng.random() < 0.5:
        study.events.log(aid, "RS", rng.randrange(0, DURATION_MS))  # an extra event
    for item_id, value in truth_items.items():
        noise = rng.choice((-1, 0, 0, 1)) if noisy else 0
        study.ratings.set(aid, lab.instrument_id, item_id, min(5, max(1, value + noise)))
