"""Emailing a patient their link. The message holds the link only: no name, no condition and
no access code, since email can be read by others. The address is used once and not kept."""

import datetime

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from portal.models import ClinicProfile


def send_share_link_email(
    address: str, *, url: str, expires_at: datetime.datetime, language: str, clinic: ClinicProfile
) -> None:
    context = {"url": url, "expires_at": expires_at, "clinic": clinic}
    with translation.override(language):
        subject = render_to_string("handouts/email/share_link_subject.txt", context).strip()
        body = render_to_string("handouts/email/share_link_body.txt", context)
    EmailMessage(subject=subject, body=body, to=[address]).send()
