from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.roles import CLINIC_LEAD, CLINICIAN, EDITOR, FRONT_DESK, REVIEWER

READ_LIBRARY = ["view_condition", "view_article"]


class EducationConfig(AppConfig):
    name = "education"
    verbose_name = _("Patient education content")

    @property
    def role_permissions(self) -> dict[str, list[str]]:
        """Who holds this app's permissions (portal.roles.sync_roles reads it). Editors write
        the library, every part of an article included (education.parts); reviewers approve
        and publish it; the staff who issue handouts read it, and so do clinic leads, whose
        reports name its conditions."""
        from education.parts import PARTS  # models are loaded only once the apps are

        edited = ["condition", "article", *(part.model._meta.model_name for part in PARTS)]
        return {
            EDITOR: [
                f"{action}_{model}"
                for model in edited
                for action in ("add", "change", "delete", "view")
            ],
            REVIEWER: ["publish_article"],
            CLINICIAN: READ_LIBRARY,
            FRONT_DESK: READ_LIBRARY,
            CLINIC_LEAD: READ_LIBRARY,
        }
