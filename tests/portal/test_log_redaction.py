"""No patient-link token or email address reaches a log line or the development console, even
when some code passes one along by mistake."""

import io
import logging

import pytest
from django.contrib.auth.models import User
from django.core.mail import EmailMessage
from django.test import Client

from education.models import Article
from portal.logging import RedactPatientLinks, StructuredFormatter, redact
from portal.mail import RedactingConsoleBackend

TOKEN = "Zq3xY8vB2nM4kL6pR1sT0w"


def test_redact_removes_link_tokens_and_addresses_and_keeps_the_rest() -> None:
    text = f"Sent https://portal.test/p/{TOKEN}/ to Zoë.Núñez+1@mail.example.org at 09:00"
    assert redact(text) == "Sent https://portal.test/p/[redacted]/ to [address redacted] at 09:00"
    assert redact("portal@localhost and 3 @ 4") == "portal@localhost and 3 @ 4"


def test_redact_removes_fhir_search_queries_which_name_patients() -> None:
    line = '"GET /fhir/R4/DocumentReference?patient.identifier=MRN-0042&_count=5 HTTP/1.1" 200'
    assert redact(line) == '"GET /fhir/R4/DocumentReference?[redacted] HTTP/1.1" 200'
    assert redact("GET /fhir/R4/metadata HTTP/1.1") == "GET /fhir/R4/metadata HTTP/1.1"


def test_log_lines_and_their_tracebacks_are_redacted() -> None:
    logger = logging.getLogger("tests.redaction")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(StructuredFormatter())
    handler.addFilter(RedactPatientLinks())
    logger.addHandler(handler)
    try:
        logger.warning("Emailing %s failed", "zoe@example.org")
        try:
            raise ValueError(f"Invalid address 'zoe@example.org' for /p/{TOKEN}/")
        except ValueError:
            logger.exception("Sending failed")
    finally:
        logger.removeHandler(handler)
    warning, error = stream.getvalue().splitlines()
    for line in (warning, error):
        assert "zoe@example.org" not in line and TOKEN not in line
        assert "[address redacted]" in line
    assert "ValueError" in error and "/p/[redacted]" in error


def test_the_development_mail_backend_prints_the_message_but_not_who_to_or_the_link() -> None:
    stream = io.StringIO()
    message = EmailMessage(
        subject="Your handout",
        body=f"Open https://portal.test/p/{TOKEN}/ on your phone.",
        from_email="portal@clinic.example",
        to=["zoe@example.org"],
    )
    RedactingConsoleBackend(stream=stream).send_messages([message])
    printed = stream.getvalue()
    assert "Subject: Your handout" in printed and "on your phone" in printed
    assert "To: 1 recipient(s), not shown" in printed
    assert "zoe@example.org" not in printed and TOKEN not in printed


@pytest.mark.django_db
def test_a_refused_permission_is_one_log_line_naming_the_user_without_a_traceback(
    client: Client, front_desk: User, sample_article: Article
) -> None:
    # The handler settings.LOGGING configures, writing to a buffer for the test.
    [handler] = [
        h for h in logging.getLogger().handlers if isinstance(h.formatter, StructuredFormatter)
    ]
    assert isinstance(handler, logging.StreamHandler)
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        client.force_login(front_desk)
        response = client.get(f"/handouts/new/{sample_article.condition.slug}/en/")
    finally:
        handler.setStream(previous)
    assert response.status_code == 403
    [line] = stream.getvalue().splitlines()
    assert "level=WARNING logger=django.request" in line
    assert 'msg="Forbidden (Permission denied): /handouts/new/' in line
    assert f"(user {front_desk.pk})" in line
    assert "exc=" not in line and "Traceback" not in line
