"""Work that must not run past a time limit (drawing a PDF, drawing a clinic logo).

A thread cannot be stopped from outside, and WeasyPrint never checks a clock, so the work runs
in a child process that is killed at the limit: the process that asked stays healthy whatever
the work does. Children are forked from this process (inheriting its imports, settings and
warmed caches) and kept for the next piece of work, so the caches a render builds up (fonts,
shaping) survive as they would in-process; a fresh child per render measured about 240 ms
slower on a 1.3 s handout. A child that is killed is replaced by a new one when next needed.

A child never touches a database connection and leaves with os._exit (as multiprocessing
does), so the parent's connections are never closed under it; it ends when its parent does.
What the work logs goes back with its result and is handled by this process's loggers, so log
output, and tests that watch WeasyPrint's warnings, see a child's records as their own.
"""

import logging
import multiprocessing
import pickle
import signal
import threading
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

logger = logging.getLogger(__name__)


class TimeLimitExceeded(Exception):
    """The work was still running at the limit; its process was killed."""


class WorkFailed(Exception):
    """The work raised an exception, or its process died. The message names the exception's
    type only: the traceback is logged through the child's records."""


def run_with_time_limit[T](work: Callable[[], T], seconds: float) -> T:
    """work()'s result, computed in a child process that is killed after `seconds`. The work
    and its result are pickled (a functools.partial of a module-level function, bytes).

    Only from a process's main thread, as gunicorn's sync workers serve requests: a child forked
    while other threads run (the development server's, a test's live server) can inherit a lock
    another thread held and stall until the limit. There the work runs here, without a limit."""
    if threading.current_thread() is not threading.main_thread():
        return work()
    child = _idle.take() or _Child()
    try:
        result: T = child.run(work, seconds)
    except BaseException:
        child.stop()
        raise
    _idle.give_back(child)
    return result


def stop_idle_children() -> None:
    """End the children kept for later work; the next piece of work forks a new one, with
    this process's state as it is then (tests use this: a child forked in an earlier test
    would carry that test's settings, patches and clock)."""
    while child := _idle.take():
        child.stop()


class _Child:
    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")
        self.connection, child_end = context.Pipe()
        self.process: BaseProcess = context.Process(
            target=_serve, args=(child_end, self.connection), daemon=True
        )
        self.process.start()
        child_end.close()

    def run(self, work: Callable[[], Any], seconds: float) -> Any:
        self.connection.send(work)
        if not self.connection.poll(seconds):
            raise TimeLimitExceeded(f"Still running after {seconds} s; stopped.")
        try:
            succeeded, value, records = self.connection.recv()
        except EOFError:
            raise WorkFailed("The process ended without a result.") from None
        for record in records:
            logging.getLogger(record.name).handle(record)
        if not succeeded:
            raise WorkFailed(value)
        return value

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.connection.close()


class _IdleChildren:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.children: list[_Child] = []

    def take(self) -> _Child | None:
        with self.lock:
            while self.children:
                child = self.children.pop()
                if child.process.is_alive():
                    return child
                child.stop()
        return None

    def give_back(self, child: _Child) -> None:
        with self.lock:
            self.children.append(child)


_idle = _IdleChildren()


def _serve(connection: Connection, parents_end: Connection) -> None:
    """The child's loop: run each piece of work sent, send back its outcome and log records.
    Ends when the parent goes away (its end of the pipe closes)."""
    parents_end.close()
    for name in ("SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "SIGUSR1", "SIGUSR2"):
        signal.signal(getattr(signal, name), signal.SIG_DFL)  # not the web server's handlers
    records: list[logging.LogRecord] = []

    def keep(self: logging.Logger, record: logging.LogRecord) -> None:
        records.append(_picklable(record))

    # Loggers keep their levels; every record they let through goes to the parent instead.
    logging.Logger.callHandlers = keep  # type: ignore[method-assign]
    while True:
        try:
            work = connection.recv_bytes()
        except EOFError:
            return
        try:
            # From our own parent, through a pipe only it holds.
            outcome: tuple[bool, object] = (True, pickle.loads(work)())  # noqa: S301
        except Exception as error:
            logger.error("Time-limited work failed:\n%s", traceback.format_exc())
            outcome = (False, type(error).__name__)
        connection.send((*outcome, records[:]))
        records.clear()


def _picklable(record: logging.LogRecord) -> logging.LogRecord:
    """The record with its message formatted and its traceback as text, as QueueHandler
    prepares records for another process."""
    if record.exc_info:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    record.msg, record.args, record.exc_info = record.getMessage(), None, None
    return record
