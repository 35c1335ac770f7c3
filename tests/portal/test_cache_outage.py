"""While Redis cannot be reached, sessions are read from and written to the database: staff sign
in and issue handouts, patients enter their code and download their PDF, the sign-in lockout
still counts, and the log says so once. When Redis answers again, no copy it kept brings back a
session that ended meanwhile.

Redis is reached for real: the outage is a port on this machine where nothing listens."""

import logging
import socket
import time
from collections.abc import Iterator

import pytest
import redis
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from education.models import Article
from handouts.models import Handout, HandoutEvent
from handouts.sharing import create_share_link
from portal import session_engine
from portal.models import ClinicProfile
from tests.handouts.helpers import builder_data, builder_url, load_form, patient_client, post_code
from tests.helpers import PASSWORD, TestResponse, closed_port, present
from tests.portal.test_settings import run_python
from tests.portal.test_shared_state import TEST_REDIS_URL

pytestmark = pytest.mark.django_db
OUTAGE_WARNING = "The session cache cannot be reached"


# Production's timeouts (portal.settings, REDIS_URL).
REDIS_TIMEOUTS = {"socket_connect_timeout": 1, "socket_timeout": 1}


def redis_cache(location: str) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "OPTIONS": REDIS_TIMEOUTS,
        }
    }


def test_production_gives_up_on_a_silent_redis_after_a_second() -> None:
    code = "from django.conf import settings as s; print(s.CACHES['default']['OPTIONS'])"
    result = run_python(code, REDIS_URL="redis://cache.internal:6379/0")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(REDIS_TIMEOUTS)


@pytest.fixture
def redis_port() -> Iterator[int]:
    with closed_port() as port:
        yield port


@pytest.fixture
def fresh_outage_state(monkeypatch: pytest.MonkeyPatch) -> session_engine.CacheOutage:
    """Each test starts with a process that has seen no outage."""
    state = session_engine.CacheOutage()
    monkeypatch.setattr(session_engine, "outage", state)
    return state


@pytest.fixture
def redis_down(
    settings: Settings, redis_port: int, fresh_outage_state: session_engine.CacheOutage
) -> None:
    """Production's session settings, with Redis out of reach."""
    settings.CACHES = redis_cache(f"redis://127.0.0.1:{redis_port}/0")
    settings.SESSION_ENGINE = "portal.session_engine"


def sign_in(client: Client, username: str, password: str = PASSWORD) -> TestResponse:
    return client.post(
        reverse("login"), {"username": username, "password": password, "next": reverse("home")}
    )


def outage_warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if OUTAGE_WARNING in record.getMessage()]


