"""A generated study with three perspectives on the 12-item WAI and known differences.

Two dyads (D1: 8 sessions, D2: 6 sessions; D2's session 6 has no recording). Per session a
"true" alliance level; observer items are that level plus item noise, rated by a primary coder
(and, on some sessions, a blind reliability coder one point off on some items; on D1 session 2
a consensus whose values differ from both coders). Clients rate about one point higher than
the observers, therapists about half a point lower: known differences between perspectives.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from pathlib import Path

from observer_app.services.study import Study

ITEMS = [str(i) for i in range(1, 13)]
DYADS = {"D1": ("C1", "T1", 8), "D2": ("C2", "T2", 6)}
NO_RECORDING = ("D2", 6)
RELIABILITY_SESSIONS = {("D1", 1), ("D1", 3), ("D2", 2), ("D2", 4)}
CONSENSUS_SESSION = ("D1", 3)  # a double-coded session: its consensus names both


def _clip(v: float) -> int:
    return int(min(7, max(1, round(v))))


@dataclass
class PerspectiveLab:
    path: Path
    study: Study
    manager: str
    coders: dict[str, int]
    recordings: dict[tuple[str, int], int]
    truth: dict[tuple[str, int], float]
    observer_forms: dict[tuple[str, int], list[dict[str, int]]] = field(default_factory=dict)
    consensus_form: dict[str, int] = field(default_factory=dict)
    client_rows: list[dict[str, str]] = field(default_factory=list)
    therapist_rows: list[dict[str, str]] = field(default_factory=list)

    def as_(self, name: str) -> Study:
        return Study.open(self.path, as_coder=name, backup=False)


def media(folder: Path, name: str, seed: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(bytes((seed * 37 + i) % 253 for i in range(4096)) * 4)
    return path


def write_csv(path: Path, rows: list[dict[str, str]], columns: list[str] | None = None) -> Path:
    columns = columns or list(rows[0])
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, columns)
        w.writeheader()
        w.writerows(rows)
    return path


def build_lab(tmp_path: Path, *, observer: bool = True) -> PerspectiveLab:
    path = tmp_path / "persp.db"
    study = Study.create(path, "Perspectives")
    ids = {n: study.coders.add(n).id for n in ("Ana", "Ben")}
    ids["Mia"] = study.coders.add("Mia", role="manager").id
    for inst in ("wai-o-s", "wai-c-s", "wai-t-s") if observer else ("wai-c-s", "wai-t-s"):
        study.definitions.import_builtin("instrument", inst)
    rng = random.Random(7)
    recordings: dict[tuple[str, int], int] = {}
    truth: dict[tuple[str, int], float] = {}
    seed = 0
    for dyad, (client, therapist, n) in DYADS.items():
        for session in range(1, n + 1):
            truth[(dyad, session)] = rng.uniform(2.5, 5.5) + 0.1 * session
            if (dyad, session) == NO_RECORDING:
                continue
            seed += 1
            recordings[(dyad, session)] = study.recordings.add(
                media(tmp_path / "media", f"{dyad}_{session}.mp4", seed),
                client_id=client,
                therapist_id=therapist,
                dyad_id=dyad,
                session_number=session,
            ).id
    lab = PerspectiveLab(path, study, "Mia", ids, recordings, truth)
    if observer:
        _observer(lab, rng)
    for dyad, (client, therapist, n) in DYADS.items():
        for session in range(1, n + 1):
            t = truth[(dyad, session)]
            c = {i: str(_clip(t + 1.0 + rng.choice((-1, 0, 0, 1)))) for i in ITEMS}
            th = {i: str(_clip(t - 0.5 + rng.choice((-1, 0, 1)))) for i in ITEMS}
            date = f"2025-0{1 + session % 9}-1{session % 10}"
            lab.client_rows.append(
                {"ClientID": client, "Session": str(session), "Date": date}
                | {f"Q{i}": v for i, v in c.items()}
            )
            lab.therapist_rows.append(
                {"TherapistID": therapist, "Session": str(session), "Date": date}
                | {f"Q{i}": v for i, v in th.items()}
            )
    return lab


def _observer(lab: PerspectiveLab, rng: random.Random) -> None:
    study = lab.study
    version = study.definitions.instrument_version("wai-o-s")
    assert version is not None
    for key, rid in lab.recordings.items():
        t = lab.truth[key]
        primary = {i: _clip(t + rng.choice((-1, 0, 0, 1))) for i in ITEMS}
        forms = [primary]
        if key in RELIABILITY_SESSIONS:
            forms.append({i: _clip(v + rng.choice((-1, 0, 1))) for i, v in primary.items()})
        made: list[int] = []
        for coder, form in zip(("Ana", "Ben"), forms, strict=False):
            purpose = "primary" if coder == "Ana" else "reliability"
            aid = study.assignments.create(rid, lab.coders[coder], purpose=purpose).id
            made.append(aid)
            for item, value in form.items():
                study.ratings.set(aid, version.id, item, value)
            assert study.assignments.complete(aid) == []
        lab.observer_forms[key] = forms
        if key == CONSENSUS_SESSION:
            lab.consensus_form = {i: _clip(v + 2) for i, v in primary.items()}
            # a consensus names its two source codings (no events: nothing left undecided)
            ref = {"sources": made[:2], "decisions": {}}
            aid = study.assignments.create(
                rid, lab.coders["Mia"], purpose="consensus", reference=ref
            ).id
            for item, value in lab.consensus_form.items():
                study.ratings.set(aid, version.id, item, value)
            assert study.assignments.complete(aid) == []
    # an incomplete coder on D1 session 4 must not count
    rid = lab.recordings[("D1", 4)]
    aid = study.assignments.create(rid, lab.coders["Ben"], purpose="reliability").id
    study.ratings.set(aid, version.id, "1", 1)
