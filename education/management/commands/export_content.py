from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from education.models import Condition
from education.packs import export_packs


class Command(BaseCommand):
    help = (
        "Write one content pack per condition (all conditions, or the SLUGs given) into "
        "--output DIR as <slug>.json: each language's live version, or its draft where none "
        "is live. Importing a pack written here and exporting again gives the same file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slugs", nargs="*", metavar="SLUG")
        parser.add_argument("--output", type=Path, required=True, metavar="DIR")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            written = export_packs(options["slugs"], options["output"])
        except Condition.DoesNotExist as error:
            raise CommandError(str(error)) from None
        for path in written:
            self.stdout.write(f"Wrote {path}")
        self.stdout.write(self.style.SUCCESS(f"Exported {len(written)} pack(s)."))
