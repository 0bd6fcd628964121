"""Exports of a study: the PI workbook (openpyxl, write-only) and tidy CSV files.

    from observer_app.export import ExportOptions, export_study
    summary = export_study(study, Path("study.xlsx"), csv_dir=Path("csv"),
                           options=ExportOptions(tolerance_ms=2000, pseudonymize=True),
                           progress=lambda done, total: ..., cancel=threading.Event())

Sheets, in order: About, Codebook, Recordings, Coders, Events, Segments, Ratings, Scores,
Reliability, Consensus (see :mod:`observer_app.export.sheets`). Everything is written to
temporary files next to the targets and renamed into place only when all of it succeeded, so a
failure or a cancel leaves no half-written workbook or CSV behind. Managers only.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from observer_app.coding.errors import InputError
from observer_app.export import sheets as sh
from observer_app.export.workbook import CsvDir, CsvSheet, XlsxBook
from observer_app.services.reliability import CancelFlag, Cancelled
from observer_app.services.streams import StreamService
from observer_app.services.study import Study

Progress = Callable[[int, int], None]
ExportOptions = sh.ExportOptions
SHEET_ORDER = sh.SHEET_ORDER


@dataclass(frozen=True)
class ExportSummary:
    xlsx: Path
    csv_files: tuple[Path, ...]
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


class _Progress:
    def __init__(self, total: int, progress: Progress | None, cancel: CancelFlag | None) -> None:
        self.total = max(1, total)
        self.done = 0
        self._progress = progress
        self._cancel = cancel

    def to_fraction(self, budget: int) -> Callable[[float], None]:
        """A callback that advances this meter over ``budget`` ticks as a fraction goes 0..1."""
        start = self.done

        def advance(fraction: float) -> None:
            self.tick(max(0, start + round(budget * fraction) - self.done))

        return advance

    def finish(self) -> None:
        self.tick(self.total - self.done)

    def tick(self, n: int) -> None:
        if self._cancel is not None and self._cancel.is_set():
            raise Cancelled("export cancelled; nothing was written")
        self.done = min(self.total, self.done + n)
        if self._progress is not None:
            self._progress(self.done, self.total)


def _check_target(xlsx: Path, csv_dir: Path | None) -> None:
    if xlsx.suffix.lower() != ".xlsx":
        raise InputError(f"{xlsx}: the workbook name must end in .xlsx")
    if not xlsx.parent.is_dir():
        raise InputError(f"{xlsx.parent}: no such folder for the workbook")
    if xlsx.is_dir():
        raise InputError(f"{xlsx}: is a folder")
    if csv_dir is not None and csv_dir.exists() and not csv_dir.is_dir():
        raise InputError(f"{csv_dir}: exists and is not a folder")
    if csv_dir is not None and not csv_dir.parent.is_dir():
        raise InputError(f"{csv_dir.parent}: no such folder for the CSV files")


def export_study(
    study: Study,
    xlsx: Path,
    *,
    csv_dir: Path | None = None,
    options: sh.ExportOptions | None = None,
    progress: Progress | None = None,
    cancel: CancelFlag | None = None,
) -> ExportSummary:
    """Write the workbook (and the CSV files); returns what was written."""
    options = options or sh.ExportOptions()
    if options.tolerance_ms < 0:
        raise InputError("the tolerance must be 0 ms or more")
    xlsx = xlsx.expanduser().resolve()
    csv_dir = None if csv_dir is None else csv_dir.expanduser().resolve()
    _check_target(xlsx, csv_dir)
    t0 = time.perf_counter()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{xlsx.name}.", suffix=".partial", dir=xlsx.parent)
    os.close(fd)
    tmp_xlsx = Path(tmp_name)
    tmp_csv = (
        Path(tempfile.mkdtemp(prefix=f".{csv_dir.name}.", suffix=".partial", dir=csv_dir.parent))
        if csv_dir is not None
        else None
    )
    try:
        rows = _write(
            study,
            study.streams,
            options=options,
            tmp_xlsx=tmp_xlsx,
            tmp_csv=tmp_csv,
            progress=progress,
            cancel=cancel,
        )
        csv_files = _commit(tmp_xlsx, xlsx, tmp_csv, csv_dir)
    except BaseException:
        tmp_xlsx.unlink(missing_ok=True)
        raise
    finally:
        if tmp_csv is not None:
            shutil.rmtree(tmp_csv, ignore_errors=True)
    return ExportSummary(xlsx, csv_files, rows, time.perf_counter() - t0)


def _write(
    study: Study,
    stream: StreamService,
    *,
    options: sh.ExportOptions,
    tmp_xlsx: Path,
    tmp_csv: Path | None,
    progress: Progress | None,
    cancel: CancelFlag | None,
) -> dict[str, int]:
    data = sh.StudyData(study, stream, options)
    n_events, n_ratings = stream.count_events(), stream.count_ratings()
    # reliability takes about as long per event as writing it (pooled matching)
    budget = n_events + n_ratings + 50
    meter = _Progress(budget + n_events + 3 * n_ratings + 100, progress, cancel)
    advance = meter.to_fraction(budget)
    reports = sh.reliability_reports(data, progress=advance, cancel=cancel)
    advance(1.0)
    book = XlsxBook()
    csvs = CsvDir(tmp_csv) if tmp_csv is not None else None
    order: list[Callable[[], sh.Sheet]] = [
        lambda: sh.about(data, sh.SHEET_ORDER),
        lambda: sh.codebook(data),
        lambda: sh.recordings(data),
        lambda: sh.coders(data),
        lambda: sh.events(data),
        lambda: sh.segments(data),
        lambda: sh.ratings(data),
        lambda: sh.scores(data),
        lambda: sh.reliability(data, reports),
        lambda: sh.consensus(data),
        lambda: sh.audit(data),
    ]
    written: dict[str, int] = {}
    try:
        for make in order:
            sheet = make()
            out = csvs.open_sheet(sheet.name, sheet.columns) if csvs is not None else None
            rows = _Tee(sheet.rows, out)
            result = book.add_sheet(
                sheet.name, sheet.columns, rows, tick=meter.tick, charts=sheet.charts
            )
            written[sheet.name] = result.rows
        meter.tick(0)
        book.save(tmp_xlsx)
    except BaseException:
        book.discard()
        raise
    meter.finish()
    return written


class _Tee:
    """Rows to the workbook and, on the way, to the sheet's CSV file."""

    def __init__(self, rows: Iterator[sh.Row], out: CsvSheet | None) -> None:
        self._rows = rows
        self._out = out

    def __iter__(self) -> Iterator[sh.Row]:
        out = self._out
        if out is None:
            yield from self._rows
            return
        try:
            for row in self._rows:
                out.write(row)
                yield row
        finally:
            out.close()


def _commit(
    tmp_xlsx: Path, xlsx: Path, tmp_csv: Path | None, csv_dir: Path | None
) -> tuple[Path, ...]:
    """Rename everything into place (each rename is atomic)."""
    files: list[Path] = []
    if tmp_csv is not None and csv_dir is not None:
        csv_dir.mkdir(exist_ok=True)
        for name in sh.SHEET_ORDER:
            src = tmp_csv / f"{name}.csv"
            if src.exists():
                dst = csv_dir / src.name
                os.replace(src, dst)
                files.append(dst)
    with contextlib.suppress(OSError):
        os.chmod(tmp_xlsx, 0o644)  # mkstemp made it private to the user
    os.replace(tmp_xlsx, xlsx)
    return tuple(files)


__all__ = ["SHEET_ORDER", "ExportOptions", "ExportSummary", "export_study"]
