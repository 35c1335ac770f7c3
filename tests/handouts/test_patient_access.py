"""A patient opens their link on a phone, proves it is theirs with the code, reads and
downloads the handout; nobody else can, and every step is recorded."""

import datetime
import threading
from collections.abc import Callable
from typing import cast

import pytest
from django import forms
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.urls import reverse
from time_machine import TimeMachineFixture

from education.models import Article
from handouts.models import LOCK_FOR, REVOKE_AFTER, Handout, HandoutEvent, ShareLink
from handouts.patient_views import AccessCodeForm
from handouts.sharing import CODE_LENGTH, NewShareLink, create_share_link
from portal.models import ClinicProfile
from tests.handouts.helpers import form_token, load_form, open_url, patient_client, post_code
from tests.helpers import TestResponse, present

pytestmark = pytest.mark.django_db
Kind = HandoutEvent.Kind


@pytest.fixture
def at_visit(time_machine: TimeMachineFixture) -> TimeMachineFixture:
    """The clock on the visit day, before the handout and its link are made."""
    time_machine.move_to(datetime.datetime(2027, 2, 2, 9, tzinfo=datetime.UTC))
    return time_machine


@pytest.fixture
def shared(handout: Handout, clinician: User) -> NewShareLink:
    return create_share_link(handout, staff=clinician)


def enter_code(client: Client, token: str, code: str) -> TestResponse:
    return post_code(client, token, code, load_form(client, token))


def names_the_patient_or_condition(content: bytes) -> bool:
    """Whole words only: the page's random CSRF token may hold any two letters, "Zo" too."""
    return any(word.encode() in content for word in ("Zoë", "Núñez", "Brien", "edema"))


def events(handout: Handout) -> list[str]:
    return list(handout.events.values_list("kind", flat=True))


def test_link_asks_for_the_code_and_records_the_opening(
    shared: NewShareLink, handout: Handout
) -> None:
    response = patient_client().get(open_url(shared.token))
    assert response.status_code == 200
    assert b'name="code"' in response.content
    assert not names_the_patient_or_condition(response.content)
    assert '<html lang="en">' in response.content.decode()
    assert events(handout)[-1] == Kind.LINK_OPENED
    assert present(handout.events.last()).device == "phone"


def test_the_right_code_opens_the_reading_view_in_the_handouts_language(
    shared: NewShareLink, handout: Handout
) -> None:
    client = patient_client()
    response = enter_code(client, shared.token, shared.display_code.lower().replace("-", " "))
    assert response.status_code == 302
    assert response["Location"] == reverse("patient:read", args=[shared.token])
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert '<html lang="en">' in html
    assert '<article class="handout-preview patient-handout" lang="en">' in html
    assert "Zoë Núñez-O&#x27;Brien" in html
    assert "Tuesday 16 March 2027" in html
    assert reverse("patient:download", args=[shared.token]) in html
    assert events(handout)[-2:] == [Kind.CODE_ACCEPTED, Kind.PATIENT_VIEWED]


def test_the_patient_downloads_the_stored_pdf(shared: NewShareLink, handout: Handout) -> None:
    client = patient_client()
    enter_code(client, shared.token, shared.code)
    response = client.get(reverse("patient:download", args=[shared.token]))
    assert response.content == bytes(handout.stored_pdf.pdf)
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Zo" not in response["Content-Disposition"]
    assert events(handout)[-1] == Kind.PATIENT_DOWNLOADED


def test_reading_and_downloading_need_the_code_first(shared: NewShareLink) -> None:
    client = patient_client()
    for name in ["patient:read", "patient:download"]:
        response = client.get(reverse(name, args=[shared.token]))
        assert response.status_code == 302
        assert response["Location"] == open_url(shared.token)


def test_the_code_page_states_the_codes_length_and_takes_what_the_form_takes(
    shared: NewShareLink,
) -> None:
    page = patient_client().get(open_url(shared.token)).content.decode()
    assert f"{CODE_LENGTH} letters and numbers. Dashes and spaces are fine." in page
    code_field = cast(forms.CharField, AccessCodeForm.base_fields["code"])
    assert f'maxlength="{code_field.max_length}"' in page


def test_a_code_in_the_query_string_is_ignored(shared: NewShareLink, handout: Handout) -> None:
    client = patient_client()
    response = client.get(open_url(shared.token), {"code": shared.code})
    assert response.status_code == 200 and b'name="code"' in response.content
    assert client.get(reverse("patient:read", args=[shared.token])).status_code == 302
    assert Kind.CODE_ACCEPTED not in events(handout)


