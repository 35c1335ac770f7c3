"""Emailing a patient their link goes through the task queue: the clinician's request only
queues it, the worker sends it through a real (local) SMTP server, tries again with growing
delays while the server is away, and the handout's page says what became of it. The address
and token never reach the queue in clear, the logs or the console."""

import asyncio
import datetime
import itertools
import logging
import socket
import time
from collections.abc import Callable, Iterator
from email import message_from_bytes
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from cryptography.fernet import InvalidToken
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from pytest_django import Settings
from time_machine import TimeMachineFixture

from education.models import Article
from handouts.emails import MAX_ATTEMPTS, RETRY_DELAYS, seal, unseal
from handouts.models import Handout, HandoutEvent, LinkEmail, ShareLink
from tests.handouts.helpers import run_worker, share, shown_secrets
from tests.helpers import present

ADDRESS = "zoe.nunez@example.org"
Kind = HandoutEvent.Kind
Status = LinkEmail.Status


class MailServer:
    """An SMTP server on this machine that takes messages or, while `refuse` holds a reply
    (such as "451 4.3.0 Try again later"), refuses every recipient with it; while
    `refuse_data` holds one, it takes the recipient and refuses the message; while `stall`
    holds a number of seconds, it takes the message and waits that long before saying so."""

    def __init__(self) -> None:
        self.refuse: str | None = None
        self.refuse_data: str | None = None
        self.stall = 0.0
        self.received: list[Message] = []
        self.recipients: list[str] = []

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if self.refuse:
            return self.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.refuse_data:
            return self.refuse_data
        assert isinstance(envelope.content, bytes)  # the server keeps the data undecoded
        self.received.append(message_from_bytes(envelope.content))
        self.recipients.extend(envelope.rcpt_tos)
        await asyncio.sleep(self.stall)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def use_mail_server(settings: Settings, port: int) -> None:
    """The production mailer (portal/settings.py with SMTP_HOST set), on this machine."""
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": 5},
        }
    }


@pytest.fixture
def mail_server(settings: Settings) -> Iterator[MailServer]:
    server = MailServer()
    controller = Controller(server, hostname="127.0.0.1", port=free_port())
    # The server stands in for the clinic's mail provider: its own log of the conversation,
    # which names the recipient, is not the portal's.
    server_log = logging.getLogger("mail.log")
    server_log.disabled = True
    controller.start()
    use_mail_server(settings, controller.port)
    yield server
    controller.stop()
    server_log.disabled = False


@pytest.fixture
def no_mail_server(settings: Settings) -> None:
    """Connections to the mail server's port are refused: it is down."""
    use_mail_server(settings, free_port())


def email_status(client: Client, handout: Handout) -> str:
    html = client.get(handout.get_absolute_url()).content.decode()
    start = html.index("link-email-status")
    return " ".join(html[start : html.index("</", start)].split())


def body(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)  # a single-part message, its transfer encoding undone
    return payload.decode(present(message.get_content_charset()))


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_the_queued_email_through_the_mail_server(
    client: Client, front_desk: User, handout: Handout, mail_server: MailServer
) -> None:
    client.force_login(front_desk)
    response = share(client, handout, email=ADDRESS)
    url, code = shown_secrets(response)
    assert "The link will be emailed to the patient in a moment" in response.content.decode()
    assert mail_server.received == []  # the request only queued it
    assert "waiting to be sent" in email_status(client, handout)

    run_worker()

    [message] = mail_server.received
    assert mail_server.recipients == [ADDRESS] and message["To"] == ADDRESS
    text = message["Subject"] + body(message)
    assert url in text
    for secret in ["Zoë", "Núñez", "O'Brien", "edema", "marrow", code, code[:4]]:
        assert secret not in text, secret
    assert "Riverside Sports Clinic" in message["Subject"]
    email = LinkEmail.objects.get()
    assert (email.status, email.attempts, email.sealed) == (Status.SENT, 1, "")
    assert "Email to the patient: sent on" in email_status(client, handout)
    html = client.get(handout.get_absolute_url()).content.decode()
    assert "Link emailed to the patient by Frontdesk" in html
    run_worker()  # the next attempt, queued in case this one never reported back, does nothing
    assert len(mail_server.received) == 1


