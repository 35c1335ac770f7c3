"""Demo accounts, one per role, and a sample clinic profile, for trying the portal locally."""

import secrets
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.db import transaction

from portal.logos import clean_logo
from portal.models import PLACEHOLDER_CLINIC_NAME, ClinicProfile
from portal.roles import ADMINISTRATOR, CLINIC_LEAD, CLINICIAN, EDITOR, FRONT_DESK, REVIEWER

# username, first name, last name, roles (the first names the account in the listing)
DEMO_ACCOUNTS = [
    ("admin", "Avery", "Admin", [ADMINISTRATOR]),
    ("editor", "Elena", "Editor", [EDITOR]),
    ("reviewer", "Riley", "Reviewer", [EDITOR, REVIEWER]),
    ("clinician", "Chris", "Clinician", [CLINICIAN]),
    ("frontdesk", "Frankie", "Frontdesk", [FRONT_DESK]),
    ("lead", "Lee", "Lead", [CLINIC_LEAD]),
]
DEMO_USERNAMES = {username for username, *_ in DEMO_ACCOUNTS}

# A fictional clinic, so the demo's handouts show a complete letterhead and "When to get help".
DEMO_CLINIC = {
    "name": "Riverside Sports Clinic",
    "address": "12 River Road\nSpringfield, ST 01234",
    "phone": "+1 555 0100",
    "after_hours_phone": "+1 555 0199",
    "emergency_number": "911",
    "website": "https://clinic.example",
}
DEMO_LOGO = Path(__file__).with_name("demo_logo.svg")


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    password: str | None  # only when it was set just now; never stored anywhere else


@transaction.atomic
def ensure_demo_accounts(*, reset_passwords: bool = False) -> list[DemoAccount]:
    """Create the demo accounts that are missing; existing ones keep their password unless
    reset_passwords is set."""
    User = get_user_model()
    accounts = []
    for username, first_name, last_name, roles in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@demo.invalid",
            },
        )
        password = None
        if created or reset_passwords:
            password = secrets.token_urlsafe(12)
            user.set_password(password)
            user.save()
        user.groups.add(*Group.objects.filter(name__in=roles))
        accounts.append(DemoAccount(username, " + ".join(roles), password))
    return accounts


def is_demo_account(user: User) -> bool:
    return user.get_username() in DEMO_USERNAMES and user.email.endswith("@demo.invalid")


@transaction.atomic
def ensure_demo_clinic_profile() -> bool:
    """Fill in the sample clinic profile while the profile is untouched (placeholder name and
    no phone). Return whether it was filled in. Even then, only empty fields are filled: an
    administrator's edits are never overwritten."""
    profile = ClinicProfile.objects.select_for_update().get(pk=ClinicProfile.load().pk)
    if profile.has_clinic_name or profile.phone.strip():
        return False
    for field, value in DEMO_CLINIC.items():
        if getattr(profile, field).strip() in ("", PLACEHOLDER_CLINIC_NAME):
            setattr(profile, field, value)
    if not profile.has_logo:
        # As the admin stores an upload: the bytes, and the type validation found.
        data = DEMO_LOGO.read_bytes()
        profile.logo, profile.logo_content_type = clean_logo(data)
    profile.save()
    return True
