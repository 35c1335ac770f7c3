"""While the database cannot be reached, staff and patient pages answer 503 with Retry-After and
a short page in the browser's language that says nothing typed was saved, never the generic
500; the sign-in page keeps the typed username. Patient pages keep their privacy headers, and
neither the page nor the log holds patient data."""

import io
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from education.models import Article
from handouts.models import Handout, HandoutEvent
from handouts.sharing import NewShareLink, create_share_link
from portal.models import ClinicProfile
from tests.database_faults import Execute, database_server_unreachable, database_unreachable
from tests.handouts.helpers import (
    builder_data,
    builder_url,
    load_form,
    open_url,
    patient_client,
    post_code,
)
from tests.helpers import PASSWORD, TestResponse, closed_port

pytestmark = pytest.mark.django_db
UNAVAILABLE = "The portal is briefly unavailable"
NOTHING_SAVED = "Nothing you typed was saved. Please try again in a minute."
PATIENT_PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
    "X-Robots-Tag": "noindex, nofollow",
}


def assert_unavailable(response: TestResponse) -> str:
    html = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert UNAVAILABLE in html and NOTHING_SAVED in html
    assert "Something went wrong" not in html
    return html


def sign_in(
    client: Client, url: str = "/login/", username: str = "clinician", **headers: str
) -> TestResponse:
    return client.post(
        url, {"username": username, "password": PASSWORD, "next": "/library/"}, headers=headers
    )


@pytest.mark.parametrize(
    ("url_name", "persona"), [("login", "clinician"), ("admin:login", "editor")]
)
def test_signing_in_while_the_database_is_unreachable_keeps_the_username_not_the_password(
    personas: dict[str, User], url_name: str, persona: str
) -> None:
    client = Client(raise_request_exception=False)
    url = reverse(url_name)
    with database_unreachable():
        response = sign_in(client, url, persona)
    html = assert_unavailable(response)
    assert f'action="{url}"' in html
    assert f'name="username" value="{persona}"' in html
    assert 'name="password"' in html and PASSWORD not in html
    assert 'name="next" value="/library/"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "no-store" in response["Cache-Control"]

    again = sign_in(client, url, persona)  # the database is back: the same form signs in
    assert again.status_code == 302 and again["Location"] == "/library/"


@pytest.mark.parametrize(
    ("headers", "cookies"),
    [
        ({"Accept-Language": "es-ES,es;q=0.9"}, {}),
        ({"Accept-Language": "en"}, {"django_language": "es"}),
    ],
)
def test_the_page_speaks_the_language_the_browser_asks_for(
    clinician: User, headers: dict[str, str], cookies: dict[str, str]
) -> None:
    client = Client(raise_request_exception=False)
    client.cookies.load(cookies)
    with database_unreachable():
        response = sign_in(client, **headers)
    assert response.status_code == 503
    html = response.content.decode()
    assert '<html lang="es">' in html
    assert "El portal no está disponible por un momento" in html
    assert "No se guardó nada de lo que escribió" in html
    assert 'value="clinician"' in html


@pytest.mark.usefixtures("visit_day")
def test_issuing_a_handout_while_the_database_is_unreachable_says_so_and_logs_no_patient_data(
    client: Client,
    clinician: User,
    sample_article: Article,
    clinic: ClinicProfile,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client.force_login(clinician)
    client.raise_request_exception = False
    url = builder_url(sample_article)
    data = builder_data(sample_article, clinician_note="Ice it twice a day.")
    with caplog.at_level(logging.INFO), database_unreachable():
        response = client.post(url, data)
    html = assert_unavailable(response)
    assert "Zoë" not in html and "Ice it" not in html
    assert "Zoë" not in caplog.text and "Ice it" not in caplog.text
    assert not Handout.objects.exists()
    assert client.post(url, data).status_code == 302


@pytest.fixture
def link(handout: Handout, clinician: User) -> NewShareLink:
    return create_share_link(handout, staff=clinician)


def assert_patient_page_headers(response: TestResponse) -> None:
    for header, value in PATIENT_PAGE_HEADERS.items():
        assert response[header] == value, header


def test_entering_the_code_while_the_database_is_unreachable_says_so_with_the_patient_headers(
    link: NewShareLink, caplog: pytest.LogCaptureFixture
) -> None:
    client = patient_client()
    client.raise_request_exception = False
    form = load_form(client, link.token)
    with caplog.at_level(logging.INFO), database_unreachable():
        response = post_code(client, link.token, link.code, form)
    html = assert_unavailable(response)
    assert_patient_page_headers(response)
    assert link.token not in html and link.token not in caplog.text
    assert link.code not in html and link.code not in caplog.text
    assert post_code(client, link.token, link.code, form).status_code == 302


def test_downloading_the_pdf_while_the_database_is_unreachable_says_so_with_the_patient_headers(
    link: NewShareLink, handout: Handout
) -> None:
    client = patient_client()
    client.raise_request_exception = False
    post_code(client, link.token, link.code, load_form(client, link.token))
    download = reverse("patient:download", args=[link.token])
    with database_unreachable():
        response = client.get(download)
    assert response["Content-Type"].startswith("text/html")
    html = assert_unavailable(response)
    assert_patient_page_headers(response)
    assert "Zoë" not in html and link.token not in html
    assert not handout.events.filter(kind=HandoutEvent.Kind.PATIENT_DOWNLOADED).exists()
    assert client.get(download).content == bytes(handout.stored_pdf.pdf)


def test_the_log_says_in_one_line_per_request_that_the_database_is_out_of_reach(
    link: NewShareLink,
) -> None:
    """The console handler that production writes to, not a traceback on every request."""
    console = next(handler for handler in logging.getLogger().handlers if handler.name == "console")
    assert isinstance(console, logging.StreamHandler)
    stream = io.StringIO()
    previous = console.setStream(stream)
    try:
        with database_unreachable():
            for _ in range(2):
                response = Client(raise_request_exception=False).get(open_url(link.token))
                assert response.status_code == 503
    finally:
        console.setStream(previous)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].endswith(
        'msg="Service Unavailable: /p/[redacted]/ '
        '(the database cannot be reached: OperationalError)"'
    )
    assert "Traceback" not in stream.getvalue() and link.token not in stream.getvalue()


def test_any_other_failure_still_gets_the_500_page(settings: Settings) -> None:
    """A fault in our code is not an outage: it must not tell people to wait a minute."""
    client = Client(raise_request_exception=False)

    def fail(execute: Execute, sql: str, params: Any, many: bool, context: dict[str, Any]) -> None:
        raise ZeroDivisionError

    with connection.execute_wrapper(fail):
        response = sign_in(client)
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


@pytest.fixture
def postgres_port() -> Iterator[int]:
    with closed_port() as port:
        yield port


# transaction=True: the connection is closed and made again, as a worker's is.
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: a server to be out of reach"
)
def test_signing_in_when_the_database_server_refuses_connections_keeps_the_username(
    clinician: User, postgres_port: int
) -> None:
    client = Client(raise_request_exception=False)
    with database_server_unreachable(postgres_port):
        response = sign_in(client)
    html = assert_unavailable(response)
    assert 'name="username" value="clinician"' in html
    assert sign_in(client).status_code == 302
