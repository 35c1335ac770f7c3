"""Patient links tell an outsider nothing: not by timing (a code costs the same work whatever
the token names), not through a form posted from another site, and not through the headers
of any page under /p/, error pages included."""

import datetime
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import hashers
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import crypto, timezone
from time_machine import TimeMachineFixture

from handouts.models import LOCK_FOR, Handout, HandoutEvent, ShareLink
from handouts.sharing import CodeHasher, create_share_link, hash_token
from tests.handouts.helpers import PHONE, form_token, open_url
from tests.helpers import TestResponse

pytestmark = pytest.mark.django_db
Kind = HandoutEvent.Kind
WRONG_CODE = "AAAA-AAAA"
PATIENT_PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
    "X-Robots-Tag": "noindex, nofollow",
}


@pytest.fixture
def key_derivations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The iterations of every PBKDF2 key derivation Django's hashers run: their real
    function, counted (it is where checking a code spends its time)."""
    derivations: list[int] = []
    real = crypto.pbkdf2  # what the hashers module imported

    def counted(
        password: bytes | str,
        salt: bytes | str,
        iterations: int,
        dklen: int = 0,
        digest: Callable[..., Any] | None = None,
    ) -> bytes:
        derivations.append(iterations)
        return real(password, salt, iterations, dklen, digest)

    monkeypatch.setattr(hashers, "pbkdf2", counted)
    return derivations


def copy_of(handout: Handout) -> Handout:
    """Another patient's handout, without rendering its PDF again."""
    copy = Handout.objects.get(pk=handout.pk)
    copy.pk, copy.public_id, copy.issue_token = None, uuid.uuid4(), None
    copy._state.adding = True
    copy.save()
    return copy


@pytest.fixture
def links(
    handout: Handout, clinician: User, time_machine: TimeMachineFixture
) -> dict[str, tuple[str, str]]:
    """(token, code) of each kind of link a stranger might hold, each on its own handout."""
    time_machine.move_to(datetime.datetime(2027, 2, 2, 9, tzinfo=datetime.UTC))
    working = create_share_link(handout, staff=clinician)
    expired = create_share_link(copy_of(handout), staff=clinician, days=1)
    revoked = create_share_link(copy_of(handout), staff=clinician)
    locked = create_share_link(copy_of(handout), staff=clinician)
    time_machine.move_to(datetime.datetime(2027, 2, 3, 9, 1, tzinfo=datetime.UTC))
    ShareLink.objects.filter(pk=revoked.link.pk).update(revoked_at=timezone.now())
    ShareLink.objects.filter(pk=locked.link.pk).update(
        failed_attempts=5, locked_until=timezone.now() + LOCK_FOR
    )
    return {
        "unknown": ("NoSuchLinkEverExisted0", "ABCD-EFGH"),
        **{
            kind: (new.token, new.code)
            for kind, new in [
                ("expired", expired),
                ("revoked", revoked),
                ("locked", locked),
                ("working", working),
            ]
        },
    }


def test_a_wrong_code_costs_one_full_key_derivation_whatever_the_token_names(
    links: dict[str, tuple[str, str]], key_derivations: list[int]
) -> None:
    for kind, (token, _code) in links.items():
        key_derivations.clear()
        response = Client().post(open_url(token), {"code": WRONG_CODE})
        assert response.status_code == (200 if kind == "working" else 404), kind
        assert key_derivations == [CodeHasher.iterations], kind


def test_the_right_code_costs_the_same_single_key_derivation(
    links: dict[str, tuple[str, str]], key_derivations: list[int]
) -> None:
    for kind, (token, code) in links.items():
        key_derivations.clear()
        response = Client().post(open_url(token), {"code": code})
        assert response.status_code == (302 if kind == "working" else 404), kind
        assert key_derivations == [CodeHasher.iterations], kind


def test_checking_a_code_never_reads_the_handouts_pdf_or_content(
    links: dict[str, tuple[str, str]],
) -> None:
    """Reading them only for links that exist would make an unknown token quicker to refuse."""
    for token, _code in links.values():
        with CaptureQueriesContext(connection) as queries:
            Client().post(open_url(token), {"code": WRONG_CODE})
        read = " ".join(query["sql"] for query in queries.captured_queries)
        assert "handouts_handoutpdf" not in read
        assert "handouts_handoutcondition" not in read


def test_ended_links_are_refused_with_exactly_the_work_of_an_unknown_token(
    links: dict[str, tuple[str, str]],
) -> None:
    """The same queries, none of them a write: an expired or revoked link can never open
    again, so its wrong codes are not counted, and the answer's time cannot tell it apart."""
    work = {}
    for kind in ["unknown", "expired", "revoked"]:
        token, _code = links[kind]
        with CaptureQueriesContext(connection) as queries:
            response = Client().post(open_url(token), {"code": WRONG_CODE})
        assert response.status_code == 404
        work[kind] = [query["sql"].split()[0] for query in queries.captured_queries]
    assert work["unknown"] == work["expired"] == work["revoked"]
    assert set(work["unknown"]) == {"SELECT"}
    assert not HandoutEvent.objects.filter(kind=Kind.CODE_FAILED).exists()


