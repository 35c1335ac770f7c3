"""A burst of issues cannot render every PDF at once: each process renders at most
PDF_RENDER_CONCURRENCY, and a request that waits too long for its turn keeps the form."""

import threading
from contextlib import contextmanager

import pytest

from handouts.models import Handout
from handouts.pdf.render import render_slots
from tests.handouts.helpers import builder_data, builder_url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("visit_day")]


@contextmanager
def every_render_slot_taken():
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


def test_renders_at_once_are_bounded_by_the_setting(settings):
    with every_render_slot_taken() as held:
        assert held == settings.PDF_RENDER_CONCURRENCY


def test_issuing_while_every_slot_is_busy_saves_nothing_and_keeps_the_form(
    client, clinician, sample_article, clinic, settings
):
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
    client, clinician, sample_article, clinic, settings
):
    settings.PDF_RENDER_WAIT_SECONDS = 0
    client.force_login(clinician)
    data = builder_data(sample_article, action="preview_pdf")
    with every_render_slot_taken():
        response = client.post(builder_url(sample_article), data)
    assert response.status_code == 200
    assert "The portal is busy making other handouts." in response.content.decode()
    assert response.context["preview"]["handout"].patient_name == "Zoë Núñez-O'Brien"


def test_a_waiting_render_goes_ahead_when_a_slot_frees(
    client, clinician, sample_article, clinic, settings
):
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
