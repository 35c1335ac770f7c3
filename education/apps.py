from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.roles import CLINICIAN, EDITOR, FRONT_DESK, REVIEWER

EDITED_MODELS = [
    "condition",
    "article",
    "conditionname",
    "conditioncode",
    "section",
    "source",
    "restguidance",
    "therapy",
    "preventiontip",
    "warningsign",
]
READ_LIBRARY = ["view_condition", "view_article"]


class EducationConfig(AppConfig):
    name = "education"
    verbose_name = _("Patient education content")
    # Who holds this app's permissions (portal.roles.sync_roles reads it). Editors write the
    # library; reviewers approve and publish it; the staff who issue handouts read it.
    role_permissions = {
        EDITOR: [
            f"{action}_{model}"
            for model in EDITED_MODELS
            for action in ("add", "change", "delete", "view")
        ],
        REVIEWER: ["publish_article"],
        CLINICIAN: READ_LIBRARY,
        FRONT_DESK: READ_LIBRARY,
    }
