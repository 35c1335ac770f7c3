"""Staff roles. Each role is a Group with a fixed set of permissions; the README's role table
describes the same thing for people."""

from typing import TYPE_CHECKING

from django.apps import apps as installed_apps
from django.apps.registry import Apps
from django.contrib.auth.management import create_permissions
from django.db.models import Q

if TYPE_CHECKING:
    # Only for the type checker: portal's AppConfig imports this module before models load.
    from django.contrib.auth.models import AnonymousUser, User

EDITOR = "Content editor"
# The reviewer flag: a Content editor who is also in this group approves and publishes.
REVIEWER = "Content reviewer"
CLINICIAN = "Clinician"
FRONT_DESK = "Front desk"
# Reads the engagement reports (figures, never patients) and the library.
CLINIC_LEAD = "Clinic lead"
ADMINISTRATOR = "Administrator"

# Every role but Administrator holds exactly what the apps give it (role_permissions()).
GRANTED_ROLES = [EDITOR, REVIEWER, CLINICIAN, FRONT_DESK, CLINIC_LEAD]
# Roles whose members work in the Django admin (works_in_admin()).
ADMIN_SITE_ROLES = {EDITOR, ADMINISTRATOR}

# Administrators hold every permission of these apps, and of every app that gives its
# permissions to roles, including ones added by later migrations.
ADMINISTRATOR_APPS = ["auth", "portal"]
# Of the sign-in apps portal wires in (lockout, two-factor), Administrators hold only what
# unlocking a colleague and resetting a lost authenticator take: seeing the records and deleting
# them. Never adding or changing a device, which would let one person hold another's second
# factor.
ADMINISTRATOR_SIGN_IN_PERMISSIONS = [
    "axes.view_accessattempt",
    "axes.delete_accessattempt",
    "otp_totp.view_totpdevice",
    "otp_totp.delete_totpdevice",
    "otp_static.view_staticdevice",
    "otp_static.delete_staticdevice",
]


def works_in_admin(user: "User | AnonymousUser") -> bool:
    """Members of an admin-site role, and superusers, work in the Django admin. Django's "staff
    status" plays no part: adding someone to the role is all it takes, and taking them out of
    it is enough to close the admin to them."""
    if not user.is_active:
        return False
    # Asked several times a request (two-factor rule, page header, views): answered once per
    # user object, as Django caches permissions on it.
    answer: bool | None = getattr(user, _WORKS_IN_ADMIN, None)
    if answer is None:
        answer = user.is_superuser or user.groups.filter(name__in=ADMIN_SITE_ROLES).exists()
        setattr(user, _WORKS_IN_ADMIN, answer)
    return answer


_WORKS_IN_ADMIN = "_portal_works_in_admin"


def role_permissions() -> dict[str, list[str]]:
    """ "app_label.codename" permissions per role. Each app owns its permissions, so each says
    which roles hold them, in its AppConfig's `role_permissions` ({role: [codename, ...]})."""
    merged: dict[str, list[str]] = {}
    for config in installed_apps.get_app_configs():
        for role, codenames in getattr(config, "role_permissions", {}).items():
            merged.setdefault(role, []).extend(f"{config.label}.{name}" for name in codenames)
    return merged


def administrator_apps() -> list[str]:
    owners = [
        config.label
        for config in installed_apps.get_app_configs()
        if getattr(config, "role_permissions", None)
    ]
    return [*ADMINISTRATOR_APPS, *owners]


def sync_roles(apps: Apps) -> None:
    """Create the role groups and set their permissions exactly; safe to run any number of times.

    Runs after every migrate (portal's post_migrate receiver), and from the data migrations
    written before that receiver existed. Which role holds what is read from the installed
    apps (role_permissions()), so it is always today's rule.
    """
    for app_config in apps.get_app_configs():
        # Permissions are normally created after migrate finishes; roles need them now.
        # create_permissions() skips an app whose models_module is falsy, and the historical
        # registry's app configs have none: any truthy value will do, hence the ignore.
        app_config.models_module = True  # type: ignore[assignment]
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    granted = role_permissions()
    for role in GRANTED_ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(Permission.objects.filter(_named(granted.get(role, []))))
    administrator, _ = Group.objects.get_or_create(name=ADMINISTRATOR)
    administrator.permissions.set(
        Permission.objects.filter(
            Q(content_type__app_label__in=administrator_apps())
            | _named(ADMINISTRATOR_SIGN_IN_PERMISSIONS)
        )
    )


def _named(names: list[str]) -> Q:
    """Permissions by "app_label.codename"; matches nothing when `names` is empty."""
    wanted = Q(pk__in=[])
    for name in names:
        app_label, codename = name.split(".")
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    return wanted
