from django.core.management.base import BaseCommand
from django.utils import timezone

from education.models import Article
from education.readability import article_readability
from portal.models import ClinicProfile

DUE_SOON_DAYS = 30


class Command(BaseCommand):
    help = (
        "Print one line per article: condition, language, state, reading grade and review "
        "status. With --strict, exit with status 1 when a published article is above the "
        "clinic's maximum reading grade or overdue for review. Clinics can run it daily."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--strict", action="store_true",
                            help="Exit 1 if a published article needs attention.")

    def handle(self, *args, strict: bool, **options) -> None:
        today, maximum = timezone.localdate(), ClinicProfile.load().max_reading_grade
        problems = 0
        articles = Article.objects.select_related("condition").prefetch_related("sections")
        for article in articles.order_by("condition__name", "language"):
            grade = article_readability(article)[0].grade
            review = review_status(article, today)
            flags = []
            if article.is_published and grade > maximum:
                flags.append(f"ABOVE GRADE {maximum}")
            if article.is_published and review == "overdue":
                flags.append("REVIEW OVERDUE")
            problems += bool(flags)
            self.stdout.write(
                f"{article.condition.name} | {article.language} | {article.state} | "
                f"grade {grade} | review {review}" + (f" | {', '.join(flags)}" if flags else "")
            )
        self.stdout.write(f"{articles.count()} article(s); {problems} published article(s) "
                          "need attention.")
        if strict and problems:
            raise SystemExit(1)


def review_status(article: Article, today) -> str:
    if article.next_review_due is None:
        return "not scheduled"
    if article.next_review_due < today:
        return "overdue"
    if (article.next_review_due - today).days <= DUE_SOON_DAYS:
        return f"due {article.next_review_due:%Y-%m-%d}"
    return f"next {article.next_review_due:%Y-%m-%d}"
