"""When the database refuses a write or the connection drops while an administrator saves the
clinic profile: nothing changes, and the form comes back with the changes typed."""

import logging

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from portal.models import AuditEvent, ClinicProfile
from tests.database_faults import FAILURES

pytestmark = pytest.mark.django_db

NOT_SAVED = "The clinic profile was not saved: the database could not save it."


def profile_form(**overrides: object) -> dict[str, object]:
    return {
        "name": "Hillside Sports Clinic",
        "address": "3 Hill Street",
        "phone": "+1 555 0123",
        "after_hours_phone": "",
        "emergency_number": "911",
        "website": "https://hillside.example",
        "default_paper_size": "letter",
        "accent_colour": "#204060",
        "max_reading_grade": "8",
        "review_interval_months": "24",
        "teach_back_call_after_days": "7",
        **overrides,
    }


@pytest.mark.parametrize("failure", FAILURES)
@pytest.mark.parametrize(
    ("operation", "table"),
    [
        ("UPDATE", "portal_clinicprofile"),  # the first write
        ("INSERT", "portal_auditevent"),  # the last: the profile and its history were saved
    ],
)
def test_saving_the_profile_when_the_database_fails_changes_nothing_and_keeps_the_changes(
    client: Client,
    administrator: User,
    clinic: ClinicProfile,
    caplog: pytest.LogCaptureFixture,
    failure: str,
    operation: str,
    table: str,
) -> None:
    client.force_login(administrator)
    url = reverse("admin:portal_clinicprofile_change", args=[clinic.pk])
    history = clinic.history.count()
    with caplog.at_level(logging.INFO), FAILURES[failure](operation, table):
        response = client.post(url, profile_form())

    assert response.status_code == 200
    html = response.content.decode()
    assert NOT_SAVED in html
    assert 'value="Hillside Sports Clinic"' in html and "3 Hill Street" in html
    assert 'value="https://hillside.example"' in html
    clinic.refresh_from_db()
    assert clinic.name == "Riverside Sports Clinic"
    assert clinic.history.count() == history
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.CHANGED).exists()
    assert "Saving the clinic profile failed: the database raised" in caplog.text

    assert client.post(url, profile_form()).status_code == 302
    assert ClinicProfile.load().name == "Hillside Sports Clinic"


def test_a_logo_sent_with_a_failed_save_is_checked_once_more_without_a_false_error(
    client: Client, administrator: User, clinic: ClinicProfile
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>'
    client.force_login(administrator)
    url = reverse("admin:portal_clinicprofile_change", args=[clinic.pk])
    with FAILURES["dropped"]("UPDATE", "portal_clinicprofile"):
        response = client.post(
            url, profile_form(logo_upload=SimpleUploadedFile("logo.svg", svg, "image/svg+xml"))
        )
    assert response.status_code == 200
    assert NOT_SAVED in response.content.decode()
    assert list(response.context["adminform"].form.errors) == ["__all__"]
    clinic.refresh_from_db()
    assert not clinic.has_logo
