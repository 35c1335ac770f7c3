"""Every URL the portal serves, for every role: anonymous visitors are sent to sign in (or get
the neutral patient page), and each role gets exactly what the README's role table says.
A new URL must be added to ACCESS below, or this test fails."""

from collections.abc import Iterator, Sequence

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from handouts.models import Handout
from handouts.sharing import create_share_link

pytestmark = pytest.mark.django_db

READERS = {"editor", "clinician", "front_desk", "clinic_lead", "administrator"}
REPORT_READERS = {"clinic_lead", "administrator"}
HANDOUT_VIEWERS = {"clinician", "front_desk", "administrator"}
ISSUERS = {"clinician", "administrator"}
SIGNED_IN = {"editor", "clinician", "front_desk", "clinic_lead", "administrator", "outsider"}
ROLES = ["editor", "clinician", "front_desk", "clinic_lead", "administrator", "outsider"]

# route: (method, roles allowed); allowed means the view does its job, others get 403.
ACCESS = {
    "home": ("GET", READERS),
    "education:library": ("GET", READERS),
    "education:article": ("GET", READERS),
    "handouts:list": ("GET", HANDOUT_VIEWERS),
    "handouts:changed": ("GET", HANDOUT_VIEWERS),
    "handouts:detail": ("GET", HANDOUT_VIEWERS),
    "handouts:pdf": ("GET", HANDOUT_VIEWERS),
    "handouts:print": ("GET", HANDOUT_VIEWERS),
    "handouts:new": ("GET", ISSUERS),
    "handouts:packet_condition": ("GET", ISSUERS),
    "handouts:share": ("POST", HANDOUT_VIEWERS),
    "handouts:revoke_link": ("POST", HANDOUT_VIEWERS),
    "handouts:access_slip": ("POST", HANDOUT_VIEWERS),
    "handouts:article_preview_pdf": ("GET", {"editor", "administrator"}),  # admin-site staff
    "reports:dashboard": ("GET", REPORT_READERS),
    "reports:csv": ("GET", REPORT_READERS),
    "mfa_status": ("GET", SIGNED_IN),
    "mfa_setup": ("GET", SIGNED_IN),
    "mfa_verify": ("GET", SIGNED_IN),
    "clinic_logo": ("GET", SIGNED_IN),  # 404 until a logo is uploaded; never 403
}
OPEN_TO_ALL = {
    "login",
    "logout",
    "set_language",
    "patient:open",
    "patient:read",
    "patient:check",
    "patient:download",
    "patient:logo",
    # Published education only, for EHRs; a token is required only when the clinic says so.
    "interop:infobutton",
    # What the FHIR server offers, as the specification asks: no token needed.
    "interop:fhir_metadata",
}
# Deliveries for EHRs: an API client's bearer token (fhir.read) only, never a staff session.
API_TOKEN_ONLY = {
    "interop:fhir_document_reference_search",
    "interop:fhir_document_reference",
    "interop:fhir_document_reference_everything",
    "interop:fhir_binary",
    "interop:fhir_communication",
}
# make_user gives these an authenticator, as they must have one; other roles have none.
WITH_AUTHENTICATOR = {"editor", "administrator"}


def expected_redirect(route: str, persona: str, urls: dict) -> str | None:
    """Where an allowed role's request (as the walk sends it: a POST with no form data) is
    redirected; None when the view answers itself."""
    if route == "handouts:revoke_link":
        return urls["handouts:detail"]  # revoked, back to the handout page
    if route == "handouts:access_slip":
        return urls["handouts:detail"]  # no valid link and code to print: back to the handout
    if route == "mfa_verify" and persona not in WITH_AUTHENTICATOR:
        return urls["mfa_setup"]  # nothing to verify with: set up an authenticator first
    return None


def named_routes(
    patterns: Sequence[URLPattern | URLResolver] | None = None, namespace: str = ""
) -> Iterator[str]:
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = f"{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_routes(pattern.url_patterns, inner)
        else:
            yield namespace + str(pattern.name)


