"""The database failing for real, for tests of what a person sees when a save fails. Plain
functions, no fixtures, and no mocks of our code: a trigger makes the database itself refuse a
write, and Django's execute_wrapper hook makes a statement fail the way a dropped connection
fails it."""

import contextlib
from collections.abc import Iterator

from django.db import OperationalError, connection

REFUSED = "refused by the test"


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

    def drop(execute, sql, params, many, context):
        if sql.lstrip().startswith(statement):
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(drop):
        yield


FAILURES = {"refused": database_refuses, "dropped": connection_drops_on}
