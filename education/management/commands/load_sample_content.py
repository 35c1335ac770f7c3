from typing import Any

from django.core.management.base import BaseCommand

from education.samples import load_sample_file, sample_files


class Command(BaseCommand):
    help = (
        "Load the sample conditions and articles shipped in education/sample_content/. "
        "Idempotent: a condition or an article (condition + language) that already exists is "
        "left untouched, so editors' changes are never overwritten. Sample articles are "
        "published and flagged as needing clinical review."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        created = skipped = 0
        for path in sample_files():
            result = load_sample_file(path)
            if result.article_created:
                created += 1
                self.stdout.write(f"Loaded {path.name}")
            else:
                skipped += 1
                self.stdout.write(f"Already present, left unchanged: {path.name}")
        self.stdout.write(
            self.style.SUCCESS(f"Sample articles: {created} loaded, {skipped} already present.")
        )
