"""Migration operations more than one app needs."""

from collections.abc import Iterator
from typing import Any

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def _create_trigram_extension(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


def trigram_extension() -> migrations.RunPython:
    """PostgreSQL's pg_trgm (nothing on other databases), for the trigram indexes behind
    `LIKE '%word%'` searches. Unlike django.contrib.postgres's TrigramExtension, reversing the
    migration keeps it: the indexes of other apps' searches still need it."""
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
