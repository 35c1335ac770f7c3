"""API clients: bearer tokens kept only as hashes, made by command or by Administrators in the
admin, revocable and expiring; the rate limit and CORS every API endpoint shares."""

import datetime
import hashlib
import io
import os
from collections.abc import Iterator

import pytest
import redis
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import Settings
from time_machine import TimeMachineFixture

from interop.models import ApiClient
from interop.tokens import create_api_client
from portal.models import AuditEvent
from tests.helpers import TestResponse
from tests.portal.test_settings import run_python

pytestmark = pytest.mark.django_db

ICD10 = "2.16.840.1.113883.6.90"
QUERY = {"mainSearchCriteria.v.c": "M89.8", "mainSearchCriteria.v.cs": ICD10}
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


def make_client(scopes: list[str] | None = None, days: int = 30) -> tuple[ApiClient, str]:
    return create_api_client(
        "Clinic EHR",
        scopes=scopes or ["infobutton"],
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )


def infobutton(client: Client, token: str = "", **headers: str) -> TestResponse:
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return client.get("/infobutton/", QUERY, headers=headers)


# --- The command -----------------------------------------------------------------------------


def test_create_api_client_prints_the_token_once_and_stores_only_its_hash() -> None:
    out = io.StringIO()
    call_command(
        "create_api_client",
        "Clinic EHR",
        "--scope",
        "infobutton",
        "--scope",
        "fhir.read",
        stdout=out,
    )
    lines = out.getvalue().splitlines()
    token = lines[-1]
    assert token.startswith("pep_") and len(token) > 40
    assert sum(token in line for line in lines) == 1
    client = ApiClient.objects.get()
    assert client.scopes == ["fhir.read", "infobutton"]
    assert client.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = ApiClient.objects.values().get()
    assert not any(token in str(value) for value in stored.values())
    assert client.expires_at.date() == (timezone.now() + datetime.timedelta(days=365)).date()
    event = AuditEvent.objects.get(action=AuditEvent.Action.CREATED)
    assert (event.object_type, event.object_id) == ("interop.apiclient", str(client.public_id))
    assert token not in event.detail


def test_create_api_client_refuses_a_name_in_use_and_an_unknown_scope() -> None:
    make_client()
    with pytest.raises(CommandError, match="Name already exists"):
        call_command("create_api_client", "Clinic EHR", "--scope", "infobutton")
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("create_api_client", "Other", "--scope", "write-everything")
    assert ApiClient.objects.count() == 1


# --- Settings --------------------------------------------------------------------------------


def test_token_requirement_rate_limit_and_cors_origins_come_from_the_environment() -> None:
    show = (
        "from django.conf import settings as s; "
        "print(s.INFOBUTTON_REQUIRE_TOKEN, s.API_RATE_LIMIT_PER_MINUTE, s.API_CORS_ORIGINS)"
    )
    assert run_python(show).stdout.strip() == "False 120 []"
    configured = run_python(
        show,
        INFOBUTTON_REQUIRE_TOKEN="1",
        API_RATE_LIMIT_PER_MINUTE="30",
        API_CORS_ORIGINS="https://ehr.example.org, https://portal.example.org",
    )
    assert configured.stdout.strip() == (
        "True 30 ['https://ehr.example.org', 'https://portal.example.org']"
    )
    refused = run_python(show, API_RATE_LIMIT_PER_MINUTE="0")
    assert "API_RATE_LIMIT_PER_MINUTE must be a whole number from 1 to 100000" in refused.stderr


# --- Tokens ----------------------------------------------------------------------------------


def test_the_infobutton_is_public_by_default(client: Client) -> None:
    assert infobutton(client).status_code == 200


@pytest.fixture
def tokens_required(settings: Settings) -> None:
    settings.INFOBUTTON_REQUIRE_TOKEN = True


def assert_refused_without_detail(response: TestResponse) -> None:
    assert response.status_code == 401
    assert response.content == b""
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_with_tokens_required_a_valid_token_is_answered(
    client: Client, tokens_required: None
) -> None:
    api_client, token = make_client()
    assert infobutton(client, token).status_code == 200
    api_client.refresh_from_db()
    assert api_client.last_used_at is not None


