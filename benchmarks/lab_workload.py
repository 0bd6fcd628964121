"""A lab coding one study at once: several coder processes logging, a manager completing and
reopening their assignments. Used by the concurrency test (small) and the lab-server benchmark
(full size, 4 workstations x 10,000 events).

    python -m benchmarks.lab_workload coder LOCATION NAME N_EVENTS OUT.json
    python -m benchmarks.lab_workload manager LOCATION MIN_CYCLES OUT.json

Each coder logs ``N_EVENTS`` events round-robin into its own assignments and writes down what
the services answered: saved (with the event id and the key press -> committed latency) or
refused (the assignment was complete at that moment). The manager repeatedly completes an
assignment, counts its events right after the completion committed and again just before it
reopens it: the two counts must be equal (nothing written while complete). ``verify`` then checks
the database against the coders' notes: every saved event is there exactly once, no refused one is.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ASSIGNMENTS_PER_CODER = 2
PASSWORD = "pw"


@dataclass(frozen=True)
class Lab:
    location: str
    coders: list[str]
    assignments: dict[str, list[int]]


def build(location: str, media_dir: Path, n_coders: int) -> Lab:
    """A study with ``n_coders`` coders, a manager and two assignments per coder."""
    from observer_app.services.study import Study

    study = Study.create(location, "Lab workload")
    coders = [f"Coder {i + 1}" for i in range(n_coders)]
    ids = {c: study.coders.add(c, password=PASSWORD).id for c in coders}
    study.coders.add("Manager", role="manager", password=PASSWORD)
    assignments: dict[str, list[int]] = {c: [] for c in coders}
    for i in range(n_coders * ASSIGNMENTS_PER_CODER):
        media = media_dir / f"rec{i}.bin"
        media.write_bytes(bytes([i % 251]) * 2048 + i.to_bytes(4, "big"))
        rec = study.recordings.add(media)
        coder = coders[i % n_coders]
        assignments[coder].append(study.assignments.create(rec.id, ids[coder], blind=False).id)
    study.close()
    return Lab(location, coders, assignments)


#: Written by the manager once it is ready; the coders start logging only then.
READY = "manager.ready"


def _wait_for(path: Path, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path} did not appear within {timeout_s:.0f} s")
        time.sleep(0.01)


def coder(location: str, name: str, n_events: int, out: Path) -> None:
    from observer_app.coding.errors import AccessDenied, StorageError
    from observer_app.services.study import Study

    study = Study.open(location, as_coder=name, password=PASSWORD, backup=False)
    mine = [a.id for a in study.assignments.mine()]
    _wait_for(out.parent / READY)  # start together with the manager, so the two overlap
    saved: list[list[Any]] = []
    refused = timeouts = 0
    for i in range(n_events):
        a = mine[i % len(mine)]
        t0 = time.perf_counter()
        while True:
            try:
                event = study.events.log(a, "code", i, comment=f"{name}:{i}")
            except AccessDenied:
                refused += 1
                event = None
            except StorageError:  # a lock wait over the busy timeout: the app retries too
                timeouts += 1
                continue
            break
        if event is not None:
            saved.append([event.id, a, i, (time.perf_counter() - t0) * 1000])
    study.close()
    out.write_text(json.dumps({"saved": saved, "refused": refused, "timeouts": timeouts}))


def manager(location: str, cycles: int, out: Path) -> None:
    """Complete and reopen round-robin: at least ``cycles`` times, and until every coder has
    written its notes (``coder*.json`` beside ``out``), so the two always overlap."""
    from observer_app.services.study import Study

    study = Study.open(location, as_coder="Manager", password=PASSWORD, backup=False)
    ids = [a.id for a in study.assignments.list_all()]
    (out.parent / READY).write_text("ready")
    n_coders = len(ids) // ASSIGNMENTS_PER_CODER
    written_while_complete = 0
    completed = 0
    i = -1
    while True:
        i += 1
        if i >= cycles and len(list(out.parent.glob("coder*.json"))) >= n_coders:
            break
        a = ids[i % len(ids)]
        if study.assignments.complete(a):
            continue
        completed += 1
        after = len(study.events.for_assignment(a))
        time.sleep(0.01)
        before_reopen = len(study.events.for_assignment(a))
        written_while_complete += before_reopen - after
        study.assignments.reopen(a)
        time.sleep(0.005)
    study.close()
    out.write_text(json.dumps({"completed": completed, "written": written_while_complete}))


@dataclass(frozen=True)
class Outcome:
    saved: int
    refused: int
    lost: int
    duplicated: int
    unexpected: int
    completions: int
    written_while_complete: int
    lock_timeouts: int
    latencies_ms: list[float]


def run(lab: Lab, n_events: int, cycles: int, workdir: Path) -> Outcome:
    """Start the coder processes and the manager at once; wait; verify against the database."""
    root = Path(__file__).resolve().parent.parent
    procs = []
    for i, name in enumerate(lab.coders):
        argv = ["coder", lab.location, name, str(n_events), str(workdir / f"coder{i}.json")]
        procs.append(_spawn(argv, root))
    procs.append(_spawn(["manager", lab.location, str(cycles), str(workdir / "mgr.json")], root))
    for p in procs:
        _, err = p.communicate(timeout=3600)
        if p.returncode != 0:
            raise RuntimeError(f"workload process failed: {err.decode()[-2000:]}")
    notes = [json.loads((workdir / f"coder{i}.json").read_text()) for i in range(len(lab.coders))]
    mgr = json.loads((workdir / "mgr.json").read_text())
    return _verify(lab, notes, mgr)


def _spawn(argv: list[str], root: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "benchmarks.lab_workload", *argv],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _verify(lab: Lab, notes: list[dict[str, Any]], mgr: dict[str, Any]) -> Outcome:
    from observer_app.services.study import Study

    with Study.open(lab.location, backup=False) as study:
        in_db = [(e.assignment_id, e.onset_ms) for e in study.events.all_in_study()]
    expected = [(s[1], s[2]) for n in notes for s in n["saved"]]
    db_set, exp_set = set(in_db), set(expected)
    return Outcome(
        saved=len(expected),
        refused=sum(n["refused"] for n in notes),
        lost=len(exp_set - db_set),
        duplicated=len(in_db) - len(db_set),
        unexpected=len(db_set - exp_set),
        completions=mgr["completed"],
        written_while_complete=mgr["written"],
        lock_timeouts=sum(n["timeouts"] for n in notes),
        latencies_ms=[s[3] for n in notes for s in n["saved"]],
    )


def _main(argv: list[str]) -> int:
    if argv[0] == "coder":
        coder(argv[1], argv[2], int(argv[3]), Path(argv[4]))
    elif argv[0] == "manager":
        manager(argv[1], int(argv[2]), Path(argv[3]))
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
