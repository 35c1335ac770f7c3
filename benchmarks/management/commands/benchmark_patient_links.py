from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabase

from benchmarks.links import TARGET_GAP_PCT, run_link_benchmark
from benchmarks.management.commands.benchmark_handouts import positive_int


class Command(BaseCommand):
    help = (
        "Time a wrong access code on each kind of patient link (unknown token, expired, "
        "revoked, locked, working), interleaved, through the full middleware stack; prints "
        "the median and p95 of each and the largest gap between the unknown, expired and "
        f"revoked medians. Target: a gap <= {TARGET_GAP_PCT:.0f} % of the slowest of them, so "
        "the time of an answer does not tell whether a token was ever a link. The last line "
        "reads `link_gap_ms=<n> "
        "link_gap_pct=<n>`. It creates its own data, so it runs only on an in-memory SQLite "
        "database (DATABASE_URL=sqlite:///:memory:); `make bench` runs it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rounds",
            type=positive_int,
            default=100,
            help="Timed wrong codes on each kind of link (default 100).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        database = connections[DEFAULT_DB_ALIAS]
        if not (isinstance(database, SQLiteDatabase) and database.is_in_memory_db()):
            raise CommandError(
                "benchmark_patient_links creates its own data and runs only on an in-memory "
                "SQLite database. Run it with `make bench` (DATABASE_URL=sqlite:///:memory:)."
            )
        call_command("migrate", verbosity=0, interactive=False)
        run_link_benchmark(options["rounds"], self.stdout)
