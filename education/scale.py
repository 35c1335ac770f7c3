"""A large library for the scale benchmark (manage.py benchmark_http): many conditions, each
with one published English article, written in bulk.

bulk_create skips save(), so every field save() would derive (Condition.search_text, a
section's body_html, an article's fingerprint and reading grade) is set here instead.
"""

import itertools

from django.db import transaction
from django.utils import timezone

from education.markup import render_markdown
from education.models import Article, Condition, Section
from education.search import normalize_for_search

BATCH_SIZE = 2000
# Names vary, so a search matches some conditions and not others; "injury" is in every one,
# as a common word is in many names of a real library.
BODY_PARTS = ["knee", "ankle", "wrist", "shoulder", "hip", "elbow", "spine", "foot"]
KINDS = ["sprain", "strain", "bruise", "overuse", "fracture"]
SECTIONS = [
    (Section.Kind.OVERVIEW, "This is a common injury. Most people get better with rest."),
    (Section.Kind.TREATMENT, "- Rest the area.\n- Use ice for *20 minutes* at a time."),
    (Section.Kind.WHEN_TO_GET_HELP, "Call the clinic if the pain gets worse or you get a fever."),
]
# A reading grade as publishing records it: the list never measures the text.
PUBLISHED_GRADE = 6.0


@transaction.atomic
def build_library(count: int) -> None:
    """Add `count` conditions, each with one published English article of three sections."""
    start = Condition.objects.filter(slug__startswith="scale-").count()
    now = timezone.now()
    bodies = [(kind, body, render_markdown(body)) for kind, body in SECTIONS]
    numbers = range(start, start + count)
    for batch in itertools.batched(numbers, BATCH_SIZE):
        conditions = Condition.objects.bulk_create(_condition(n) for n in batch)
        articles = Article.objects.bulk_create(
            Article(
                condition=condition,
                language="en",
                title=condition.name,
                summary=f"What {condition.name.lower()} is and how it heals.",
                state=Article.State.PUBLISHED,
                version=1,
                published_at=now,
                published_grade=PUBLISHED_GRADE,
                fingerprint=f"{condition.pk:012x}"[-12:],
                needs_clinical_review=True,
            )
            for condition in conditions
        )
        Section.objects.bulk_create(
            Section(article=article, position=position, kind=kind, body=body, body_html=html)
            for article in articles
            for position, (kind, body, html) in enumerate(bodies)
        )


def _condition(number: int) -> Condition:
    part = BODY_PARTS[number % len(BODY_PARTS)]
    kind = KINDS[number // len(BODY_PARTS) % len(KINDS)]
    name = f"{part.capitalize()} {kind} injury {number:05d}"
    slug = f"scale-{number:05d}"
    return Condition(slug=slug, name=name, search_text=normalize_for_search(f"{name} {slug}"))
