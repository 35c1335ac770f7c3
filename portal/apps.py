from django.apps import AppConfig
from django.apps import apps as global_apps
from django.apps.registry import Apps
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
    # `flush` (which tests that commit run afterwards) sends post_migrate without `apps`;
    # Django's own receivers default to the global registry the same way.
    sync_roles(apps)