def test_with_tokens_required_no_token_or_a_wrong_one_gets_401_without_detail(
    client: Client, tokens_required: None
) -> None:
    _api_client, token = make_client()
    assert_refused_without_detail(infobutton(client))
    assert_refused_without_detail(
        infobutton(client, token[:-1] + ("A" if token[-1] != "A" else "B"))
    )
    assert_refused_without_detail(infobutton(client, "not-even-a-token"))
    assert_refused_without_detail(
        client.get("/infobutton/", QUERY, headers={"Authorization": token})
    )


def test_a_revoked_token_gets_401(
    client: Client, tokens_required: None, administrator: User
) -> None:
    api_client, token = make_client()
    api_client.revoke()
    assert_refused_without_detail(infobutton(client, token))


def test_an_expired_token_gets_401(
    client: Client, tokens_required: None, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to("2026-12-08 10:00Z")
    _api_client, token = make_client(days=1)
    assert infobutton(client, token).status_code == 200
    time_machine.shift(datetime.timedelta(days=1, seconds=1))
    assert_refused_without_detail(infobutton(client, token))


def test_a_token_without_the_infobutton_scope_gets_401(
    client: Client, tokens_required: None
) -> None:
    _api_client, token = make_client(scopes=["fhir.read"])
    assert_refused_without_detail(infobutton(client, token))


# --- Rate limit ------------------------------------------------------------------------------


@pytest.fixture(params=["memory", "redis"])
def shared_cache(request: pytest.FixtureRequest, settings: Settings) -> Iterator[None]:
    """The cache as in development (each process's memory) and in production (Redis)."""
    if request.param == "redis":
        server = redis.Redis.from_url(TEST_REDIS_URL)
        try:
            server.flushdb()
        except redis.ConnectionError:
            if os.environ.get("CI"):
                raise
            pytest.skip(f"no Redis at {TEST_REDIS_URL}")
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": TEST_REDIS_URL,
            }
        }
        yield
        server.flushdb()
    else:
        yield


