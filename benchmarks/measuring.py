"""What every benchmark shares: timing a call, percentiles, and the report's lines with their
PASS/MISS verdicts (one printer for `make bench` and `make bench-http`)."""

import statistics
import time
from collections.abc import Callable
from io import TextIOBase


def time_call(fn: Callable[[], object]) -> float:
    """Wall time of one call in milliseconds (perf_counter: monotonic, highest resolution)."""
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def percentile(values: list[float], pct: int) -> float:
    """The pct-th percentile, interpolated between samples (so p95 of 20 samples is not
    simply the largest one)."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def verdict(passed: bool) -> str:
    return "PASS" if passed else "MISS"


def printer(out: TextIOBase) -> Callable[[str], None]:
    def say(line: str) -> None:
        out.write(line + "\n")
        out.flush()

    return say
