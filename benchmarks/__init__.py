"""Benchmarks: ``make bench`` (or ``python -m benchmarks [NAME...]``) runs each ``bench_*`` module.

Each module exposes ``main(argv: list[str]) -> None`` that prints its figures: medians and
percentiles, and ratios against a reference measured in the same run (these machines are noisy).
"""
