import argparse
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabase

from benchmarks.handouts import (
    TARGET_BUILDER_MS,
    TARGET_DOWNLOAD_MS,
    TARGET_GROWTH_PCT,
    TARGET_RATIO,
    run_benchmark,
)


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {number}")
    return number


class Command(BaseCommand):
    help = (
        "Benchmark handout PDFs; run it with `make bench`. It renders the sample handout "
        "(bone marrow edema, the article's defaults) through the portal's path and, "
        "interleaved in the same run, with plain WeasyPrint on the same HTML, and prints "
        "median and p95 per render and their ratio; then times downloads of an issued "
        "handout, measures RSS before and after many renders, and times GETs of the sample's "
        "handout builder (counting the queries of one). Targets: ratio <= "
        f"{TARGET_RATIO}, download <= {TARGET_DOWNLOAD_MS:.0f} ms median, memory growth <= "
        f"{TARGET_GROWTH_PCT:.0f} %, builder GET <= {TARGET_BUILDER_MS:.0f} ms median. The last "
        "line reads `ratio=<portal/plain> render_ms=<median> download_ms=<median> peak_mb=<n> "
        "builder_ms=<median> builder_queries=<n>`. It creates its own data, so it "
        "runs only on an in-memory SQLite database (DATABASE_URL=sqlite:///:memory:)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--renders",
            type=positive_int,
            default=50,
            help="Timed renders of each path (default 50).",
        )
        parser.add_argument(
            "--memory-renders",
            type=positive_int,
            default=1000,
            help="Portal renders between the two RSS readings (default 1000).",
        )
        parser.add_argument(
            "--downloads",
            type=positive_int,
            default=200,
            help="Timed downloads of the issued handout (default 200).",
        )
        parser.add_argument(
            "--builder-gets",
            type=positive_int,
            default=50,
            help="Timed GETs of the handout builder (default 50).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # The benchmark migrates and writes users and handouts: never on a real database.
        database = connections[DEFAULT_DB_ALIAS]
        if not (isinstance(database, SQLiteDatabase) and database.is_in_memory_db()):
            raise CommandError(
                "benchmark_handouts creates its own data and runs only on an in-memory SQLite "
                "database. Run it with `make bench` (DATABASE_URL=sqlite:///:memory:)."
            )
        call_command("migrate", verbosity=0, interactive=False)
        run_benchmark(
            options["renders"],
            options["memory_renders"],
            options["downloads"],
            options["builder_gets"],
            self.stdout,
        )
