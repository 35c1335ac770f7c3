import io

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from portal.models import ClinicProfile
from tests.helpers import long_text_svg, nested_use_svg, png_header_claiming

pytestmark = pytest.mark.django_db


def png(width: int = 120, height: int = 40) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "#1f5f8b").save(buffer, format="PNG")
    return buffer.getvalue()


def profile_form(**overrides: object) -> dict[str, object]:
    return {
        "name": "Riverside Sports Clinic",
        "address": "12 River Road",
        "phone": "+1 555 0100",
        "after_hours_phone": "",
        "website": "https://riverside.example",
        "default_paper_size": "letter",
        "accent_colour": "#204060",
        "max_reading_grade": "8",
        "review_interval_months": "24",
        "teach_back_call_after_days": "7",
        **overrides,
    }


def change_url() -> str:
    return reverse("admin:portal_clinicprofile_change", args=[1])


def test_a_default_profile_exists_after_migration() -> None:
    profile = ClinicProfile.objects.get(pk=1)
    assert profile.name == "Your clinic"
    assert profile.default_paper_size == "a4"


def test_administrator_edits_the_profile_and_uploads_a_png_logo(
    client: Client, administrator: User
) -> None:
    client.force_login(administrator)
    logo = SimpleUploadedFile("logo.png", png(), content_type="image/png")
    response = client.post(change_url(), profile_form(logo_upload=logo))
    assert response.status_code == 302
    profile = ClinicProfile.load()
    assert profile.name == "Riverside Sports Clinic"
    assert profile.default_paper_size == "letter"
    assert bytes(profile.logo) == png() and profile.logo_content_type == "image/png"


def test_a_plain_svg_logo_is_accepted(client: Client, administrator: User) -> None:
    client.force_login(administrator)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><circle r="4"/></svg>'
    client.post(change_url(), profile_form(logo_upload=SimpleUploadedFile("l.svg", svg)))
    assert ClinicProfile.load().logo_content_type == "image/svg+xml"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "scripts, external links or entities",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
            "scripts, external links or entities",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><image href="https://x.example/a.png"/></svg>',
            "scripts, external links or entities",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg>&a;</svg>',
            "scripts, external links or entities",
        ),
        (b"<svg><unclosed></svg>", "not valid XML"),
        (b"GIF89a....", "must be a PNG or SVG"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "damaged or incomplete"),
        (png(5000, 10), "at most 4000"),
        (png_header_claiming(50000, 50000), "The logo is 50000×50000 pixels; at most 4000."),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:s="http://www.w3.org/2000/svg">'
            b"<s:script>alert(1)</s:script></svg>",
            "scripts, external links or entities",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://x.example/x">'
            b"<x:script>alert(1)</x:script></svg>",
            "scripts, external links or entities",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill: url(https://x.example/p)"'
            b' width="4" height="4"/></svg>',
            "scripts, external links or entities",
        ),
        (nested_use_svg(5), "too complex for a logo"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><g id="a"><use href="#b"/></g>'
            b'<g id="b"><use href="#a"/></g></svg>',
            "too complex for a logo",
        ),
        (long_text_svg(), "This logo takes more than a second to draw"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * (600 * 1024), "the limit is 512 KB"),
    ],
)
def test_unsafe_or_broken_logos_are_refused_and_the_old_logo_is_kept(
    client: Client, administrator: User, content: bytes, message: str
) -> None:
    profile = ClinicProfile.load()
    profile.logo, profile.logo_content_type = png(), "image/png"
    profile.save()
    client.force_login(administrator)
    response = client.post(
        change_url(),
        profile_form(name="Changed name", logo_upload=SimpleUploadedFile("logo", content)),
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'value="Changed name"' in response.content.decode()
    profile = ClinicProfile.load()
    assert bytes(profile.logo) == png() and profile.name == "Your clinic"


def test_an_svg_is_stored_with_only_its_drawing_and_without_editor_metadata(
    client: Client, administrator: User
) -> None:
    client.force_login(administrator)
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        b'xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" width="10" height="10" '
        b'inkscape:version="1.3"><metadata><rdf/></metadata><defs><circle id="dot" r="2"/>'
        b'</defs><use xlink:href="#dot" x="5" y="5" inkscape:label="Dot"/>'
        b'<text x="1" y="9">RS</text></svg>'
    )
    response = client.post(change_url(), profile_form(logo_upload=SimpleUploadedFile("l.svg", svg)))
    assert response.status_code == 302, response.content.decode()[-3000:]
    stored = bytes(ClinicProfile.load().logo).decode()
    assert "inkscape" not in stored and "metadata" not in stored
    assert '<use href="#dot" x="5" y="5" />' in stored
    assert '<circle id="dot" r="2" />' in stored and ">RS</text>" in stored


def test_logo_can_be_removed(client: Client, administrator: User) -> None:
    profile = ClinicProfile.load()
    profile.logo, profile.logo_content_type = png(), "image/png"
    profile.save()
    client.force_login(administrator)
    client.post(change_url(), profile_form(remove_logo="on"))
    assert not ClinicProfile.load().has_logo


def test_accent_colour_must_be_a_hex_colour(client: Client, administrator: User) -> None:
    client.force_login(administrator)
    response = client.post(change_url(), profile_form(accent_colour="red; }"))
    assert "Use a colour like #1f5f8b." in response.content.decode()


def test_the_profile_cannot_be_deleted_or_duplicated(client: Client, administrator: User) -> None:
    client.force_login(administrator)
    assert client.get(reverse("admin:portal_clinicprofile_add")).status_code == 403
    assert client.get(reverse("admin:portal_clinicprofile_delete", args=[1])).status_code == 403


def test_editors_and_clinicians_cannot_change_the_clinic_profile(
    client: Client, editor: User
) -> None:
    client.force_login(editor)
    assert client.get(change_url()).status_code == 403


def test_staff_preview_serves_the_logo_with_a_locked_down_policy(
    client: Client, clinician: User
) -> None:
    profile = ClinicProfile.load()
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'
    profile.logo, profile.logo_content_type = svg, "image/svg+xml"
    profile.save()
    client.force_login(clinician)
    response = client.get(reverse("clinic_logo"))
    assert response.content == svg
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
