"""Only superusers (made with `manage.py createsuperuser`) hand out superuser status or raw
permissions, change what a role holds, or add and change two-factor devices. Everyone else who
works in the admin, Administrators included, gives roles and nothing more; an attempt beyond
that changes nothing and is in the audit log."""

import importlib
from collections.abc import Callable

import pytest
from django.apps import apps as django_apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission, User
from django.test import Client
from django.urls import reverse
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.models import AuditEvent
from portal.roles import ADMINISTRATOR, CLINICIAN, EDITOR
from tests.helpers import PASSWORD

pytestmark = pytest.mark.django_db
Action = AuditEvent.Action

# Fields of Django's user form that only superusers are offered (staff status: nobody).
SUPERUSER_ONLY = ["is_superuser", "user_permissions"]
CHOSEN_KEY = "3132333435363738393031323334353637383930"


def permission(name: str) -> Permission:
    app_label, codename = name.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def user_form(user: User, **fields: object) -> dict[str, object]:
    """The change form of the user page as a browser sends it, plus `fields`."""
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": "",
        "email": "",
        "is_active": "on",
        "groups": [str(pk) for pk in user.groups.values_list("pk", flat=True)],
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    } | fields


def refusals() -> list[tuple[str, str, str, str]]:
    return [
        (event.actor_username, event.object_type, event.object_id, event.detail)
        for event in AuditEvent.objects.filter(action=Action.REFUSED, outcome="failure")
    ]


def test_the_user_page_offers_an_administrator_roles_and_active_only(
    client: Client, administrator: User, editor: User
) -> None:
    client.force_login(administrator)
    for url in [
        reverse("admin:auth_user_change", args=[editor.pk]),
        reverse("admin:auth_user_add"),
    ]:
        page = client.get(url).content.decode()
        for field in [*SUPERUSER_ONLY, "is_staff"]:
            assert f'name="{field}"' not in page, (url, field)
    page = client.get(reverse("admin:auth_user_change", args=[editor.pk])).content.decode()
    assert 'name="groups"' in page and 'name="is_active"' in page


def test_superusers_still_give_superuser_status_and_raw_permissions(
    client: Client, superuser: User, editor: User
) -> None:
    client.force_login(superuser)
    page = client.get(reverse("admin:auth_user_change", args=[editor.pk]))
    html = page.content.decode()
    assert 'name="is_superuser"' in html and 'name="user_permissions"' in html
    response = client.post(
        reverse("admin:auth_user_change", args=[editor.pk]),
        user_form(editor, is_superuser="on", user_permissions=[permission("auth.view_user").pk]),
    )
    assert response.status_code == 302
    editor.refresh_from_db()
    assert editor.is_superuser and editor.user_permissions.count() == 1


def test_an_administrator_making_themselves_superuser_changes_nothing_and_is_audited(
    client: Client, administrator: User
) -> None:
    client.force_login(administrator)
    crafted = user_form(
        administrator,
        first_name="Renamed",
        is_superuser="on",
        is_staff="on",
        user_permissions=[permission("otp_totp.add_totpdevice").pk],
    )
    response = client.post(reverse("admin:auth_user_change", args=[administrator.pk]), crafted)
    assert response.status_code == 403
    administrator.refresh_from_db()
    assert not administrator.is_superuser and not administrator.is_staff
    assert administrator.first_name == "Administrator"
    assert not administrator.user_permissions.exists()
    assert refusals() == [
        (
            "administrator",
            "auth.user",
            str(administrator.pk),
            "fields not offered: is_staff, is_superuser, user_permissions",
        )
    ]


def test_a_crafted_add_form_makes_no_superuser_and_is_audited(
    client: Client, administrator: User
) -> None:
    client.force_login(administrator)
    response = client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "intruder",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "is_superuser": "on",
        },
    )
    assert response.status_code == 403
    assert not get_user_model().objects.filter(username="intruder").exists()
    assert refusals() == [("administrator", "auth.user", "", "fields not offered: is_superuser")]


def device_admins() -> list[str]:
    """Every two-factor device type registered on the admin site (TOTP, recovery codes, any
    other plugin added later)."""
    devices = [model for model in admin.site._registry if issubclass(model, Device)]
    assert len(devices) >= 2
    return [f"admin:{model._meta.app_label}_{model._meta.model_name}" for model in devices]


def test_no_one_but_a_superuser_adds_or_changes_a_device_even_holding_the_permission(
    client: Client, administrator: User, editor: User
) -> None:
    # As the probe did: raw permissions to add and change devices (here from before the fix).
    administrator.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label__startswith="otp_", codename__regex="^(add|change)_"
        )
    )
    editors_device = TOTPDevice.objects.get(user=editor)
    client.force_login(administrator)
    for device_admin in device_admins():
        assert client.get(reverse(f"{device_admin}_add")).status_code == 403, device_admin
    response = client.post(
        reverse("admin:otp_totp_totpdevice_add"),
        {"user": editor.pk, "name": "Mine", "key": CHOSEN_KEY, "confirmed": "on", "digits": 6},
    )
    assert response.status_code == 403
    change = reverse("admin:otp_totp_totpdevice_change", args=[editors_device.pk])
    assert client.post(change, {"user": administrator.pk, "name": "Mine"}).status_code == 403
    assert list(TOTPDevice.objects.filter(user=editor)) == [editors_device]
    assert ("administrator", "otp_totp.totpdevice", str(editors_device.pk), "change") in (
        refusals()
    )
    assert ("administrator", "otp_totp.totpdevice", "", "add") in refusals()


