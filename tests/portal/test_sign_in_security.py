"""Sign-in that holds up to a security review: password rules, lockout, two-factor sign-in,
session limits."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django import Settings
from time_machine import TimeMachineFixture

from portal.models import AuditEvent
from tests.helpers import PASSWORD, TestResponse, present

pytestmark = pytest.mark.django_db
Action = AuditEvent.Action
CLINIC, STRANGER = "192.0.2.10", "203.0.113.66"


def sign_in(
    client: Client, username: str, password: str = PASSWORD, url: str | None = None
) -> TestResponse:
    url = url or reverse("login")
    return client.post(
        url,
        {
            "username": username,
            "password": password,
            "next": reverse("home") if "admin" not in url else "/admin/",
        },
    )


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.mark.parametrize("password", ["short1A!x", "password1234", "123456789012", "clinician2027"])
def test_weak_passwords_are_refused(password: str) -> None:
    user = get_user_model()(username="clinician2027")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_a_long_uncommon_password_is_accepted() -> None:
    validate_password("river stone violet 42", get_user_model()(username="x"))


@pytest.mark.parametrize(
    ("url_name", "persona"), [("login", "clinician"), ("admin:login", "editor")]
)
def test_five_failed_sign_ins_lock_the_username_at_that_address_for_15_minutes(
    personas: dict[str, User], time_machine: TimeMachineFixture, url_name: str, persona: str
) -> None:
    username = personas[persona].username
    time_machine.move_to(datetime.datetime(2027, 2, 2, 9, tzinfo=datetime.UTC))
    url = reverse(url_name)
    for _ in range(5):
        Client(REMOTE_ADDR=STRANGER).post(url, {"username": username, "password": "wrong pw 1"})
    locked = sign_in(Client(REMOTE_ADDR=STRANGER), username, url=url)  # right password
    assert locked.status_code == 429
    assert b"Sign-in paused" in locked.content
    # The colleague themself, at the clinic, is not locked out by a stranger's guesses.
    assert sign_in(Client(REMOTE_ADDR=CLINIC), username, url=url).status_code == 302
    time_machine.move_to(datetime.datetime(2027, 2, 2, 9, 16, tzinfo=datetime.UTC))
    assert sign_in(Client(REMOTE_ADDR=STRANGER), username, url=url).status_code == 302
    assert AuditEvent.objects.filter(action=Action.LOCKED_OUT, actor_username=username)
    assert AuditEvent.objects.filter(action=Action.SIGN_IN_FAILED).count() >= 5


def fail_from_many_addresses(username: str, failures: int) -> None:
    """Failed sign-ins spread over addresses, fewer than five from each."""
    for number in range(failures):
        Client(REMOTE_ADDR=f"198.51.100.{number // 4}").post(
            reverse("login"), {"username": username, "password": "wrong pw 1"}
        )


def test_thirty_failed_sign_ins_from_anywhere_lock_the_username_everywhere(
    clinician: User, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(datetime.datetime(2027, 2, 2, 9, tzinfo=datetime.UTC))
    fail_from_many_addresses("clinician", 29)
    assert sign_in(Client(REMOTE_ADDR=CLINIC), "clinician").status_code == 302
    fail_from_many_addresses("clinician", 1)
    for address in [CLINIC, STRANGER, "198.51.100.0"]:
        assert sign_in(Client(REMOTE_ADDR=address), "clinician").status_code == 429, address
    time_machine.move_to(datetime.datetime(2027, 2, 2, 9, 16, tzinfo=datetime.UTC))
    assert sign_in(Client(REMOTE_ADDR=CLINIC), "clinician").status_code == 302


def test_behind_a_trusted_proxy_the_lock_is_by_the_address_the_proxy_saw(
    clinician: User, settings: Settings
) -> None:
    proxy: dict[str, Any] = {"REMOTE_ADDR": "127.0.0.1"}

    def through_proxy(forwarded_for: str) -> Client:
        return Client(**proxy, HTTP_X_FORWARDED_FOR=forwarded_for)

    settings.TRUST_X_FORWARDED_FOR = True
    for number in range(5):  # what the stranger puts in the header is not trusted
        through_proxy(f"10.0.0.{number}, {STRANGER}").post(
            reverse("login"), {"username": "clinician", "password": "wrong pw 1"}
        )
    assert sign_in(through_proxy(STRANGER), "clinician").status_code == 429
    assert sign_in(through_proxy(CLINIC), "clinician").status_code == 302

    settings.TRUST_X_FORWARDED_FOR = False  # then the header is ignored: anyone can send it
    for number in range(5):
        through_proxy(f"10.0.1.{number}").post(
            reverse("login"), {"username": "clinician", "password": "wrong pw 1"}
        )
    assert sign_in(through_proxy("10.0.2.1"), "clinician").status_code == 429


def test_the_lockout_does_not_reveal_whether_a_username_exists(clinician: User) -> None:
    for username in ["clinician", "nobody-by-this-name"]:
        for _ in range(5):
            Client().post(reverse("login"), {"username": username, "password": "wrong pw 1"})
    known = sign_in(Client(), "clinician", password="wrong pw 1")
    unknown = sign_in(Client(), "nobody-by-this-name", password="wrong pw 1")
    assert known.status_code == unknown.status_code == 429
    assert known.content == unknown.content


def test_sign_in_starts_a_new_session_and_is_audited(clinician: User) -> None:
    client = Client()
    client.get(reverse("login"))
    client.cookies["sessionid"] = "attacker-chosen-session-id"
    sign_in(client, "clinician")
    assert client.cookies["sessionid"].value != "attacker-chosen-session-id"
    assert AuditEvent.objects.filter(action=Action.SIGN_IN, actor=clinician).exists()


@pytest.mark.parametrize("persona", ["editor", "administrator"])
def test_editors_and_administrators_must_pass_two_factor_sign_in(
    personas: dict[str, User], persona: str
) -> None:
    user = personas[persona]
    client = Client()
    sign_in(client, user.username)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_verify"))
    assert client.get(reverse("admin:index")).status_code == 302
    device = TOTPDevice.objects.get(user=user)
    wrong = client.post(reverse("mfa_verify"), {"token": "000000", "next": "/"})
    assert "not accepted" in wrong.content.decode()
    assert AuditEvent.objects.filter(action=Action.MFA_FAILED, actor=user).exists()
    device.refresh_from_db()
    device.throttling_failure_count = 0  # django-otp slows repeated failures down; reset
    device.save()
    ok = client.post(reverse("mfa_verify"), {"token": current_code(device), "next": "/"})
    assert ok.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    assert AuditEvent.objects.filter(action=Action.MFA_VERIFIED, actor=user).exists()


def test_a_new_editor_sets_up_an_authenticator_and_gets_recovery_codes(
    make_user: Callable[..., User],
) -> None:
    from portal.roles import EDITOR

    editor = make_user("neweditor", EDITOR)
    TOTPDevice.objects.filter(user=editor).delete()
    client = Client()
    sign_in(client, "neweditor")
    assert client.get(reverse("home"))["Location"].startswith(reverse("mfa_setup"))
    page = client.get(reverse("mfa_setup"))
    assert "<svg" in page.content.decode() and "<title>QR code" in page.content.decode()
    device = TOTPDevice.objects.get(user=editor, confirmed=False)
    wrong = client.post(reverse("mfa_setup"), {"token": "123456"})
    assert "did not match" in wrong.content.decode()
    device.refresh_from_db()
    device.throttling_failure_count = 0  # django-otp slows repeated failures down; reset
    device.save()
    done = client.post(reverse("mfa_setup"), {"token": current_code(device)})
    codes = done.context["codes"]
    assert len(codes) == 10 and "Shown only now" in done.content.decode()
    assert client.get(reverse("home")).status_code == 200
    assert AuditEvent.objects.filter(action=Action.MFA_ENABLED, actor=editor).exists()

    # A recovery code works once, when the phone is lost.
    other = Client()
    sign_in(other, "neweditor")
    assert other.post(reverse("mfa_verify"), {"token": codes[0]}).status_code == 302
    third = Client()
    sign_in(third, "neweditor")
    assert third.post(reverse("mfa_verify"), {"token": codes[0]}).status_code == 200
    assert StaticToken.objects.filter(device__user=editor).count() == 9


def test_clinicians_skip_two_factor_unless_the_clinic_requires_it(
    settings: Settings, clinician: User
) -> None:
    client = Client()
    sign_in(client, "clinician")
    assert client.get(reverse("home")).status_code == 200
    settings.REQUIRE_MFA_FOR_ALL = True
    assert client.get(reverse("home"))["Location"].startswith(reverse("mfa_setup"))


def test_demo_accounts_skip_two_factor_only_while_debug_is_on(settings: Settings) -> None:
    from portal.demo import ensure_demo_accounts

    accounts = {a.username: a.password for a in ensure_demo_accounts()}
    settings.DEBUG = True
    client = Client()
    sign_in(client, "editor", present(accounts["editor"]))
    assert client.get(reverse("home")).status_code == 200
    settings.DEBUG = False
    assert client.get(reverse("home"))["Location"].startswith(reverse("mfa_setup"))


def test_sessions_end_12_hours_after_sign_in_whatever_happens(
    clinician: User, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(datetime.datetime(2027, 2, 2, 7, tzinfo=datetime.UTC))
    client = Client()
    sign_in(client, "clinician")
    start = datetime.datetime(2027, 2, 2, 7, tzinfo=datetime.UTC)
    for step in range(1, 36):  # busy all day, every 20 minutes: the idle limit never strikes
        time_machine.move_to(start + datetime.timedelta(minutes=20 * step))
        assert client.get(reverse("home")).status_code == 200, step
    time_machine.move_to(datetime.datetime(2027, 2, 2, 19, 1, tzinfo=datetime.UTC))
    response = client.get(reverse("home"))
    assert response["Location"] == reverse("login")


def test_signing_out_ends_the_users_other_sessions(clinician: User, front_desk: User) -> None:
    laptop, tablet, colleague = Client(), Client(), Client()
    sign_in(laptop, "clinician")
    sign_in(tablet, "clinician")
    sign_in(colleague, "frontdesk")
    laptop.post(reverse("logout"))
    assert tablet.get(reverse("home")).status_code == 302
    assert colleague.get(reverse("home")).status_code == 200
    assert AuditEvent.objects.filter(action=Action.SIGN_OUT, actor=clinician).exists()


def test_changing_the_password_ends_other_sessions(clinician: User) -> None:
    laptop, tablet = Client(), Client()
    sign_in(laptop, "clinician")
    sign_in(tablet, "clinician")
    clinician.set_password("a brand new long passphrase 9")
    clinician.save()
    assert tablet.get(reverse("home")).status_code == 302


def test_deactivating_an_account_ends_its_sessions(
    client: Client, administrator: User, clinician: User
) -> None:
    clinicians_browser = Client()
    sign_in(clinicians_browser, "clinician")
    client.force_login(administrator)
    form = (
        client.get(reverse("admin:auth_user_change", args=[clinician.pk])).context["adminform"].form
    )
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "is_active": "",
            "groups": [g.pk for g in clinician.groups.all()],
            "date_joined_0": "2027-01-01",
            "date_joined_1": "09:00:00",
            "last_login_0": "",
            "last_login_1": "",
        }
    )
    response = client.post(reverse("admin:auth_user_change", args=[clinician.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert clinicians_browser.get(reverse("home")).status_code == 302


def test_administrators_can_end_a_users_sessions(
    client: Client, administrator: User, clinician: User
) -> None:
    clinicians_browser = Client()
    sign_in(clinicians_browser, "clinician")
    client.force_login(administrator)
    client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "end_sessions", "_selected_action": [clinician.pk]},
    )
    assert clinicians_browser.get(reverse("home")).status_code == 302
    assert AuditEvent.objects.filter(action=Action.SESSIONS_ENDED, object_id=str(clinician.pk))
