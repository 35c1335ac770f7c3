"""When the database fails while a form saves (it refuses a write, or the connection drops):
each save runs in one transaction, so nothing is half-saved, and the view shows the form again
with what was typed and says so. This is the one place that decides what the log says."""

import logging

from django.db import DatabaseError, Error


def log_save_failure(logger: logging.Logger, action: str, error: DatabaseError) -> None:
    """Log a failed save by the kind of error only: a database's message can quote the row it
    refused (a patient's name, say), and the log never holds patient data."""
    logger.error("%s failed: the database raised %s; nothing was saved", action, error_kind(error))


def error_kind(error: Error) -> str:
    """The error's class and, from PostgreSQL, its SQLSTATE: never its message."""
    state = getattr(error.__cause__, "sqlstate", None)  # psycopg's SQLSTATE; SQLite has none
    return f"{type(error).__name__} (SQLSTATE {state})" if state else type(error).__name__