def test_staff_sign_in_and_work_while_redis_is_down_and_the_log_says_so_once(
    redis_down: None, clinician: User, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client()
    with caplog.at_level(logging.INFO):
        response = sign_in(client, clinician.username)
        assert response.status_code == 302
        assert response["Location"] == reverse("home")
        assert client.get(reverse("home")).status_code == 200
        assert client.get(reverse("education:library")).status_code == 200
    assert len(outage_warnings(caplog)) == 1
    assert outage_warnings(caplog)[0].levelno == logging.WARNING
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert "Traceback" not in caplog.text


def test_a_redis_that_answers_nothing_costs_one_timeout_not_one_per_request(
    settings: Settings,
    fresh_outage_state: session_engine.CacheOutage,
    clinician: User,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A host gone from the network: connecting works (here, the kernel accepts for a server
    that never reads), and then nothing comes back."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        settings.CACHES = redis_cache(f"redis://127.0.0.1:{silent.getsockname()[1]}/0")
        settings.SESSION_ENGINE = "portal.session_engine"
        client = Client()
        started = time.monotonic()
        assert sign_in(client, clinician.username).status_code == 302
        for _ in range(3):
            assert client.get(reverse("home")).status_code == 200
        elapsed = time.monotonic() - started
    assert 1 <= elapsed < 2.5  # one timeout; without a pause between tries, 10 seconds
    assert len(outage_warnings(caplog)) == 1
    assert "TimeoutError" in outage_warnings(caplog)[0].getMessage()


def test_the_sign_in_lockout_counts_while_redis_is_down(redis_down: None, clinician: User) -> None:
    for _ in range(4):
        refused = sign_in(Client(), clinician.username, "wrong password 1")
        assert refused.status_code == 200
    assert sign_in(Client(), clinician.username, "wrong password 1").status_code == 429
    locked = sign_in(Client(), clinician.username)  # the right password, a new caller
    assert locked.status_code == 429
    assert b"Sign-in paused" in locked.content


@pytest.mark.usefixtures("visit_day")
def test_a_clinician_issues_a_handout_while_redis_is_down(
    redis_down: None,
    client: Client,
    clinician: User,
    sample_article: Article,
    clinic: ClinicProfile,
) -> None:
    sign_in(client, clinician.username)
    response = client.post(builder_url(sample_article), builder_data(sample_article))
    assert response.status_code == 302
    assert Handout.objects.get().issued_by == clinician


def test_a_patient_enters_the_code_and_downloads_the_pdf_while_redis_is_down(
    redis_down: None, handout: Handout, clinician: User
) -> None:
    link = create_share_link(handout, staff=clinician)
    client = patient_client()
    response = post_code(client, link.token, link.code, load_form(client, link.token))
    assert response.status_code == 302
    assert response["Location"] == reverse("patient:read", args=[link.token])
    assert client.get(response["Location"]).status_code == 200
    pdf = client.get(reverse("patient:download", args=[link.token]))
    assert pdf.status_code == 200
    assert pdf.content == bytes(handout.stored_pdf.pdf)
    assert present(handout.events.last()).kind == HandoutEvent.Kind.PATIENT_DOWNLOADED


@pytest.fixture
def redis_up(
    settings: Settings, fresh_outage_state: session_engine.CacheOutage
) -> Iterator[redis.Redis]:
    server = redis.Redis.from_url(TEST_REDIS_URL)
    try:
        server.flushdb()
    except redis.ConnectionError:
        pytest.skip(f"no Redis at {TEST_REDIS_URL}")
    settings.CACHES = redis_cache(TEST_REDIS_URL)
    settings.SESSION_ENGINE = "portal.session_engine"
    yield server
    server.flushdb()


def test_a_session_ended_while_redis_was_unreachable_stays_ended_when_it_answers_again(
    redis_up: redis.Redis,
    settings: Settings,
    redis_port: int,
    monkeypatch: pytest.MonkeyPatch,
    clinician: User,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A network fault rather than a restart: Redis keeps its copy of the session while the
    portal cannot reach it, and must not serve that copy once it can (to a stolen cookie, or a
    second browser window)."""
    monkeypatch.setattr(session_engine, "RETRY_SECONDS", 0)
    client = Client()
    sign_in(client, clinician.username)
    assert client.get(reverse("home")).status_code == 200
    assert redis_up.dbsize() == 1  # the session's copy
    session_key = client.cookies["sessionid"].value

    settings.CACHES = redis_cache(f"redis://127.0.0.1:{redis_port}/0")
    assert client.post(reverse("logout")).status_code == 302
    settings.CACHES = redis_cache(TEST_REDIS_URL)
    assert redis_up.keys(f"*{session_key}")  # the copy Redis kept through the fault

    same_cookie = Client()
    same_cookie.cookies["sessionid"] = session_key
    with caplog.at_level(logging.INFO):
        response = same_cookie.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not redis_up.keys(f"*{session_key}")
    assert "The session cache answers again" in caplog.text


def test_after_more_sessions_changed_than_it_remembers_the_process_clears_their_copies(
    redis_up: redis.Redis,
    settings: Settings,
    redis_port: int,
    monkeypatch: pytest.MonkeyPatch,
    clinician: User,
    front_desk: User,
) -> None:
    monkeypatch.setattr(session_engine, "RETRY_SECONDS", 0)
    monkeypatch.setattr(session_engine, "MAX_REMEMBERED", 1)
    clients = {user.username: Client() for user in (clinician, front_desk)}
    for username, client in clients.items():
        sign_in(client, username)
    keys = [client.cookies["sessionid"].value for client in clients.values()]
    assert all(redis_up.keys(f"*{key}") for key in keys)

    settings.CACHES = redis_cache(f"redis://127.0.0.1:{redis_port}/0")
    for client in clients.values():
        assert client.post(reverse("logout")).status_code == 302
    settings.CACHES = redis_cache(TEST_REDIS_URL)

    same_cookie = Client()
    same_cookie.cookies["sessionid"] = keys[0]
    assert same_cookie.get(reverse("home")).status_code == 302
    assert not any(redis_up.keys(f"*{key}") for key in keys)
