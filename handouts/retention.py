"""Keeping personal data only as long as the clinic's retention setting allows."""

import datetime
from dataclasses import dataclass

from django.db import transaction

from handouts.events import record_event
from handouts.models import Handout, HandoutEvent, HandoutPdf, OwnWords, ShareLink


@dataclass(frozen=True)
class PurgeResult:
    handouts: list[Handout]
    links_removed: int


def handouts_to_purge(now: datetime.datetime, days: int) -> list[Handout]:
    return list(Handout.objects.past_retention(now, days).with_conditions().order_by("issued_at"))


def purge_handouts(now: datetime.datetime, days: int) -> PurgeResult:
    """Remove the patient's name, record number, note, own words (teach-back), stored PDF
    and links of every handout past retention. The rest stays: what was given (article,
    version, choices, dates) and what happened (events, answers), with a purged event added."""
    handouts = handouts_to_purge(now, days)
    links_removed = 0
    for handout in handouts:
        with transaction.atomic():
            links_removed += purge_handout(handout, now)
    return PurgeResult(handouts, links_removed)


def purge_handout(handout: Handout, now: datetime.datetime) -> int:
    """Call inside a transaction; returns how many links were removed."""
    # Counted by model: a link's email (LinkEmail) goes with it.
    _total, removed = handout.share_links.all().delete()
    links_removed = removed.get(ShareLink._meta.label, 0)
    HandoutPdf.objects.filter(handout=handout).delete()
    OwnWords.objects.filter(handout=handout).delete()
    handout.patient_name = handout.record_number = handout.clinician_note = ""
    handout.pdf_sha256 = ""
    handout.issue_token = None
    handout.purged_at = now
    handout.save(
        update_fields=[
            "patient_name",
            "patient_name_search",
            "record_number",
            "clinician_note",
            "pdf_sha256",
            "issue_token",
            "purged_at",
        ]
    )
    record_event(handout, HandoutEvent.Kind.PURGED)
    return links_removed
