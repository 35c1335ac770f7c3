"""A database restart or failover costs no request: a kept connection the server dropped is
checked and replaced before a request uses it."""

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse
from pytest_django import Settings

from tests.database_faults import backend_pid, terminate_backend


def test_kept_database_connections_are_checked_before_reuse(settings: Settings) -> None:
    database = settings.DATABASES["default"]
    assert database["CONN_HEALTH_CHECKS"] is True
    assert database["CONN_MAX_AGE"] > 0  # the portal keeps connections between requests


def serve(path: str, session_key: str) -> int:
    """One signed-in request through Django's WSGI handler, as a gunicorn worker serves it:
    unlike the test client, the handler closes old or broken connections around each
    request. Reading the session needs the database."""
    statuses: list[str] = []
    environ = RequestFactory().get(path, HTTP_COOKIE=f"sessionid={session_key}").environ

    def start_response(
        status: str, headers: list[tuple[str, str]], *exc_info: object
    ) -> Callable[[bytes], object]:
        statuses.append(status)
        return lambda data: None  # the handler writes nothing through it

    response = WSGIHandler()(environ, start_response)
    b"".join(response)
    response.close()  # request_finished: what the server does after sending the response
    return int(statuses[0].split()[0])


@pytest.mark.django_db(transaction=True)  # a kept connection outlives the request
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite has no server that can drop a connection",
)
def test_a_request_after_the_database_dropped_its_connections_succeeds(clinician: User) -> None:
    client = Client()
    client.force_login(clinician)
    session_key = client.cookies["sessionid"].value
    page = reverse("home")
    assert serve(page, session_key) == 200
    assert connection.connection is not None, "the connection should be kept for reuse"
    stale = backend_pid()

    terminate_backend(stale)

    assert serve(page, session_key) == 200
    assert backend_pid() != stale
