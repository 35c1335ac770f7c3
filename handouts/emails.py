"""Emailing a patient their link. The message holds the link only: no name, no condition and
no access code, since email can be read by others. The address is used once and not kept.

The clinician's request only queues the email: `queue_link_email`, in the transaction that
creates the link, stores a LinkEmail and a task for it. The worker (`manage.py db_worker`) runs
`deliver_link_email`, which tries again after each of RETRY_DELAYS while the mail server is
unreachable or says "later", and gives up after MAX_ATTEMPTS, or at once when the server
refuses the address or the message for good (a 5xx reply). A slow or broken mail server so
never slows or fails the request.

Delivery is at least once: a worker that dies after the mail server took the message, before
it could record so, leaves the next attempt to send it again. A link a patient needs is worth
a rare duplicate; each email keeps one Message-ID across its attempts (`message_id`), so the
duplicate is the same message to mail software, which may show it once.

The email needs the address and the link, whose token is stored nowhere else (the database
keeps only its hash). Task arguments are stored in clear, so they hold only the LinkEmail's id;
the address and link wait on the LinkEmail sealed with Fernet (AES and an HMAC) under a key
derived from SECRET_KEY, and are erased as soon as the email is sent, given up or cancelled. A
copy of the database alone reveals neither; with SECRET_KEY too, only emails still waiting.
"""

import base64
import datetime
import json
import logging
import smtplib
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac

from handouts.events import record_event
from handouts.models import HandoutEvent, LinkEmail, LinkEmailQuerySet, ShareLink
from portal.models import ClinicProfile

