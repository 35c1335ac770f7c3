import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from handouts.models import Handout
from handouts.pdf.render import render_handout_pdf
from portal.demo import DEMO_LOGO, ensure_demo_clinic_profile
from portal.logos import clean_logo
from portal.models import PLACEHOLDER_CLINIC_NAME, ClinicProfile

pytestmark = pytest.mark.django_db

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'


def change_url() -> str:
    return reverse("admin:portal_clinicprofile_change", args=[1])


def complete(profile: ClinicProfile) -> ClinicProfile:
    profile.logo, profile.logo_content_type = SVG, "image/svg+xml"
    profile.save()
    return profile


def profile_form(**overrides: object) -> dict[str, object]:
    return {
        "name": "Lakeside Physiotherapy",
        "address": "1 Lake Street",
        "phone": "",
        "after_hours_phone": "",
        "emergency_number": "112",
        "website": "",
        "default_paper_size": "a4",
        "accent_colour": "#1f5f8b",
        "max_reading_grade": "8",
        "review_interval_months": "24",
        "teach_back_call_after_days": "7",
        **overrides,
    }


def test_a_fresh_profile_is_blocked_by_its_placeholder_name_and_missing_phone() -> None:
    blockers = ClinicProfile.load().handout_blockers()
    assert len(blockers) == 2
    assert f"placeholder name “{PLACEHOLDER_CLINIC_NAME}”" in blockers[0]
    assert blockers[1] == (
        "The clinic profile has no phone number, so handouts could not tell patients whom to call."
    )


def test_an_empty_name_blocks_handouts_like_the_placeholder(clinic: ClinicProfile) -> None:
    clinic.name = "  "
    assert clinic.handout_blockers() == [
        "The clinic profile has no clinic name, so handouts would not say which clinic gave them."
    ]


def test_a_missing_emergency_number_blocks_handouts(clinic: ClinicProfile) -> None:
    clinic.emergency_number = ""
    assert clinic.handout_blockers() == [
        "The clinic profile has no emergency number, so handouts could not tell patients what "
        "to call in an emergency."
    ]


def test_a_filled_in_clinic_has_no_blockers_and_keeps_the_default_emergency_number(
    clinic: ClinicProfile,
) -> None:
    assert clinic.handout_blockers() == []
    assert clinic.emergency_number == "911"


def test_the_checklist_names_each_part_of_the_profile_and_what_to_do(clinic: ClinicProfile) -> None:
    items = {item.label: item for item in clinic.setup_checklist()}
    assert list(items) == [
        "Clinic name",
        "Phone number",
        "After-hours phone number",
        "Emergency number",
        "Logo",
    ]
    assert items["Clinic name"].done and items["Phone number"].done
    assert items["Emergency number"].hint == (
        "Set to 911: change it if your country uses another number."
    )
    assert not items["Logo"].done and "Upload a PNG or SVG logo" in items["Logo"].hint


def test_a_fresh_profile_has_only_the_emergency_number_done() -> None:
    done = [item.label for item in ClinicProfile.load().setup_checklist() if item.done]
    assert done == ["Emergency number"]


def test_administrator_sees_the_setup_checklist_on_home_with_a_link_to_the_profile(
    client: Client, administrator: User
) -> None:
    client.force_login(administrator)
    page = client.get(reverse("home")).content.decode()
    assert "Set up your clinic" in page
    assert f'href="{change_url()}"' in page
    assert '<span class="visually-hidden">Done: </span>Emergency number' in page
    assert "<strong>Phone number</strong>: Add the number patients call" in page
    assert "Handouts cannot be issued until the clinic name, phone number" in page


def test_administrator_no_longer_sees_the_checklist_once_every_item_is_done(
    client: Client, administrator: User, clinic: ClinicProfile
) -> None:
    client.force_login(administrator)
    assert "Set up your clinic" in client.get(reverse("home")).content.decode()
    complete(clinic)
    page = client.get(reverse("home")).content.decode()
    assert "Set up your clinic" not in page
    assert "Handouts cannot be issued" not in page


def test_a_complete_profile_without_a_logo_still_shows_the_checklist_but_no_blocker(
    client: Client, administrator: User, clinic: ClinicProfile
) -> None:
    client.force_login(administrator)
    page = client.get(reverse("home")).content.decode()
    assert "Set up your clinic" in page
    assert "Handouts cannot be issued" not in page


