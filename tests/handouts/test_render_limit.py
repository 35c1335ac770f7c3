"""A burst of issues cannot render every PDF at once: each process renders at most
PDF_RENDER_CONCURRENCY, and a request that waits too long for its turn keeps the form. A PDF
that is still being drawn after PDF_RENDER_TIME_LIMIT_SECONDS is stopped: the page says why,
nothing is saved, the form is kept, and the process goes on issuing."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from education.models import Article
from handouts.models import Handout, HandoutEvent
from handouts.pdf.render import render_slots
from portal.models import ClinicProfile
from tests.handouts.helpers import builder_data, builder_url, share, shown_secrets
from tests.helpers import nested_use_svg

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("visit_day")]


@contextmanager
def every_render_slot_taken() -> Iterator[int]:
    """As if other requests of this process were rendering: every slot held until the end."""
    slots = render_slots()
    held = 0
    while slots.acquire(blocking=False):
        held += 1
    try:
        yield held
    finally:
        for _ in range(held):
            slots.release()


def test_renders_at_once_are_bounded_by_the_setting(settings: Settings) -> None:
    with every_render_slot_taken() as held:
        assert held == settings.PDF_RENDER_CONCURRENCY


def test_issuing_while_every_slot_is_busy_saves_nothing_and_keeps_the_form(
    client: Client,
    clinician: User,
    sample_article: Article,
    clinic: ClinicProfile,
    settings: Settings,
) -> None:
    settings.PDF_RENDER_WAIT_SECONDS = 0
    client.force_login(clinician)
    with every_render_slot_taken():
        response = client.post(builder_url(sample_article), builder_data(sample_article))
    html = response.content.decode()
    assert response.status_code == 200
    assert "The portal is busy making other handouts. Nothing was saved" in html
    assert response.context["form"].data["patient_name"] == "Zoë Núñez-O'Brien"
    assert Handout.objects.count() == 0
    # The slots are free again: the same form now issues.
    response = client.post(builder_url(sample_article), builder_data(sample_article))
    assert response.status_code == 302
    assert Handout.objects.count() == 1


def test_a_preview_pdf_while_every_slot_is_busy_shows_the_preview_and_says_so(
    client: Client,
    clinician: User,
    sample_article: Article,
    clinic: ClinicProfile,
    settings: Settings,
) -> None:
    settings.PDF_RENDER_WAIT_SECONDS = 0
    client.force_login(clinician)
    data = builder_data(sample_article, action="preview_pdf")
    with every_render_slot_taken():
        response = client.post(builder_url(sample_article), data)
    assert response.status_code == 200
    assert "The portal is busy making other handouts." in response.content.decode()
    assert response.context["preview"]["handout"].patient_name == "Zoë Núñez-O'Brien"


def test_a_waiting_render_goes_ahead_when_a_slot_frees(
    client: Client,
    clinician: User,
    sample_article: Article,
    clinic: ClinicProfile,
    settings: Settings,
) -> None:
    settings.PDF_RENDER_WAIT_SECONDS = 30
    client.force_login(clinician)
    with every_render_slot_taken() as held:
        # Another request finishes its render shortly after this one starts waiting.
        threading.Timer(0.5, render_slots().release).start()
        response = client.post(builder_url(sample_article), builder_data(sample_article))
        render_slots().acquire()  # take back the slot the timer gave, for the context to free
        assert held >= 1
    assert response.status_code == 302
    assert Handout.objects.count() == 1


# Normal renders here take one or two seconds; the stored logo takes WeasyPrint about a minute.
TIME_LIMIT = 5
TOO_SLOW = f"Its PDF was still being drawn after {TIME_LIMIT} seconds, so it was stopped."


@pytest.fixture
def logo_too_slow_to_draw(clinic: ClinicProfile, settings: Settings) -> ClinicProfile:
    """A logo stored before uploads were checked for the time they take to draw."""
    settings.PDF_RENDER_TIME_LIMIT_SECONDS = TIME_LIMIT
    clinic.logo, clinic.logo_content_type = nested_use_svg(5), "image/svg+xml"
    clinic.save()
    return clinic


def test_a_handout_past_the_time_limit_is_not_made_the_form_is_kept_and_issuing_goes_on(
    client: Client, clinician: User, sample_article: Article, logo_too_slow_to_draw: ClinicProfile
) -> None:
    client.force_login(clinician)
    response = client.post(builder_url(sample_article), builder_data(sample_article))
    html = response.content.decode()
    assert response.status_code == 200
    assert "The handout could not be made." in html
    assert TOO_SLOW in html
    assert "Nothing was saved, and your choices are still below." in html
    assert response.context["form"].data["patient_name"] == "Zoë Núñez-O'Brien"
    assert Handout.objects.count() == 0
    # The same process issues the same form once the logo is replaced.
    logo_too_slow_to_draw.logo, logo_too_slow_to_draw.logo_content_type = b"", ""
    logo_too_slow_to_draw.save()
    response = client.post(builder_url(sample_article), builder_data(sample_article))
    assert response.status_code == 302
    assert Handout.objects.count() == 1


def test_a_preview_pdf_past_the_time_limit_shows_the_preview_and_says_why(
    client: Client, clinician: User, sample_article: Article, logo_too_slow_to_draw: ClinicProfile
) -> None:
    client.force_login(clinician)
    data = builder_data(sample_article, action="preview_pdf")
    response = client.post(builder_url(sample_article), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "The preview PDF could not be made." in html and TOO_SLOW in html
    assert response.context["preview"]["handout"].patient_name == "Zoë Núñez-O'Brien"


def test_an_access_slip_past_the_time_limit_says_why_instead_of_failing(
    client: Client, front_desk: User, handout: Handout, logo_too_slow_to_draw: ClinicProfile
) -> None:
    client.force_login(front_desk)
    url, code = shown_secrets(share(client, handout))
    response = client.post(
        reverse("handouts:access_slip", args=[handout.public_id]),
        {"token": url.rsplit("/", 2)[-2], "code": code},
        follow=True,
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == handout.get_absolute_url()
    assert "The access slip could not be made." in html and TOO_SLOW in html
    assert "The link and code are still on the page you came from" in html
    assert not handout.events.filter(kind=HandoutEvent.Kind.SLIP_PRINTED).exists()


def test_an_article_preview_past_the_time_limit_goes_back_to_the_article_and_says_why(
    client: Client, editor: User, sample_article: Article, logo_too_slow_to_draw: ClinicProfile
) -> None:
    client.force_login(editor)
    response = client.get(
        reverse("handouts:article_preview_pdf", args=[sample_article.pk]), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse(
        "admin:education_article_change", args=[sample_article.pk]
    )
    assert TOO_SLOW in response.content.decode()
