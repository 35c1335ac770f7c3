"""A clinic's worth of handouts at once, to measure how the handout pages scale (the
benchmark, and tests that compare 1 with 50 handouts).

Written with bulk_create, not issue_handout: rendering 100,000 PDFs would take hours and
measure WeasyPrint, not the lists. Every handout holds the same small stand-in PDF.
"""

import datetime
import hashlib
import itertools
import string
from collections.abc import Iterator

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from education.models import Article
from education.snapshot import build_snapshot
from handouts.forms import default_choices
from handouts.issuing import display_name
from handouts.models import Handout, HandoutPdf
from portal.models import ClinicProfile
from portal.roles import CLINICIAN

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
BATCH = 1000
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

    def handout(index: int) -> Handout:
        changed = index % CHANGED_EVERY == 0
        issued_at = now - step * index
        built = Handout(
            **base,
            article=earlier if changed else article,
            language=article.language,
            snapshot=earlier_snapshot if changed else live_snapshot,
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

    for start in range(0, count, BATCH):
        batch = [handout(index) for index in range(start, min(start + BATCH, count))]
        with transaction.atomic():
            saved = Handout.objects.bulk_create(batch)
            HandoutPdf.objects.bulk_create(HandoutPdf(handout=h, pdf=SCALE_PDF) for h in saved)


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
