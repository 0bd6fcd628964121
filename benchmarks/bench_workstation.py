"""The coder workstation: key press -> event committed and visible, timeline repaint, opening.

    .venv/bin/python -m benchmarks workstation [--quick]

A study with 100,000 events (10 assignments of 10,000; loaded in bulk) on the demo recording,
opened in the real coding window with the real player, offscreen. Reported:

* key press -> event committed (one audited transaction) and shown in the event log: p50/p95
  over alternating point and state keys; reference: the bare ``study.events.log`` call in the
  same run (the services' share of the latency). Goal p95 <= 16 ms. Also as the GUI thread's
  CPU time (``time.thread_time``), which a machine shared with other work disturbs less than
  wall time (it leaves out waiting: the commit's fsync, being scheduled out).
* timeline repaint with 10,000 events (whole recording in view, and zoomed to 1 minute);
  reference: the same repaint with no events. Goal <= 16 ms.
* opening an assignment of 10,000 events (every dock rebuilt, media loaded, resumed);
  reference: reading its events through the services. Goal <= 300 ms.
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OBSERVER_APP_AUDIO", "dummy")

EVENTS_TOTAL = 100_000
ASSIGNMENTS = 10


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(name: str, values_ms: list[float], goal: float | None = None) -> str:
    p50, p95 = pct(values_ms, 0.5), pct(values_ms, 0.95)
    text = f"{name:<52} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  max {max(values_ms):7.2f} ms"
    if goal is not None:
        text += f"  (goal p95 <= {goal:g} ms: {'met' if p95 <= goal else 'NOT met'})"
    return text


def timed(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def build(folder: Path) -> tuple[Path, list[int], int]:
    """The study file, the assignment ids (all Ana's) and the scheme version id."""
    from sqlalchemy import insert

    from observer_app.coding.resources import resource_path
    from observer_app.media.probe import probe
    from observer_app.services.study import Study
    from observer_app.store import models

    path = folder / "bench.db"
    media = resource_path("demo") / "demo_session_1.mp4"
    with Study.create(path, "Workstation benchmark", probe=probe) as admin:
        scheme = admin.definitions.import_builtin("scheme", "3rs")
        codes = admin.definitions.scheme(scheme.id).codes
        ana = admin.coders.add("Ana Alves").id
        rec = admin.recordings.add(media)
        duration = int(rec.duration_ms or 80_000)
        coder_ids = [ana] + [admin.coders.add(f"Coder {i}").id for i in range(ASSIGNMENTS - 1)]
        ids = [
            admin.assignments.create(rec.id, c, scheme_version_id=scheme.id).id for c in coder_ids
        ]
        rng = random.Random(6)
        per = EVENTS_TOTAL // ASSIGNMENTS
        rows = []
        for a in ids:
            for _ in range(per):
                code = rng.choice(codes)
                onset = rng.randrange(0, duration - 2000)
                state = code.kind == "state"
                rows.append(
                    {
                        "assignment_id": a,
                        "code": code.id,
                        "onset_ms": onset,
                        "offset_ms": onset + rng.randrange(200, 2000) if state else None,
                        "is_state": state,
                        "modifiers": {},
                        "comment": "",
                        "deleted": False,
                        "source": {},
                    }
                )
        with admin._ctx.tx("benchmark bulk load") as s:  # bulk fixture, not a user action
            s.execute(insert(models.Event), rows)
    return path, ids, scheme.id


def bench_opening(window: Any, study: Any, first: int, runs: int) -> None:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    opening = []
    reading = []
    for _ in range(runs):
        opening.append(timed(lambda: (window.open_assignment(first), app.processEvents())))
        reading.append(timed(lambda: study.events.for_assignment(first)))
    print(summary(f"open an assignment of {len(window.session.events)} events", opening, 300))
    print(summary("  reference: study.events.for_assignment (ORM read)", reading))
    print(f"  ratio {pct(opening, 0.5) / pct(reading, 0.5):.2f}x the services read (p50)")


def bench_keys(window: Any, study: Any, first: int, presses: int) -> None:
    from PySide6.QtGui import QKeySequence
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    scheme = window.session.scheme
    quiet = [c for c in scheme.codes if c.key and not any(m.required for m in c.modifiers)]
    point, other = quiet[0], quiet[-1]
    combos = [QKeySequence(window.keymap[f"code:{c.id}"])[0] for c in (point, other)]
    latencies = []
    committed = []
    cpu = []  # the GUI thread's CPU time: less sensitive than wall time to a shared machine
    rng = random.Random(1)
    for i in range(presses):
        window.player.seek(rng.randrange(1000, 75_000))
        settle = time.perf_counter() + 0.05  # let the seek land: its frame is not the key's cost
        while time.perf_counter() < settle:
            app.processEvents()
        before = window.event_model.rowCount()
        combo = combos[i % 2]

        c0 = time.thread_time()
        t0 = time.perf_counter()
        QTest.keyClick(QApplication.focusWidget() or window, combo.key(), combo.keyboardModifiers())
        committed.append((time.perf_counter() - t0) * 1000)  # the transaction has returned
        app.processEvents()  # the log and the timeline repaint
        latencies.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
        if window.event_model.rowCount() == before:
            raise SystemExit("a key press did not add an event: benchmark invalid")
    print(summary(f"key press -> committed ({presses} presses)", committed, 16))
    print(summary("key press -> committed and visible (log and timeline repainted)", latencies, 16))
    print(summary("  the same, GUI-thread CPU time", cpu))
    direct, direct_cpu = [], []
    for _ in range(presses // 2):
        c0 = time.thread_time()
        direct.append(timed(lambda: study.events.log(first, point.id, rng.randrange(0, 75_000))))
        direct_cpu.append((time.thread_time() - c0) * 1000)
    print(summary("  reference: study.events.log alone", direct))
    print(summary("  reference: study.events.log alone, GUI-thread CPU time", direct_cpu))
    print(f"  ratio {pct(latencies, 0.5) / pct(direct, 0.5):.2f}x the services call (p50)")
    print(f"  ratio {pct(cpu, 0.5) / pct(direct_cpu, 0.5):.2f}x the services call (p50, CPU time)")


def bench_timeline(window: Any, study: Any, first: int, n: int) -> None:
    canvas = window.timeline.canvas
    canvas.resize(1500, 220)
    events = study.events.for_assignment(first)[:10_000]
    canvas.set_events(events)
    canvas.zoom(1e9)

    def cold() -> None:
        canvas._changed()  # as after an edit: the cached layer is rebuilt
        canvas.repaint()

    full_cold = [timed(cold) for _ in range(n)]
    full = [timed(canvas.repaint) for _ in range(n)]
    canvas.view_ms = 60_000
    canvas.scroll_to(10_000)
    zoomed_cold = [timed(cold) for _ in range(n)]
    zoomed = [timed(canvas.repaint) for _ in range(n)]
    canvas.set_events([])
    empty = [timed(cold) for _ in range(n)]
    label = f"timeline repaint, {len(events)} events"
    print(summary(f"{label}, whole recording, after an edit", full_cold, 16))
    print(summary(f"{label}, whole recording, playhead only", full, 16))
    print(summary(f"{label}, 1 minute in view, after an edit", zoomed_cold, 16))
    print(summary(f"{label}, 1 minute in view, playhead only", zoomed, 16))
    print(summary("  reference: the same repaint (after an edit) with no events", empty))
    ratio = pct(full_cold, 0.5) / max(1e-6, pct(empty, 0.5))
    print(f"  ratio {ratio:.1f}x the empty repaint (p50, whole recording after an edit)")


def main(argv: list[str]) -> None:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from observer_app.media.vlc_player import VlcPlayer
    from observer_app.services.study import Study
    from observer_app.ui.coding_window import CodingWindow

    quick = "--quick" in argv
    app = QApplication.instance() or QApplication([])
    folder = Path(tempfile.mkdtemp(prefix="observer-bench-ws-"))
    t0 = time.perf_counter()
    path, ids, _ = build(folder)
    print(f"study with {EVENTS_TOTAL} events built in {time.perf_counter() - t0:.1f} s")
    study = Study.open(path, as_coder="Ana Alves", backup=False)
    player = VlcPlayer()
    settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    window = CodingWindow(study, player, settings=settings)
    window.resize(1600, 1000)
    window.show()
    window.activateWindow()
    app.processEvents()
    bench_opening(window, study, ids[0], 3 if quick else 9)
    bench_keys(window, study, ids[0], 60 if quick else 300)
    bench_timeline(window, study, ids[0], 50 if quick else 200)
    window.close()
    player.close()
    study.close()
