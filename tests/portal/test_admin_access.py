"""The admin is open to the people whose role works in it (Content editor, Administrator) and
to superusers; Django's "staff status" plays no part, and someone refused is told why."""

from collections.abc import Callable

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.roles import CLINICIAN, EDITOR
from tests.helpers import PASSWORD, TestResponse

pytestmark = pytest.mark.django_db

NO_ROLE = "has no role that works in the admin"


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def admin_sign_in(client: Client, username: str) -> TestResponse:
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": PASSWORD, "next": reverse("admin:index")},
    )


def test_joining_the_content_editor_role_is_enough_to_reach_the_admin(
    make_user: Callable[..., User],
) -> None:
    person = make_user("newcomer", CLINICIAN)
    TOTPDevice.objects.create(user=person, name="Authenticator app", confirmed=True)
    person.groups.set([Group.objects.get(name=EDITOR)])
    assert not person.is_staff

    client = Client()
    assert admin_sign_in(client, "newcomer")["Location"] == reverse("admin:index")
    # Editors pass two-factor sign-in first, as everywhere.
    assert client.get(reverse("admin:index"))["Location"].startswith(reverse("mfa_verify"))
    device = TOTPDevice.objects.get(user=person)
    client.post(reverse("mfa_verify"), {"token": current_code(device), "next": "/admin/"})
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:education_article_changelist")).status_code == 200


def test_administrators_and_editors_reach_the_admin_without_staff_status(
    client: Client, personas: dict[str, User]
) -> None:
    for persona in ["administrator", "editor"]:
        assert not personas[persona].is_staff
        client.force_login(personas[persona])
        assert client.get(reverse("admin:index")).status_code == 200, persona


def test_leaving_the_role_closes_the_admin_even_with_staff_status(
    client: Client, editor: User
) -> None:
    client.force_login(editor)
    assert client.get(reverse("admin:index")).status_code == 200
    editor.groups.clear()
    editor.is_staff = True
    editor.save()
    response = client.get(reverse("admin:education_article_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_signed_in_account_without_an_admin_role_is_told_which_role_it_needs(
    client: Client, clinician: User
) -> None:
    client.force_login(clinician)
    page = client.get(reverse("admin:index"), follow=True).content.decode()
    assert f"clinician {NO_ROLE}" in page
    assert "Administrator, Content editor" in page
    assert "not authorized" not in page


@pytest.mark.parametrize("staff_status", [False, True])
def test_signing_in_to_the_admin_without_a_role_is_refused_with_the_reason(
    make_user: Callable[..., User], staff_status: bool
) -> None:
    outsider = make_user("outsider")
    outsider.is_staff = staff_status
    outsider.save()
    client = Client()
    response = admin_sign_in(client, "outsider")
    assert response.status_code == 200
    assert f"outsider {NO_ROLE}" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_on_the_admin_sign_in_page_says_nothing_about_roles(
    make_user: Callable[..., User],
) -> None:
    make_user("outsider")
    response = Client().post(
        reverse("admin:login"), {"username": "outsider", "password": "wrong password 1"}
    )
    assert response.status_code == 200
    assert NO_ROLE not in response.content.decode()


def test_superusers_reach_the_admin_after_two_factor_sign_in(superuser: User) -> None:
    client = Client()
    admin_sign_in(client, "root")
    assert client.get(reverse("admin:index"))["Location"].startswith(reverse("mfa_verify"))
    device = TOTPDevice.objects.get(user=superuser)
    client.post(reverse("mfa_verify"), {"token": current_code(device), "next": "/admin/"})
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_staff_pages_link_to_the_admin_for_its_roles_only(
    client: Client, personas: dict[str, User]
) -> None:
    admin_link = f'href="{reverse("admin:index")}"'
    for persona, linked in [
        ("administrator", True),
        ("editor", True),
        ("clinician", False),
        ("front_desk", False),
    ]:
        client.force_login(personas[persona])
        assert (admin_link in client.get(reverse("home")).content.decode()) is linked, persona
