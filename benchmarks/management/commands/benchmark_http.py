from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from benchmarks.http import (
    SMALL_ARTICLES,
    SMALL_HANDOUTS,
    TARGET_DASHBOARD_P95_MS,
    TARGET_ISSUE_PER_S,
    TARGET_P99_MS,
    TARGET_RPS_SHARE,
    TARGET_SCALE_P95_MS,
    TARGET_SCALE_RATIO,
    run_http_benchmark,
    wrk_missing,
)
from benchmarks.management.commands.benchmark_handouts import positive_int


class Command(BaseCommand):
    help = (
        "Benchmark the staff pages over HTTP and the lists at scale; run it with "
        "`make bench-http`. On a throwaway database (portal_bench on the PostgreSQL server "
        "DATABASE_URL names, dropped at the end, or a temporary SQLite file) it serves the "
        "portal with gunicorn (2 workers) on 127.0.0.1 and loads staff home, library, article, "
        "handout list and builder with wrk as a signed-in clinician, next to a bare Django view "
        "on the same server; then 4 clinicians issue handouts through the builder at once; then "
        "it times the library, its search, the handout list, its name search, the "
        "changed-content list and the engagement dashboard (as a Clinic lead, last 12 weeks) "
        f"in-process at {SMALL_ARTICLES} vs --articles articles and {SMALL_HANDOUTS} vs "
        "--handouts handouts, ten events each. Targets: every page >= "
        f"{TARGET_RPS_SHARE:.0%} of the bare view's requests/s with p99 <= {TARGET_P99_MS:.0f} "
        f"ms; issuing >= {TARGET_ISSUE_PER_S:.0f} handouts/s; at the large size <= "
        f"{TARGET_SCALE_RATIO}x the small time, handout lists p95 <= {TARGET_SCALE_P95_MS:.0f} "
        f"ms, dashboard p95 <= {TARGET_DASHBOARD_P95_MS:.0f} ms. The last line reads `scale "
        "library_ratio=<n> handouts_ratio=<n> dashboard_ratio=<n> dashboard_p95_ms=<n> "
        "staff_rps_ratio=<n> issue_per_s=<n>`. Needs wrk and DEBUG off (the Makefile sets the "
        "environment); it collects static files into STATIC_ROOT, as a deployment does."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seconds",
            type=positive_int,
            default=10,
            help="How long wrk loads each page, and how long the clinicians issue (default 10).",
        )
        parser.add_argument(
            "--articles",
            type=positive_int,
            default=10_000,
            help=f"The large library, compared with {SMALL_ARTICLES} articles (default 10000).",
        )
        parser.add_argument(
            "--handouts",
            type=positive_int,
            default=100_000,
            help=f"The large handout count, compared with {SMALL_HANDOUTS} (default 100000).",
        )
        parser.add_argument(
            "--requests",
            type=positive_int,
            default=20,
            help="Timed in-process requests of each page at each size (default 20).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if wrk_missing():
            raise CommandError(
                "wrk is not installed: it is the load generator. Install it from your package "
                "manager (Debian: apt-get install wrk)."
            )
        if settings.DEBUG or settings.SECURE_SSL_REDIRECT:
            raise CommandError(
                "benchmark_http measures the portal as production runs it, over plain HTTP on "
                "127.0.0.1: DEBUG and SECURE_SSL_REDIRECT must be off. Run it with "
                "`make bench-http`, which sets the environment."
            )
        if options["articles"] <= SMALL_ARTICLES or options["handouts"] <= SMALL_HANDOUTS:
            raise CommandError(
                f"--articles must be above {SMALL_ARTICLES} and --handouts above "
                f"{SMALL_HANDOUTS}: the small sizes they are compared with."
            )
        # DEBUG off serves static files from the manifest that collectstatic writes.
        call_command("collectstatic", interactive=False, verbosity=0)
        run_http_benchmark(
            options["seconds"],
            options["articles"],
            options["handouts"],
            options["requests"],
            self.stdout,
        )