def test_requests_past_the_limit_from_one_address_get_429_with_retry_after(
    client: Client, settings: Settings, shared_cache: None, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to("2026-12-08 10:00:45Z", tick=False)
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    assert [infobutton(client).status_code for _ in range(3)] == [200, 200, 200]
    refused = infobutton(client)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "15"
    # Another address has its own count.
    assert Client(REMOTE_ADDR="192.0.2.7").get("/infobutton/", QUERY).status_code == 200
    # The next minute starts a new count.
    time_machine.move_to("2026-12-08 10:01:00Z", tick=False)
    assert infobutton(client).status_code == 200


def test_the_address_comes_from_x_forwarded_for_only_behind_a_trusted_proxy(
    client: Client, settings: Settings
) -> None:
    settings.API_RATE_LIMIT_PER_MINUTE = 1
    assert infobutton(client, **{"X-Forwarded-For": "198.51.100.1"}).status_code == 200
    # Ignored: the same address (the test client's) as before.
    assert infobutton(client, **{"X-Forwarded-For": "198.51.100.2"}).status_code == 429
    settings.TRUST_X_FORWARDED_FOR = True
    assert infobutton(client, **{"X-Forwarded-For": "198.51.100.3"}).status_code == 200
    assert infobutton(client, **{"X-Forwarded-For": "198.51.100.3"}).status_code == 429


def test_with_tokens_required_wrong_tokens_are_counted_by_address(
    client: Client, settings: Settings, tokens_required: None
) -> None:
    settings.API_RATE_LIMIT_PER_MINUTE = 2
    _api_client, token = make_client()
    assert_refused_without_detail(infobutton(client, "pep_guess1"))
    assert_refused_without_detail(infobutton(client, "pep_guess2"))
    assert infobutton(client, "pep_guess3").status_code == 429
    # The client's own token is counted for the client, not the address.
    assert infobutton(client, token).status_code == 200


def test_with_tokens_each_client_is_counted_on_its_own(
    client: Client, settings: Settings, tokens_required: None
) -> None:
    settings.API_RATE_LIMIT_PER_MINUTE = 1
    _first, first_token = make_client()
    _second, second_token = create_api_client(
        "Second EHR", scopes=["infobutton"], expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    assert infobutton(client, first_token).status_code == 200
    assert infobutton(client, first_token).status_code == 429
    assert infobutton(client, second_token).status_code == 200


# --- CORS ------------------------------------------------------------------------------------


def test_cors_is_off_by_default(client: Client) -> None:
    response = infobutton(client, Origin="https://ehr.example.org")
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response
    assert "Origin" in response["Vary"]


def test_cors_allows_only_the_configured_origins(client: Client, settings: Settings) -> None:
    settings.API_CORS_ORIGINS = ["https://ehr.example.org"]
    allowed = infobutton(client, Origin="https://ehr.example.org")
    assert allowed["Access-Control-Allow-Origin"] == "https://ehr.example.org"
    assert "Access-Control-Allow-Origin" not in infobutton(client, Origin="https://evil.example")
    preflight = client.options("/infobutton/", headers={"Origin": "https://ehr.example.org"})
    assert preflight.status_code == 204
    assert "Authorization" in preflight["Access-Control-Allow-Headers"]


# --- The admin -------------------------------------------------------------------------------


def add_form(name: str = "Clinic EHR") -> dict:
    return {
        "name": name,
        "scopes": ["infobutton"],
        "expires_at_0": "2030-01-31",
        "expires_at_1": "12:00:00",
    }


def test_an_administrator_adds_a_client_and_sees_its_token_once(
    client: Client, administrator: User
) -> None:
    client.force_login(administrator)
    assert client.get(reverse("admin:interop_apiclient_add")).status_code == 200
    response = client.post(reverse("admin:interop_apiclient_add"), add_form())
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    api_client = ApiClient.objects.get()
    token = response.context["token"]
    assert token in response.content.decode()
    assert api_client.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert api_client.created_by == administrator
    assert api_client.scopes == ["infobutton"]
    # Never again: not on the client's page, nor in the list.
    change = client.get(reverse("admin:interop_apiclient_change", args=[api_client.pk]))
    assert token not in change.content.decode()
    assert token not in client.get(reverse("admin:interop_apiclient_changelist")).content.decode()
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.CREATED, object_id=str(api_client.public_id)
    ).exists()


def test_an_administrator_revokes_clients_in_the_admin(client: Client, administrator: User) -> None:
    api_client, _token = make_client()
    client.force_login(administrator)
    response = client.post(
        reverse("admin:interop_apiclient_changelist"),
        {"action": "revoke", "_selected_action": [api_client.pk]},
        follow=True,
    )
    assert "1 token revoked." in response.content.decode()
    api_client.refresh_from_db()
    assert api_client.revoked_at is not None
    event = AuditEvent.objects.get(action=AuditEvent.Action.API_CLIENT_REVOKED)
    assert (event.actor, event.object_id) == (administrator, str(api_client.public_id))


def test_the_admin_shows_the_token_page_in_spanish(client: Client, administrator: User) -> None:
    client.force_login(administrator)
    response = client.post(
        reverse("admin:interop_apiclient_add"), add_form(), headers={"Accept-Language": "es"}
    )
    assert "Solo se muestra ahora" in response.content.decode()


def test_nobody_but_administrators_manages_api_clients(
    client: Client, editor: User, clinician: User
) -> None:
    make_client()
    client.force_login(editor)  # works in the admin, but not with API clients
    assert client.get(reverse("admin:interop_apiclient_changelist")).status_code == 403
    assert client.post(reverse("admin:interop_apiclient_add"), add_form("Other")).status_code == 403
    client.force_login(clinician)  # no admin at all
    assert client.get(reverse("admin:interop_apiclient_add")).status_code == 302
    assert ApiClient.objects.count() == 1
