from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.roles import ADMINISTRATOR


class InteropConfig(AppConfig):
    name = "interop"
    verbose_name = _("EHR integration")
    # Only Administrators manage API clients. Naming them here also puts this app among those
    # whose every permission Administrators hold (portal.roles.administrator_apps).
    role_permissions = {
        ADMINISTRATOR: ["add_apiclient", "change_apiclient", "view_apiclient"],
    }
