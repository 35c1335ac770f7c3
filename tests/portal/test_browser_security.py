"""What a browser is told: CSRF on every state change, a strict CSP everywhere, production
settings that pass Django's deployment checks, and error pages that leak nothing."""

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views import defaults

from education.models import Article
from handouts.models import Handout, ShareLink
from portal.models import ClinicProfile
from tests.helpers import TestResponse

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def csrf_client(user: User | None = None) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user:
        client.force_login(user)
    return client


def test_state_changes_without_a_csrf_token_are_refused(clinician: User, handout: Handout) -> None:
    client = csrf_client(clinician)
    posts = [
        reverse("handouts:new", args=["bone-marrow-edema", "en"]),
        reverse("handouts:share", args=[handout.public_id]),
        reverse("handouts:revoke_link", args=[handout.public_id]),
        reverse("handouts:access_slip", args=[handout.public_id]),
        reverse("handouts:list"),
        reverse("logout"),
    ]
    for url in posts:
        assert client.post(url, {"days": "30", "action": "issue"}).status_code == 403, url
    assert ShareLink.objects.count() == 0
    assert Handout.objects.count() == 1


def test_sign_in_needs_a_csrf_token_too(clinician: User) -> None:
    response = Client(enforce_csrf_checks=True).post(
        reverse("login"), {"username": "clinician", "password": "x"}
    )
    assert response.status_code == 403


@pytest.mark.usefixtures("visit_day")  # the data describes a visit on 2 February 2027
def test_forms_ignore_fields_they_do_not_declare(
    client: Client,
    clinician: User,
    front_desk: User,
    sample_article: Article,
    clinic: ClinicProfile,
) -> None:
    client.force_login(clinician)
    form = client.get(reverse("handouts:new", args=["bone-marrow-edema", "en"])).context["form"]
    client.post(
        reverse("handouts:new", args=["bone-marrow-edema", "en"]),
        {
            "issue_token": str(form.initial["issue_token"]),
            "patient_name": "Ann Lee",
            "visit_date": "2027-02-02",
            "site": "knee",
            "activity": "rest",
            "rest_weeks": "4",
            "load": "partial",
            "paper_size": "a4",
            "action": "issue",
            "issued_by": str(front_desk.pk),
            "issued_by_name": "Someone Else",
            "pdf_sha256": "0" * 64,
            "purged_at": "2027-01-01",
            "language": "es",
        },
    )
    handout = Handout.objects.get()
    assert handout.issued_by == clinician and handout.issued_by_name != "Someone Else"
    assert handout.purged_at is None and handout.language == "en"


def csp(response: TestResponse) -> str:
    return response["Content-Security-Policy"]


def test_every_kind_of_page_sends_the_strict_content_security_policy(
    client: Client, personas: dict[str, User], handout: Handout
) -> None:
    pages = [
        Client().get(reverse("login")),
        Client().get("/no-such-page/"),
        Client().get(reverse("patient:open", args=["unknown-token-00000000"])),
    ]
    client.force_login(personas["clinician"])
    pages += [client.get(reverse("home")), client.get(handout.get_absolute_url())]
    client.force_login(personas["administrator"])
    pages += [
        client.get(reverse("admin:index")),
        client.get(reverse("admin:education_article_changelist")),
    ]
    for response in pages:
        policy = csp(response)
        for directive in [
            "default-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "form-action 'self'",
        ]:
            assert directive in policy, (response.request["PATH_INFO"], directive)
        assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        assert "http" not in policy
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"


def test_pages_carry_no_inline_script_without_a_nonce(
    client: Client, clinician: User, sample_article: Article
) -> None:
    client.force_login(clinician)
    for url in [
        reverse("home"),
        sample_article.get_absolute_url(),
        reverse("handouts:new", args=["bone-marrow-edema", "en"]),
    ]:
        html = client.get(url).content.decode()
        for chunk in html.split("<script")[1:]:
            tag = chunk.split(">")[0]
            assert "src=" in tag or "nonce=" in tag, (url, tag)


PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "p" * 20 + "r0d-k3y-w1th-3n0ugh-ch4r4ct3rs-t0-p4ss-the-ch3ck" + "q" * 10,
    "ALLOWED_HOSTS": "portal.clinic.example",
    "DATABASE_URL": "sqlite:///:memory:",
    "SECURE_HSTS_PRELOAD": "1",
    "SMTP_HOST": "smtp.clinic.example",
}


def production_environment() -> dict:
    """This machine's environment without the settings and test switches, plus production's."""
    keep = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SECURE_", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"))
    }
    return {**keep, **PRODUCTION_ENV}


def test_check_deploy_passes_with_production_settings() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_are_https_only_with_hsts_and_safe_cookies() -> None:
    code = (
        "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, "
        "s.SECURE_CONTENT_TYPE_NOSNIFF, s.SECURE_REFERRER_POLICY)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={**production_environment(), "DJANGO_SETTINGS_MODULE": "portal.settings"},
    )
    assert result.stdout.split() == [
        "True",
        "31536000",
        "True",
        "True",
        "True",
        "True",
        "Lax",
        "True",
        "same-origin",
    ]


@pytest.mark.parametrize(
    ("status", "view", "heading"),
    [
        (400, defaults.bad_request, "That request could not be understood"),
        (403, defaults.permission_denied, "You do not have access to this page"),
        (404, defaults.page_not_found, "Page not found"),
        (500, defaults.server_error, "Something went wrong on our side"),
    ],
)
def test_error_pages_are_branded_and_leak_nothing(
    status: int, view: Callable[..., HttpResponse], heading: str
) -> None:
    request = RequestFactory().get("/handouts/secret-path/?patient=Zo%C3%AB")
    response = (
        view(request)
        if status == 500
        else view(request, exception=Exception("Zoë Núñez internals"))
    )
    html = response.content.decode()
    assert response.status_code == status
    assert heading in html and "Patient education" in html
    for leak in ["Zoë", "internals", "secret-path", "Traceback", "settings"]:
        assert leak not in html
