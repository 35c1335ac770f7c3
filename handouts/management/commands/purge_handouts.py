from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from handouts.retention import handouts_to_purge, purge_handouts


class Command(BaseCommand):
    help = (
        "Remove patient data from handouts past retention: HANDOUT_RETENTION_DAYS (now "
        f"{settings.HANDOUT_RETENTION_DAYS}) after the later of the issue date and the expiry "
        "of the handout's last patient link. Removes the patient's name, record number, the "
        "clinician's note, the stored PDF and the patient links; keeps the article, version, "
        "choices, dates and events, and records a 'purged' event. Run it daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be purged and change nothing."
        )

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        now, days = timezone.now(), settings.HANDOUT_RETENTION_DAYS
        if dry_run:
            handouts = handouts_to_purge(now, days)
            for handout in handouts:
                conditions = " + ".join(str(c.article.condition) for c in handout.condition_list)
                self.stdout.write(
                    f"  would purge {handout.public_id} (issued "
                    f"{handout.issued_at:%Y-%m-%d}, {conditions})"
                )
            self.stdout.write(
                f"Dry run: {len(handouts)} handout(s) past {days} days would be "
                "purged. Nothing was changed."
            )
            return
        result = purge_handouts(now, days)
        self.stdout.write(
            self.style.SUCCESS(
                f"Purged {len(result.handouts)} handout(s) past {days} days; removed "
                f"{result.links_removed} patient link(s)."
            )
        )
