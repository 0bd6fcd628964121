"""Turning caller data (a units x raters matrix, missing = NaN/None/"") into arrays.

Internal helpers shared by the statistics modules; not part of the public API.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from observer_app.coding.errors import InputError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Category = float | str


def is_missing(v: Any) -> bool:
    """``None``, NaN, or an empty/blank string."""
    if v is None:
        return True
    if isinstance(v, str):
        return v.strip() == ""
    if isinstance(v, float | np.floating):
        return math.isnan(float(v))
    return False


def as_2d(ratings: Any) -> npt.NDArray[Any]:
    """The ratings as a 2-D array (units x raters), numeric when possible."""
    arr = np.asarray(ratings)
    if arr.ndim != 2:
        raise InputError(
            f"ratings must be a units x raters matrix (2-D); got {arr.ndim} dimension(s)"
        )
    if arr.dtype.kind in "biuf":
        return arr.astype(np.float64, copy=False)
    return np.asarray(ratings, dtype=object)


def to_float(ratings: npt.NDArray[Any]) -> tuple[FloatArray | None, str | None]:
    """Numeric copy (NaN for missing) or ``(None, reason)`` naming the first non-numeric cell."""
    if ratings.dtype.kind == "f":
        return ratings, None
    out = np.full(ratings.shape, np.nan)
    for (i, j), v in np.ndenumerate(ratings):
        if is_missing(v):
            continue
        if isinstance(v, bool | np.bool_):
            return None, f"non-numeric value {v!r} at unit {i + 1}, rater {j + 1}"
        try:
            out[i, j] = float(v)
        except (TypeError, ValueError):
            return None, f"non-numeric value {v!r} at unit {i + 1}, rater {j + 1}"
        if not math.isfinite(out[i, j]):
            return None, f"non-finite value {v!r} at unit {i + 1}, rater {j + 1}"
    return out, None


def _as_key(v: Any) -> Category:
    if isinstance(v, str):
        return v.strip()
    if isinstance(v, bool | np.bool_):
        return str(v)
    try:
        return float(v)
    except (TypeError, ValueError):
        return str(v)


@dataclass(frozen=True)
class Coded:
    """Ratings as category indices (``-1`` = missing) on an ordered category scale."""

    codes: IntArray
    categories: tuple[Category, ...]

    @property
    def numeric(self) -> bool:
        return all(isinstance(c, float) for c in self.categories)

    def scale_values(self) -> FloatArray:
        """Category values for linear/quadratic distances (their ranks when not numeric)."""
        if self.numeric:
            return np.array(self.categories, dtype=np.float64)
        return np.arange(len(self.categories), dtype=np.float64)


def category_name(c: Category) -> str:
    """Display name of a category: ``2.0`` -> ``"2"``, ``2.5`` -> ``"2.5"``, text unchanged."""
    if isinstance(c, float) and c.is_integer():
        return str(int(c))
    return str(c)


def _sort_categories(values: set[Category]) -> tuple[Category, ...]:
    if all(isinstance(v, float) for v in values):
        return tuple(sorted(values, key=float))
    return tuple(sorted(values, key=str))


def code_categories(ratings: npt.NDArray[Any], categories: Sequence[Any] | None = None) -> Coded:
    """Map each rating to the index of its category.

    With ``categories`` (the full scale, in order) every scale point counts even when nobody
    used it; a rating outside the scale is an :class:`InputError`. Without it the scale is the
    sorted set of observed values.
    """
    n, m = ratings.shape
    codes = np.full((n, m), -1, dtype=np.int64)
    if ratings.dtype.kind == "f" and categories is None:
        mask = ~np.isnan(ratings)
        uniq = np.unique(ratings[mask])
        codes[mask] = np.searchsorted(uniq, ratings[mask])
        return Coded(codes, tuple(float(u) for u in uniq))
    if categories is not None:
        scale = tuple(_as_key(c) for c in categories)
        if len(set(scale)) != len(scale):
            raise InputError("the category scale lists a category twice")
    else:
        seen = {_as_key(v) for v in ratings.ravel() if not is_missing(v)}
        scale = _sort_categories(seen)
    index = {c: i for i, c in enumerate(scale)}
    if ratings.dtype.kind == "f" and all(isinstance(c, float) for c in scale):
        return Coded(_code_numeric(ratings, scale), scale)
    if ratings.dtype.kind == "f":
        mask = ~np.isnan(ratings)
        for (i, j), v in np.ndenumerate(ratings):
            if mask[i, j]:
                codes[i, j] = _lookup(index, float(v), i, j)
        return Coded(codes, scale)
    for (i, j), v in np.ndenumerate(ratings):
        if not is_missing(v):
            codes[i, j] = _lookup(index, _as_key(v), i, j)
    return Coded(codes, scale)


def _code_numeric(ratings: FloatArray, scale: tuple[Category, ...]) -> IntArray:
    """Vectorised coding of numeric ratings on a numeric scale (any order)."""
    values = np.array(scale, dtype=np.float64)
    order = np.argsort(values, kind="stable")
    sorted_values = values[order]
    mask = ~np.isnan(ratings)
    pos = np.searchsorted(sorted_values, ratings[mask])
    pos_c = np.minimum(pos, len(values) - 1)
    ok = sorted_values[pos_c] == ratings[mask]
    if not np.all(ok):
        rows, cols = np.nonzero(mask)
        k = int(np.flatnonzero(~ok)[0])
        i, j = int(rows[k]), int(cols[k])
        raise InputError(
            f"value {ratings[i, j]!r} at unit {i + 1}, rater {j + 1} is not on the category scale"
        )
    codes = np.full(ratings.shape, -1, dtype=np.int64)
    codes[mask] = order[pos_c]
    return codes


def _lookup(index: dict[Category, int], key: Category, i: int, j: int) -> int:
    found = index.get(key)
    if found is None and isinstance(key, str):
        try:
            found = index.get(float(key))
        except ValueError:
            found = None
    if found is None:
        raise InputError(
            f"value {key!r} at unit {i + 1}, rater {j + 1} is not on the category scale"
        )
    return found


def counts_per_unit(coded: Coded) -> IntArray:
    """Units x categories matrix: how many raters put each unit in each category."""
    n = coded.codes.shape[0]
    q = len(coded.categories)
    out = np.zeros((n, q), dtype=np.int64)
    rows, cols = np.nonzero(coded.codes >= 0)
    np.add.at(out, (rows, coded.codes[rows, cols]), 1)
    return out


def weight_matrix(kind: str | Sequence[Sequence[float]], values: FloatArray) -> FloatArray:
    """Agreement weights (1 on the diagonal, 0 for maximal disagreement).

    ``"none"``/``"identity"``: identity; ``"linear"``: 1 - |x_i - x_j| / (max - min);
    ``"quadratic"``: 1 - (x_i - x_j)^2 / (max - min)^2 (Cohen 1968; Fleiss & Cohen 1973);
    or a caller-given q x q matrix of agreement weights.
    """
    q = len(values)
    if not isinstance(kind, str):
        w = np.asarray(kind, dtype=np.float64)
        if w.shape != (q, q):
            raise InputError(f"the weight matrix must be {q} x {q} (one row per category)")
        if not np.all(np.isfinite(w)):
            raise InputError("the weight matrix contains a non-finite value")
        return w
    if kind in ("none", "identity", "unweighted"):
        return np.eye(q)
    span = float(values.max() - values.min()) if q > 1 else 0.0
    if span == 0:
        return np.eye(q)
    d = np.abs(values[:, None] - values[None, :]) / span
    if kind == "linear":
        return 1.0 - d
    if kind == "quadratic":
        return 1.0 - d**2
    raise InputError(f"unknown weights {kind!r}; use none, linear, quadratic or a matrix")
