"""Recording what happens to a handout (HandoutEvent), without patient data."""

import re

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest

from handouts.models import Handout, HandoutEvent, ShareLink

Kind = HandoutEvent.Kind
TABLET = re.compile(r"iPad|Tablet|Android(?!.*Mobile)", re.IGNORECASE)
PHONE = re.compile(r"Mobi|iPhone|Android", re.IGNORECASE)


def record_event(handout: Handout, kind: str, *, staff: AbstractBaseUser | None = None,
                 share_link: ShareLink | None = None, device: str = "") -> HandoutEvent:
    """Call inside the transaction of the action being recorded."""
    return HandoutEvent.objects.create(handout=handout, kind=kind, staff=staff,
                                       share_link=share_link, device=device)


def device_class(request: HttpRequest) -> str:
    """Only the kind of device is kept, never the user agent itself."""
    agent = request.headers.get("User-Agent", "")
    if TABLET.search(agent):
        return HandoutEvent.Device.TABLET
    if PHONE.search(agent):
        return HandoutEvent.Device.PHONE
    return HandoutEvent.Device.COMPUTER


PATIENT_SIDE = {Kind.LINK_OPENED, Kind.CODE_FAILED, Kind.CODE_ACCEPTED, Kind.PATIENT_VIEWED,
                Kind.PATIENT_DOWNLOADED}
WHAT_HAPPENED = {
    Kind.ISSUED: "Issued",
    Kind.STAFF_DOWNLOADED: "PDF downloaded",
    Kind.PRINTED: "Opened for printing",
    Kind.LINK_CREATED: "Patient link created",
    Kind.SLIP_PRINTED: "Access slip printed",
    Kind.EMAIL_SENT: "Link emailed to the patient",
    Kind.LINK_OPENED: "Link opened",
    Kind.CODE_FAILED: "Wrong access code entered",
    Kind.LINK_LOCKED: "Link locked for 15 minutes after too many wrong codes",
    Kind.CODE_ACCEPTED: "Access code accepted",
    Kind.PATIENT_VIEWED: "Read by the patient",
    Kind.PATIENT_DOWNLOADED: "PDF downloaded by the patient",
    Kind.PURGED: "Personal data removed at the end of the retention period",
}
REVOKED_BECAUSE = {
    ShareLink.RevokedBecause.STAFF: "Patient link revoked",
    ShareLink.RevokedBecause.REPLACED: "Patient link replaced by a new one",
    ShareLink.RevokedBecause.TOO_MANY_ATTEMPTS: "Patient link revoked after 10 wrong codes",
    ShareLink.RevokedBecause.PURGED: "Patient link removed at the end of the retention period",
}


def describe_events(handout: Handout) -> list[dict]:
    """The handout's history in plain words, oldest first: "Link opened on a phone, 2 days
    after the visit"."""
    described = []
    for event in handout.events.select_related("staff", "share_link"):
        if event.kind == Kind.LINK_REVOKED and event.share_link:
            text = REVOKED_BECAUSE.get(event.share_link.revoked_because, "Patient link revoked")
        else:
            text = WHAT_HAPPENED.get(event.kind, event.get_kind_display())
        if event.device:
            text += f" on {event.get_device_display()}"
        if event.kind in PATIENT_SIDE:
            text += f", {_after_visit(event.at.date() - handout.visit_date)}"
        if event.staff:
            text += f" by {event.staff.get_full_name() or event.staff.get_username()}"
        described.append({"at": event.at, "kind": event.kind, "text": text})
    return described


def _after_visit(delta) -> str:
    days = delta.days
    if days == 0:
        return "on the day of the visit"
    if days < 0:
        return f"{-days} day{'s' if days != -1 else ''} before the visit"
    return f"{days} day{'s' if days != 1 else ''} after the visit"
