import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import F
from django.utils import timezone

from education.models import REVIEW_SOON_DAYS, Article
from education.readability import article_readability
from portal.models import ClinicProfile


class Command(BaseCommand):
    help = (
        "Print one line per article version: condition, language, state, version, reading "
        "grade and review status. Published and archived versions are judged by the grade "
        "recorded when they were published (the approved text); drafts are measured now. "
        "With --strict, exit with status 1 when a published article is overdue for review (or "
        "has never been reviewed), or "
        "above the clinic's maximum reading grade without a recorded override reason. Clinics "
        "can run it daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--strict", action="store_true", help="Exit 1 if a published article needs attention."
        )

    def handle(self, *args: Any, strict: bool, **options: Any) -> None:
        today, maximum = timezone.localdate(), ClinicProfile.load().max_reading_grade
        problems = overrides = 0
        articles = (
            Article.objects.select_related("condition", "based_on")
            .prefetch_related("sections")
            .order_by("condition__name", "language", F("version").desc(nulls_first=True))
        )
        for article in articles:
            grade = article_grade(article)
            review = review_status(article, today)
            flags, needs_attention = [], False
            if article.is_published and grade > maximum:
                # A reviewer who published above the maximum gave a reason: a decision on
                # record, not something left to fix.
                if article.grade_override_reason.strip():
                    flags.append(f"above grade {maximum}, override recorded")
                    overrides += 1
                else:
                    flags.append(f"ABOVE GRADE {maximum}")
                    needs_attention = True
            if article.is_published and article.is_review_overdue(today):
                flags.append("REVIEW OVERDUE")
                needs_attention = True
            problems += needs_attention
            self.stdout.write(
                f"{article.condition.name} | {article.language} | {article.state} | "
                f"{version_text(article)} | grade {grade:g} | review {review}"
                + (f" | {', '.join(flags)}" if flags else "")
            )
        self.stdout.write(
            f"{len(articles)} article(s); {problems} published article(s) "
            f"need attention; {overrides} published above grade {maximum} "
            "with a recorded override."
        )
        if strict and problems:
            raise SystemExit(1)


def article_grade(article: Article) -> float:
    if article.published_grade is not None:
        return article.published_grade
    return article_readability(article)[0].grade


def version_text(article: Article) -> str:
    if article.version:
        return f"version {article.version}"
    if article.based_on and article.based_on.version:
        return f"from version {article.based_on.version}"
    return "new"


def review_status(article: Article, today: datetime.date) -> str:
    if not article.has_review_on_record or article.next_review_due is None:
        return "never reviewed"  # overdue (Article.is_review_overdue)
    if article.next_review_due < today:
        return "overdue"
    if (article.next_review_due - today).days <= REVIEW_SOON_DAYS:
        return f"due {article.next_review_due:%Y-%m-%d}"
    return f"next {article.next_review_due:%Y-%m-%d}"
