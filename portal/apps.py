from django.apps import AppConfig
from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from portal.roles import sync_roles


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        # Like Django's own permissions, the roles are brought up to date after every migrate,
        # so a model added later reaches the roles that should hold it without a data migration.
        post_migrate.connect(sync_roles_after_migrate, sender=self)

        # Registers the configuration checks and the sign-in audit receivers.
        from portal import audit, checks  # noqa: F401


def sync_roles_after_migrate(apps: Apps = global_apps, **kwargs: object) -> None:
    # `flush` (which ends every test that commits) sends post_migrate without `apps`, as
    # Django's own create_permissions expects: then the installed models are the ones to sync.
    sync_roles(apps)


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the portal's site, which admits people by role (portal/admin_site.py).
    Listed in INSTALLED_APPS in place of django.contrib.admin."""

    # Not the default configuration of `portal` (PortalConfig is); Django's admin module is
    # imported whole for the same reason: a second default AppConfig here would be ambiguous.
    default = False
    default_site = "portal.admin_site.PortalAdminSite"
