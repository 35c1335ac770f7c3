"""Demo accounts, one per role, for trying the portal locally."""

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from portal.roles import (
    ADMIN_SITE_ROLES,
    ADMINISTRATOR,
    CLINICIAN,
    EDITOR,
    FRONT_DESK,
    REVIEWER,
)

# username, first name, last name, roles (the first names the account in the listing)
DEMO_ACCOUNTS = [
    ("admin", "Avery", "Admin", [ADMINISTRATOR]),
    ("editor", "Elena", "Editor", [EDITOR]),
    ("reviewer", "Riley", "Reviewer", [EDITOR, REVIEWER]),
    ("clinician", "Chris", "Clinician", [CLINICIAN]),
    ("frontdesk", "Frankie", "Frontdesk", [FRONT_DESK]),
]
DEMO_USERNAMES = {username for username, *_ in DEMO_ACCOUNTS}


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
                "is_staff": bool(ADMIN_SITE_ROLES.intersection(roles)),
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


def is_demo_account(user) -> bool:
    return user.get_username() in DEMO_USERNAMES and user.email.endswith("@demo.invalid")