@pytest.mark.django_db(transaction=True)
def test_neither_the_address_nor_the_token_is_stored_in_clear(
    client: Client, front_desk: User, handout: Handout, mail_server: MailServer
) -> None:
    client.force_login(front_desk)
    url, _code = shown_secrets(share(client, handout, email=ADDRESS))
    token = url.rsplit("/", 2)[-2]
    email = LinkEmail.objects.get()
    assert email.sealed and unseal(email.sealed) == (ADDRESS, url)

    def stored() -> str:
        return str(
            [
                list(model.objects.values())
                for model in (DBTaskResult, LinkEmail, ShareLink, HandoutEvent)
            ]
        )

    for secret in [ADDRESS, "zoe.nunez", token]:
        assert secret not in stored(), secret
    [task] = DBTaskResult.objects.all()
    assert task.args_kwargs == {"args": [email.pk, 1], "kwargs": {}}
    run_worker()
    assert LinkEmail.objects.get().sealed == ""  # erased once sent
    for secret in [ADDRESS, "zoe.nunez", token]:
        assert secret not in stored(), secret


def test_a_mail_server_that_never_answers_does_not_slow_the_request(
    client: Client, front_desk: User, handout: Handout, settings: Settings
) -> None:
    # Takes the connection and never says a word: sending would wait for the whole timeout.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        use_mail_server(settings, silent.getsockname()[1])
        settings.MAILERS["default"]["OPTIONS"]["timeout"] = 30
        client.force_login(front_desk)
        started = time.monotonic()
        response = share(client, handout, email=ADDRESS)
        assert time.monotonic() - started < 5
    assert response.status_code == 200
    assert LinkEmail.objects.get().status == Status.PENDING


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_that_is_down_is_retried_with_growing_delays_then_given_up(
    client: Client,
    front_desk: User,
    handout: Handout,
    no_mail_server: None,
    time_machine: TimeMachineFixture,
) -> None:
    time_machine.move_to(datetime.datetime(2027, 2, 2, 9, 0, tzinfo=datetime.UTC), tick=False)
    client.force_login(front_desk)
    started = time.monotonic()
    assert share(client, handout, email=ADDRESS).status_code == 200
    assert time.monotonic() - started < 5
    tried_at = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        run_worker()
        email = LinkEmail.objects.get()
        assert email.attempts == attempt
        tried_at.append(datetime.datetime.now(datetime.UTC))
        if attempt < MAX_ATTEMPTS:
            assert email.status == Status.PENDING and email.last_error == "ConnectionRefusedError"
            assert email.next_attempt_at == tried_at[-1] + RETRY_DELAYS[attempt - 1]
            client.force_login(front_desk)  # signed out after 30 minutes away
            status = email_status(client, handout)
            assert "not sent yet" in status
            assert f"Next try at {email.next_attempt_at:%H:%M}" in status
            time_machine.shift(RETRY_DELAYS[attempt - 1] - datetime.timedelta(seconds=1))
            run_worker()  # not yet due
            assert LinkEmail.objects.get().attempts == attempt
            time_machine.shift(datetime.timedelta(seconds=1))
    gaps = [later - earlier for earlier, later in itertools.pairwise(tried_at)]
    assert gaps == list(RETRY_DELAYS)
    email = LinkEmail.objects.get()
    assert (email.status, email.sealed, email.refused) == (Status.FAILED, "", False)
    client.force_login(front_desk)
    assert f"not delivered after {MAX_ATTEMPTS} tries" in email_status(client, handout)
    assert "Link email not delivered" in client.get(handout.get_absolute_url()).content.decode()
    assert handout.events.filter(kind=Kind.EMAIL_FAILED).count() == 1
    time_machine.shift(datetime.timedelta(days=1))
    run_worker()
    assert LinkEmail.objects.get().attempts == MAX_ATTEMPTS
    assert handout.events.filter(kind=Kind.EMAIL_FAILED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_that_says_try_later_gets_the_email_when_it_is_back(
    client: Client,
    front_desk: User,
    handout: Handout,
    mail_server: MailServer,
    time_machine: TimeMachineFixture,
) -> None:
    time_machine.move_to(datetime.datetime(2027, 2, 2, 9, 0, tzinfo=datetime.UTC), tick=False)
    mail_server.refuse = "451 4.3.0 Try again later"
    client.force_login(front_desk)
    share(client, handout, email=ADDRESS)
    run_worker()
    email = LinkEmail.objects.get()
    assert (email.status, email.attempts, email.refused) == (Status.PENDING, 1, False)
    assert email.last_error == "SMTPRecipientsRefused 451"
    assert "(1 try). Next try at 09:01" in email_status(client, handout)
    mail_server.refuse = None
    time_machine.shift(RETRY_DELAYS[0])
    run_worker()
    assert mail_server.recipients == [ADDRESS]
    assert LinkEmail.objects.get().status == Status.SENT


@pytest.mark.parametrize(
    ("stage", "reply", "last_error", "shown"),
    [
        (
            "refuse",
            "550 5.1.1 No such mailbox",
            "SMTPRecipientsRefused 550",
            "the mail server refused the address",
        ),
        (
            "refuse_data",
            "550 5.7.1 Message rejected",
            "SMTPDataError 550",
            "the mail server refused the message (reply 550)",
        ),
    ],
    ids=["address", "message"],
)
@pytest.mark.django_db(transaction=True)
def test_an_address_or_message_the_mail_server_refuses_fails_at_once_and_says_so(
    client: Client,
    front_desk: User,
    handout: Handout,
    mail_server: MailServer,
    time_machine: TimeMachineFixture,
    stage: str,
    reply: str,
    last_error: str,
    shown: str,
) -> None:
    time_machine.move_to(datetime.datetime(2027, 2, 2, 9, 0, tzinfo=datetime.UTC), tick=False)
    setattr(mail_server, stage, reply)  # at RCPT, or at DATA after taking the address
    client.force_login(front_desk)
    share(client, handout, email=ADDRESS)
    run_worker()
    email = LinkEmail.objects.get()
    assert (email.status, email.attempts, email.refused, email.sealed, email.last_error) == (
        Status.FAILED,
        1,
        True,
        "",
        last_error,
    )
    assert shown in email_status(client, handout)
    assert handout.events.filter(kind=Kind.EMAIL_FAILED).count() == 1
    setattr(mail_server, stage, None)
    time_machine.shift(datetime.timedelta(days=1))
    run_worker()
    assert (LinkEmail.objects.get().attempts, mail_server.received) == (1, [])


@pytest.mark.django_db(transaction=True)
def test_a_message_sent_again_after_a_lost_reply_keeps_its_message_id(
    client: Client,
    front_desk: User,
    handout: Handout,
    issue: Callable[..., Handout],
    sample_article: Article,
    mail_server: MailServer,
    settings: Settings,
    time_machine: TimeMachineFixture,
) -> None:
    # The server takes the message but its "250" comes too late, as when the worker is killed
    # after sending: the next attempt sends it again, as the same message.
    time_machine.move_to(datetime.datetime(2027, 2, 2, 9, 0, tzinfo=datetime.UTC), tick=False)
    settings.MAILERS["default"]["OPTIONS"]["timeout"] = 0.5
    mail_server.stall = 1.5
    client.force_login(front_desk)
    url, _code = shown_secrets(share(client, handout, email=ADDRESS))
    share(client, issue(sample_article), email="other@example.org")  # another email, id
    run_worker()
    assert LinkEmail.objects.filter(status=Status.PENDING, attempts=1).count() == 2
    mail_server.stall = 0
    time_machine.shift(RETRY_DELAYS[0])
    run_worker()
    assert LinkEmail.objects.filter(status=Status.SENT).count() == 2
    ids: dict[str, list[str]] = {}
    for message in mail_server.received:
        ids.setdefault(message["To"], []).append(message["Message-ID"])
    [first, again], [other, other_again] = ids[ADDRESS], ids["other@example.org"]
    assert first == again != other == other_again
    host = url.split("/")[2]
    assert first.startswith("<link-email.") and first.endswith(f"@{host}>")
    for secret in [ADDRESS, "zoe.nunez", url.rsplit("/", 2)[-2], str(handout.public_id)]:
        assert secret not in first


@pytest.mark.django_db(transaction=True)
def test_a_replaced_or_revoked_link_is_not_emailed(
    client: Client, front_desk: User, handout: Handout, mail_server: MailServer
) -> None:
    client.force_login(front_desk)
    share(client, handout, email=ADDRESS)
    share(client, handout, email="other@example.org")
    replaced, waiting = LinkEmail.objects.order_by("pk")
    assert (replaced.status, replaced.sealed) == (Status.CANCELLED, "")
    assert waiting.status == Status.PENDING
    client.post(reverse("handouts:revoke_link", args=[handout.public_id]))
    assert LinkEmail.objects.get(pk=waiting.pk).status == Status.CANCELLED
    run_worker()
    assert mail_server.received == []
    assert not handout.events.filter(kind__in=[Kind.EMAIL_SENT, Kind.EMAIL_FAILED]).exists()


@pytest.mark.django_db(transaction=True)
def test_waiting_emails_survive_a_secret_key_rotation_but_not_a_lost_key(
    client: Client, front_desk: User, handout: Handout, mail_server: MailServer, settings: Settings
) -> None:
    client.force_login(front_desk)
    share(client, handout, email=ADDRESS)
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "new-" + "k" * 50, [old_key]
    run_worker()
    assert mail_server.recipients == [ADDRESS]

    share(client, handout, email=ADDRESS)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "lost-" + "k" * 50, []
    run_worker()
    email = present(LinkEmail.objects.order_by("pk").last())
    assert (email.status, email.attempts, email.last_error) == (Status.FAILED, 1, "InvalidToken")
    assert mail_server.recipients == [ADDRESS]


def test_a_seal_cannot_be_altered_unnoticed() -> None:
    sealed = seal(ADDRESS, "https://portal.test/p/abc/")
    assert ADDRESS not in sealed
    tampered = sealed[:-5] + ("A" if sealed[-5] != "A" else "B") + sealed[-4:]
    with pytest.raises(InvalidToken):
        unseal(tampered)


class Everything(logging.Handler):
    """Every record at every level, before any filter: what any log handler could be given."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        exc = logging.Formatter().formatException(record.exc_info) if record.exc_info else ""
        self.lines.append(record.getMessage() + exc + str(record.__dict__))


@pytest.fixture
def every_log_record() -> Iterator[list[str]]:
    handler, root = Everything(), logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler.lines
    root.removeHandler(handler)
    root.setLevel(previous)


@pytest.mark.django_db(transaction=True)
def test_in_development_the_console_shows_the_email_without_address_or_token(
    client: Client,
    front_desk: User,
    handout: Handout,
    settings: Settings,
    capfd: pytest.CaptureFixture[str],
    every_log_record: list[str],
) -> None:
    settings.DEBUG = True
    settings.MAILERS = {"default": {"BACKEND": "portal.mail.RedactingConsoleBackend"}}
    client.force_login(front_desk)
    url, _code = shown_secrets(share(client, handout, email=ADDRESS))
    token = url.rsplit("/", 2)[-2]
    run_worker()
    assert LinkEmail.objects.get().status == Status.SENT
    printed = capfd.readouterr()
    assert "Your handout from Riverside Sports Clinic" in printed.out
    assert "To: 1 recipient(s), not shown" in printed.out and "/p/[redacted]" in printed.out
    for secret in [ADDRESS, "zoe.nunez", token]:
        assert secret not in printed.out + printed.err, secret
        assert not any(secret in line for line in every_log_record), secret


@pytest.mark.django_db(transaction=True)
def test_a_refused_address_reaches_neither_the_log_nor_the_task_record(
    client: Client,
    front_desk: User,
    handout: Handout,
    mail_server: MailServer,
    capfd: pytest.CaptureFixture[str],
    every_log_record: list[str],
) -> None:
    mail_server.refuse = "550 5.1.1 <zoe.nunez@example.org> No such mailbox"
    client.force_login(front_desk)
    url, _code = shown_secrets(share(client, handout, email=ADDRESS))
    run_worker()
    assert LinkEmail.objects.get().status == Status.FAILED
    assert any("SMTPRecipientsRefused" in line for line in every_log_record)
    printed = capfd.readouterr()
    tasks = str(list(DBTaskResult.objects.values()))
    for secret in [ADDRESS, "zoe.nunez", url.rsplit("/", 2)[-2]]:
        assert secret not in printed.out + printed.err + tasks, secret
        assert not any(secret in line for line in every_log_record), secret
