from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.roles import CLINIC_LEAD

READ_REPORTS = ["view_reports"]


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")
    # Who holds this app's permissions (portal.roles.sync_roles reads it). Clinic leads read the
    # reports; naming them here also gives Administrators every permission of this app
    # (portal.roles.administrator_apps).
    role_permissions = {CLINIC_LEAD: READ_REPORTS}