def test_wrong_codes_on_a_locked_link_still_count(links: dict[str, tuple[str, str]]) -> None:
    token, _code = links["locked"]
    Client().post(open_url(token), {"code": WRONG_CODE})
    assert link_of(token).failed_attempts == 6
    assert link_of(token).events.filter(kind=Kind.CODE_FAILED).count() == 1


def link_of(token: str) -> ShareLink:
    return ShareLink.objects.get(token_hash=hash_token(token))


# --- Cross-site posts -----------------------------------------------------------------------


def phone() -> Client:
    """A phone's browser: CSRF checks on (the requests below are made over HTTPS, where
    Django also checks where a post comes from)."""
    return Client(HTTP_USER_AGENT=PHONE, enforce_csrf_checks=True)


def test_the_code_form_posted_from_the_patients_page_opens_the_handout(
    links: dict[str, tuple[str, str]],
) -> None:
    token, code = links["working"]
    patient = phone()
    csrf = form_token(patient.get(open_url(token), secure=True))
    response = patient.post(
        open_url(token),
        {"code": code, "csrfmiddlewaretoken": csrf},
        headers={"Origin": "https://testserver", "Referer": f"https://testserver{open_url(token)}"},
        secure=True,
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("patient:read", args=[token])


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://elsewhere.example"},
        {"Origin": "null"},  # what browsers send from a page with Referrer-Policy: no-referrer
        {"Referer": "https://elsewhere.example/page"},
        {},  # over HTTPS a post with neither header is refused too
    ],
)
def test_the_code_form_posted_from_another_site_is_refused_and_counts_nothing(
    links: dict[str, tuple[str, str]], headers: dict[str, str]
) -> None:
    """Even with the patient's own CSRF cookie and token (a form on another site has
    neither: the cookie is SameSite=Lax and the page cannot be read across sites)."""
    token, code = links["working"]
    patient = phone()
    csrf = form_token(patient.get(open_url(token), secure=True))
    response = patient.post(
        open_url(token), {"code": code, "csrfmiddlewaretoken": csrf}, headers=headers, secure=True
    )
    assert response.status_code == 403
    assert link_of(token).failed_attempts == 0
    assert not link_of(token).events.filter(kind=Kind.CODE_ACCEPTED).exists()
    assert patient.get(reverse("patient:read", args=[token]), secure=True).status_code == 302


def test_the_code_form_without_the_patients_csrf_token_is_refused(
    links: dict[str, tuple[str, str]],
) -> None:
    token, code = links["working"]
    response = phone().post(
        open_url(token), {"code": code}, headers={"Origin": "https://testserver"}, secure=True
    )
    assert response.status_code == 403
    assert not link_of(token).events.filter(kind=Kind.CODE_ACCEPTED).exists()


# --- Headers of every page under /p/, error pages included ----------------------------------


def assert_patient_page_headers(response: TestResponse) -> None:
    for header, value in PATIENT_PAGE_HEADERS.items():
        assert response[header] == value, (response.status_code, header)


@pytest.mark.urls("tests.handouts.failing_patient_urls")
def test_the_500_page_under_p_sends_the_privacy_headers_and_nothing_else() -> None:
    token = "SomePatientsToken12345"
    response = Client(raise_request_exception=False).get(f"/p/{token}/failing/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
    assert_patient_page_headers(response)
    assert token not in response.content.decode() and "Zoë" not in response.content.decode()


def test_the_other_error_pages_under_p_send_the_privacy_headers(
    links: dict[str, tuple[str, str]],
) -> None:
    token, code = links["working"]
    not_found = Client().get(f"/p/{token}/no-such-page/")
    refused = Client(enforce_csrf_checks=True).post(open_url(token), {"code": code})
    bad_request = Client().get(open_url(token), headers={"Host": "elsewhere.example"})
    assert [not_found.status_code, refused.status_code, bad_request.status_code] == [404, 403, 400]
    for response in [not_found, refused, bad_request]:
        assert_patient_page_headers(response)
        assert token not in response.content.decode()
    assert "This form could not be sent" in refused.content.decode()


def test_staff_pages_keep_their_own_caching_and_referrer_rules(
    client: Client, clinician: User
) -> None:
    client.force_login(clinician)
    response = client.get(reverse("home"))
    assert "X-Robots-Tag" not in response
    assert response["Referrer-Policy"] == "same-origin"