def test_a_wrong_code_gets_a_neutral_message_and_is_counted(
    shared: NewShareLink, handout: Handout
) -> None:
    response = enter_code(patient_client(), shared.token, "AAAA-AAAA")
    assert response.status_code == 200
    assert "That code did not work. Check it and try again." in response.content.decode()
    assert ShareLink.objects.get().failed_attempts == 1
    assert events(handout)[-1] == Kind.CODE_FAILED


def test_five_wrong_codes_lock_the_link_for_15_minutes_even_for_the_right_code(
    at_visit: TimeMachineFixture,
    shared: NewShareLink,
    handout: Handout,
    time_machine: TimeMachineFixture,
) -> None:
    patient = patient_client()
    patients_form = load_form(patient, shared.token)  # opened before the guessing began
    for _ in range(5):
        enter_code(Client(), shared.token, "AAAA-AAAA")  # a new caller each time
    assert Kind.LINK_LOCKED in events(handout)
    locked = post_code(patient, shared.token, shared.code, patients_form)
    assert locked.status_code == 404
    assert b"This link is not available" in locked.content
    time_machine.move_to(datetime.datetime(2027, 2, 2, 9, 16, tzinfo=datetime.UTC))
    assert enter_code(patient_client(), shared.token, shared.code).status_code == 302


def test_ten_wrong_codes_revoke_the_link(
    at_visit: TimeMachineFixture,
    shared: NewShareLink,
    handout: Handout,
    time_machine: TimeMachineFixture,
) -> None:
    guesser = patient_client()
    guessers_form = load_form(guesser, shared.token)
    for _ in range(10):  # guesses during the lock count too
        post_code(guesser, shared.token, "AAAA-AAAA", guessers_form)
    link = ShareLink.objects.get()
    assert link.failed_attempts == 10
    assert link.revoked_because == ShareLink.RevokedBecause.TOO_MANY_ATTEMPTS
    time_machine.move_to(datetime.datetime(2027, 2, 3, tzinfo=datetime.UTC))
    assert post_code(guesser, shared.token, shared.code, guessers_form).status_code == 404
    assert patient_client().get(open_url(shared.token)).status_code == 404


