"""Many handouts for the scale benchmark (manage.py benchmark_http), written in bulk.

Needs one published article and a user in the Clinician role. Every handout is made from
that article with the builder's defaults and carries a small fixed PDF (the list never reads
it). Some patients share a name, so a name search finds several; a tenth of the handouts
carry an older fingerprint, as if made from an earlier version, so the changed-content list
has rows. bulk_create skips save(), so the fingerprint is set here.
"""

import datetime
import hashlib
import itertools
import uuid

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from education.models import Article
from education.snapshot import build_snapshot, content_fingerprint
from handouts.forms import default_choices
from handouts.issuing import display_name
from handouts.models import Handout
from portal.models import ClinicProfile
from portal.roles import CLINICIAN

BATCH_SIZE = 2000
PDF = b"%PDF-1.7\n% a placeholder: the lists never read the stored PDF\n%%EOF\n"
FIRST_NAMES = ["Ana", "Ben", "Chloe", "Dev", "Elif", "Femi", "Gus", "Hana", "Ivan", "Jo"]
LAST_NAMES = ["Garcia", "Smith", "Nguyen", "Okafor", "Kowalski", "Haddad", "Müller"]
STALE_EVERY = 10
STALE_FINGERPRINT = "000000000000"


@transaction.atomic
def build_handouts(count: int) -> None:
    """Add `count` handouts of the first published English article, issued by a clinician
    over the past year."""
    article = (
        Article.objects.published()
        .select_related("condition", "rest_guidance")
        .filter(language="en", rest_guidance__isnull=False)
        .order_by("pk")
        .first()
    )
    clinician = User.objects.filter(groups__name=CLINICIAN).order_by("pk").first()
    if article is None or clinician is None:
        raise ValueError("build_handouts needs a published English article and a clinician.")
    snapshot = build_snapshot(article)
    fingerprint = content_fingerprint(snapshot)
    choices = default_choices(snapshot, ClinicProfile.load())
    start = Handout.objects.count()
    now = timezone.now()
    for batch in itertools.batched(range(start, start + count), BATCH_SIZE):
        Handout.objects.bulk_create(
            Handout(
                article=article,
                language=article.language,
                snapshot=snapshot,
                content_fingerprint=STALE_FINGERPRINT if n % STALE_EVERY == 0 else fingerprint,
                **(choices | {"patient_name": _patient_name(n)}),
                issued_by=clinician,
                issued_by_name=display_name(clinician),
                issued_at=now - datetime.timedelta(minutes=5 * n),
                pdf=PDF,
                pdf_sha256=hashlib.sha256(PDF).hexdigest(),
                issue_token=uuid.uuid4(),
            )
            for n in batch
        )


def _patient_name(number: int) -> str:
    """70 distinct names, so each is shared by many handouts."""
    first = FIRST_NAMES[number % len(FIRST_NAMES)]
    last = LAST_NAMES[number // len(FIRST_NAMES) % len(LAST_NAMES)]
    return f"{first} {last}"
