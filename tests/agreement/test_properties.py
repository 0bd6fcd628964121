"""Property tests (hypothesis): invariance to unit and rater order, perfect agreement gives 1,
and the bounds every coefficient must respect."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from observer_app.coding.agreement import (
    brennan_prediger,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac,
    icc,
    krippendorff_alpha,
    percent_agreement,
)

SETTINGS = settings(max_examples=60, deadline=None)


@st.composite
def rating_matrices(draw: st.DrawFn, min_raters: int = 2, max_raters: int = 5) -> np.ndarray:
    n = draw(st.integers(2, 15))
    k = draw(st.integers(min_raters, max_raters))
    x = draw(arrays(np.float64, (n, k), elements=st.integers(1, 5).map(float)))
    mask = draw(arrays(np.bool_, (n, k), elements=st.booleans()))
    if draw(st.booleans()):
        x = np.where(mask & (np.arange(k) > 0), np.nan, x)  # first rater always present
    return x


def _values(x: np.ndarray) -> list[float | None]:
    cats = (1.0, 2.0, 3.0, 4.0, 5.0)
    out: list[float | None] = [r.value for r in icc(x)]
    out += [krippendorff_alpha(x, lv, bootstrap=0).value for lv in ("nominal", "interval")]
    out.append(fleiss_kappa(x, categories=cats)[0].value)
    out.append(gwet_ac(x, categories=cats).value)
    out.append(gwet_ac(x, "quadratic", categories=cats).value)
    out.append(brennan_prediger(x, categories=cats).value)
    out.append(percent_agreement(x).value)
    return out


def _same(a: list[float | None], b: list[float | None]) -> bool:
    return all(
        (u is None and v is None)
        or (u is not None and v is not None and math.isclose(u, v, abs_tol=1e-9))
        for u, v in zip(a, b, strict=True)
    )


@SETTINGS
@given(rating_matrices(), st.randoms(use_true_random=False))
def test_invariant_to_unit_order(x: np.ndarray, rnd) -> None:
    perm = list(range(x.shape[0]))
    rnd.shuffle(perm)
    assert _same(_values(x), _values(x[perm]))


@SETTINGS
@given(rating_matrices(), st.randoms(use_true_random=False))
def test_invariant_to_rater_order(x: np.ndarray, rnd) -> None:
    perm = list(range(x.shape[1]))
    rnd.shuffle(perm)
    assert _same(_values(x), _values(x[:, perm]))
    if x.shape[1] == 2:
        a = cohen_kappa(x, "linear", categories=range(1, 6)).value
        b = cohen_kappa(x[:, ::-1], "linear", categories=range(1, 6)).value
        assert (a is None and b is None) or math.isclose(a, b, abs_tol=1e-12)


@SETTINGS
@given(
    st.lists(st.integers(1, 5), min_size=2, max_size=20).filter(lambda v: len(set(v)) > 1),
    st.integers(2, 6),
)
def test_perfect_agreement_is_one(units: list[int], k: int) -> None:
    x = np.repeat(np.array(units, dtype=float)[:, None], k, axis=1)
    for r in icc(x):
        assert r.value == 1.0
    for level in ("nominal", "ordinal", "interval", "ratio"):
        assert krippendorff_alpha(x, level, bootstrap=0).value == 1.0
    assert math.isclose(fleiss_kappa(x)[0].value, 1.0)
    assert math.isclose(gwet_ac(x).value, 1.0)
    assert math.isclose(brennan_prediger(x).value, 1.0)
    assert percent_agreement(x).value == 1.0
    if k == 2:
        assert math.isclose(cohen_kappa(x, "quadratic").value, 1.0)


@SETTINGS
@given(rating_matrices())
def test_bounds(x: np.ndarray) -> None:
    for r in icc(x):
        if r.defined:
            assert r.value <= 1 + 1e-12
            if r.ci95 is not None:
                assert r.ci95[0] <= r.value + 1e-9 <= r.ci95[1] + 2e-9
            assert r.p is None or 0 <= r.p <= 1
    for level in ("nominal", "ordinal", "interval"):
        a = krippendorff_alpha(x, level, bootstrap=50, seed=1)
        if a.defined:
            assert a.value <= 1 + 1e-12
            assert a.ci95 is not None and a.ci95[1] <= 1 + 1e-12
    pa = percent_agreement(x)
    if pa.defined:
        assert 0 <= pa.value <= 1
    ac1 = gwet_ac(x, categories=range(1, 6))
    if ac1.defined:
        assert -1 - 1e-12 <= ac1.value <= 1 + 1e-12
    f, per = fleiss_kappa(x, categories=range(1, 6))
    for r in (f, *(c.result for c in per)):
        if r.defined:
            assert r.value <= 1 + 1e-12


@st.composite
def event_lists(draw: st.DrawFn) -> list[tuple[str, int]]:
    n = draw(st.integers(1, 25))
    codes = draw(st.lists(st.sampled_from("XYZ"), min_size=n, max_size=n))
    times = draw(st.lists(st.integers(0, 60_000), min_size=n, max_size=n))
    return list(zip(codes, times, strict=True))


@SETTINGS
@given(event_lists(), event_lists(), st.randoms(use_true_random=False))
def test_event_agreement_invariant_to_event_order(a, b, rnd) -> None:
    from observer_app.coding.agreement import interval_event_agreement, point_event_agreement

    ref = point_event_agreement(a, b, 2000)
    ia = [(c, t, t + 1000 + (t % 7) * 300) for c, t in a]
    ib = [(c, t, t + 1000 + (t % 5) * 400) for c, t in b]
    rnd_state = rnd.getstate()
    ia2, ib2 = ia[:], ib[:]
    rnd.shuffle(ia2)
    rnd.shuffle(ib2)
    rnd.setstate(rnd_state)
    assert (
        interval_event_agreement(ia2, ib2).confusion == interval_event_agreement(ia, ib).confusion
    )
    a2, b2 = a[:], b[:]
    rnd.shuffle(a2)
    rnd.shuffle(b2)
    again = point_event_agreement(a2, b2, 2000)
    assert again.confusion == ref.confusion
    assert [s.value for s in again.statistics] == [s.value for s in ref.statistics]


@SETTINGS
@given(event_lists())
def test_identical_event_records_agree_perfectly(a) -> None:
    from observer_app.coding.agreement import point_event_agreement

    res = point_event_agreement(a, a, 2000)
    assert res.statistic("percent agreement").value == 1.0
    kappa = res.statistic("kappa (with unmatched)")
    if len({c for c, _ in a}) > 1:
        assert kappa.value == pytest.approx(1.0)
    else:
        assert kappa.value is None
        assert kappa.undefined_reason
