"""Exports of a study: the PI workbook (openpyxl, write-only) and tidy CSV files.

    from observer_app.export import ExportOptions, export_study
    summary = export_study(study, Path("study.xlsx"), csv_dir=Path("csv"),
                           sav_dir=Path("spss"), dta_dir=Path("stata"),
                           options=ExportOptions(tolerance_ms=2000, pseudonymize=True),
                           progress=lambda done, total: ..., cancel=threading.Event())

Sheets, in order: :data:`SHEET_ORDER` (see :mod:`observer_app.export.sheets`). Any of the
targets may be left out (``xlsx=None`` writes only the files). The CSV folder also gets
``read_observer_export.R``, which reads the tables into R with their types and labels. SPSS and
Stata files need the optional extra ``[spss]`` (pyreadstat). Everything is written to
temporary files next to the targets and renamed into place only when all of it succeeded, so a
failure or a cancel leaves no half-written workbook or CSV behind. Managers only.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from observer_app.coding.errors import InputError
from observer_app.export import sheets as sh
from observer_app.export import stats_files, tempfiles
from observer_app.export.r_script import R_SCRIPT, R_SCRIPT_NAME
from observer_app.export.workbook import CsvDir, CsvSheet, XlsxBook, csv_file_name
from observer_app.services.reliability import CancelFlag, Cancelled
from observer_app.services.streams import StreamService
from observer_app.services.study import Study

Progress = Callable[[int, int], None]
ExportOptions = sh.ExportOptions
SHEET_ORDER = sh.SHEET_ORDER


@dataclass(frozen=True)
class ExportSummary:
    xlsx: Path | None
    csv_files: tuple[Path, ...]
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    sav_files: tuple[Path, ...] = ()
    dta_files: tuple[Path, ...] = ()
    #: the encrypted zip holding all of it (``export/archive.py``); the file paths above are then
    #: its members' places while it was made, gone since
    archive: Path | None = None


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


@dataclass(frozen=True)
class Targets:
    """Where an export goes: the workbook and folders of CSV, SPSS and Stata files (any of
    them may be None; at least one is given)."""

    xlsx: Path | None = None
    csv_dir: Path | None = None
    sav_dir: Path | None = None
    dta_dir: Path | None = None

    def folders(self) -> dict[str, Path]:
        pairs = (("csv", self.csv_dir), ("sav", self.sav_dir), ("dta", self.dta_dir))
        return {kind: path for kind, path in pairs if path is not None}


def _resolve(p: Path | None) -> Path | None:
    return None if p is None else p.expanduser().resolve()


def _check_target(t: Targets) -> None:
    if t.xlsx is None and not t.folders():
        raise InputError("nothing to write: give a workbook (.xlsx) or a folder for CSV files")
    xlsx = t.xlsx
    if xlsx is not None:
        if xlsx.suffix.lower() != ".xlsx":
            raise InputError(f"{xlsx}: the workbook name must end in .xlsx")
        if not xlsx.parent.is_dir():
            raise InputError(f"{xlsx.parent}: no such folder for the workbook")
        if xlsx.is_dir():
            raise InputError(f"{xlsx}: is a folder")
    for folder in t.folders().values():
        if folder.exists() and not folder.is_dir():
            raise InputError(f"{folder}: exists and is not a folder")
        if not folder.parent.is_dir():
            raise InputError(f"{folder.parent}: no such folder for {folder.name}")
    if t.sav_dir is not None or t.dta_dir is not None:
        stats_files.require()


def export_study(
    study: Study,
    xlsx: Path | None,
    *,
    csv_dir: Path | None = None,
    sav_dir: Path | None = None,
    dta_dir: Path | None = None,
    options: sh.ExportOptions | None = None,
    progress: Progress | None = None,
    cancel: CancelFlag | None = None,
) -> ExportSummary:
    """Write the workbook and/or the CSV, SPSS and Stata files; returns what was written."""
    options = options or sh.ExportOptions()
    if options.tolerance_ms < 0:
        raise InputError("the tolerance must be 0 ms or more")
    targets = Targets(_resolve(xlsx), _resolve(csv_dir), _resolve(sav_dir), _resolve(dta_dir))
    _check_target(targets)
    t0 = time.perf_counter()
    for folder in {p.parent for p in (targets.xlsx, *targets.folders().values()) if p}:
        tempfiles.clean_stale(folder)  # left-overs of an interrupted export
    tmp_xlsx: Path | None = None
    if targets.xlsx is not None:
        tmp_xlsx = tempfiles.partial_file(targets.xlsx)
    tmp_dirs: dict[str, Path] = {}
    try:
        for kind, folder in targets.folders().items():
            tmp_dirs[kind] = tempfiles.partial_dir(folder)
        with tempfiles.export_buffers():  # openpyxl's sheet buffers go when the export ends
            rows = _write(
                study,
                study.streams,
                options=options,
                tmp_xlsx=tmp_xlsx,
                tmp_dirs=tmp_dirs,
                progress=progress,
                cancel=cancel,
            )
        files = _commit(tmp_xlsx, targets, tmp_dirs)
    except BaseException:
        if tmp_xlsx is not None:
            tmp_xlsx.unlink(missing_ok=True)
        raise
    finally:
        for tmp in tmp_dirs.values():
            shutil.rmtree(tmp, ignore_errors=True)
    return ExportSummary(
        targets.xlsx,
        files.get("csv", ()),
        rows,
        time.perf_counter() - t0,
        sav_files=files.get("sav", ()),
        dta_files=files.get("dta", ()),
    )


def _write(
    study: Study,
    stream: StreamService,
    *,
    options: sh.ExportOptions,
    tmp_xlsx: Path | None,
    tmp_dirs: dict[str, Path],
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
    book = XlsxBook() if tmp_xlsx is not None else None
    csvs = CsvDir(tmp_dirs["csv"], bom=options.csv_bom) if "csv" in tmp_dirs else None
    stat_dirs = {k: v for k, v in tmp_dirs.items() if k in stats_files.FORMATS}
    written: dict[str, int] = {}
    try:
        for sheet in sh.build_sheets(data, reports):
            out = csvs.open_sheet(sheet.name, sheet.columns) if csvs is not None else None
            kept: list[sh.Row] | None = [] if stat_dirs else None
            rows = _Tee(sheet.rows, out, kept)
            if book is not None:
                result = book.add_sheet(
                    sheet.name, sheet.columns, rows, tick=meter.tick, charts=sheet.charts
                )
                written[sheet.name] = result.rows
            else:
                written[sheet.name] = _drain(rows, meter)
            for fmt, folder in stat_dirs.items():
                assert kept is not None
                path = folder / stats_files.file_name(sheet.name, fmt)
                stats_files.write_table(path, sheet.name, sheet.columns, kept, fmt)
        meter.tick(0)
        if csvs is not None:
            (tmp_dirs["csv"] / R_SCRIPT_NAME).write_text(R_SCRIPT, encoding="utf-8")
        if book is not None and tmp_xlsx is not None:
            book.save(tmp_xlsx)
    except BaseException:
        if book is not None:
            book.discard()
        raise
    meter.finish()
    return written


def _drain(rows: Iterable[sh.Row], meter: _Progress) -> int:
    n = 0
    for _ in rows:
        n += 1
        if n % 1000 == 0:
            meter.tick(1000)
    meter.tick(n % 1000)
    return n


class _Tee:
    """Rows to the workbook and, on the way, to the sheet's CSV file (and kept for the SPSS
    and Stata files)."""

    def __init__(
        self, rows: Iterator[sh.Row], out: CsvSheet | None, kept: list[sh.Row] | None
    ) -> None:
        self._rows = rows
        self._out = out
        self._kept = kept

    def __iter__(self) -> Iterator[sh.Row]:
        out, kept = self._out, self._kept
        if out is None and kept is None:
            yield from self._rows
            return
        try:
            for row in self._rows:
                if out is not None:
                    out.write(row)
                if kept is not None:
                    kept.append(row)
                yield row
        finally:
            if out is not None:
                out.close()


def _commit(
    tmp_xlsx: Path | None, targets: Targets, tmp_dirs: dict[str, Path]
) -> dict[str, tuple[Path, ...]]:
    """Rename everything into place (each rename is atomic)."""
    files: dict[str, tuple[Path, ...]] = {}
    for kind, folder in targets.folders().items():
        tmp = tmp_dirs[kind]
        folder.mkdir(exist_ok=True)
        moved: list[Path] = []
        for name in sh.SHEET_ORDER:
            fname = csv_file_name(name) if kind == "csv" else stats_files.file_name(name, kind)
            src = tmp / fname
            if src.exists():
                dst = folder / fname
                os.replace(src, dst)
                moved.append(dst)
        if kind == "csv" and (tmp / R_SCRIPT_NAME).exists():
            os.replace(tmp / R_SCRIPT_NAME, folder / R_SCRIPT_NAME)
        files[kind] = tuple(moved)
    if tmp_xlsx is not None and targets.xlsx is not None:
        tempfiles.put_in_place(tmp_xlsx, targets.xlsx)
    return files


__all__ = ["SHEET_ORDER", "ExportOptions", "ExportSummary", "Targets", "export_study"]
