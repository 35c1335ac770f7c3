"""The database failing for real, for tests of what a person sees when a save fails. Plain
functions, no fixtures, and no mocks of our code: a trigger makes the database itself refuse a
write; Django's execute_wrapper hook makes a statement fail the way a dropped connection fails
it, or (PostgreSQL) has the server end the connection just before the statement runs."""

import contextlib
import time
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
from django.db import OperationalError, connection

from tests.helpers import present

REFUSED = "refused by the test"

# What Django's execute_wrapper hook passes on: the next wrapper, or the real execute.
Execute = Callable[[str, Any, bool, dict[str, Any]], Any]


@contextlib.contextmanager
def database_refuses(operation: str, table: str) -> Iterator[None]:
    """The database refuses every `operation` ("INSERT", "UPDATE") on `table`, from a trigger,
    as it would refuse a row that breaks a rule (SQLite: IntegrityError; PostgreSQL: an
    exception raised in PL/pgSQL, InternalError)."""
    name = f"test_refuse_{operation.lower()}_{table}"
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS "
                f"$$ BEGIN RAISE EXCEPTION '{REFUSED}'; END $$"
            )
            cursor.execute(
                f'CREATE TRIGGER {name} BEFORE {operation} ON "{table}" '
                f"FOR EACH ROW EXECUTE FUNCTION {name}()"
            )
        else:
            cursor.execute(
                f'CREATE TRIGGER {name} BEFORE {operation} ON "{table}" '
                f"BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END"
            )
    try:
        yield
    finally:
        # A test that goes on using the database after the failure gets it back working.
        with connection.cursor() as cursor:
            if postgres:
                cursor.execute(f'DROP TRIGGER {name} ON "{table}"')
                cursor.execute(f"DROP FUNCTION {name}()")
            else:
                cursor.execute(f"DROP TRIGGER {name}")


@contextlib.contextmanager
def connection_drops_on(operation: str, table: str) -> Iterator[None]:
    """Every `operation` on `table` fails as when the database server goes away mid-request
    (a restart or failover)."""
    statement = f'{operation} "{table}"' if operation == "UPDATE" else f'{operation} INTO "{table}"'

    def drop(execute: Execute, sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        if sql.lstrip().startswith(statement):
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(drop):
        yield


FAILURES = {"refused": database_refuses, "dropped": connection_drops_on}


def backend_pid() -> int:
    """The PostgreSQL server process behind Django's connection."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def terminate_backend(pid: int) -> None:
    """End a PostgreSQL connection from another session, as a database restart or failover
    ends the connections workers hold, and wait until it is gone."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        for _ in range(100):
            gone = admin.execute(
                "SELECT NOT EXISTS (SELECT FROM pg_stat_activity WHERE pid = %s)", [pid]
            )
            if present(gone.fetchone())[0]:
                return
            time.sleep(0.05)
    raise AssertionError(f"PostgreSQL backend {pid} was not terminated")


@contextlib.contextmanager
def connection_killed_before(operation: str, table: str) -> Iterator[None]:
    """PostgreSQL only: the server ends Django's connection just before `operation` on `table`
    runs, so the statement meets a connection that is really gone."""
    statement = f'{operation} "{table}"' if operation == "UPDATE" else f'{operation} INTO "{table}"'

    def kill(execute: Execute, sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        if sql.lstrip().startswith(statement):
            terminate_backend(backend_pid())
        return execute(sql, params, many, context)

    with connection.execute_wrapper(kill):
        yield


@contextlib.contextmanager
def database_unreachable() -> Iterator[None]:
    """Every statement fails as when the database server cannot be reached (stopped, restarting,
    or gone from the network)."""

    def refuse(
        execute: Execute, sql: str, params: Any, many: bool, context: dict[str, Any]
    ) -> None:
        raise OperationalError("connection to server failed: Connection refused")

    with connection.execute_wrapper(refuse):
        yield


@contextlib.contextmanager
def database_server_unreachable(port: int) -> Iterator[None]:
    """PostgreSQL, outside a transaction: Django's connection is closed and the next one is made
    to `port`, where nothing listens, so connecting fails for real."""
    saved = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = port
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["PORT"] = saved
