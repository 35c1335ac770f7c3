"""`manage.py create_demo_visits` (make demo): made-up visits and events for the dashboard,
clearly fake, made once."""

import io

import pikepdf
import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from handouts.models import Handout, HandoutEvent
from portal.demo import ensure_demo_accounts, ensure_demo_clinic_profile


@pytest.fixture
def demo(settings, roles, sample_article):
    settings.DEBUG = True
    ensure_demo_accounts()
    ensure_demo_clinic_profile()


def test_demo_visits_are_made_once_over_recent_weeks_and_say_they_are_made_up(demo, capsys):
    call_command("create_demo_visits", visits=4)
    call_command("create_demo_visits", visits=4)

    out = capsys.readouterr().out
    assert "issued 4" in out and "left as they were" in out
    handouts = Handout.objects.order_by("issued_at")
    assert [h.patient_name for h in handouts] == [f"Demo Patient {n:02d}" for n in range(1, 5)]
    for handout in handouts:
        with pikepdf.open(io.BytesIO(handout.verified_pdf())) as pdf:
            assert str(pdf.docinfo["/Title"]) == "Demo visit"
    assert {h.issued_by.username for h in handouts} == {"clinician"}
    assert (handouts.last().issued_at - handouts.first().issued_at).days >= 7 * 5
    assert HandoutEvent.objects.filter(kind=HandoutEvent.Kind.CODE_ACCEPTED).exists()


def test_the_demo_lead_sees_the_demo_visits(demo, client):
    call_command("create_demo_visits", visits=6)
    client.force_login(get_user_model().objects.get(username="lead"))

    response = client.get(reverse("reports:dashboard"))

    assert response.status_code == 200
    assert response.context["dashboard"].total.issued == 6


def test_demo_visits_are_refused_when_debug_is_off(settings, db):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("create_demo_visits")
