"""Work with a time limit runs in a child process that is killed at the limit; the process
that asked stays healthy and goes on working."""

import functools
import logging
import time

import pytest

from portal.time_limit import TimeLimitExceeded, WorkFailed, run_with_time_limit


def test_work_past_the_limit_is_stopped_and_the_next_work_still_runs() -> None:
    started = time.monotonic()
    with pytest.raises(TimeLimitExceeded):
        run_with_time_limit(functools.partial(time.sleep, 30), 0.5)
    assert time.monotonic() - started < 10
    assert run_with_time_limit(functools.partial(int, "7"), 10) == 7


def test_an_error_in_the_work_is_reported_by_its_type_and_logged_here(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with pytest.raises(WorkFailed, match="ValueError"):
        run_with_time_limit(functools.partial(int, "seven"), 10)
    assert "Time-limited work failed" in caplog.text
    assert "invalid literal for int()" in caplog.text
    assert run_with_time_limit(functools.partial(int, "8"), 10) == 8


def test_what_the_work_logs_reaches_this_process_loggers(caplog: pytest.LogCaptureFixture) -> None:
    say = functools.partial(logging.getLogger("portal.tests").warning, "drawn in %s", "child")
    with caplog.at_level(logging.WARNING, logger="portal.tests"):
        run_with_time_limit(say, 10)
    assert [(r.name, r.getMessage()) for r in caplog.records] == [
        ("portal.tests", "drawn in child")
    ]


def test_work_asked_for_from_another_thread_runs_in_that_process() -> None:
    """A threaded server's request thread never forks (a child could inherit a held lock)."""
    import os
    import threading

    from portal.time_limit import run_with_time_limit

    pids: list[int] = []
    thread = threading.Thread(target=lambda: pids.append(run_with_time_limit(os.getpid, 5)))
    thread.start()
    thread.join()
    assert pids == [os.getpid()]
