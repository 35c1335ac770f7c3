from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from education.packs import Outcome, PackImport, PackInvalid, import_pack, plan_import, read_packs


class Command(BaseCommand):
    help = (
        "Import content packs (education/content_packs/*.json format; a directory means each "
        "*.json in it). Every file is checked first: with any problem, each is listed (file, "
        "field path, what is allowed) and nothing is written. Then each article that differs "
        "from the condition's current version becomes a draft beside the live one, for a "
        "reviewer to approve; an article that matches it is left unchanged. A language that "
        "already has a draft or one in review is refused. --dry-run says what would happen "
        "and writes nothing. --publish-unreviewed (the shipped library: make demo) publishes "
        "instead, flagged as needing clinical review, and is refused for a condition that "
        "already has a live version."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        parser.add_argument("--dry-run", action="store_true", help="Check and report only.")
        parser.add_argument(
            "--publish-unreviewed",
            action="store_true",
            help="Publish into conditions with no live version, flagged as needing clinical "
            "review (the shipped library).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            packs = read_packs(options["paths"])
        except PackInvalid as invalid:
            for problem in invalid.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{len(invalid.problems)} problem(s) found; nothing was imported."
            ) from None
        publish, dry_run = options["publish_unreviewed"], options["dry_run"]
        results = [
            plan_import(pack, publish=publish) if dry_run else import_pack(pack, publish=publish)
            for pack in packs
        ]
        for result in results:
            self._report(result, dry_run)
        totals = {o: sum(r.count(o) for r in results) for o in Outcome}
        summary = (
            f"{'Would import' if dry_run else 'Imported'} {len(packs)} pack(s): "
            f"{totals[Outcome.DRAFT]} draft(s), {totals[Outcome.PUBLISHED]} published, "
            f"{totals[Outcome.UNCHANGED]} unchanged, {totals[Outcome.REFUSED]} refused."
        )
        if totals[Outcome.REFUSED]:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))

    def _report(self, result: PackImport, dry_run: bool) -> None:
        for item in result.languages:
            line = f"{result.pack.file} [{item.language}]: {item.outcome}"
            if item.changes:
                line += f" ({'; '.join(item.changes)})"
            if item.reason:
                line += f": {item.reason}"
            self.stdout.write(line)
