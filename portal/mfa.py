"""Two-factor sign-in: authenticator-app codes (TOTP) with one-time recovery codes.

Required for everyone who works in the admin (administrators and content editors), or for
everyone when REQUIRE_MFA_FOR_ALL is set. Demo accounts may skip it only while DEBUG is on.
"""

import segno
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.utils.translation import gettext
from django_otp import devices_for_user

# OTPMiddleware gives each request's user an is_verified() method: true once this session has
# passed two-factor sign-in. It is this function; called as one, the type checker can follow it.
from django_otp.middleware import is_verified as is_verified
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.audit import Action, record_audit
from portal.demo import is_demo_account
from portal.roles import works_in_admin
from portal.sessions import end_sessions_of

RECOVERY_CODE_COUNT = 10


def mfa_required(user: User | AnonymousUser) -> bool:
    if not user.is_authenticated:
        return False
    if settings.DEBUG and is_demo_account(user):
        return False
    return settings.REQUIRE_MFA_FOR_ALL or works_in_admin(user)


def has_authenticator(user: User) -> bool:
    return any(isinstance(device, TOTPDevice) for device in devices_for_user(user))


def pending_authenticator(user: User) -> TOTPDevice:
    """The authenticator being set up: unconfirmed until the user types a code from it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def authenticator_qr_svg(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_inline(
        scale=4, border=2, title=gettext("QR code to add this account to an authenticator app")
    )


@transaction.atomic
def confirm_authenticator(user: User, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the device with a code from it; returns fresh recovery codes, or None."""
    if not device.verify_token(token.strip().replace(" ", "")):
        record_audit(
            user,
            Action.MFA_FAILED,
            obj=device,
            outcome="failure",
            detail="setting up the authenticator",
        )
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record_audit(user, Action.MFA_ENABLED, obj=device)
    return replace_recovery_codes(user)


@transaction.atomic
def replace_recovery_codes(user: User) -> list[str]:
    """New one-time recovery codes; the old ones stop working. Shown once."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="Recovery codes")
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    record_audit(user, Action.MFA_RECOVERY_CODES, obj=device)
    return codes


@transaction.atomic
def reset_two_factor(user: User, *, by: User, keep_session: str | None = None) -> int:
    """For a lost or replaced phone: remove the user's authenticator and recovery codes, so
    their next sign-in sets up a new authenticator; returns how many devices went (0: none,
    and nothing is audited).

    Their sessions end too (but `keep_session`, the administrator's own): a session that had
    passed two-factor sign-in would otherwise be sent to set up the new authenticator, without
    the password being asked again.
    """
    devices = list(devices_for_user(user, confirmed=None))
    for device in devices:
        device.delete()
    if devices:
        end_sessions_of(user, keep=keep_session)
        record_audit(by, Action.MFA_RESET, obj=user, detail=user.get_username())
    return len(devices)
