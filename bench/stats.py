"""Summaries of repeated measurements: medians, ranges and percentiles, and their text form.

Shared machines are noisy, so every figure is a median with its range, never a mean; percentiles use the
nearest-rank method so that p99 of 500 samples is a latency that was actually observed.
"""

import math
import statistics
from collections.abc import Sequence
from typing import TypedDict


class Summary(TypedDict):
    median: float
    min: float
    max: float
    n: int


def summarize(values: Sequence[float]) -> Summary:
    if not values:
        raise ValueError("no values to summarize")
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "n": len(values),
    }


def percentile(values: Sequence[float], p: float) -> float:
    """The nearest-rank ``p``-th percentile (0 < p <= 100) of ``values``."""
    if not values:
        raise ValueError("no values for a percentile")
    if not 0 < p <= 100:
        raise ValueError(f"percentile {p} is not in (0, 100]")
    ordered = sorted(values)
    rank = math.ceil(p / 100 * len(ordered))
    return ordered[max(rank, 1) - 1]


def number(value: float, digits: int = 1) -> str:
    """A figure with thousands grouped: fewer decimals for large values, more for tiny ones."""
    if abs(value) >= 1000:
        digits = 0
    elif abs(value) < 1 and value != 0:
        digits = max(digits, 3)
    return f"{value:,.{digits}f}"


def median_range(summary: Summary, unit: str = "", digits: int = 1) -> str:
    """A figure as BENCHMARKS.md prints every one: the median, then the range, e.g. "12.3 [11.0-15.2] ms"."""
    low, high = number(summary["min"], digits), number(summary["max"], digits)
    return f"{number(summary['median'], digits)} [{low}-{high}] {unit}".rstrip()


def ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else math.inf
