"""Production runs `migrate` as a database role that is not a superuser: it cannot create the
pg_trgm extension the search indexes need, so migrate says in one line what a superuser must run
first, and succeeds once it has."""

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL extensions and roles"
)


def superuser_connection(dbname: str) -> psycopg.Connection:
    settings = connection.settings_dict
    return psycopg.connect(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname=dbname,
        autocommit=True,
    )


@pytest.fixture
def portal_database() -> Iterator[str]:
    """A new database, and a URL to it for a role that is neither a superuser nor its owner,
    and may create tables in its public schema: the rights a production role has."""
    name = f"{connection.settings_dict['NAME']}_noext_{uuid.uuid4().hex[:8]}"
    role, password = f"portal_{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    with superuser_connection("postgres") as admin:
        admin.execute(f"CREATE ROLE \"{role}\" LOGIN PASSWORD '{password}'")
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with superuser_connection(name) as database:
            database.execute(f'GRANT USAGE, CREATE ON SCHEMA public TO "{role}"')
        settings = connection.settings_dict
        yield (
            f"postgres://{role}:{password}@{settings['HOST'] or 'localhost'}:"
            f"{settings['PORT'] or 5432}/{name}"
        )
    finally:
        with superuser_connection("postgres") as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'DROP ROLE IF EXISTS "{role}"')


def migrate(database_url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", "DEBUG": "1"}
        | {"DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_migrate_as_a_role_without_the_extension_names_the_sql_to_run_first(
    portal_database: str,
) -> None:
    refused = migrate(portal_database)
    assert refused.returncode != 0
    assert "Traceback" not in refused.stderr and "ProgrammingError" not in refused.stderr
    line = refused.stderr.strip().splitlines()[-1]  # after any system check warnings
    assert line.startswith("DatabaseExtensionMissing: ")
    name = portal_database.rsplit("/", 1)[-1]
    assert f"database '{name}' needs the pg_trgm extension" in line
    assert "As a superuser, run `CREATE EXTENSION IF NOT EXISTS pg_trgm;`" in line
    assert str(urlsplit(portal_database).password) not in line

    with superuser_connection(name) as database:
        database.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm;")
    done = migrate(portal_database)
    assert done.returncode == 0, done.stderr
