"""Client and therapist self-reports: import from survey exports, paper-form entry with optional
double entry, and reading them back. Managers only: coders are blind to self-reports (they would
bias the observer ratings), so every method checks the role first, for the GUI and the CLI alike.

Every write is one audited transaction (the store's audit hook logs ``self_report`` and
``self_report_item`` rows). A form's identity is instrument + respondent role + respondent +
dyad + session: re-importing a corrected file replaces the forms it names, item by item, so an
unchanged file changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from observer_app.coding.definitions import Instrument
from observer_app.coding.errors import AccessDenied, Conflict, InputError
from observer_app.coding.form_scores import score_form
from observer_app.services.access import require_manager
from observer_app.services.context import ServiceContext, get_or_raise
from observer_app.services.definitions import DefinitionService
from observer_app.services.metadata_import import RowProblem, SourceTable
from observer_app.services.selfreports.rows import (
    FormCheck,
    RecordingKey,
    RecordingMatcher,
    SelfReportImportError,
    SelfReportMapping,
    apply_overrides,
    check_forms,
    guess_mapping,
)
from observer_app.store.engine import StudySession
from observer_app.store.models import (
    RESPONDENT_ROLES,
    Recording,
    SelfReport,
    SelfReportItem,
    Study,
)

SETTINGS_KEY = "selfreport_mappings"
_WHO = "see or change self-reports (coders are blind to them)"


@dataclass(frozen=True)
class SelfReportRecord:
    id: int
    instrument_id: str
    instrument_version_id: int
    respondent_role: str
    respondent_id: str
    dyad_id: str
    session_number: int
    recording_id: int | None
    form_date: dt.date | None
    status: str
    #: The form's values (entry 1; for a double-entered form only once verified).
    responses: dict[str, int]
    #: score id -> {"label", "mean", "sum", "answered", "items", "reason"}; empty until final.
    scores: dict[str, Any]
    source: dict[str, Any] = field(default_factory=dict)

    @property
    def final(self) -> bool:
        return self.status in ("single", "verified")


@dataclass(frozen=True)
class FormHeader:
    """Who filled in which form when (for paper entry)."""

    instrument_version_id: int
    respondent_id: str
    session_number: int
    dyad_id: str | None = None
    form_date: dt.date | None = None


@dataclass(frozen=True)
class Mismatch:
    item_id: str
    first: int | None
    second: int | None


@dataclass(frozen=True)
class SelfReportImportResult:
    created: tuple[int, ...]
    replaced: tuple[int, ...]
    unchanged: tuple[int, ...]
    skipped_rows: tuple[int, ...]
    problems: tuple[RowProblem, ...]
    mapping: SelfReportMapping


class SelfReportService:
    def __init__(self, ctx: ServiceContext, definitions: DefinitionService) -> None:
        self._ctx = ctx
        self._defs = definitions

    # -- helpers ---------------------------------------------------------------------------
    def _instrument(self, version_id: int) -> Instrument:
        inst = self._defs.instrument(version_id)
        if inst.perspective not in RESPONDENT_ROLES:
            raise InputError(
                f"{inst.id} is an {inst.perspective} instrument, not a client or therapist "
                "self-report"
            )
        return inst

    def instrument_version(self, instrument: str) -> int:
        """The attached version id of a self-report instrument given by id (e.g. ``wai-c``)."""
        info = self._defs.instrument_version(instrument)
        if info is None:
            raise InputError(
                f"instrument {instrument!r} is not attached to the study (import it first)"
            )
        self._instrument(info.id)
        return info.id

    def _recordings(self, s: StudySession) -> list[RecordingKey]:
        q = select(Recording).where(Recording.study_id == self._ctx.study_id)
        return [
            RecordingKey(r.id, r.dyad_id, r.client_id, r.therapist_id, r.session_number)
            for r in s.scalars(q.order_by(Recording.id))
        ]

    def _find(
        self, s: StudySession, inst: Instrument, identity: tuple[str, str, int]
    ) -> SelfReport | None:
        """The stored form of ``inst`` for (respondent, dyad, session), if any."""
        respondent, dyad, n = identity
        instrument_id, role = inst.id, inst.perspective
        return s.scalar(
            select(SelfReport).where(
                SelfReport.study_id == self._ctx.study_id,
                SelfReport.instrument_id == instrument_id,
                SelfReport.respondent_role == role,
                SelfReport.respondent_id == respondent,
                SelfReport.dyad_id == dyad,
                SelfReport.session_number == n,
            )
        )

    @staticmethod
    def _items(s: StudySession, report_id: int, entry: int) -> dict[str, SelfReportItem]:
        q = select(SelfReportItem).where(
            SelfReportItem.report_id == report_id, SelfReportItem.entry == entry
        )
        return {i.item_id: i for i in s.scalars(q)}

    def _set_items(
        self, s: StudySession, report_id: int, entry: int, responses: Mapping[str, int]
    ) -> bool:
        """Make entry ``entry`` equal ``responses``, changing only what differs."""
        current = self._items(s, report_id, entry)
        changed = False
        for item_id, row in current.items():
            if item_id not in responses:
                s.delete(row)
                changed = True
            elif row.value != responses[item_id]:
                row.value = responses[item_id]
                row.entered_by = self._ctx.actor.id
                changed = True
        for item_id, value in responses.items():
            if item_id not in current:
                s.add(
                    SelfReportItem(
                        report_id=report_id,
                        entry=entry,
                        item_id=item_id,
                        value=value,
                        entered_by=self._ctx.actor.id,
                    )
                )
                changed = True
        return changed

    def _rescore(self, s: StudySession, report: SelfReport) -> None:
        if report.status not in ("single", "verified"):
            scores: dict[str, Any] = {}
        else:
            inst = self._instrument(report.instrument_version_id)
            values = {k: v.value for k, v in self._items(s, report.id, 1).items()}
            scores = {k: f.as_dict() for k, f in score_form(inst, values).items()}
        if report.scores != scores:
            report.scores = scores

    # -- import ----------------------------------------------------------------------------
    def remembered_mapping(self, instrument_id: str) -> SelfReportMapping | None:
        require_manager(self._ctx.actor, _WHO)
        with self._ctx.read() as s:
            study = get_or_raise(s, Study, self._ctx.study_id, "study")
            saved = (study.settings or {}).get(SETTINGS_KEY, {}).get(instrument_id)
            return None if saved is None else SelfReportMapping.from_dict(saved)

    def mapping_for(
        self, table: SourceTable, version_id: int, overrides: Mapping[str, str] | None = None
    ) -> SelfReportMapping:
        """The remembered mapping of this study and instrument if its columns are all in the
        table, else a guess from the header; ``overrides`` on top."""
        inst = self._instrument(version_id)
        base = self.remembered_mapping(inst.id)
        columns = set(table.columns)
        if base is None or not {*base.fields.values(), *base.items.values()} <= columns:
            base = guess_mapping(table.columns, inst)
        return apply_overrides(base, overrides or {}, inst)

    def check(self, table: SourceTable, version_id: int, mapping: SelfReportMapping) -> FormCheck:
        """Every row checked, nothing written (the preview)."""
        require_manager(self._ctx.actor, _WHO)
        inst = self._instrument(version_id)
        with self._ctx.read() as s:
            return check_forms(table, mapping, inst, self._recordings(s))

    def import_table(
        self,
        table: SourceTable,
        version_id: int,
        mapping: SelfReportMapping,
        *,
        valid_rows_only: bool = False,
    ) -> SelfReportImportResult:
        """Write every form of the table in one transaction (all rows, or none unless
        ``valid_rows_only``), replacing forms with the same identity, and remember the mapping."""
        require_manager(self._ctx.actor, _WHO)
        inst = self._instrument(version_id)
        where = table.source or "table"
        with _same_form_saved_meanwhile(), self._ctx.tx(f"import {inst.id} from {where}") as s:
            check = check_forms(table, mapping, inst, self._recordings(s))
            if check.problems and not valid_rows_only:
                raise SelfReportImportError(check, table.source)
            created: list[int] = []
            replaced: list[int] = []
            unchanged: list[int] = []
            for form in check.forms:
                report = self._find(s, inst, form.identity)
                if report is None:
                    report = SelfReport(
                        study_id=self._ctx.study_id,
                        instrument_id=inst.id,
                        respondent_role=inst.perspective,
                        respondent_id=form.respondent_id,
                        dyad_id=form.dyad_id,
                        session_number=form.session_number,
                        source={},
                        scores={},
                    )
                    s.add(report)
                    new = True
                else:
                    new = False
                changed = self._write_form(s, report, version_id, form, where)
                (created if new else replaced if changed else unchanged).append(report.id)
            self._remember(s, inst.id, mapping)
            return SelfReportImportResult(
                tuple(created),
                tuple(replaced),
                tuple(unchanged),
                check.bad_rows,
                check.problems,
                mapping,
            )

    def _write_form(
        self, s: StudySession, report: SelfReport, version_id: int, form: Any, where: str
    ) -> bool:
        before = (
            report.instrument_version_id,
            report.recording_id,
            report.form_date,
            report.status,
        )
        report.instrument_version_id = version_id
        report.recording_id = form.recording_id
        report.form_date = form.form_date
        report.status = "single"
        if report.source.get("file") != where:
            report.source = {"file": where, "row": form.row}
        s.flush()
        changed = self._set_items(s, report.id, 1, form.responses)
        second = self._items(s, report.id, 2)
        for row in second.values():
            s.delete(row)
        self._rescore(s, report)
        after = (version_id, form.recording_id, form.form_date, "single")
        return changed or bool(second) or before != after

    def _remember(self, s: StudySession, instrument_id: str, mapping: SelfReportMapping) -> None:
        study = get_or_raise(s, Study, self._ctx.study_id, "study")
        settings = dict(study.settings or {})
        saved = dict(settings.get(SETTINGS_KEY, {}))
        if saved.get(instrument_id) != mapping.as_dict():
            saved[instrument_id] = mapping.as_dict()
            settings[SETTINGS_KEY] = saved
            study.settings = settings

    # -- paper entry -----------------------------------------------------------------------
    def enter(
        self, header: FormHeader, responses: Mapping[str, int], *, double_entry: bool = False
    ) -> SelfReportRecord:
        """A paper form typed in; with ``double_entry`` it waits for a second, independent
        entry by another person before it counts."""
        require_manager(self._ctx.actor, _WHO)
        inst = self._instrument(header.instrument_version_id)
        values = self._checked(inst, responses)
        with _same_form_saved_meanwhile(), self._ctx.tx(f"enter {inst.id} form") as s:
            matcher = RecordingMatcher(self._recordings(s), inst.perspective)
            respondent = header.respondent_id.strip()
            if not respondent:
                raise InputError("give the respondent id")
            try:
                rec_id, dyad = matcher.match(respondent, header.session_number, header.dyad_id)
            except ValueError as exc:
                raise InputError(str(exc)) from None
            found = self._find(s, inst, (respondent, dyad, header.session_number))
            if found is not None:
                raise Conflict(
                    f"{inst.id} of {inst.perspective} {respondent!r} session "
                    f"{header.session_number} is already in the study (form #{found.id}); "
                    "correct it instead"
                )
            report = SelfReport(
                study_id=self._ctx.study_id,
                instrument_id=inst.id,
                instrument_version_id=header.instrument_version_id,
                respondent_role=inst.perspective,
                respondent_id=respondent,
                dyad_id=dyad,
                session_number=header.session_number,
                recording_id=rec_id,
                form_date=header.form_date,
                status="first_entry" if double_entry else "single",
                source={"entered_by": [self._ctx.actor.name]},
                scores={},
            )
            s.add(report)
            s.flush()
            self._set_items(s, report.id, 1, values)
            self._rescore(s, report)
            return self._record(s, report)

    def _checked(self, inst: Instrument, responses: Mapping[str, int]) -> dict[str, int]:
        problems = []
        for item_id, value in responses.items():
            if item_id not in inst.item_ids:
                problems.append(f"{item_id!r} is not an item of {inst.id}")
                continue
            scale = inst.scale_of(inst.item(item_id))
            if isinstance(value, bool) or not isinstance(value, int):
                problems.append(f"item {item_id}: {value!r} is not a whole number")
            elif not scale.min <= value <= scale.max:
                problems.append(f"item {item_id}: {value} is outside {scale.min}..{scale.max}")
        if problems:
            raise InputError(f"{inst.id} form: " + "; ".join(problems))
        if not responses:
            raise InputError(f"{inst.id} form: no item is answered")
        return dict(responses)

    def enter_second(self, report_id: int, responses: Mapping[str, int]) -> SelfReportRecord:
        """The second, independent entry of a double-entered form, by another person; the
        form is verified when both agree, else its mismatches wait to be resolved."""
        require_manager(self._ctx.actor, _WHO)
        with self._ctx.tx("second entry of a self-report") as s:
            report = self._get(s, report_id)
            if report.status != "first_entry":
                raise Conflict(f"form #{report_id} is not waiting for a second entry")
            first = list(report.source.get("entered_by", []))
            if self._ctx.actor.name in first:
                raise AccessDenied(
                    f"{self._ctx.actor.name} entered form #{report_id} already: the second "
                    "entry must be made by another person"
                )
            values = self._checked(self._instrument(report.instrument_version_id), responses)
            self._set_items(s, report.id, 2, values)
            s.flush()
            report.source = {**report.source, "entered_by": [*first, self._ctx.actor.name]}
            report.status = "mismatch" if self._mismatches(s, report.id) else "verified"
            self._rescore(s, report)
            return self._record(s, report)

    def _mismatches(self, s: StudySession, report_id: int) -> list[Mismatch]:
        one = {k: v.value for k, v in self._items(s, report_id, 1).items()}
        two = {k: v.value for k, v in self._items(s, report_id, 2).items()}
        out = []
        inst_order = sorted(set(one) | set(two), key=_item_order)
        for item_id in inst_order:
            if one.get(item_id) != two.get(item_id):
                out.append(Mismatch(item_id, one.get(item_id), two.get(item_id)))
        return out

    def mismatches(self, report_id: int) -> list[Mismatch]:
        """Item by item, where the two entries of a double-entered form differ."""
        require_manager(self._ctx.actor, _WHO)
        with self._ctx.read() as s:
            self._get(s, report_id)
            return self._mismatches(s, report_id)

    def resolve(self, report_id: int, values: Mapping[str, int | None]) -> SelfReportRecord:
        """Settle mismatched items against the paper form (``None``: the item is unanswered);
        the form is verified once no mismatch is left."""
        require_manager(self._ctx.actor, _WHO)
        with self._ctx.tx("resolve double-entry mismatches") as s:
            report = self._get(s, report_id)
            if report.status != "mismatch":
                raise Conflict(f"form #{report_id} has no mismatches to resolve")
            open_items = {m.item_id for m in self._mismatches(s, report.id)}
            extra = set(values) - open_items
            if extra:
                raise InputError(
                    f"form #{report_id}: items {', '.join(sorted(extra, key=_item_order))} "
                    "are not mismatched"
                )
            inst = self._instrument(report.instrument_version_id)
            given = {k: v for k, v in values.items() if v is not None}
            if given:
                self._checked(inst, given)
            for entry in (1, 2):
                current = {k: v.value for k, v in self._items(s, report.id, entry).items()}
                for item_id, value in values.items():
                    if value is None:
                        current.pop(item_id, None)
                    else:
                        current[item_id] = value
                self._set_items(s, report.id, entry, current)
            s.flush()
            if not self._mismatches(s, report.id):
                report.status = "verified"
            self._rescore(s, report)
            return self._record(s, report)

    def delete(self, report_id: int) -> None:
        require_manager(self._ctx.actor, _WHO)
        with self._ctx.tx("delete a self-report") as s:
            report = self._get(s, report_id)
            s.execute(delete(SelfReportItem).where(SelfReportItem.report_id == report.id))
            s.delete(report)

    # -- reading ---------------------------------------------------------------------------
    def _get(self, s: StudySession, report_id: int) -> SelfReport:
        report = get_or_raise(s, SelfReport, report_id, "self-report")
        if report.study_id != self._ctx.study_id:
            raise InputError(f"self-report #{report_id} is not in this study")
        return report

    def _record(self, s: StudySession, r: SelfReport) -> SelfReportRecord:
        values = {k: v.value for k, v in self._items(s, r.id, 1).items()}
        return SelfReportRecord(
            r.id,
            r.instrument_id,
            r.instrument_version_id,
            r.respondent_role,
            r.respondent_id,
            r.dyad_id,
            r.session_number,
            r.recording_id,
            r.form_date,
            r.status,
            dict(sorted(values.items(), key=lambda kv: _item_order(kv[0]))),
            dict(r.scores or {}),
            dict(r.source or {}),
        )

    def get(self, report_id: int) -> SelfReportRecord:
        require_manager(self._ctx.actor, _WHO)
        with self._ctx.read() as s:
            return self._record(s, self._get(s, report_id))

    def all(self, *, instrument_id: str | None = None) -> list[SelfReportRecord]:
        """Every self-report of the study (managers only)."""
        require_manager(self._ctx.actor, _WHO)
        with self._ctx.read() as s:
            q = select(SelfReport).where(SelfReport.study_id == self._ctx.study_id)
            if instrument_id is not None:
                q = q.where(SelfReport.instrument_id == instrument_id)
            q = q.order_by(
                SelfReport.dyad_id,
                SelfReport.session_number,
                SelfReport.respondent_role,
                SelfReport.id,
            )
            return [self._record(s, r) for r in s.scalars(q)]


@contextmanager
def _same_form_saved_meanwhile() -> Iterator[None]:
    """The identity constraint caught a form saved by someone else during this action."""
    try:
        yield
    except IntegrityError:
        raise Conflict(
            "a form with the same instrument, respondent, dyad and session was saved by someone "
            "else meanwhile; nothing was written: reload and try again"
        ) from None


def _item_order(item_id: str) -> tuple[int, str]:
    return (int(item_id), "") if item_id.isdigit() else (1 << 30, item_id)
