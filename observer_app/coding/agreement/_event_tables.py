"""Confusion tables of two coders' events and the statistics read off them (shared by the
point, interval and time-based methods)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from observer_app.coding.agreement._data import IntArray
from observer_app.coding.agreement._event_input import UNMATCHED
from observer_app.coding.agreement.kappa import _cohen_core
from observer_app.coding.agreement.labels import apply_label
from observer_app.coding.agreement.results import (
    AgreementResult,
    CodeCounts,
    ConfusionMatrix,
    EventAgreement,
    Param,
    undefined,
)


def table_from_pairs(
    ca: IntArray, cb: IntArray, pairs: Sequence[tuple[int, int]], codes: list[str]
) -> tuple[IntArray, tuple[CodeCounts, ...]]:
    """Confusion table (A rows, B columns, last row/column = unmatched) and per-code counts."""
    q = len(codes)
    table = np.zeros((q + 1, q + 1), dtype=np.int64)
    used_a = np.zeros(len(ca), dtype=bool)
    used_b = np.zeros(len(cb), dtype=bool)
    if pairs:
        pa = np.array([i for i, _ in pairs], dtype=np.int64)
        pb = np.array([j for _, j in pairs], dtype=np.int64)
        np.add.at(table, (ca[pa], cb[pb]), 1)
        used_a[pa] = True
        used_b[pb] = True
    table[:q, q] = np.bincount(ca[~used_a], minlength=q)
    table[q, :q] = np.bincount(cb[~used_b], minlength=q)
    per = tuple(
        CodeCounts(
            code=c,
            matched=int(table[k, k]),
            mismatched_a=int(table[k, :q].sum() - table[k, k]),
            mismatched_b=int(table[:q, k].sum() - table[k, k]),
            unmatched_a=int(table[k, q]),
            unmatched_b=int(table[q, k]),
        )
        for k, c in enumerate(codes)
    )
    return table, per


def kappa_stat(
    table: IntArray, name: str, params: dict[str, Param], scheme: str
) -> AgreementResult:
    q = table.shape[0]
    res = _cohen_core(table.astype(np.float64), np.eye(q), name, params)
    return apply_label(res, scheme)


def raw_stat(table: IntArray, name: str, params: dict[str, Param]) -> AgreementResult:
    n = int(table.sum())
    if n == 0:
        return undefined(name, "there are no events", parameters=params)
    return AgreementResult(
        name=name,
        value=float(np.trace(table)) / n,
        n_units=n,
        n_raters=2,
        n_pairable=2 * n,
        parameters=params,
    )


def paired_result(
    method: str,
    codes: Sequence[str],
    table: IntArray,
    per_code: tuple[CodeCounts, ...],
    *,
    statistics: tuple[AgreementResult, ...],
    params: dict[str, Param],
    pairs: Sequence[tuple[int, int]],
) -> EventAgreement:
    """The result of a pairing method: the table with its ``unmatched`` row and column."""
    return EventAgreement(
        method=method,
        confusion=ConfusionMatrix(
            (*codes, UNMATCHED), tuple(tuple(int(x) for x in r) for r in table), True
        ),
        statistics=statistics,
        per_code=per_code,
        parameters=params,
        pairs=tuple(sorted(pairs)),
    )
