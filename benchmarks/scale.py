"""A clinic's worth of content and handouts at once, to measure how the staff pages scale as
the clinic grows (`make bench-http`, and tests that compare a small library or handout list
with a larger one). Only benchmarks and their tests call this.

Everything is written in bulk. The library's conditions are placeholders, never clinical
content. Handouts are written with bulk_create, not issue_handout: rendering 100,000 PDFs
would take hours and measure WeasyPrint, not the lists. Every handout holds the same small
stand-in PDF.
"""

import datetime
import hashlib
import itertools
import string
from collections.abc import Iterable, Iterator

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone

from education.markup import render_markdown
from education.models import (
    Article,
    CodeSystem,
    Condition,
    ConditionCode,
    ConditionName,
    ConditionTerms,
    Section,
)
from education.plan_blocks import offer_from_rest_guidance
from education.readability import measure, whole_text
from education.snapshot import build_snapshot, content_fingerprint
from handouts.forms import default_choices
from handouts.issuing import display_name, split_choices
from handouts.models import Handout, HandoutCondition, HandoutEvent, HandoutPdf
from portal.models import ClinicProfile
from portal.roles import CLINICIAN
from reports.demo import event_pattern

BATCH = 1000
# Each handout comes with this many events (reports.demo.events_of), so 100,000 handouts come
# with 1,000,000: what the engagement dashboard aggregates.
EVENTS_PER_HANDOUT = 10


# --- A library ----------------------------------------------------------------------------

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
# What rest guidance's defaults offered (4 weeks of rest, some weight, no crutches).
PLAN = offer_from_rest_guidance(
    {"default_weeks": 4, "crutches_advised": False, "weight_bearing": "partial"},
    has_therapies=False,
).to_json()


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
    Condition.objects.bulk_create(conditions, batch_size=BATCH)

    articles = Article.objects.bulk_create(
        [
            Article(
                condition=c,
                language="en",
                title=f"{c.name}: what it means",
                summary=SUMMARY,
                plan=PLAN,
            )
            for c in conditions
        ],
        batch_size=BATCH,
    )
    ConditionName.objects.bulk_create(
        [ConditionName(article=a, name=a.condition.name) for a in articles], batch_size=BATCH
    )
    ConditionCode.objects.bulk_create(
        [
            ConditionCode(article=a, system=CodeSystem.ICD10_CM, code=codes[a.condition.slug])
            for a in articles
        ],
        batch_size=BATCH,
    )
    sections = [
        Section(article=a, kind=kind, body=body, body_html=render_markdown(body), position=p)
        for a in articles
        for p, (kind, body) in enumerate(SECTION_BODIES.items())
    ]
    Section.objects.bulk_create(sections, batch_size=BATCH)

    # Every article reads the same text, so it is measured once.
    grade = measure(whole_text(SUMMARY, [s.body_html for s in sections[:3]]), "en").grade
    now = timezone.now()
    drafts = Article.objects.filter(pk__in=[a.pk for a in articles]).select_related(
        "condition", "condition_name"
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
        batch_size=BATCH,
    )


# --- Handouts -----------------------------------------------------------------------------

# A valid, empty PDF document: what the download of a built handout serves.
SCALE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
# Every SHARED_NAME_EVERY-th handout is for this patient, starting with the newest, so a
# name search finds one at 100 handouts and 400 at 100,000. The others get one of about
# 16,000 names (a first name, an initial, two surnames), a few handouts each at 100,000.
SHARED_NAME = "Zoë Núñez-O'Brien"
SHARED_NAME_EVERY = 250
# The one patient with a single handout, issued halfway through the period: a name search
# that finds one row at any size, to compare search times with equal pages.
UNIQUE_NAME = "Ximena Q. Yamamoto"
# Every CHANGED_EVERY-th handout, the newest first, was made from an earlier, archived
# version that reads differently, so the changed-content list is not empty.
CHANGED_EVERY = 50
FIRST_NAMES = ["Ana", "Bo", "Chloé", "Dmitri", "Émile", "Fatima", "Gus", "Hana", "Iñigo", "Jun"]
LAST_NAMES = ["Alves", "Brandt", "Castañeda", "Dubois", "Eriksen", "Fernández", "Gallo", "Hoang"]
# Issue times spread evenly over this many days before now, newest first.
SPREAD_DAYS = 365


