"""Client and therapist self-reports (managers only; coders are blind to them)."""

from observer_app.services.selfreports.rows import (
    FormCheck,
    FormRow,
    SelfReportImportError,
    SelfReportMapping,
    guess_mapping,
)
from observer_app.services.selfreports.service import (
    FormHeader,
    Mismatch,
    SelfReportImportResult,
    SelfReportRecord,
    SelfReportService,
)

__all__ = [
    "FormCheck",
    "FormHeader",
    "FormRow",
    "Mismatch",
    "SelfReportImportError",
    "SelfReportImportResult",
    "SelfReportMapping",
    "SelfReportRecord",
    "SelfReportService",
    "guess_mapping",
]
