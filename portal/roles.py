"""Staff roles. Each role is a Group with a fixed set of permissions; the README's role table
describes the same thing for people."""

from django.apps.registry import Apps
from django.contrib.auth.management import create_permissions

EDITOR = "Content editor"
# The reviewer flag: a Content editor who is also in this group approves and publishes.
REVIEWER = "Content reviewer"
CLINICIAN = "Clinician"
FRONT_DESK = "Front desk"
ADMINISTRATOR = "Administrator"

# Roles whose members work in the Django admin.
ADMIN_SITE_ROLES = {EDITOR, ADMINISTRATOR}

EDUCATION_MODELS = [
    "condition",
    "article",
    "section",
    "source",
    "restguidance",
    "therapy",
    "preventiontip",
    "warningsign",
]
READ_LIBRARY = ["education.view_condition", "education.view_article"]
SHARE_HANDOUTS = ["handouts.view_handout", "handouts.add_sharelink", "handouts.change_sharelink"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    EDITOR: [
        f"education.{action}_{model}"
        for model in EDUCATION_MODELS
        for action in ("add", "change", "delete", "view")
    ],
    REVIEWER: ["education.publish_article"],
    # Clinicians issue handouts; front desk staff find, print and download them. Both give
    # patients their link (create) and take it back (change = revoke).
    CLINICIAN: [*READ_LIBRARY, *SHARE_HANDOUTS, "handouts.add_handout"],
    FRONT_DESK: [*READ_LIBRARY, *SHARE_HANDOUTS],
}
# Administrators hold every permission of these apps, including ones added by later migrations.
ADMINISTRATOR_APPS = ["auth", "education", "handouts", "portal"]


def sync_roles(apps: Apps) -> None:
    """Create the role groups and set their permissions exactly; safe to run any number of times.

    Called from data migrations (with the historical app registry), after any migration that
    adds models whose permissions a role should hold.
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
    for role, names in ROLE_PERMISSIONS.items():
        wanted = Permission.objects.none()
        for name in names:
            app_label, codename = name.split(".")
            wanted |= Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            )
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(wanted)
    administrator, _ = Group.objects.get_or_create(name=ADMINISTRATOR)
    administrator.permissions.set(
        Permission.objects.filter(content_type__app_label__in=ADMINISTRATOR_APPS)
    )