def test_the_handouts_history_names_the_lock_and_revocation_limits(
    at_visit: TimeMachineFixture,
    shared: NewShareLink,
    handout: Handout,
    client: Client,
    clinician: User,
) -> None:
    guesser = patient_client()
    guessers_form = load_form(guesser, shared.token)
    for _ in range(REVOKE_AFTER):
        post_code(guesser, shared.token, "AAAA-AAAA", guessers_form)
    minutes = LOCK_FOR // datetime.timedelta(minutes=1)
    client.force_login(clinician)
    page = client.get(handout.get_absolute_url()).content.decode()
    assert f"Link locked for {minutes} minutes after too many wrong codes" in page
    assert f"Patient link revoked after {REVOKE_AFTER} wrong codes" in page
    spanish = client.get(handout.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert f"Enlace bloqueado durante {minutes} minutos por demasiados códigos" in spanish
    assert f"Enlace del paciente revocado tras {REVOKE_AFTER} códigos incorrectos" in spanish


def neutral_response(client: Client, token: str) -> tuple[int, bytes, list[tuple[str, str]]]:
    response = client.get(open_url(token))
    return response.status_code, response.content, sorted(response.headers.items())


def test_unknown_expired_revoked_and_locked_links_look_exactly_the_same(
    at_visit: TimeMachineFixture,
    handout: Handout,
    clinician: User,
    time_machine: TimeMachineFixture,
) -> None:
    expired = create_share_link(handout, staff=clinician, days=1)
    time_machine.move_to(datetime.datetime(2027, 2, 4, 9, tzinfo=datetime.UTC))
    revoked = create_share_link(handout, staff=clinician)  # revokes `expired`'s successor
    locked = create_share_link(handout, staff=clinician)
    revoked_token = revoked.token
    guesser = Client()
    guessers_form = load_form(guesser, locked.token)
    for _ in range(5):
        post_code(guesser, locked.token, "AAAA-AAAA", guessers_form)
    responses = [
        neutral_response(Client(), token)
        for token in ["NoSuchTokenAtAll0000x", expired.token, revoked_token, locked.token]
    ]
    assert responses[0][0] == 404
    assert all(response == responses[0] for response in responses)
    assert not names_the_patient_or_condition(responses[0][1])


def test_access_lasts_30_minutes_then_the_code_is_asked_again(
    at_visit: TimeMachineFixture, shared: NewShareLink, time_machine: TimeMachineFixture
) -> None:
    client = patient_client()
    enter_code(client, shared.token, shared.code)
    read = reverse("patient:read", args=[shared.token])
    time_machine.move_to(datetime.datetime(2027, 2, 2, 9, 29, tzinfo=datetime.UTC))
    assert client.get(read).status_code == 200
    time_machine.move_to(datetime.datetime(2027, 2, 2, 9, 31, tzinfo=datetime.UTC))
    assert client.get(read)["Location"] == open_url(shared.token)


def test_access_is_granted_to_one_link_only(
    handout: Handout, issue: Callable[..., Handout], sample_article: Article, clinician: User
) -> None:
    other = issue(sample_article, patient_name="Someone Else")
    mine = create_share_link(handout, staff=clinician)
    theirs = create_share_link(other, staff=clinician)
    client = patient_client()
    enter_code(client, mine.token, mine.code)
    assert client.get(reverse("patient:read", args=[theirs.token])).status_code == 302


def test_revoking_ends_access_already_granted(
    shared: NewShareLink, handout: Handout, clinician: User
) -> None:
    client = patient_client()
    enter_code(client, shared.token, shared.code)
    shared.link.refresh_from_db()
    from handouts.sharing import revoke_share_link

    revoke_share_link(shared.link, staff=clinician)
    assert client.get(reverse("patient:read", args=[shared.token])).status_code == 404


def test_patient_pages_send_strict_privacy_and_security_headers(shared: NewShareLink) -> None:
    client = patient_client()
    pages = [client.get(open_url(shared.token)), client.get(open_url("unknown-token-123456"))]
    pages.append(post_code(client, shared.token, "AAAA-AAAA", form_token(pages[0])))
    pages.append(enter_code(client, shared.token, shared.code))
    pages += [
        client.get(reverse(name, args=[shared.token]))
        for name in ["patient:read", "patient:download", "patient:logo"]
    ]
    assert [page.status_code for page in pages] == [200, 404, 200, 302, 200, 200, 404]
    for response in pages:
        assert response["Cache-Control"] == "no-store"
        # Not no-referrer: with it browsers post the code form with `Origin: null`, which
        # Django's CSRF check refuses. same-origin sends no address to any other site.
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "object-src 'none'" in policy
        assert "frame-ancestors 'none'" in policy
        assert "http" not in policy  # no third-party origins


def test_the_handout_page_shows_when_the_patient_opened_it(
    at_visit: TimeMachineFixture,
    client: Client,
    front_desk: User,
    shared: NewShareLink,
    handout: Handout,
    time_machine: TimeMachineFixture,
) -> None:
    time_machine.move_to(datetime.datetime(2027, 2, 4, 18, tzinfo=datetime.UTC))
    patient = patient_client()
    enter_code(patient, shared.token, shared.code)
    patient.get(reverse("patient:download", args=[shared.token]))
    client.force_login(front_desk)
    html = client.get(handout.get_absolute_url()).content.decode()
    assert "Link opened on a phone, 2 days after the visit" in html
    assert "PDF downloaded by the patient on a phone, 2 days after the visit" in html


def test_events_are_never_edited_or_deleted(handout: Handout) -> None:
    event = handout.events.get()
    event.kind = Kind.PURGED
    with pytest.raises(ValueError, match="never changed"):
        event.save()
    with pytest.raises(ValueError, match="never deleted"):
        event.delete()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks across connections are what this proves; PostgreSQL only",
)
def test_twenty_concurrent_wrong_codes_are_each_counted_once_and_revoke_the_link_once(
    sample_article: Article, clinician: User, clinic: ClinicProfile
) -> None:
    """No lost update: the counter and the events agree, the link locks and is revoked once.
    An attempt that finds the link already revoked is refused without being counted, like any
    attempt on an ended link, so the count lies between the limit and twenty."""
    import uuid

    from handouts.issuing import issue_handout
    from tests.helpers import default_choices

    handout, _ = issue_handout(
        sample_article,
        default_choices(sample_article),
        issued_by=clinician,
        issue_token=uuid.uuid4(),
        clinic=clinic,
    )
    shared = create_share_link(handout, staff=clinician)
    clients = []
    for _ in range(20):
        client = patient_client()
        page = client.get(open_url(shared.token))
        clients.append((client, form_token(page)))
    start = threading.Barrier(20)

    def attempt(client: Client, token: str) -> None:
        try:
            start.wait()
            client.post(open_url(shared.token), {"code": "AAAA-AAAA", "csrfmiddlewaretoken": token})
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=pair) for pair in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    link = ShareLink.objects.get()
    assert REVOKE_AFTER <= link.failed_attempts <= 20
    assert handout.events.filter(kind=Kind.CODE_FAILED).count() == link.failed_attempts
    assert link.revoked_because == ShareLink.RevokedBecause.TOO_MANY_ATTEMPTS
    assert handout.events.filter(kind=Kind.LINK_LOCKED).count() == 1
    assert handout.events.filter(kind=Kind.LINK_REVOKED).count() == 1
