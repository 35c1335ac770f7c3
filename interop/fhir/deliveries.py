"""What the FHIR API serves as one delivery: a Handout, given to one patient at one visit.

Every FHIR resource reads the delivery through this module: which deliveries a client may
read, what the delivery is about (title, condition codes), how it reached the patient (the
events that become Communications) and the facts of its PDF (size, SHA-1).
"""

import base64
import contextlib
import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db import models
from django.db.models.functions import Coalesce, Greatest
from redis.exceptions import RedisError

from handouts.models import Handout, HandoutEvent, HandoutPdf, HandoutQuerySet

Kind = HandoutEvent.Kind

ICD10_CM = "http://hl7.org/fhir/sid/icd-10-cm"

# The events that are a way the delivery reached the patient: each is one Communication.
COMMUNICATED = [
    Kind.PRINTED,
    Kind.LINK_CREATED,
    Kind.EMAIL_SENT,
    Kind.LINK_OPENED,
    Kind.PATIENT_VIEWED,
    Kind.PATIENT_DOWNLOADED,
]


@dataclass(frozen=True)
class Coding:
    system: str
    code: str
    display: str


def delivery_title(handout: Handout) -> str:
    """What the delivery is called: its article's title, as issued; a packet's conditions'
    names ("Ankle sprain + Low back pain")."""
    return handout.title


def delivery_codes(handout: Handout) -> list[Coding]:
    """The codes of the conditions the delivery is about (a visit's one to three), in their
    order, as the issued snapshots list them."""
    return [
        Coding(ICD10_CM, code, snapshot["condition"]["name"])
        for snapshot in (condition.snapshot for condition in handout.condition_list)
        for code in snapshot["condition"]["icd10_codes"]
    ]


def readable_deliveries() -> HandoutQuerySet:
    """Every delivery an API client with `fhir.read` may read, with `last_updated`: when
    the delivery last changed as the API shows it (issued, or the latest way it reached the
    patient). Purged deliveries (retention) are left out: their patient and PDF are gone."""
    latest = (
        HandoutEvent.objects.filter(handout=models.OuterRef("pk"), kind__in=COMMUNICATED)
        .order_by("-at")
        .values("at")[:1]
    )
    replacements = Handout.objects.filter(replaces=models.OuterRef("pk"))
    return (
        Handout.objects.with_conditions()
        .filter(purged_at__isnull=True)
        .annotate(
            last_updated=Greatest(
                "issued_at", Coalesce(models.Subquery(latest), models.F("issued_at"))
            ),
            replaces_public_id=models.F("replaces__public_id"),
            superseded=models.Exists(replacements),
        )
    )


def communicated_events(handout: Handout) -> list[HandoutEvent]:
    """The ways the delivery reached the patient, oldest first. In the order they were
    written (ids only grow), so each keeps its place, and its Communication its id."""
    return list(handout.events.filter(kind__in=COMMUNICATED).select_related("staff").order_by("id"))


@dataclass(frozen=True)
class PdfFacts:
    size: int
    sha1_base64: str  # FHIR's Attachment.hash: the SHA-1 of the bytes, in base64


def pdf_facts(handouts: list[Handout]) -> dict[int, PdfFacts]:
    """Size and SHA-1 of each handout's stored PDF, by handout id; a PDF that is gone or does
    not match the hash taken at issue has none. The facts of a PDF never change, so they are
    kept in the shared cache under its SHA-256: a page of results reads only new PDFs."""
    facts: dict[int, PdfFacts] = {}
    keys = {_cache_key(handout): handout for handout in handouts if handout.pdf_sha256}
    try:
        cached = cache.get_many(list(keys))
    except RedisError:
        cached = {}
    for key, value in cached.items():
        facts[keys[key].pk] = PdfFacts(*value)
    missing = [handout for key, handout in keys.items() if key not in cached]
    if not missing:
        return facts
    by_id = {handout.pk: handout for handout in missing}
    found = {}
    for handout_id, stored in HandoutPdf.objects.filter(handout__in=missing).values_list(
        "handout_id", "pdf"
    ):
        pdf = bytes(stored)
        handout = by_id[handout_id]
        if hashlib.sha256(pdf).hexdigest() != handout.pdf_sha256:
            continue
        facts[handout_id] = facts_of(pdf)
        found[_cache_key(handout)] = (facts[handout_id].size, facts[handout_id].sha1_base64)
    with contextlib.suppress(RedisError):  # a cache out of reach only costs a reread
        cache.set_many(found, timeout=None)
    return facts


def facts_of(pdf: bytes) -> PdfFacts:
    return PdfFacts(len(pdf), base64.b64encode(hashlib.sha1(pdf).digest()).decode())  # noqa: S324


def _cache_key(handout: Handout) -> str:
    return f"interop:pdf-facts:{handout.pdf_sha256}"
