"""Migration operations more than one app needs."""

from collections.abc import Iterator
from typing import Any

from django.core.management.base import CommandError
from django.db import DatabaseError, migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

# PostgreSQL's "insufficient_privilege".
INSUFFICIENT_PRIVILEGE = "42501"


class DatabaseExtensionMissing(CommandError):
    """`manage.py migrate` prints a CommandError as one line, without a traceback."""


def _create_trigram_extension(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    try:
        # Once a superuser has created it (docs/operating.md, Production), this needs no
        # privilege: PostgreSQL checks IF NOT EXISTS first.
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as error:
        if getattr(error.__cause__, "sqlstate", None) != INSUFFICIENT_PRIVILEGE:
            raise
        raise DatabaseExtensionMissing(
            f"The database {connection.settings_dict['NAME']!r} needs the pg_trgm extension, "
            "which this database role may not create. As a superuser, run "
            "`CREATE EXTENSION IF NOT EXISTS pg_trgm;` in that database, then migrate again."
        ) from None


def trigram_extension() -> migrations.RunPython:
    """PostgreSQL's pg_trgm (nothing on other databases), for the trigram indexes behind
    `LIKE '%word%'` searches. Unlike django.contrib.postgres's TrigramExtension, reversing the
    migration keeps it: the indexes of other apps' searches still need it. A role that may not
    create it (not a superuser, nor allowed to create in the database) gets one line naming the
    SQL a superuser runs first, not a traceback."""
    return migrations.RunPython(_create_trigram_extension, migrations.RunPython.noop)


def in_batches(queryset: models.QuerySet[Any], size: int = 500) -> Iterator[list[Any]]:
    """The rows of `queryset` in primary-key order, `size` at a time: a data migration never
    holds a clinic's every handout in memory at once."""
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last).order_by("pk")[:size])
        if not batch:
            return
        yield batch
        last = batch[-1].pk
