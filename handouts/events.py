"""Recording what happens to a handout (HandoutEvent), without patient data."""

import datetime
import re
from typing import TYPE_CHECKING

from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from handouts.models import (
    ENGAGEMENT_KINDS,
    LOCK_FOR,
    REVOKE_AFTER,
    Handout,
    HandoutEngagement,
    HandoutEvent,
    ShareLink,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # a str or gettext_lazy's; django-stubs only

Kind = HandoutEvent.Kind
TABLET = re.compile(r"iPad|Tablet|Android(?!.*Mobile)", re.IGNORECASE)
PHONE = re.compile(r"Mobi|iPhone|Android", re.IGNORECASE)


def record_event(
    handout: Handout,
    kind: str,
    *,
    staff: User | None = None,
    share_link: ShareLink | None = None,
    device: str = "",
) -> HandoutEvent:
    """Call inside the transaction of the action being recorded. The issue, and an event that
    says what reached the patient, (re)state the handout's engagement in that transaction."""
    with transaction.atomic(savepoint=False):  # the caller's, else its own
        event = HandoutEvent.objects.create(
            handout=handout, kind=kind, staff=staff, share_link=share_link, device=device
        )
        if kind in ENGAGEMENT_KINDS:
            HandoutEngagement.objects.refresh([handout.pk])
    return event


def device_class(request: HttpRequest) -> str:
    """Only the kind of device is kept, never the user agent itself."""
    agent = request.headers.get("User-Agent", "")
    if TABLET.search(agent):
        return HandoutEvent.Device.TABLET
    if PHONE.search(agent):
        return HandoutEvent.Device.PHONE
    return HandoutEvent.Device.COMPUTER


PATIENT_SIDE = {
    Kind.LINK_OPENED,
    Kind.CODE_FAILED,
    Kind.CODE_ACCEPTED,
    Kind.PATIENT_VIEWED,
    Kind.PATIENT_DOWNLOADED,
    Kind.ANSWERED,
    Kind.OWN_WORDS,
}
WHAT_HAPPENED: dict[str, "StrOrPromise"] = {
    Kind.ISSUED: gettext_lazy("Issued"),
    Kind.STAFF_DOWNLOADED: gettext_lazy("PDF downloaded"),
    Kind.PRINTED: gettext_lazy("Opened for printing"),
    Kind.LINK_CREATED: gettext_lazy("Patient link created"),
    Kind.SLIP_PRINTED: gettext_lazy("Access slip printed"),
    Kind.EMAIL_SENT: gettext_lazy("Link emailed to the patient"),
    Kind.EMAIL_FAILED: gettext_lazy("Link email not delivered"),
    Kind.LINK_OPENED: gettext_lazy("Link opened"),
    Kind.CODE_FAILED: gettext_lazy("Wrong access code entered"),
    Kind.CODE_ACCEPTED: gettext_lazy("Access code accepted"),
    Kind.PATIENT_VIEWED: gettext_lazy("Read by the patient"),
    Kind.PATIENT_DOWNLOADED: gettext_lazy("PDF downloaded by the patient"),
    Kind.PURGED: gettext_lazy("Personal data removed at the end of the retention period"),
    # What was answered, and whether it was right, is on the handout's page, not here.
    Kind.ANSWERED: gettext_lazy("Check question answered"),
    Kind.OWN_WORDS: gettext_lazy("Patient wrote what they will do"),
}
REVOKED_BECAUSE: dict[str, "StrOrPromise"] = {
    ShareLink.RevokedBecause.STAFF: gettext_lazy("Patient link revoked"),
    ShareLink.RevokedBecause.REPLACED: gettext_lazy("Patient link replaced by a new one"),
}
# What happened, on which kind of device: "Link opened on a phone".
ON_DEVICE: dict[str, "StrOrPromise"] = {
    HandoutEvent.Device.PHONE: gettext_lazy("%(event)s on a phone"),
    HandoutEvent.Device.TABLET: gettext_lazy("%(event)s on a tablet"),
    HandoutEvent.Device.COMPUTER: gettext_lazy("%(event)s on a computer"),
}


def describe_events(handout: Handout) -> list[dict]:
    """The handout's history in plain words, oldest first: "Link opened on a phone, 2 days
    after the visit"."""
    described = []
    for event in handout.events.select_related("staff", "share_link"):
        text = _what_happened(event)
        if event.device:
            # Translators: %(event)s is what happened, %(device)s the kind of device ("a phone").
            on_device = ON_DEVICE.get(event.device, gettext_lazy("%(event)s on %(device)s"))
            text = on_device % {"event": text, "device": event.get_device_display()}
        if event.kind in PATIENT_SIDE:
            # Translators: %(event)s is what happened, %(when)s when, as in "2 days after the
            # visit".
            text = _("%(event)s, %(when)s") % {
                "event": text,
                "when": _after_visit(event.at.date() - handout.visit_date),
            }
        if event.staff:
            # Translators: %(event)s is what happened, %(person)s the staff member's name.
            text = _("%(event)s by %(person)s") % {
                "event": text,
                "person": event.staff.get_full_name() or event.staff.get_username(),
            }
        described.append({"at": event.at, "kind": event.kind, "text": text})
    return described


def _what_happened(event: HandoutEvent) -> str:
    """The event in plain words. A lock or a revocation for wrong codes names its limit, from
    the constants in handouts.models."""
    if event.kind == Kind.LINK_LOCKED:
        minutes = LOCK_FOR // datetime.timedelta(minutes=1)
        return ngettext(
            "Link locked for %(minutes)d minute after too many wrong codes",
            "Link locked for %(minutes)d minutes after too many wrong codes",
            minutes,
        ) % {"minutes": minutes}
    if event.kind == Kind.LINK_REVOKED and event.share_link:
        because = event.share_link.revoked_because
        if because == ShareLink.RevokedBecause.TOO_MANY_ATTEMPTS:
            return ngettext(
                "Patient link revoked after %(count)d wrong code",
                "Patient link revoked after %(count)d wrong codes",
                REVOKE_AFTER,
            ) % {"count": REVOKE_AFTER}
        return str(REVOKED_BECAUSE.get(because, gettext_lazy("Patient link revoked")))
    return str(WHAT_HAPPENED.get(event.kind, event.get_kind_display()))


def _after_visit(delta: datetime.timedelta) -> str:
    days = delta.days
    if days == 0:
        return _("on the day of the visit")
    if days < 0:
        return ngettext(
            "%(days)d day before the visit", "%(days)d days before the visit", -days
        ) % {"days": -days}
    return ngettext("%(days)d day after the visit", "%(days)d days after the visit", days) % {
        "days": days
    }