def test_an_administrator_still_resets_a_device_by_deleting_it(
    client: Client, administrator: User, editor: User
) -> None:
    device = TOTPDevice.objects.get(user=editor)
    client.force_login(administrator)
    delete = reverse("admin:otp_totp_totpdevice_delete", args=[device.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=editor).exists()


def test_roles_are_read_only_for_administrators_in_the_admin(
    client: Client, administrator: User
) -> None:
    group = Group.objects.get(name=ADMINISTRATOR)
    before = set(group.permissions.all())
    client.force_login(administrator)
    change = reverse("admin:auth_group_change", args=[group.pk])
    page = client.get(change)
    assert page.status_code == 200 and 'name="permissions"' not in page.content.decode()
    response = client.post(
        change,
        {
            "name": ADMINISTRATOR,
            "permissions": [p.pk for p in before] + [permission("otp_totp.add_totpdevice").pk],
        },
    )
    assert response.status_code == 403
    assert set(group.permissions.all()) == before
    assert client.get(reverse("admin:auth_group_add")).status_code == 403
    delete = reverse("admin:auth_group_delete", args=[group.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Group.objects.filter(name=ADMINISTRATOR).exists()
    assert ("administrator", "auth.group", str(group.pk), "change") in refusals()
    assert ("administrator", "auth.group", str(group.pk), "delete") in refusals()


def test_an_administrator_cannot_take_over_a_superuser_account(
    client: Client, administrator: User, superuser: User
) -> None:
    root = superuser
    client.force_login(administrator)
    password = reverse("admin:auth_user_password_change", args=[root.pk])
    response = client.post(
        password, {"password1": "a new password 12345", "password2": "a new password 12345"}
    )
    assert response.status_code == 403
    root.refresh_from_db()
    assert root.check_password(PASSWORD)
    change = reverse("admin:auth_user_change", args=[root.pk])
    assert client.post(change, user_form(root, is_active="")).status_code == 403
    response = client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "reset_two_factor_sign_in", "_selected_action": [str(root.pk)], "index": "0"},
    )
    assert TOTPDevice.objects.filter(user=root).exists()
    assert "only a superuser" in client.get(response["Location"]).content.decode()
    assert ("administrator", "auth.user", str(root.pk), "password") in refusals()
    assert ("administrator", "auth.user", str(root.pk), "change") in refusals()
    assert ("administrator", "auth.user", str(root.pk), "reset_two_factor_sign_in") in refusals()


def test_the_migration_takes_back_permissions_no_role_grants(
    make_user: Callable[..., User], administrator: User, superuser: User
) -> None:
    clinician = make_user("clinician", CLINICIAN)
    clinician.user_permissions.add(permission("education.view_article"))
    administrator.user_permissions.add(
        permission("otp_totp.add_totpdevice"), permission("otp_totp.view_totpdevice")
    )
    night_shift = Group.objects.create(name="Night shift")
    night_shift.permissions.add(
        permission("otp_static.change_staticdevice"), permission("education.add_article")
    )
    # A role group edited in the admin before the fix.
    Group.objects.get(name=EDITOR).permissions.add(permission("otp_totp.change_totpdevice"))
    superuser.user_permissions.add(permission("otp_totp.add_totpdevice"))

    migration = importlib.import_module("portal.migrations.0013_no_permissions_beyond_the_roles")
    migration.forwards(django_apps, None)

    names = {"education.view_article"}
    assert {
        f"{p.content_type.app_label}.{p.codename}" for p in clinician.user_permissions.all()
    } == (names)
    assert list(administrator.user_permissions.all()) == [permission("otp_totp.view_totpdevice")]
    assert list(night_shift.permissions.all()) == [permission("education.add_article")]
    assert not Group.objects.get(name=EDITOR).permissions.filter(codename="change_totpdevice")
    # Superusers hold everything anyway; their rows stay as they were.
    assert superuser.user_permissions.count() == 1


def test_permissions_themselves_have_no_page_in_the_admin() -> None:
    # Administrators hold every "auth" permission, those on Permission included: harmless only
    # while no admin page offers them.
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert not registered & {
        "auth.permission",
        "contenttypes.contenttype",
        "otp_static.statictoken",
    }


def test_a_refusal_for_a_made_up_address_is_recorded_too(client: Client, editor: User) -> None:
    client.force_login(editor)
    made_up = "9" * 100
    assert client.get(reverse("admin:auth_user_change", args=[made_up])).status_code == 403
    assert refusals() == [("editor", "auth.user", "9" * 64, "change")]