def test_clinician_never_sees_the_checklist(client: Client, clinician: User) -> None:
    client.force_login(clinician)
    page = client.get(reverse("home")).content.decode()
    assert "Set up your clinic" not in page
    assert change_url() not in page


def test_clinician_is_warned_that_handouts_cannot_be_issued_and_why(
    client: Client, clinician: User
) -> None:
    client.force_login(clinician)
    page = client.get(reverse("home")).content.decode()
    assert "Handouts cannot be issued until an administrator completes the clinic profile" in page
    assert "The clinic profile has no phone number" in page


def test_clinician_sees_no_warning_once_the_profile_is_filled_in(
    client: Client, clinician: User, clinic: ClinicProfile
) -> None:
    client.force_login(clinician)
    assert "Handouts cannot be issued" not in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("persona", ["editor", "front_desk"])
def test_staff_who_cannot_issue_or_fix_see_neither_checklist_nor_warning(
    client: Client, personas: dict[str, User], persona: str
) -> None:
    client.force_login(personas[persona])
    page = client.get(reverse("home")).content.decode()
    assert "Set up your clinic" not in page
    assert "Handouts cannot be issued" not in page


def test_the_demo_fills_in_an_untouched_profile_with_a_valid_logo() -> None:
    assert ensure_demo_clinic_profile() is True
    profile = ClinicProfile.load()
    assert profile.name == "Riverside Sports Clinic"
    assert (profile.phone, profile.after_hours_phone, profile.emergency_number) == (
        "+1 555 0100",
        "+1 555 0199",
        "911",
    )
    assert profile.website == "https://clinic.example"
    assert profile.address.count("\n") == 1
    # Stored as every uploaded SVG is: rebuilt from the parts a logo may use.
    assert (bytes(profile.logo), profile.logo_content_type) == clean_logo(DEMO_LOGO.read_bytes())
    assert profile.logo_content_type == "image/svg+xml"
    assert profile.handout_blockers() == []
    assert all(item.done for item in profile.setup_checklist())


def test_a_handout_renders_with_the_demo_logo_without_weasyprint_errors(handout: Handout) -> None:
    profile = ClinicProfile.load()
    profile.name, profile.phone = PLACEHOLDER_CLINIC_NAME, ""
    profile.save()
    assert ensure_demo_clinic_profile() is True
    # WeasyPrint errors (an image it could not load or read) fail the test through conftest.
    assert render_handout_pdf(handout, ClinicProfile.load()).startswith(b"%PDF")


def test_the_demo_profile_is_filled_in_only_once() -> None:
    assert ensure_demo_clinic_profile() is True
    assert ensure_demo_clinic_profile() is False


def test_the_demo_leaves_an_administrators_edits_alone(client: Client, administrator: User) -> None:
    client.force_login(administrator)
    response = client.post(change_url(), profile_form())
    assert response.status_code == 302
    assert ensure_demo_clinic_profile() is False
    profile = ClinicProfile.load()
    assert (profile.name, profile.phone, profile.emergency_number) == (
        "Lakeside Physiotherapy",
        "",
        "112",
    )
    assert profile.address == "1 Lake Street" and not profile.has_logo


def test_the_demo_leaves_a_profile_with_only_a_phone_alone(
    client: Client, administrator: User
) -> None:
    client.force_login(administrator)
    client.post(change_url(), profile_form(name=PLACEHOLDER_CLINIC_NAME, phone="+44 20 7946 0000"))
    assert ensure_demo_clinic_profile() is False
    assert ClinicProfile.load().name == PLACEHOLDER_CLINIC_NAME


def test_the_demo_command_says_it_filled_in_the_clinic_profile(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.DEBUG = True
    call_command("create_demo_accounts")
    assert "Demo clinic profile: filled in as Riverside Sports Clinic." in capsys.readouterr().out
    call_command("create_demo_accounts")
    assert "Demo clinic profile: left as it was" in capsys.readouterr().out


def test_the_emergency_number_is_in_the_admin_form_next_to_the_phones(
    client: Client, administrator: User
) -> None:
    client.force_login(administrator)
    page = client.get(change_url()).content.decode()
    assert 'name="emergency_number"' in page and 'value="911"' in page
    assert page.index('name="after_hours_phone"') < page.index('name="emergency_number"')
    client.post(change_url(), profile_form(emergency_number="000"))
    assert ClinicProfile.load().emergency_number == "000"
