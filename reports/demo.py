"""Demo visits and what their patients did, for `make demo`: enough for the engagement
dashboard's charts to show something. Clearly fake: the patients are "Demo Patient 01" and so
on, issued by the demo clinician over the recent weeks; the events follow a fixed pattern.

A demo visit's PDF is one page saying it is a made-up visit, the same for all: rendering a
real handout for each (about a second and a half apiece) would add minutes to `make demo`,
and a handout printed for a made-up patient would only look real.
"""

import datetime
import itertools

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from education.models import Article
from education.snapshot import build_snapshot
from handouts.forms import default_choices
from handouts.issuing import build_handout, require_clinic_ready
from handouts.models import Handout, HandoutEvent
from portal.models import ClinicProfile

DEMO_PATIENT = "Demo Patient"
DEMO_WEEKS = 10
DEMO_VISITS = 120

# Of every ten handouts (in the order they are made), the first seven get a patient link and
# the first three of those an email; of every seven, five links are opened. Hours from issue
# to the first open, taken in turn: most within 72 hours, some later.
LINKED_OF_TEN, EMAILED_OF_TEN, OPENED_OF_SEVEN = 7, 3, 5
HOURS_TO_OPEN = [1, 2, 5, 12, 26, 48, 96, 200]
Kind = HandoutEvent.Kind


# An event of the pattern: its kind, when, and whether staff did it (else the patient).
PatternEvent = tuple[str, datetime.datetime, bool]


def event_pattern(
    issued: datetime.datetime, index: int, *, at_least: int = 0
) -> list[PatternEvent]:
    """The events of the `index`-th made-up handout, issued at `issued`, as staff and its
    patient would leave them: issued and printed; a link created, then emailed or its slip
    printed; the link opened, a wrong code now and then, the right one, read, sometimes
    downloaded; then read again (or, unshared, downloaded by staff) until there are
    `at_least`."""
    minute = datetime.timedelta(minutes=1)
    events: list[PatternEvent] = [
        (Kind.ISSUED, issued, True),
        (Kind.PRINTED, issued + minute, True),
    ]
    linked = index % 10 < LINKED_OF_TEN
    opened = linked and index % 7 < OPENED_OF_SEVEN
    if linked:
        shared = Kind.EMAIL_SENT if index % 10 < EMAILED_OF_TEN else Kind.SLIP_PRINTED
        events += [
            (Kind.LINK_CREATED, issued + 2 * minute, True),
            (shared, issued + 3 * minute, True),
        ]
    hours = HOURS_TO_OPEN[index // 10 % len(HOURS_TO_OPEN)]
    first_open = issued + datetime.timedelta(hours=hours)
    if opened:
        events.append((Kind.LINK_OPENED, first_open - minute, False))
        if index % 6 == 1:
            events.append((Kind.CODE_FAILED, first_open - minute, False))
        events += [
            (Kind.CODE_ACCEPTED, first_open, False),
            (Kind.PATIENT_VIEWED, first_open, False),
        ]
        if index % 3 == 0:
            events.append((Kind.PATIENT_DOWNLOADED, first_open + 5 * minute, False))
    day = datetime.timedelta(days=1)
    while len(events) < at_least:
        later = len(events) * day
        events.append(
            (Kind.PATIENT_VIEWED, first_open + later, False)
            if opened
            else (Kind.STAFF_DOWNLOADED, issued + later, True)
        )
    return events


def events_of(handout: Handout, index: int, now: datetime.datetime) -> list[HandoutEvent]:
    """The pattern's events of a saved handout, up to `now` (unsaved, for bulk_create).
    Patient-side events name no share link."""
    return [
        HandoutEvent(
            handout=handout,
            kind=kind,
            at=at,
            staff_id=handout.issued_by_id if by_staff else None,
            device="" if by_staff else HandoutEvent.Device.PHONE,
        )
        for kind, at, by_staff in event_pattern(handout.issued_at, index)
        if at <= now
    ]


def demo_visits_exist() -> bool:
    return Handout.objects.filter(patient_name__startswith=f"{DEMO_PATIENT} ").exists()


def ensure_demo_visits(
    clinician: User, *, visits: int = DEMO_VISITS, weeks: int = DEMO_WEEKS
) -> int:
    """Issue `visits` demo handouts spread over the last `weeks` weeks, with made-up events,
    across the published articles in every language. Returns how many
    were made: none when demo visits exist already (it runs on every `make demo`)."""
    if demo_visits_exist():
        return 0
    articles = list(Article.objects.published().select_related("condition").order_by("pk"))
    if not articles:
        return 0
    clinic = ClinicProfile.load()
    require_clinic_ready(clinic)
    pdf = demo_pdf()
    now = timezone.now()
    span = datetime.timedelta(weeks=weeks)
    # Conditions are chosen unevenly, so some bars are long and some show "<5".
    choice = itertools.cycle(i for i in range(len(articles)) for _ in range(len(articles) - i))
    for index in range(visits):
        article = articles[next(choice)]
        snapshot = build_snapshot(article)
        issued_at = now - span + span * (index + 0.5) / visits
        handout = build_handout(
            article,
            default_choices(snapshot, clinic, patient_name=f"{DEMO_PATIENT} {index + 1:02d}"),
            issued_by=clinician,
            snapshot=snapshot,
        )
        handout.issued_at = issued_at
        handout.visit_date = timezone.localdate(issued_at)
        stored_pdf = handout.store_pdf(pdf)
        with transaction.atomic():
            handout.save()
            handout.save_conditions()
            stored_pdf.save()
            HandoutEvent.objects.bulk_create(events_of(handout, index, now))
    return visits


DEMO_PDF_HTML = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Demo visit</title></head><body><h1>Demo visit</h1>
<p>This visit was made up for the engagement dashboard of the demo. No handout was printed
for it: issue one from the library to see a real handout.</p></body></html>"""


def demo_pdf() -> bytes:
    """The one-page PDF every demo visit holds."""
    import weasyprint  # only here: the demo's one render

    pdf: bytes = weasyprint.HTML(string=DEMO_PDF_HTML).write_pdf(pdf_variant="pdf/ua-1")
    return pdf
