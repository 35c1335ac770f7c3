"""Administrators (not only superusers) clear a colleague's sign-in lock and reset a lost
authenticator from the admin, each step in the audit log with the affected username; they never
see a device's secret, and editors can do none of it."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.mfa import replace_recovery_codes
from portal.models import AuditEvent
from tests.helpers import PASSWORD, TestResponse

pytestmark = pytest.mark.django_db
Action = AuditEvent.Action


def sign_in(username: str, client: Client | None = None) -> TestResponse:
    return (client or Client()).post(
        reverse("login"), {"username": username, "password": PASSWORD, "next": "/"}
    )


def lock_out(username: str) -> None:
    # From two browsers: the lock at an address counts every failure of the username from there.
    for user_agent in ["phone", "phone", "phone", "desk", "desk"]:
        Client(headers={"user-agent": user_agent}).post(
            reverse("login"), {"username": username, "password": "wrong password 1"}
        )
    assert sign_in(username).status_code == 429


def run_action(client: Client, changelist: str, action: str, *pks: int) -> TestResponse:
    return client.post(
        reverse(changelist),
        {"action": action, "_selected_action": [str(pk) for pk in pks], "index": "0"},
    )


def test_an_administrator_clears_a_colleagues_sign_in_lock_from_the_user_list(
    client: Client, administrator: User, clinician: User
) -> None:
    lock_out("clinician")
    client.force_login(administrator)
    assert (
        "clear_sign_in_locks" in client.get(reverse("admin:auth_user_changelist")).content.decode()
    )
    response = run_action(client, "admin:auth_user_changelist", "clear_sign_in_locks", clinician.pk)
    assert response.status_code == 302
    assert sign_in("clinician").status_code == 302
    event = AuditEvent.objects.get(action=Action.SIGN_IN_UNLOCKED)
    assert (event.actor, event.object_type, event.object_id, event.detail) == (
        administrator,
        "auth.user",
        str(clinician.pk),
        "clinician",
    )


def test_an_administrator_clears_a_lock_from_the_lockout_list(
    client: Client, administrator: User, clinician: User
) -> None:
    lock_out("clinician")
    client.force_login(administrator)
    listing = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200 and "clinician" in listing.content.decode()
    one_of_them = AccessAttempt.objects.filter(username="clinician").first()
    run_action(client, "admin:axes_accessattempt_changelist", "clear_sign_in_locks", one_of_them.pk)
    assert not AccessAttempt.objects.filter(username="clinician").exists()
    assert sign_in("clinician").status_code == 302
    assert (
        AuditEvent.objects.filter(
            action=Action.SIGN_IN_UNLOCKED, actor=administrator, detail="clinician"
        ).count()
        == 1
    )


def test_deleting_a_lockout_record_is_audited_as_clearing_the_lock(
    client: Client, administrator: User, clinician: User
) -> None:
    lock_out("clinician")
    client.force_login(administrator)
    attempt = AccessAttempt.objects.filter(username="clinician").first()
    client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    assert not AccessAttempt.objects.filter(pk=attempt.pk).exists()
    assert AuditEvent.objects.filter(
        action=Action.SIGN_IN_UNLOCKED, actor=administrator, detail="clinician"
    ).exists()
    assert not AuditEvent.objects.filter(action=Action.DELETED).exists()


def test_clearing_the_lock_clears_it_at_every_address_and_for_the_username(
    client: Client, administrator: User, clinician: User
) -> None:
    for number in range(30):  # locks the username everywhere, and at the last two addresses
        Client(REMOTE_ADDR=f"198.51.100.{number // 5}").post(
            reverse("login"), {"username": "clinician", "password": "wrong password 1"}
        )
    for address in ["198.51.100.5", "192.0.2.10"]:
        assert sign_in("clinician", Client(REMOTE_ADDR=address)).status_code == 429
    client.force_login(administrator)
    run_action(client, "admin:auth_user_changelist", "clear_sign_in_locks", clinician.pk)
    for address in ["198.51.100.5", "192.0.2.10"]:
        assert sign_in("clinician", Client(REMOTE_ADDR=address)).status_code == 302
    assert AuditEvent.objects.filter(action=Action.SIGN_IN_UNLOCKED).count() == 1


def test_clearing_an_account_that_is_not_locked_records_nothing(
    client: Client, administrator: User, clinician: User
) -> None:
    client.force_login(administrator)
    response = run_action(client, "admin:auth_user_changelist", "clear_sign_in_locks", clinician.pk)
    assert "None of them was locked" in client.get(response["Location"]).content.decode()
    assert not AuditEvent.objects.filter(action=Action.SIGN_IN_UNLOCKED).exists()


def test_an_administrator_resets_a_lost_authenticator(
    client: Client, administrator: User, editor: User
) -> None:
    replace_recovery_codes(editor)
    editors_browser = Client()
    sign_in("editor", editors_browser)
    client.force_login(administrator)

    response = run_action(
        client, "admin:auth_user_changelist", "reset_two_factor_sign_in", editor.pk
    )

    assert "new authenticator app" in client.get(response["Location"]).content.decode()
    assert not TOTPDevice.objects.filter(user=editor).exists()
    assert not StaticDevice.objects.filter(user=editor).exists()
    assert not StaticToken.objects.filter(device__user=editor).exists()
    # Signed out everywhere; the next sign-in sets up a new authenticator.
    assert editors_browser.get(reverse("home"))["Location"].startswith(reverse("login"))
    fresh = Client()
    sign_in("editor", fresh)
    assert fresh.get(reverse("home"))["Location"].startswith(reverse("mfa_setup"))
    # The administrator stays signed in.
    assert client.get(reverse("admin:index")).status_code == 200
    event = AuditEvent.objects.get(action=Action.MFA_RESET)
    assert (event.actor, event.object_type, event.object_id, event.detail) == (
        administrator,
        "auth.user",
        str(editor.pk),
        "editor",
    )


def test_deleting_a_device_in_the_admin_is_audited_as_a_reset(
    client: Client, administrator: User, editor: User
) -> None:
    device = TOTPDevice.objects.get(user=editor)
    client.force_login(administrator)
    client.post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"})
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    event = AuditEvent.objects.get(action=Action.MFA_RESET)
    assert (event.actor, event.object_type, event.detail) == (
        administrator,
        "otp_totp.totpdevice",
        "editor",
    )


def test_administrators_never_see_a_devices_secret_or_recovery_codes(
    client: Client, administrator: User, editor: User
) -> None:
    codes = replace_recovery_codes(editor)
    totp_device = TOTPDevice.objects.get(user=editor)
    static_device = StaticDevice.objects.get(user=editor)
    client.force_login(administrator)
    pages = [
        client.get(reverse("admin:otp_totp_totpdevice_changelist")),
        client.get(reverse("admin:otp_totp_totpdevice_change", args=[totp_device.pk])),
        client.get(reverse("admin:otp_static_staticdevice_changelist")),
        client.get(reverse("admin:otp_static_staticdevice_change", args=[static_device.pk])),
    ]
    for page in pages:
        assert page.status_code == 200
        html = page.content.decode()
        assert totp_device.key not in html
        assert not any(code in html for code in codes)
    qr_code = reverse("admin:otp_totp_totpdevice_config", args=[totp_device.pk])
    assert client.get(qr_code).status_code == 403


def test_administrators_may_not_add_or_change_a_device(
    client: Client, administrator: User, editor: User
) -> None:
    device = TOTPDevice.objects.get(user=editor)
    client.force_login(administrator)
    assert client.get(reverse("admin:otp_totp_totpdevice_add")).status_code == 403
    client.post(
        reverse("admin:otp_totp_totpdevice_change", args=[device.pk]),
        {"user": administrator.pk, "name": "Mine now", "confirmed": "on"},
    )
    device.refresh_from_db()
    assert (device.user, device.name) == (editor, "Authenticator app")


@pytest.mark.parametrize("persona", ["editor", "reviewer"])
def test_editors_can_neither_unlock_nor_reset(
    request: pytest.FixtureRequest, client: Client, clinician: User, persona: str
) -> None:
    staff = request.getfixturevalue(persona)
    lock_out("clinician")
    client.force_login(staff)
    for changelist in [
        "admin:axes_accessattempt_changelist",
        "admin:otp_totp_totpdevice_changelist",
        "admin:otp_static_staticdevice_changelist",
        "admin:auth_user_changelist",
    ]:
        assert client.get(reverse(changelist)).status_code == 403, changelist
    attempt = AccessAttempt.objects.filter(username="clinician").first()
    delete = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    for action in ["clear_sign_in_locks", "reset_two_factor_sign_in"]:
        response = run_action(client, "admin:auth_user_changelist", action, clinician.pk)
        assert response.status_code == 403
    assert sign_in("clinician").status_code == 429
    assert not AuditEvent.objects.filter(
        action__in=[Action.SIGN_IN_UNLOCKED, Action.MFA_RESET]
    ).exists()
