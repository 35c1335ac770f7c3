"""Issuing a handout: freeze each condition's article, render the PDF, save all together.

A handout is the record of one visit; each of its conditions (one, or a packet of up to
MAX_CONDITIONS) is built from its article with its own choices (CONDITION_CHOICES), the rest
of the choices are the visit's."""

import uuid

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from education.models import Article
from education.snapshot import Snapshot, build_snapshot
from handouts.events import record_event
from handouts.models import CONDITION_CHOICES, Handout, HandoutCondition, HandoutEvent
from handouts.pdf.render import render_handout_pdf
from portal.audit import Action, record_audit
from portal.models import ClinicProfile


def split_choices(choices: dict) -> tuple[dict, dict]:
    """(the visit's choices, the condition's) of a one-condition handout's choices."""
    visit = {name: value for name, value in choices.items() if name not in CONDITION_CHOICES}
    condition = {name: value for name, value in choices.items() if name in CONDITION_CHOICES}
    return visit, condition


def build_condition(
    article: Article, choices: dict, *, snapshot: Snapshot | None = None
) -> HandoutCondition:
    """An unsaved condition from the article as it is now (or as in `snapshot`, taken from it
    earlier in the same request) and the clinician's choices for it."""
    condition = HandoutCondition(
        article=article, snapshot=snapshot or build_snapshot(article), **choices
    )
    condition.refresh_derived_fields()
    return condition


def build_visit(
    conditions: list[HandoutCondition],
    choices: dict,
    *,
    issued_by: User | None,
    issued_by_name: str = "",
) -> Handout:
    """An unsaved handout holding `conditions` (built by build_condition, in their order) with
    the visit's choices (the patient, the visit date, the note, printing)."""
    handout = Handout(
        language=conditions[0].article.language,
        issued_by_name=issued_by_name or (display_name(issued_by) if issued_by else ""),
        issued_at=timezone.now(),
        **choices,
    )
    if issued_by is not None:  # rendering without a record (command line) has no issuer
        handout.issued_by = issued_by
    handout.refresh_derived_fields()
    handout.set_conditions(conditions)
    return handout


def build_handout(
    article: Article,
    choices: dict,
    *,
    issued_by: User | None,
    issued_by_name: str = "",
    snapshot: Snapshot | None = None,
) -> Handout:
    """An unsaved one-condition handout: build_visit with the article's condition alone,
    `choices` holding the visit's and the condition's together."""
    visit, condition = split_choices(choices)
    return build_visit(
        [build_condition(article, condition, snapshot=snapshot)],
        visit,
        issued_by=issued_by,
        issued_by_name=issued_by_name,
    )


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
    """issue_visit for a one-condition handout (see build_handout)."""
    visit, condition = split_choices(choices)
    return issue_visit(
        [build_condition(article, condition, snapshot=snapshot)],
        visit,
        issued_by=issued_by,
        issue_token=issue_token,
        clinic=clinic,
    )


def issue_visit(
    conditions: list[HandoutCondition],
    choices: dict,
    *,
    issued_by: User,
    issue_token: uuid.UUID,
    clinic: ClinicProfile,
) -> tuple[Handout, bool]:
    """Render and save a handout of one or more conditions; returns (handout, created).

    A form submitted twice carries the same issue token and gets the first handout back.
    Rendering happens before anything is written, so a failed render leaves no record.
    Raises ClinicNotReady while the clinic profile lacks a name, phone or emergency number.
    The caller passes the clinic profile it already loaded for the request.
    """
    existing = Handout.objects.filter(issue_token=issue_token, issued_by=issued_by).first()
    if existing:
        return existing, False
    require_clinic_ready(clinic)
    handout = build_visit(conditions, choices, issued_by=issued_by)
    handout.issue_token = issue_token
    stored_pdf = handout.store_pdf(render_handout_pdf(handout, clinic))
    try:
        with transaction.atomic():
            handout.save()
            handout.save_conditions()
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