def build_handouts(
    count: int, *, article: Article | None = None, issued_by: User | None = None
) -> None:
    """Add `count` handouts of `article` (default: the first published article), issued by
    `issued_by` (default: the first member of the Clinician role) over the past year.

    Needs a published article and a clinician. The first call also adds one archived
    version of the article (unnumbered, with a different summary) for the changed-content
    handouts; later calls reuse it.
    """
    article = article or Article.objects.published().select_related("condition").first()
    issued_by = issued_by or User.objects.filter(groups__name=CLINICIAN).order_by("pk").first()
    if article is None or issued_by is None:
        raise ValueError("build_handouts needs a published article and a clinician.")
    live_snapshot = build_snapshot(article)
    earlier = _earlier_version(article)
    earlier_snapshot = build_snapshot(earlier)
    base = default_choices(live_snapshot, ClinicProfile.load())
    names = _patient_names()
    now = timezone.now()
    step = datetime.timedelta(days=SPREAD_DAYS) / max(count, 1)
    pdf_sha256 = hashlib.sha256(SCALE_PDF).hexdigest()

    visit, per_condition = split_choices(base)

    def handout(index: int) -> Handout:
        issued_at = now - step * index
        built = Handout(
            **visit,
            language=article.language,
            issued_by=issued_by,
            issued_by_name=display_name(issued_by),
            issued_at=issued_at,
            pdf_sha256=pdf_sha256,
        )
        if index == count // 2:
            built.patient_name = UNIQUE_NAME
        elif index % SHARED_NAME_EVERY == 0:
            built.patient_name = SHARED_NAME
        else:
            built.patient_name = next(names)
        built.visit_date = timezone.localdate(issued_at)
        built.refresh_derived_fields()
        return built

    def condition(index: int, of: Handout) -> HandoutCondition:
        changed = index % CHANGED_EVERY == 0
        built = HandoutCondition(
            **per_condition,
            handout=of,
            article=earlier if changed else article,
            snapshot=earlier_snapshot if changed else live_snapshot,
        )
        built.refresh_derived_fields()
        return built

    for start in range(0, count, BATCH):
        indices = range(start, min(start + BATCH, count))
        with transaction.atomic():
            saved = Handout.objects.bulk_create([handout(index) for index in indices])
            HandoutCondition.objects.bulk_create(
                condition(index, h) for index, h in zip(indices, saved, strict=True)
            )
            HandoutPdf.objects.bulk_create(HandoutPdf(handout=h, pdf=SCALE_PDF) for h in saved)
            insert_events(
                (h, kind, at, by_staff)
                for h, index in zip(saved, indices, strict=True)
                for kind, at, by_staff in event_pattern(
                    h.issued_at, index, at_least=EVENTS_PER_HANDOUT
                )
                if at <= now
            )


def insert_events(events: Iterable[tuple[Handout, str, datetime.datetime, bool]]) -> None:
    """Write events (handout, kind, at, by its issuer) with one executemany: bulk_create
    would spend longer composing SQL for a million rows than the database spends writing
    them. Values are adapted as the ORM adapts them."""
    adapt = connection.ops.adapt_datetimefield_value
    rows = [
        (h.pk, kind, adapt(at), h.issued_by_id if by_staff else None, "" if by_staff else PHONE)
        for h, kind, at, by_staff in events
    ]
    table = connection.ops.quote_name(HandoutEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (handout_id, kind, at, staff_id, device) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s)",
            rows,
        )


PHONE = HandoutEvent.Device.PHONE


def _earlier_version(article: Article) -> Article:
    """An archived version of the article that reads differently from it."""
    earlier = (
        article.siblings()
        .filter(state=Article.State.ARCHIVED, version__isnull=True, summary__startswith="Earlier")
        .first()
    )
    if earlier is None:
        earlier = Article.objects.create(
            condition=article.condition,
            language=article.language,
            title=article.title,
            summary=f"Earlier wording. {article.summary}",
            state=Article.State.ARCHIVED,
            archived_at=timezone.now(),
        )
    return earlier


def _patient_names() -> Iterator[str]:
    names = itertools.product(FIRST_NAMES, string.ascii_uppercase, LAST_NAMES, LAST_NAMES)
    return itertools.cycle(
        f"{first} {initial}. {last} {second}" for first, initial, last, second in names
    )
