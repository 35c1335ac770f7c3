"""Finding, downloading and printing issued handouts, and who may."""

import datetime
import uuid
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from time_machine import TimeMachineFixture

from education.models import Article
from handouts.models import Handout, HandoutPdf

pytestmark = pytest.mark.django_db


def handout_urls(handout: Handout) -> dict[str, str]:
    return {
        "detail": reverse("handouts:detail", args=[handout.public_id]),
        "pdf": reverse("handouts:pdf", args=[handout.public_id]),
        "print": reverse("handouts:print", args=[handout.public_id]),
        "list": reverse("handouts:list"),
    }


@pytest.mark.parametrize(
    ("persona", "views", "issues"),
    [
        ("clinician", True, True),
        ("administrator", True, True),
        ("front_desk", True, False),
        ("editor", False, False),
        ("outsider", False, False),
    ],
)
def test_permission_matrix(
    client: Client,
    personas: dict[str, User],
    handout: Handout,
    sample_article: Article,
    persona: str,
    views: bool,
    issues: bool,
) -> None:
    client.force_login(personas[persona])
    for name, url in handout_urls(handout).items():
        assert client.get(url).status_code == (200 if views else 403), (persona, name)
    builder = reverse("handouts:new", args=["bone-marrow-edema", "en"])
    assert client.get(builder).status_code == (200 if issues else 403), persona
    before = Handout.objects.count()
    client.post(builder, {"action": "issue"})
    assert Handout.objects.count() == before


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, handout: Handout) -> None:
    urls = [
        *handout_urls(handout).values(),
        reverse("handouts:new", args=["bone-marrow-edema", "en"]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_unknown_handout_is_not_found(client: Client, front_desk: User, handout: Handout) -> None:
    client.force_login(front_desk)
    assert client.get(reverse("handouts:detail", args=[uuid.uuid4()])).status_code == 404
    assert client.get(reverse("handouts:pdf", args=[uuid.uuid4()])).status_code == 404


def test_download_serves_the_stored_bytes_as_an_attachment_without_the_patients_name(
    client: Client, front_desk: User, handout: Handout
) -> None:
    client.force_login(front_desk)
    response = client.get(handout_urls(handout)["pdf"])
    assert response.status_code == 200
    assert response.content == bytes(handout.stored_pdf.pdf)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="handout-bone-marrow-edema-2027-02-02.pdf"'
    )
    assert "no-store" in response["Cache-Control"]
    assert "Zo" not in response["Content-Disposition"]


def test_print_opens_the_same_pdf_in_the_browser(
    client: Client, front_desk: User, handout: Handout
) -> None:
    client.force_login(front_desk)
    response = client.get(handout_urls(handout)["print"])
    assert response.content == bytes(handout.stored_pdf.pdf)
    assert response["Content-Disposition"].startswith("inline;")


def test_a_stored_pdf_that_fails_its_hash_is_never_served(
    client: Client, front_desk: User, handout: Handout, caplog: pytest.LogCaptureFixture
) -> None:
    HandoutPdf.objects.filter(handout=handout).update(pdf=bytes(handout.stored_pdf.pdf) + b"x")
    client.force_login(front_desk)
    response = client.get(handout_urls(handout)["pdf"])
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert b"cannot be sent" in response.content
    assert f"Stored PDF of handout {handout.public_id} failed its integrity check" in caplog.text


def test_handout_page_shows_the_choices_and_links_to_download_and_print(
    client: Client, front_desk: User, handout: Handout
) -> None:
    client.force_login(front_desk)
    html = client.get(handout_urls(handout)["detail"]).content.decode()
    assert "Zoë Núñez-O&#x27;Brien" in html
    assert "Tuesday 2 February 2027" in html
    assert handout_urls(handout)["pdf"] in html
    assert handout_urls(handout)["print"] in html
    assert "reads differently" not in html


def test_list_filters_by_condition_and_dates_and_searches_names_by_post(
    client: Client,
    front_desk: User,
    sample_article: Article,
    issue: Callable[..., Handout],
    time_machine: TimeMachineFixture,
) -> None:
    time_machine.move_to(datetime.datetime(2027, 2, 2, 10, tzinfo=datetime.UTC))
    early = issue(sample_article, patient_name="Ana Early")
    time_machine.move_to(datetime.datetime(2027, 3, 2, 10, tzinfo=datetime.UTC))
    late = issue(sample_article, patient_name="Bo Late")
    client.force_login(front_desk)
    url = reverse("handouts:list")

    def listed(**filters: object) -> list[Handout]:
        response = client.post(url, filters)
        assert response.status_code == 200
        return list(response.context["page"].object_list)

    assert listed() == [late, early]
    assert listed(patient="ana") == [early]
    assert listed(patient="nobody") == []
    assert listed(condition="bone marrow") == [late, early]
    assert listed(condition="fracture") == []
    assert listed(issued_from="2027-03-01") == [late]
    assert listed(issued_to="2027-02-28") == [early]
    response = client.post(url, {"issued_from": "2027-03-01", "issued_to": "2027-02-01"})
    assert "The end date is before the start date." in response.content.decode()
    assert client.get(url).context["page"].object_list[0] == late


def test_list_search_form_posts_so_names_never_reach_the_url(
    client: Client, front_desk: User, handout: Handout
) -> None:
    client.force_login(front_desk)
    html = client.get(reverse("handouts:list")).content.decode()
    assert '<form method="post"' in html and 'id="handout-filter"' in html


def test_handout_page_title_is_plain_text(
    client: Client, front_desk: User, handout: Handout
) -> None:
    client.force_login(front_desk)
    html = client.get(handout.get_absolute_url()).content.decode()
    title = html.split("<title>")[1].split("</title>")[0]
    assert title == (
        "Handout · Bone marrow edema: a bruise inside the bone · Patient education portal"
    )
