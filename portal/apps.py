from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        # Registers the configuration checks and the sign-in audit receivers.
        from django.contrib import admin

        from portal import audit, checks  # noqa: F401
        from portal.admin_audit import audit_every_admin

        audit_every_admin(admin.site)
