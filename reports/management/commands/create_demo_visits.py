from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from handouts.issuing import ClinicNotReady
from reports.demo import DEMO_PATIENT, DEMO_VISITS, DEMO_WEEKS, ensure_demo_visits


class Command(BaseCommand):
    help = (
        f"Issue {DEMO_VISITS} demo handouts over the last {DEMO_WEEKS} weeks, with made-up "
        "patient activity, so the engagement dashboard (/reports/) has something to show. "
        f'The patients are "{DEMO_PATIENT} 01" and on, issued by the demo clinician across the '
        "published library; their PDFs say they are made up. Refused unless DEBUG is on; run after "
        "create_demo_accounts and the content import. Does nothing when demo visits exist."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--visits", type=int, default=DEMO_VISITS, help="How many visits.")

    def handle(self, *args: Any, visits: int, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo visits are for local trials only; run with DEBUG=1.")
        clinician = get_user_model().objects.filter(username="clinician").first()
        if clinician is None:
            raise CommandError("No demo clinician: run create_demo_accounts first.")
        try:
            made = ensure_demo_visits(clinician, visits=visits)
        except ClinicNotReady as not_ready:
            raise CommandError(" ".join(not_ready.blockers)) from None
        if made:
            self.stdout.write(f"Demo visits: issued {made} over the last {DEMO_WEEKS} weeks.")
        else:
            self.stdout.write("Demo visits: left as they were (already made, or no articles).")
