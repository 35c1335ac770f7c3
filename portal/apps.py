from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        # Registers the configuration checks and the sign-in audit receivers.
        from portal import audit, checks  # noqa: F401
