"""The report as JSON-ready data (the ``observer-app reliability --json`` schema)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from observer_app.coding import agreement as ag

if TYPE_CHECKING:
    from observer_app.services.reliability.report import ReliabilityReport


def _result(r: ag.AgreementResult | None) -> dict[str, Any] | None:
    return None if r is None else r.to_dict()


def report_dict(rep: ReliabilityReport) -> dict[str, Any]:
    req = rep.request
    return {
        "kind": rep.kind,
        "version_id": rep.version_id,
        "definition": rep.definition_id,
        "version": rep.definition_version,
        "name": rep.name,
        "unit": rep.unit,
        "layout": rep.layout,
        "notes": list(rep.notes),
        "design": rep.design,
        "icc_form": rep.icc_form,
        "icc_reason": rep.icc_reason,
        "counts": rep.counts,
        "min_units": rep.min_units,
        "coders": [{"id": c.id, "name": c.name} for c in rep.coders],
        "recordings": list(rep.recording_ids),
        "settings": {
            "tolerance_ms": req.tolerance_ms,
            "icc_form": req.icc_form,
            "alpha_level": req.alpha_level,
            "bootstrap": req.bootstrap,
            "seed": req.seed,
            "icc_threshold": req.icc_threshold,
            "kappa_threshold": req.kappa_threshold,
            "segment_ms": rep.segment_ms,
            "completed_only": req.completed_only,
            "subjects": rep.subjects,
        },
        "scores": [
            {
                "kind": s.kind,
                "id": s.id,
                "label": s.label,
                "icc": s.icc.to_dict(),
                "icc_forms": [r.to_dict() for r in s.iccs],
                "alpha": s.alpha.to_dict(),
                "kappa": _result(s.kappa),
                "flagged": s.flagged,
                "insufficient": s.insufficient,
            }
            for s in rep.scores
        ],
        "events": None if rep.events is None else rep.events.to_dict(),
        "subject_agreement": _result(rep.subject_agreement),
        "codes": [
            {
                "code": c.code,
                "label": c.label,
                "category": c.category,
                "matched": c.matched,
                "mismatched_a": c.mismatched_a,
                "mismatched_b": c.mismatched_b,
                "unmatched_a": c.unmatched_a,
                "unmatched_b": c.unmatched_b,
                "specific_agreement": c.specific_agreement,
                "segments": c.n_segments,
                "presence_kappa": c.presence_kappa.to_dict(),
                "presence_ac1": c.presence_ac1.to_dict(),
                "count_icc": c.count_icc.to_dict(),
                "flagged": c.flagged,
            }
            for c in rep.codes
        ],
        "master_coder": None
        if rep.master_coder is None
        else {"id": rep.master_coder.id, "name": rep.master_coder.name},
        "drift": [
            {
                "coder": p.coder_name,
                "recording_id": p.recording_id,
                "assignment_id": p.assignment_id,
                "completed_at": None if p.completed_at is None else p.completed_at.isoformat(),
                "statistic": p.statistic,
                "value": p.value,
                "mean_abs_diff": p.mean_abs_diff,
                "percent_agreement": p.percent_agreement,
                "n": p.n,
            }
            for p in rep.drift
        ],
        "flagged": list(rep.flagged),
    }
