"""SQLite's median of the wait to first open (PostgreSQL's is percentile_cont): counted a minute
at a time, and the same as the median of the values."""

import datetime

import pytest

from reports.engagement import MinuteMedian

MINUTE = datetime.timedelta(minutes=1) // datetime.timedelta(microseconds=1)


@pytest.mark.parametrize(
    ("minutes", "median"),
    [([7], 7), ([1, 2, 3, 10, 50], 3), ([4, 1, 9, 2], 3), ([5, 5, 5, 6], 5), ([0, 1], 0.5)],
)
def test_the_median_is_the_middle_value_or_the_mean_of_the_middle_two(minutes, median):
    aggregate = MinuteMedian()
    for minute in [*minutes, None]:  # NULLs, handouts never opened, are left out
        aggregate.step(None if minute is None else minute * MINUTE)

    assert aggregate.finalize() == round(median * MINUTE)


def test_no_values_have_no_median():
    assert MinuteMedian().finalize() is None
