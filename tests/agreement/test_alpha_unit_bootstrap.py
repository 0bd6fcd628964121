"""The "units" alpha bootstrap (issue 13): linear in the pairable values, the same draws and
the same alphas as the former units x q x q implementation, kept here as the test oracle."""

from __future__ import annotations

import krippendorff  # GPL: test oracle only
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from observer_app.coding.agreement import krippendorff_alpha
from observer_app.coding.agreement.alpha import _delta_at, _unit_bootstrap


def _old_unit_bootstrap(c, level, values, draws, seed):  # type: ignore[no-untyped-def]
    """The implementation before this change (einsum over units x q x q), verbatim."""
    rng = np.random.default_rng(seed)
    n_units = c.shape[0]
    inv = 1.0 / (c.sum(axis=1) - 1)
    idx = np.arange(len(values))

    def delta(n_c):  # type: ignore[no-untyped-def]
        return _delta_at(level, values, n_c, idx[:, None], idx[None, :])

    fixed = None if level == "ordinal" else delta(np.ones(len(values)))
    eye = np.eye(c.shape[1])
    scaled = c * inv[:, None]
    alphas = []
    for start in range(0, draws, 100):
        size = min(100, draws - start)
        weights = rng.multinomial(n_units, np.full(n_units, 1.0 / n_units), size=size)
        o_all = np.einsum("bu,uk,ul->bkl", weights, scaled, c, optimize=True)
        o_all -= (weights @ scaled)[:, :, None] * eye[None, :, :]
        for o in o_all:
            n_c = o.sum(axis=1)
            n = float(n_c.sum())
            d2 = fixed if fixed is not None else delta(n_c)
            d_e = float(n_c @ d2 @ n_c) / (n * (n - 1))
            if d_e > 0:
                alphas.append(1 - float((o * d2).sum()) / n / d_e)
    arr = np.array(alphas)
    lo, hi = np.quantile(arr, [0.025, 0.975])
    return float(arr.std(ddof=1)), (float(lo), float(hi))


def _coded(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairable units' codes (index into the sorted distinct values) and the values."""
    values = np.unique(x[~np.isnan(x)])
    codes = np.where(np.isnan(x), -1, np.searchsorted(values, np.nan_to_num(x)))
    keep = (codes >= 0).sum(axis=1) >= 2
    return codes[keep].astype(np.int64), values


matrices = st.integers(0, 2**31).flatmap(
    lambda seed: st.tuples(
        st.just(seed), st.integers(3, 30), st.integers(2, 5), st.integers(2, 9), st.floats(0, 0.4)
    )
)


@settings(max_examples=60, deadline=None)
@given(matrices, st.sampled_from(["nominal", "ordinal", "interval", "ratio"]))
def test_same_alphas_as_the_former_units_x_q_x_q_bootstrap(args, level) -> None:  # type: ignore[no-untyped-def]
    seed, n, r, q, missing = args
    rng = np.random.default_rng(seed)
    x = rng.integers(1, q + 1, size=(n, r)).astype(float)  # ties and equal values on purpose
    x[rng.random((n, r)) < missing] = np.nan
    codes, values = _coded(x)
    if len(codes) < 2 or len(values) < 2:
        return
    c = np.zeros((len(codes), len(values)))
    rows, cols = np.nonzero(codes >= 0)
    np.add.at(c, (rows, codes[rows, cols]), 1)
    try:
        old = _old_unit_bootstrap(c, level, values, 250, seed % 1000)
    except (IndexError, ValueError):  # every resample without variation: no quantiles
        with pytest.raises((IndexError, ValueError)):
            _unit_bootstrap(codes, level, values, 250, seed % 1000)
        return
    new = _unit_bootstrap(codes, level, values, 250, seed % 1000)
    assert new[0] == pytest.approx(old[0], rel=1e-9, abs=1e-12)
    assert new[1] == pytest.approx(old[1], rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_point_estimate_with_unit_bootstrap_matches_krippendorff(level: str) -> None:
    rng = np.random.default_rng(7)
    x = rng.integers(1, 8, size=(60, 4)).astype(float)
    x[rng.random(x.shape) < 0.2] = np.nan
    res = krippendorff_alpha(x, level, bootstrap=300, bootstrap_method="units", seed=3)
    ref = krippendorff.alpha(reliability_data=x.T, level_of_measurement=level)
    assert res.value == pytest.approx(ref, abs=1e-10)
    assert res.ci95 is not None and res.ci95[0] <= res.ci95[1]