logger = logging.getLogger(__name__)
Status = LinkEmail.Status
# How long the worker waits before each new attempt: about 8.5 hours from the first to the
# last, enough for a mail server to come back from most outages while the patient still
# remembers the visit.
RETRY_DELAYS = (
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
    datetime.timedelta(hours=6),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
SEAL_PURPOSE = "handouts.emails.LinkEmail.sealed"


MESSAGE_ID_PURPOSE = "handouts.emails.LinkEmail.message_id"


def send_share_link_email(
    address: str,
    *,
    url: str,
    expires_at: datetime.datetime,
    language: str,
    clinic: ClinicProfile,
    message_id: str,
) -> None:
    context = {"url": url, "expires_at": expires_at, "clinic": clinic}
    with translation.override(language):
        subject = render_to_string("handouts/email/share_link_subject.txt", context).strip()
        body = render_to_string("handouts/email/share_link_body.txt", context)
    EmailMessage(
        subject=subject, body=body, to=[address], headers={"Message-ID": message_id}
    ).send()


def message_id(email: LinkEmail, url: str) -> str:
    """The same for every attempt at `email`, and unlike any other portal's: an HMAC of its id
    under SECRET_KEY (opaque to the patient), at the portal's own host name. Not Django's
    make_msgid, which differs on each call and names the worker machine."""
    digest = salted_hmac(MESSAGE_ID_PURPOSE, str(email.pk), algorithm="sha256").hexdigest()
    return f"<link-email.{digest[:32]}@{urlsplit(url).hostname}>"


def queue_link_email(link: ShareLink, *, address: str, url: str) -> LinkEmail:
    """Call inside the transaction that creates the link: the email and its task are saved
    with the link or not at all, and no worker sees them before the link exists."""
    email = LinkEmail.objects.create(
        share_link=link, sealed=seal(address, url), next_attempt_at=timezone.now()
    )
    deliver_link_email.enqueue(email.pk, 1)
    return email


def retry_delay(attempt: int) -> datetime.timedelta:
    """How long after attempt number `attempt` (from 1) the next one is due."""
    return RETRY_DELAYS[min(attempt, len(RETRY_DELAYS)) - 1]


@task
def deliver_link_email(email_id: int, attempt: int) -> None:
    """One attempt, run by the worker. Each attempt first queues the next, so an email whose
    worker died while sending is still tried again, or given up, and never left waiting."""
    email = _start_attempt(email_id, attempt)
    if email is None:
        return
    link = email.share_link
    try:
        address, url = unseal(email.sealed)
        send_share_link_email(
            address,
            url=url,
            expires_at=link.expires_at,
            language=link.handout.language,
            clinic=ClinicProfile.load(),
            message_id=message_id(email, url),
        )
    except Exception as error:
        # Whatever went wrong, only its class name is kept: a message may quote the address.
        _attempt_failed(email, attempt, error)
    else:
        _attempt_succeeded(email)


# Each step below changes the LinkEmail by a conditional UPDATE before it reads anything. A
# task for an attempt already made, or for an email already finished, so changes nothing; and
# on SQLite the transaction holds the write lock from its first statement (one that reads
# first fails at once, "database is locked", when the web server writes meanwhile).


def _start_attempt(email_id: int, attempt: int) -> LinkEmail | None:
    """Count the attempt and queue the next; None when there is nothing to send."""
    now = timezone.now()
    emails = LinkEmail.objects.filter(pk=email_id)
    with transaction.atomic():
        if attempt > MAX_ATTEMPTS:
            # Only reached when the last attempt never reported back.
            _give_up(emails.filter(attempts=MAX_ATTEMPTS), now)
            return None
        claimed = emails.filter(status=Status.PENDING, attempts=attempt - 1).update(
            attempts=attempt, next_attempt_at=now + retry_delay(attempt)
        )
        if not claimed:
            return None
        email = emails.select_related("share_link__handout").get()
        link = email.share_link
        if link.revoked_at is not None or link.expires_at <= now:
            emails.finish(Status.CANCELLED, now)
            return None
        deliver_link_email.using(run_after=email.next_attempt_at).enqueue(email_id, attempt + 1)
    return email


def _attempt_succeeded(email: LinkEmail) -> None:
    with transaction.atomic():
        if LinkEmail.objects.filter(pk=email.pk).finish(Status.SENT, timezone.now()):
            link = email.share_link
            record_event(
                link.handout, HandoutEvent.Kind.EMAIL_SENT, staff=link.created_by, share_link=link
            )


def _attempt_failed(email: LinkEmail, attempt: int, error: Exception) -> None:
    refused = _refused_for_good(error)
    reason = _reason(error)
    emails = LinkEmail.objects.filter(pk=email.pk)
    with transaction.atomic():
        if not emails.filter(status=Status.PENDING).update(last_error=reason, refused=refused):
            return
        logger.warning(
            "Emailing the link of handout %s failed, attempt %d of %d (%s)",
            email.share_link.handout.public_id,
            attempt,
            MAX_ATTEMPTS,
            reason,
        )
        # A seal no configured key opens (SECRET_KEY replaced without a fallback) never will.
        if refused or attempt >= MAX_ATTEMPTS or isinstance(error, InvalidToken):
            _give_up(emails, timezone.now())


def _reply_codes(error: Exception) -> list[int]:
    """The mail server's reply codes to the address (RCPT) or to the message (DATA)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return [code for code, _reply in error.recipients.values()]
    if isinstance(error, smtplib.SMTPDataError):
        return [error.smtp_code]
    return []


def _refused_for_good(error: Exception) -> bool:
    """The mail server refused the address or the message with a 5xx reply, not 4xx "try
    later": another try would fail the same way."""
    codes = _reply_codes(error)
    return bool(codes) and all(500 <= code < 600 for code in codes)


def _reason(error: Exception) -> str:
    """What is kept of the error: its class name and the server's reply codes, never its
    message, which may quote the address (`SMTPDataError 550`)."""
    return " ".join([type(error).__name__, *map(str, _reply_codes(error))])[:100]


def _give_up(emails: LinkEmailQuerySet, now: datetime.datetime) -> None:
    if emails.finish(Status.FAILED, now):
        link = ShareLink.objects.select_related("handout").get(email__in=emails)
        record_event(link.handout, HandoutEvent.Kind.EMAIL_FAILED, share_link=link)


def _fernet() -> MultiFernet:
    # SECRET_KEY_FALLBACKS too, so emails still waiting survive a key rotation.
    keys = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return MultiFernet(
        [
            Fernet(
                base64.urlsafe_b64encode(
                    salted_hmac(SEAL_PURPOSE, "", secret=key, algorithm="sha256").digest()
                )
            )
            for key in keys
        ]
    )


def seal(address: str, url: str) -> str:
    return _fernet().encrypt(json.dumps({"to": address, "url": url}).encode()).decode()


def unseal(sealed: str) -> tuple[str, str]:
    """Raises InvalidToken when the seal was made with a key no longer configured."""
    opened = json.loads(_fernet().decrypt(sealed.encode()))
    return opened["to"], opened["url"]
