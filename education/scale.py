"""A library of any size, for measuring how staff pages behave as the content grows.

Only benchmarks call this: the conditions it makes are placeholders, never clinical content.
"""

import itertools

from django.db import transaction
from django.utils import timezone

from education.markup import render_markdown
from education.models import (
    Article,
    CodeSystem,
    Condition,
    ConditionCode,
    ConditionName,
    ConditionTerms,
    RestGuidance,
    Section,
)
from education.readability import measure, whole_text
from education.snapshot import build_snapshot, content_fingerprint

# Names are combinations of these, so a search for one word finds a realistic share of the
# library (a body part: about one condition in eight) and accents are exercised.
BODY_PARTS = ["knee", "ankle", "wrist", "shoulder", "hip", "elbow", "heel", "spine"]
KINDS = ["sprain", "strain", "tendinopathy", "bursitis", "œdème", "fracture", "contusion"]
SECTION_BODIES = {
    Section.Kind.OVERVIEW: "This is a common injury. It usually heals with rest and time.",
    Section.Kind.TREATMENT: "- Rest the injured part.\n- Use ice for ten minutes.\n- Move gently.",
    Section.Kind.WHEN_TO_GET_HELP: "Call the clinic if the pain gets **worse** or you get a fever.",
}
SUMMARY = "A short plain explanation of the injury and how to look after it at home."
BATCH_SIZE = 1000


@transaction.atomic
def build_library(count: int) -> None:
    """Add `count` conditions, each with one published English article of a few sections.

    Rows are written in bulk, which skips save(): the derived fields (search text, section
    HTML, grade, fingerprint) are set here as save() and education.workflow would set them.
    The articles are written as drafts and then published in one step, the only bulk change
    the models allow."""
    start = Condition.objects.filter(slug__startswith="scale-").count()
    names = itertools.cycle(f"{kind} of the {part}" for kind in KINDS for part in BODY_PARTS)
    conditions, codes = [], {}
    for number in range(start, start + count):
        condition = Condition(
            slug=f"scale-{number:06d}", name=f"{next(names).capitalize()} {number}"
        )
        code = f"S{number % 100:02d}.{number % 10}"
        terms = ConditionTerms("en", condition.name, [], [code], [])
        condition.search_text = condition.normalized_search_text([terms])
        conditions.append(condition)
        codes[condition.slug] = code
    Condition.objects.bulk_create(conditions, batch_size=BATCH_SIZE)

    articles = Article.objects.bulk_create(
        [
            Article(condition=c, language="en", title=f"{c.name}: what it means", summary=SUMMARY)
            for c in conditions
        ],
        batch_size=BATCH_SIZE,
    )
    ConditionName.objects.bulk_create(
        [ConditionName(article=a, name=a.condition.name) for a in articles], batch_size=BATCH_SIZE
    )
    ConditionCode.objects.bulk_create(
        [
            ConditionCode(article=a, system=CodeSystem.ICD10_CM, code=codes[a.condition.slug])
            for a in articles
        ],
        batch_size=BATCH_SIZE,
    )
    sections = [
        Section(article=a, kind=kind, body=body, body_html=render_markdown(body), position=p)
        for a in articles
        for p, (kind, body) in enumerate(SECTION_BODIES.items())
    ]
    Section.objects.bulk_create(sections, batch_size=BATCH_SIZE)
    RestGuidance.objects.bulk_create(
        [RestGuidance(article=a, body_part="the injured area") for a in articles],
        batch_size=BATCH_SIZE,
    )

    # Every article reads the same text, so it is measured once.
    grade = measure(whole_text(SUMMARY, [s.body_html for s in sections[:3]]), "en").grade
    now = timezone.now()
    drafts = Article.objects.filter(pk__in=[a.pk for a in articles]).select_related(
        "condition", "condition_name", "rest_guidance"
    )
    published = []
    for article in drafts.prefetch_related(
        "codes", "sections", "sources", "therapies", "prevention_tips", "warning_signs"
    ):
        article.fingerprint = content_fingerprint(build_snapshot(article))
        article.state, article.version = Article.State.PUBLISHED, 1
        article.published_at, article.published_grade = now, grade
        published.append(article)
    Article.objects.bulk_update(
        published,
        ["fingerprint", "state", "version", "published_at", "published_grade"],
        batch_size=BATCH_SIZE,
    )
