from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.roles import CLINICIAN, FRONT_DESK

# Both give patients their link (add) and take it back (change = revoke).
SHARE_HANDOUTS = ["view_handout", "add_sharelink", "change_sharelink"]


class HandoutsConfig(AppConfig):
    name = "handouts"
    verbose_name = _("Handouts")
    # Who holds this app's permissions (portal.roles.sync_roles reads it). Clinicians issue
    # handouts; front desk staff find, print and download them.
    role_permissions = {
        CLINICIAN: [*SHARE_HANDOUTS, "add_handout"],
        FRONT_DESK: SHARE_HANDOUTS,
    }
