"""When the database refuses a write or the connection drops while a handout is issued or a link
is created: nothing is half-saved, the form comes back with everything typed and says what
happened, and the log holds no patient data."""

import logging

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoCaptureOnCommitCallbacks

from education.models import Article
from handouts.models import Handout, HandoutEvent, ShareLink
from handouts.sharing import create_share_link
from portal.models import AuditEvent, ClinicProfile
from tests.database_faults import FAILURES, connection_killed_before
from tests.handouts.helpers import builder_data, builder_url, share

# builder_data() describes a visit on 2 February 2027; the builder accepts dates near today.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("visit_day")]

NOT_ISSUED = "The handout was not issued: the database could not save it."
NOT_CREATED = "The link was not created: the database could not save it."


@pytest.mark.parametrize("failure", FAILURES)
@pytest.mark.parametrize(
    "table",
    [
        "handouts_handout",  # the first write
        "portal_auditevent",  # the last: the handout and its event were written by then
    ],
)
def test_issuing_when_the_database_fails_saves_nothing_and_shows_the_form_filled_in(
    client: Client,
    clinician: User,
    sample_article: Article,
    clinic: ClinicProfile,
    caplog: pytest.LogCaptureFixture,
    failure: str,
    table: str,
) -> None:
    client.force_login(clinician)
    data = builder_data(sample_article, clinician_note="Ice it twice a day.")
    with caplog.at_level(logging.INFO), FAILURES[failure]("INSERT", table):
        response = client.post(builder_url(sample_article), data)

    assert response.status_code == 200
    html = response.content.decode()
    assert NOT_ISSUED in html
    assert 'value="Zoë Núñez-O&#x27;Brien"' in html
    assert 'value="2027-02-02"' in html and 'value="2027-03-16"' in html
    assert "Ice it twice a day." in html
    assert response.context["form"]["issue_token"].value() == data["issue_token"]
    assert Handout.objects.count() == HandoutEvent.objects.count() == 0
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.HANDOUT_ISSUED).exists()
    assert "Issuing a handout failed: the database raised" in caplog.text
    assert "Zoë" not in caplog.text and "Ice it" not in caplog.text

    # The message was shown once, and sending the same form again issues the handout.
    assert NOT_ISSUED not in client.get(builder_url(sample_article)).content.decode()
    retried = client.post(builder_url(sample_article), data)
    assert retried.status_code == 302
    assert Handout.objects.get().patient_name == "Zoë Núñez-O'Brien"


@pytest.mark.parametrize("failure", FAILURES)
def test_creating_a_link_when_the_database_fails_keeps_the_earlier_link_and_sends_nothing(
    client: Client,
    clinician: User,
    handout: Handout,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    failure: str,
) -> None:
    earlier = create_share_link(handout, staff=clinician)
    events = HandoutEvent.objects.count()
    client.force_login(clinician)
    with (
        django_capture_on_commit_callbacks(execute=True),
        caplog.at_level(logging.INFO),
        FAILURES[failure]("INSERT", "handouts_sharelink"),
    ):
        response = share(client, handout, days="14", email="zoe@example.org")

    assert response.status_code == 200
    html = response.content.decode()
    assert NOT_CREATED in html
    assert 'value="14"' in html and 'value="zoe@example.org"' in html
    assert list(ShareLink.objects.active()) == [earlier.link]  # its revocation was undone
    assert HandoutEvent.objects.count() == events
    assert mail.outbox == []
    assert "Creating a patient link failed: the database raised" in caplog.text
    assert "zoe@example.org" not in caplog.text

    created = share(client, handout, days="14")
    assert created.status_code == 200 and "result" in created.context


def test_the_builder_page_after_a_failed_issue_works_on_the_same_connection(
    client: Client, clinician: User, sample_article: Article, clinic: ClinicProfile
) -> None:
    """On PostgreSQL a refused statement aborts its transaction: the view must not go on
    using it. Every write of the issue runs in its own savepoint, so the page after the
    failure (and the session saved with it) still reads and writes."""
    client.force_login(clinician)
    with FAILURES["refused"]("INSERT", "portal_auditevent"):
        response = client.post(builder_url(sample_article), builder_data(sample_article))
        assert response.status_code == 200
        assert client.get(reverse("handouts:list")).status_code == 200


# transaction=True: as in production, the request's transaction is the outermost.
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: a server that can end a connection"
)
def test_issuing_when_the_server_ends_the_connection_mid_request_shows_the_form_again(
    client: Client, clinician: User, sample_article: Article, clinic: ClinicProfile
) -> None:
    client.force_login(clinician)
    data = builder_data(sample_article)
    with connection_killed_before("INSERT", "handouts_handout"):
        response = client.post(builder_url(sample_article), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert NOT_ISSUED in html and 'value="Zoë Núñez-O&#x27;Brien"' in html
    assert Handout.objects.count() == 0
    assert client.post(builder_url(sample_article), data).status_code == 302