@pytest.fixture
def urls(handout: Handout, clinician: User) -> dict[str, str]:
    token = create_share_link(handout, staff=clinician).token
    args: dict[str, list[object]] = {
        "education:article": ["bone-marrow-edema", "en"],
        "handouts:new": ["bone-marrow-edema", "en"],
        "handouts:packet_condition": ["bone-marrow-edema", "en"],
        "handouts:article_preview_pdf": [handout.condition_list[0].article_id],
        "reports:csv": ["weeks"],
        "patient:open": [token],
        "patient:read": [token],
        "patient:check": [token],
        "patient:download": [token],
        "patient:logo": [token],
    }
    handout_routes = {
        "handouts:detail",
        "handouts:pdf",
        "handouts:print",
        "handouts:share",
        "handouts:revoke_link",
        "handouts:access_slip",
    }
    for route in handout_routes | {
        "interop:fhir_document_reference",
        "interop:fhir_document_reference_everything",
        "interop:fhir_binary",
    }:
        args[route] = [handout.public_id]
    args["interop:fhir_communication"] = [f"{handout.public_id}.0123456789abcdef"]
    return {route: reverse(route, args=args.get(route, [])) for route in named_routes()}


def test_every_route_has_an_access_rule(urls: dict[str, str]) -> None:
    assert set(urls) == set(ACCESS) | OPEN_TO_ALL | API_TOKEN_ONLY


@pytest.mark.parametrize("persona", [*ROLES, "anonymous"])
def test_api_routes_refuse_every_session_without_a_token(
    client: Client, personas: dict[str, User], urls: dict[str, str], persona: str
) -> None:
    if persona != "anonymous":
        client.force_login(personas[persona])
    for route in API_TOKEN_ONLY:
        response = client.get(urls[route])
        assert response.status_code == 401, (route, response.status_code)


def test_anonymous_visitors_are_sent_to_sign_in_from_every_staff_route(
    urls: dict[str, str],
) -> None:
    for route, (method, _roles) in ACCESS.items():
        response = getattr(Client(), method.lower())(urls[route])
        assert response.status_code == 302, route
        assert response["Location"].startswith(reverse("login") + "?next="), route


def test_patient_routes_give_anonymous_visitors_the_code_page_or_the_neutral_page(
    urls: dict[str, str],
) -> None:
    client = Client()
    assert client.get(urls["patient:open"]).status_code == 200
    assert client.get(urls["patient:read"])["Location"] == urls["patient:open"]
    assert client.get(urls["patient:check"])["Location"] == urls["patient:open"]
    assert client.get(urls["patient:download"])["Location"] == urls["patient:open"]
    assert client.get(urls["patient:logo"])["Location"] == urls["patient:open"]
    unknown = reverse("patient:open", args=["not-a-real-token-000000"])
    assert client.get(unknown).status_code == 404


@pytest.mark.parametrize("persona", ROLES)
def test_each_role_gets_exactly_its_routes(
    client: Client, personas: dict[str, User], urls: dict[str, str], persona: str
) -> None:
    client.force_login(personas[persona])
    for route, (method, roles) in ACCESS.items():
        response = getattr(client, method.lower())(urls[route])
        if persona in roles:
            target = expected_redirect(route, persona, urls)
            if target is not None:
                assert response.status_code == 302, (route, response.status_code)
                assert response["Location"] == target, (route, response["Location"])
            else:
                assert response.status_code in {200, 404}, (route, response.status_code)
                assert response.status_code != 404 or route == "clinic_logo", route
        else:
            assert response.status_code == 403, (route, response.status_code)


EDUCATION = {
    "education.condition",
    "education.article",
    "education.section",
    "education.source",
    "education.therapy",
    "education.preventiontip",
    "education.warningsign",
    "education.conditionname",
    "education.conditioncode",
    "education.checkquestion",
}
ADMIN_SITE = {
    "editor": EDUCATION,
    "administrator": EDUCATION
    | {"portal.clinicprofile", "portal.auditevent", "auth.user", "auth.group"}
    # Lockouts and two-factor devices, to unlock a colleague and reset a lost authenticator.
    | {"axes.accessattempt", "otp_totp.totpdevice", "otp_static.staticdevice"}
    | {"interop.apiclient"},
}


@pytest.mark.parametrize("persona", ROLES)
def test_the_admin_site_is_open_to_editors_and_administrators_only(
    client: Client, personas: dict[str, User], persona: str
) -> None:
    client.force_login(personas[persona])
    changelists = {
        f"{model._meta.app_label}.{model._meta.model_name}": reverse(
            f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
        )
        for model in admin.site._registry
    }
    for label, url in changelists.items():
        response = client.get(url)
        if persona not in ADMIN_SITE:
            assert response.status_code == 302, label  # to the admin's sign-in page
            assert "/admin/login/" in response["Location"]
        elif label in ADMIN_SITE[persona]:
            assert response.status_code == 200, label
        else:
            assert response.status_code == 403, (persona, label)


def test_anonymous_visitors_get_the_admin_sign_in_page() -> None:
    response = Client().get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
