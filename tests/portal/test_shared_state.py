"""What must hold across worker processes lives in the database (sessions, sign-in lockouts,
patient-link limits). With REDIS_URL set, sessions are also read from Redis, shared by every
process, so a page costs no session query; without it, from the database alone."""

import datetime
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import Settings
from time_machine import TimeMachineFixture

from portal.sessions import end_sessions_of
from tests.portal.test_settings import run_python

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
# A database of its own on the machine's Redis, emptied before and after each test.
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


def session_queries(queries: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in queries.captured_queries if "django_session" in query["sql"]]


def load_session_settings(**env: str) -> list[str]:
    code = (
        "from django.conf import settings as s;"
        "print(s.CACHES['default']['BACKEND']); print(s.SESSION_ENGINE)"
    )
    result = run_python(code, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_with_redis_sessions_are_read_from_it_and_kept_in_the_database() -> None:
    cache, engine = load_session_settings(REDIS_URL="redis://cache.internal:6379/0")
    assert cache == "django.core.cache.backends.redis.RedisCache"
    assert engine == "portal.session_engine"


def test_without_redis_sessions_are_read_from_the_database_alone() -> None:
    """A per-process memory cache in front would keep an ended session alive in the other
    worker processes."""
    cache, engine = load_session_settings()
    assert cache == "django.core.cache.backends.locmem.LocMemCache"
    assert engine == "django.contrib.sessions.backends.db"


@pytest.fixture
def redis_sessions(settings: Settings) -> Iterator[None]:
    """The production arrangement: sessions in the database, read through Redis."""
    server = redis.Redis.from_url(TEST_REDIS_URL)
    try:
        server.flushdb()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            raise  # CI has Redis on localhost: these tests must run there
        pytest.skip(f"no Redis at {TEST_REDIS_URL}")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": TEST_REDIS_URL,
        }
    }
    settings.SESSION_ENGINE = "portal.session_engine"
    yield
    server.flushdb()


def test_with_redis_a_signed_in_page_reads_no_session_from_the_database(
    redis_sessions: None, client: Client, clinician: User
) -> None:
    client.force_login(clinician)
    assert client.get(reverse("home")).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("education:library")).status_code == 200
    assert session_queries(queries) == []


@pytest.fixture(params=["database", "redis"])
def session_store(request: pytest.FixtureRequest) -> None:
    """Sessions in the database alone, or read through Redis (production)."""
    if request.param == "redis":
        request.getfixturevalue("redis_sessions")


def test_a_session_ended_elsewhere_ends_at_the_next_request(
    session_store: None, client: Client, clinician: User
) -> None:
    """As another worker process would see it: no cached copy keeps the session alive, and
    ending a session removes Redis's copy too."""
    client.force_login(clinician)
    assert client.get(reverse("home")).status_code == 200
    assert end_sessions_of(clinician) == 1
    assert not Session.objects.exists()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_session_is_saved_at_most_once_a_minute(
    client: Client, clinician: User, time_machine: TimeMachineFixture
) -> None:
    start = datetime.datetime(2027, 3, 1, 9, tzinfo=datetime.UTC)
    time_machine.move_to(start)
    client.force_login(clinician)
    client.get(reverse("home"))
    time_machine.move_to(start + datetime.timedelta(seconds=30))
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("home"))
    assert not any(sql.startswith("UPDATE") for sql in session_queries(queries))
    time_machine.move_to(start + datetime.timedelta(seconds=91))
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("home"))
    assert any(sql.startswith("UPDATE") for sql in session_queries(queries))


def test_sessions_idle_out_after_30_minutes_without_a_request(
    clinician: User, time_machine: TimeMachineFixture, settings: Settings
) -> None:
    assert settings.SESSION_IDLE_MINUTES == 30
    start = datetime.datetime(2027, 3, 1, 9, tzinfo=datetime.UTC)
    time_machine.move_to(start)
    client = Client()
    client.force_login(clinician)
    # Each request pushes the limit back: 29 minutes apart, twice, is never idle for 30.
    for minutes in (29, 58):
        time_machine.move_to(start + datetime.timedelta(minutes=minutes))
        assert client.get(reverse("home")).status_code == 200, minutes
    time_machine.move_to(start + datetime.timedelta(minutes=58 + 31))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_no_code_keeps_state_in_the_cache() -> None:
    """Without Redis the cache is local to each worker process: a limit or lockout kept there
    would not hold across workers. Two users: the session engine, which keeps every session it
    reads through the cache in the database; and the API's rate limit (interop/api.py), a
    guard against floods that is shared through Redis in production and counts per worker
    process without it, as docs/operating.md says."""
    allowed = {ROOT / "portal" / "session_engine.py", ROOT / "interop" / "api.py"}
    for app in ["portal", "education", "handouts", "interop"]:
        for path in (ROOT / app).rglob("*.py"):
            if path in allowed:
                continue
            source = path.read_text(encoding="utf-8")
            assert "from django.core.cache" not in source, path
            assert "cache_page" not in source, path
