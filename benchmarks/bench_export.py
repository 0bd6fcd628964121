"""Export and reliability at study scale.

    .venv/bin/python -m benchmarks export [--scale=0.1] [--runs=3] [--skip-pandas]

* Export of a study with 1,000,000 events and 100,000 ratings (times ``--scale``) to the full
  workbook (every sheet, each observation row with its context columns: recording, client,
  therapist, dyad, session, date, phase, three typed metadata fields, the source assignment),
  against ``pandas.DataFrame.to_excel`` (openpyxl
  engine) writing the same Events and Ratings rows (the rows our own sheet code produces, read
  from the same database) in the same run. Each side runs in its own subprocess so that its peak
  memory (``ru_maxrss``) is its own; a subprocess that only imports the same modules gives the
  baseline. Goals: >= 2x faster and <= 1/4 of the peak memory of pandas.
* Reliability for 200 recordings x 3 coders x 36 items (WAI-O): median wall time of
  ``ReliabilityService.compute`` (all six ICC forms, alpha with 1,000 bootstrap resamples and
  Fleiss' kappa per item, subscale and total). Goal < 1 s. Reference in the same run: the same
  computation with the alpha bootstrap off (the statistics' share).

The study data are written in bulk with SQLAlchemy Core (not through the services: a million
audited one-event transactions would take hours and measure nothing of the export).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FULL_EVENTS = 1_000_000
FULL_RATINGS = 100_000
CHUNK = 50_000


# --------------------------------------------------------------------------- building


def _bulk_study(path: Path, *, n_recordings: int, n_events: int, n_ratings: int) -> None:
    from sqlalchemy import insert, update

    from observer_app.services.study import Study
    from observer_app.store.models import Assignment, Event, Rating, Recording

    rng = random.Random(20261126)
    study = Study.create(path, "Benchmark study")
    scheme_id = study.definitions.import_builtin("scheme", "3rs").id
    wai_id = study.definitions.import_builtin("instrument", "wai-o").id
    scheme = study.definitions.scheme(scheme_id)
    items = [i.id for i in study.definitions.instrument(wai_id).items]
    codes = [c.id for c in scheme.codes]
    coders = [study.coders.add(f"Coder {k}").id for k in range(1, 4)]
    study.coders.add("Manager", role="manager")
    engine = study._ctx.engine  # benchmark set-up only: bulk rows, no per-row audit
    done = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    with engine.begin() as c:
        c.execute(
            insert(Recording),
            [
                {
                    "study_id": 1,
                    "media_path": f"/data/session_{r:05d}.mp4",
                    "fingerprint": f"bench-{r}",
                    "size_bytes": 1,
                    "duration_ms": 50 * 60_000,
                    "session_number": r % 20 + 1,
                    "client_id": f"P{r // 20:03d}",
                    "therapist_id": f"T{r % 7}",
                    "dyad_id": f"D{r // 20:03d}",
                    "session_date": dt.date(2025, 1, 1) + dt.timedelta(days=r % 300),
                    # free metadata as imported from a spreadsheet (text): typed by the export
                    "meta": {
                        "condition": "CBT" if r % 2 else "PDT",
                        "site": f"site {r % 3}",
                        "client_age": str(20 + r % 50),
                    },
                }
                for r in range(n_recordings)
            ],
        )
        c.execute(
            insert(Assignment),
            [
                {
                    "study_id": 1,
                    "recording_id": r + 1,
                    "coder_id": coders[k],
                    "purpose": "primary" if k == 0 else "reliability",
                    "status": "in_progress",  # completed below, after the rows (guards.py)
                    "blind": True,
                    "scheme_version_id": scheme_id,
                    "reference": {},
                    "completed_at": done + dt.timedelta(days=r),
                }
                for r in range(n_recordings)
                for k in range(3)
            ],
        )
    n_assign = 3 * n_recordings
    per = math.ceil(n_events / n_assign)
    with engine.begin() as c:
        batch: list[dict[str, Any]] = []
        for k in range(n_events):
            batch.append(
                {
                    "assignment_id": k // per + 1,
                    "code": rng.choice(codes),
                    "onset_ms": rng.randrange(0, 50 * 60_000),
                    "modifiers": {},
                    "comment": "" if k % 10 else f"note {k}",
                    "source": {},
                }
            )
            if len(batch) == CHUNK:
                c.execute(insert(Event), batch)
                batch.clear()
        if batch:
            c.execute(insert(Event), batch)
    truth = [[rng.randint(1, 7) for _ in items] for _ in range(n_recordings)]
    rows: list[dict[str, Any]] = []
    for a in range(n_assign):
        for j, item in enumerate(items):
            if len(rows) >= n_ratings:
                break
            value = min(7, max(1, truth[a // 3][j] + rng.choice((-1, 0, 0, 0, 1))))
            rows.append(
                {
                    "assignment_id": a + 1,
                    "instrument_version_id": wai_id,
                    "unit_kind": "session",
                    "unit_index": 0,
                    "item_id": item,
                    "value": float(value),
                    "source": {},
                }
            )
    with engine.begin() as c:
        for i in range(0, len(rows), CHUNK):
            c.execute(insert(Rating), rows[i : i + CHUNK])
        c.execute(update(Assignment).values(status="complete"))
    study.close()


# ---------------------------------------------------------------------------- children


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_baseline(db: str) -> dict[str, float]:
    import pandas  # noqa: F401

    from observer_app.export import export_study  # noqa: F401
    from observer_app.services.study import Study

    Study.open(db, backup=False).close()
    return {"seconds": 0.0, "peak_mb": _maxrss_mb()}


def child_ours(db: str, out: str) -> dict[str, float]:
    from observer_app.export import export_study
    from observer_app.services.study import Study

    t0 = time.perf_counter()
    with Study.open(db, backup=False) as study:
        summary = export_study(study, Path(out))
    return {
        "seconds": time.perf_counter() - t0,
        "peak_mb": _maxrss_mb(),
        "events": summary.rows["Events"],
        "ratings": summary.rows["Ratings"],
    }


def child_pandas(db: str, out: str) -> dict[str, float]:
    import pandas as pd

    from observer_app.export import sheets as sh
    from observer_app.services.study import Study

    t0 = time.perf_counter()
    with Study.open(db, backup=False) as study:
        data = sh.StudyData(study, study.streams, sh.ExportOptions())
        frames = {}
        for sheet in (sh.events(data), sh.ratings(data)):
            frame = pd.DataFrame(list(sheet.rows), columns=[c.name for c in sheet.columns])
            for c in sheet.columns:  # Excel has no time zones (our writer drops them too)
                if c.kind == "datetime":
                    frame[c.name] = pd.to_datetime(frame[c.name], utc=True).dt.tz_localize(None)
            frames[sheet.name] = frame
        t1 = time.perf_counter()
        with pd.ExcelWriter(out, engine="openpyxl") as writer:
            for name, frame in frames.items():
                frame.to_excel(writer, sheet_name=name, index=False)
    end = time.perf_counter()
    return {
        "seconds": end - t0,
        "to_excel_seconds": end - t1,
        "peak_mb": _maxrss_mb(),
        "events": len(frames["Events"]),
        "ratings": len(frames["Ratings"]),
    }


def _run_child(kind: str, *args: str) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_export", "--child", kind, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} child failed:\n{proc.stderr[-3000:]}")
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


# -------------------------------------------------------------------------- reliability


def bench_reliability(folder: Path, runs: int) -> None:
    from observer_app.services.reliability import ReliabilityRequest
    from observer_app.services.study import Study

    db = folder / "reliability.db"
    t0 = time.perf_counter()
    _bulk_study(db, n_recordings=200, n_events=0, n_ratings=200 * 3 * 36)
    print(f"reliability study built in {time.perf_counter() - t0:.1f} s (21,600 ratings)")
    with Study.open(db, backup=False) as study:
        svc = study.reliability
        wai = next(v.id for v in study.definitions.versions("instrument"))
        for label, bootstrap in (("with alpha bootstrap 1000", 1000), ("bootstrap off", 0)):
            times = []
            report = None
            for _ in range(runs):
                t = time.perf_counter()
                report = svc.compute(ReliabilityRequest(wai, bootstrap=bootstrap))
                times.append(time.perf_counter() - t)
            assert report is not None
            n = len(report.scores)
            med = statistics.median(times)
            goal = f"  (goal < 1 s: {'met' if med < 1 else 'NOT met'})" if bootstrap else ""
            print(
                f"reliability 200 x 3 x 36, {label:<26} median {med:6.3f} s "
                f"min {min(times):6.3f} s over {runs} runs; {n} items/scores{goal}"
            )


# ------------------------------------------------------------------------------- export


def bench_export(folder: Path, scale: float, skip_pandas: bool) -> None:
    n_events, n_ratings = round(FULL_EVENTS * scale), round(FULL_RATINGS * scale)
    n_recordings = max(2, round(1000 * scale))
    db = folder / "export.db"
    t0 = time.perf_counter()
    _bulk_study(db, n_recordings=n_recordings, n_events=n_events, n_ratings=n_ratings)
    print(
        f"export study built in {time.perf_counter() - t0:.1f} s: {n_events:,} events, "
        f"{n_ratings:,} ratings, {n_recordings} recordings x 3 coders (scale {scale:g})"
    )
    base = _run_child("baseline", str(db))
    ours = _run_child("ours", str(db), str(folder / "ours.xlsx"))
    size = (folder / "ours.xlsx").stat().st_size / 2**20
    print(f"baseline process (imports, study opened): peak {base['peak_mb']:.0f} MB")
    print(
        f"observer-app export (all sheets):  {ours['seconds']:8.1f} s  "
        f"peak {ours['peak_mb']:7.0f} MB"
        f"  ({ours['events']:,} events, {ours['ratings']:,} ratings; {size:.1f} MB file)"
    )
    if skip_pandas:
        return
    pdx = _run_child("pandas", str(db), str(folder / "pandas.xlsx"))
    print(
        f"pandas.to_excel (Events+Ratings):  {pdx['seconds']:8.1f} s  "
        f"peak {pdx['peak_mb']:7.0f} MB"
        f"  (to_excel alone {pdx['to_excel_seconds']:.1f} s)"
    )
    speed = pdx["seconds"] / ours["seconds"]
    mem = ours["peak_mb"] / pdx["peak_mb"]
    over_ours = ours["peak_mb"] - base["peak_mb"]
    over_pd = pdx["peak_mb"] - base["peak_mb"]
    print(
        f"ratio: {speed:.2f}x faster (goal >= 2x: {'met' if speed >= 2 else 'NOT met'}); "
        f"peak memory {mem:.2f} of pandas (goal <= 0.25: {'met' if mem <= 0.25 else 'NOT met'}); "
        f"above the baseline: {over_ours:.0f} MB vs {over_pd:.0f} MB"
    )


def main(argv: list[str]) -> None:
    opts = dict(a.lstrip("-").split("=", 1) if "=" in a else (a.lstrip("-"), "1") for a in argv)
    scale = float(opts.get("scale", "0.1"))
    runs = int(opts.get("runs", "3"))
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        folder = Path(tmp)
        if "export-only" not in opts:
            bench_reliability(folder, runs)
        if "reliability-only" not in opts:
            bench_export(folder, scale, "skip-pandas" in opts)


def _child(argv: list[str]) -> None:
    kind, *args = argv
    fn = {"baseline": child_baseline, "ours": child_ours, "pandas": child_pandas}[kind]
    print(json.dumps(fn(*args)))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(sys.argv[2:])
    else:
        main(sys.argv[1:])
