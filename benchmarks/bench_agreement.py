"""Agreement statistics on study-sized data, timed against the reference libraries in the same run.

Ratings: 2,000 units x 4 raters on a 7-point scale (10% missing for alpha). Events: 50,000 point
events per coder (coder B jittered within +/- 1.5 s, 5% dropped, 10% recoded), tolerance 2 s.
Prints median and 90th percentile per statistic and the ratio ours / reference (< 1 = faster).
Options: ``--repeat N`` (default 15).
"""

from __future__ import annotations

import statistics
import warnings

import numpy as np

from benchmarks._timing import fmt, time_calls
from observer_app.coding import agreement as ag


def _ratings(rng: np.random.Generator) -> np.ndarray:
    truth = rng.normal(size=(2000, 1))
    latent = truth + rng.normal(scale=0.7, size=(2000, 4))
    cuts = np.quantile(latent, np.linspace(0, 1, 8)[1:-1])
    return (np.searchsorted(cuts, latent) + 1).astype(float)


def _events(rng: np.random.Generator) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    n = 50_000
    codes = np.array(list("ABCDEFGH"))
    ta = np.cumsum(rng.integers(2_000, 18_000, n))
    ca = codes[rng.integers(0, 8, n)]
    keep = rng.random(n) > 0.05
    tb = (ta + rng.integers(-1500, 1501, n))[keep]
    cb = np.where(rng.random(n) < 0.1, codes[rng.integers(0, 8, n)], ca)[keep]
    extra = np.sort(rng.integers(0, int(ta[-1]), 2_500))
    tb = np.concatenate([tb, extra])
    cb = np.concatenate([cb, codes[rng.integers(0, 8, len(extra))]])
    return list(zip(ca.tolist(), ta.tolist(), strict=True)), list(
        zip(cb.tolist(), tb.tolist(), strict=True)
    )


def _row(name: str, ours: list[float], refs: dict[str, list[float]]) -> None:
    print(f"{name:<34} ours   {fmt(ours)}")
    for ref_name, samples in refs.items():
        ratio = statistics.median(ours) / statistics.median(samples)
        print(f"{'':<34} {ref_name:<6} {fmt(samples)}   ratio ours/ref {ratio:6.3f}")


