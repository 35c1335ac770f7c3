"""Issuing a handout: freeze the article, render the PDF, save both together."""

import uuid

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from education.models import Article
from education.snapshot import Snapshot, build_snapshot
from handouts.events import record_event
from handouts.models import Handout, HandoutEvent
from handouts.pdf.render import render_handout_pdf
from portal.audit import Action, record_audit
from portal.models import ClinicProfile


def build_handout(
    article: Article,
    choices: dict,
    *,
    issued_by: User | None,
    issued_by_name: str = "",
    snapshot: Snapshot | None = None,
) -> Handout:
    """An unsaved handout from the article as it is now (or as in `snapshot`, taken from it
    earlier in the same request) and the clinician's choices."""
    handout = Handout(
        article=article,
        language=article.language,
        snapshot=snapshot or build_snapshot(article),
        issued_by_name=issued_by_name or (display_name(issued_by) if issued_by else ""),
        issued_at=timezone.now(),
        **choices,
    )
    if issued_by is not None:  # rendering without a record (command line) has no issuer
        handout.issued_by = issued_by
    return handout


class ClinicNotReady(Exception):
    """The clinic profile lacks what every handout must print (name, phone, emergency
    number); `blockers` says what, for the person who can fix it."""

    def __init__(self, blockers: list[str]):
        super().__init__(" ".join(blockers))
        self.blockers = blockers


def require_clinic_ready(clinic: ClinicProfile) -> None:
    blockers = clinic.handout_blockers()
    if blockers:
        raise ClinicNotReady(blockers)


def display_name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def issue_handout(
    article: Article,
    choices: dict,
    *,
    issued_by: User,
    issue_token: uuid.UUID,
    clinic: ClinicProfile,
    snapshot: Snapshot | None = None,
) -> tuple[Handout, bool]:
    """Render and save a handout; returns (handout, created).

    A form submitted twice carries the same issue token and gets the first handout back.
    Rendering happens before anything is written, so a failed render leaves no record.
    Raises ClinicNotReady while the clinic profile lacks a name, phone or emergency number.
    The caller passes the clinic profile it already loaded for the request.
    """
    existing = Handout.objects.filter(issue_token=issue_token, issued_by=issued_by).first()
    if existing:
        return existing, False
    require_clinic_ready(clinic)
    handout = build_handout(article, choices, issued_by=issued_by, snapshot=snapshot)
    handout.issue_token = issue_token
    stored_pdf = handout.store_pdf(render_handout_pdf(handout, clinic))
    try:
        with transaction.atomic():
            handout.save()
            stored_pdf.save()
            record_event(handout, HandoutEvent.Kind.ISSUED, staff=issued_by)
            record_audit(issued_by, Action.HANDOUT_ISSUED, obj=handout)
    except IntegrityError:
        # The same form submitted twice at the same moment: the other request saved it.
        first = Handout.objects.filter(issue_token=issue_token, issued_by=issued_by).first()
        if first is None:
            raise
        return first, False
    return handout, True