def main(argv: list[str]) -> None:
    repeat = 15
    if "--repeat" in argv:
        repeat = int(argv[argv.index("--repeat") + 1])
    import krippendorff
    import pandas as pd
    import pingouin as pg
    from sklearn.metrics import cohen_kappa_score
    from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

    rng = np.random.default_rng(2024)
    x = _ratings(rng)
    xm = x.copy()
    xm[rng.random(x.shape) < 0.10] = np.nan
    long = pd.DataFrame(
        {
            "unit": np.repeat(np.arange(2000), 4),
            "rater": np.tile(np.arange(4), 2000),
            "rating": x.ravel(),
        }
    )
    print(f"ratings: 2000 units x 4 raters, 7-point scale; {repeat} runs each")

    def pingouin_icc() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pg.intraclass_corr(long, "unit", "rater", "rating")

    _row(
        "ICC, all six forms",
        time_calls(lambda: ag.icc(x), repeat),
        {"pingouin": time_calls(pingouin_icc, repeat)},
    )
    for level in ("nominal", "interval"):
        _row(
            f"Krippendorff alpha {level} (10% NA)",
            time_calls(lambda lv=level: ag.krippendorff_alpha(xm, lv, bootstrap=0), repeat),
            {
                "kripp": time_calls(
                    lambda lv=level: krippendorff.alpha(
                        reliability_data=xm.T, level_of_measurement=lv
                    ),
                    repeat,
                )
            },
        )
    boot = time_calls(lambda: ag.krippendorff_alpha(xm, "interval", bootstrap=1000, seed=0), repeat)
    print(f"{'alpha interval + 1000 bootstraps':<34} ours   {fmt(boot)}   (no reference bootstrap)")
    _continuous_alpha(rng, max(3, repeat // 5))
    scale = list(range(1, 8))
    _row(
        "Cohen kappa quadratic (2 raters)",
        time_calls(lambda: ag.cohen_kappa(x[:, :2], "quadratic", categories=scale), repeat),
        {
            "sklearn": time_calls(
                lambda: cohen_kappa_score(x[:, 0], x[:, 1], labels=scale, weights="quadratic"),
                repeat,
            )
        },
    )
    _row(
        "Fleiss kappa (4 raters)",
        time_calls(lambda: ag.fleiss_kappa(x), repeat),
        {"statsm": time_calls(lambda: fleiss_kappa(aggregate_raters(x)[0]), repeat)},
    )
    _row("Gwet AC1 (4 raters)", time_calls(lambda: ag.gwet_ac(x), repeat), {})
    a, b = _events(rng)
    print(f"events: {len(a)} (coder A) and {len(b)} (coder B) point events, tolerance 2 s")
    match = time_calls(lambda: ag.match_point_events(a, b, 2000), max(3, repeat // 3))
    full = time_calls(lambda: ag.point_event_agreement(a, b, 2000), max(3, repeat // 3))
    print(f"{'optimal matching (goal < 1 s)':<34} ours   {fmt(match)}")
    print(f"{'matching + table + kappas':<34} ours   {fmt(full)}")
    ia, ib = _intervals(rng)
    print(f"intervals: {len(ia)} and {len(ib)} annotations (ELAN linking at 0.60; 1 s slices)")
    elan = time_calls(lambda: ag.interval_event_agreement(ia, ib), max(3, repeat // 3))
    slices = time_calls(lambda: ag.time_based_agreement(ia, ib, 1000, 2), max(3, repeat // 3))
    print(f"{'ELAN modified kappa':<34} ours   {fmt(elan)}")
    print(f"{'time-based kappa (tolerance 2)':<34} ours   {fmt(slices)}")


def _continuous_alpha(rng: np.random.Generator, repeat: int) -> None:
    """Subscale means: 2,000 units x 4 raters of continuous scores with thousands of distinct
    values (issue 13: the old bootstrap peaked at 14.5 GB with 677 values and died with 3,435).
    Time of alpha + 1,000 pair resamples, and + 1,000 unit resamples (issue 13: formerly a
    100 x q x q table per batch), and the peak traced allocation of one run."""
    import tracemalloc

    truth = rng.normal(4, 1, (2000, 1))
    for decimals in (2, 3):
        x = np.round(truth + rng.normal(0, 0.6, (2000, 4)), decimals)
        q = len(np.unique(x))
        for method in ("pairs", "units"):
            samples = time_calls(
                lambda x=x, m=method: ag.krippendorff_alpha(
                    x, "interval", bootstrap=1000, bootstrap_method=m
                ),
                repeat,
            )
            tracemalloc.start()
            ag.krippendorff_alpha(x, "interval", bootstrap=1000, bootstrap_method=method)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            name = f"alpha {q} values, 1000 {method} boot"
            print(f"{name:<34} ours   {fmt(samples)}   peak {peak / 2**20:6.1f} MiB")


def _intervals(
    rng: np.random.Generator,
) -> tuple[list[tuple[str, int, int]], list[tuple[str, int, int]]]:
    n = 50_000
    codes = np.array(list("ABCDEFGH"))
    on = np.cumsum(rng.integers(3_000, 20_000, n))
    length = rng.integers(500, 3_000, n)
    ca = codes[rng.integers(0, 8, n)]
    cb = np.where(rng.random(n) < 0.1, codes[rng.integers(0, 8, n)], ca)
    jitter = rng.integers(-300, 301, n)
    a = list(zip(ca.tolist(), on.tolist(), (on + length).tolist(), strict=True))
    b = list(zip(cb.tolist(), (on + jitter).tolist(), (on + length + jitter).tolist(), strict=True))
    return a, b
