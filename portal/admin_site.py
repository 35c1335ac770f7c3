"""The admin site, open to the people whose role works in it (portal.roles.works_in_admin).

Django's own site admits whoever has "staff status", a flag that had to be ticked by hand next
to the role; here the role alone decides, and someone without one is told which role they need.
"""

from typing import Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.roles import ADMIN_SITE_ROLES, works_in_admin


def no_admin_role_message(username: str) -> str:
    return gettext(
        "%(username)s has no role that works in the admin. Ask an administrator to add this "
        "account to one of these roles: %(roles)s."
    ) % {"username": username, "roles": ", ".join(sorted(ADMIN_SITE_ROLES))}


class RoleAuthenticationForm(AdminAuthenticationForm):
    def confirm_login_allowed(self, user: User) -> None:
        # Django's form refuses anyone without staff status with its "wrong password" message.
        # Skip that rule (its parent still refuses inactive accounts) and say what is missing.
        super(AdminAuthenticationForm, self).confirm_login_allowed(user)
        if not works_in_admin(user):
            raise ValidationError(no_admin_role_message(user.get_username()), code="no_role")


class PortalAdminSite(admin.AdminSite):
    site_header = _("Patient education portal")
    site_title = _("Patient education portal")
    index_title = _("Content and administration")
    login_form = RoleAuthenticationForm

    def has_permission(self, request: HttpRequest) -> bool:
        return works_in_admin(request.user)

    def login(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        context = dict(extra_context or {})
        if request.user.is_authenticated:
            # Signed in and still sent here: this account may not use the admin. Say why,
            # instead of Django's "not authorized" (templates/admin/login.html).
            context["no_admin_role"] = no_admin_role_message(request.user.get_username())
        return super().login(request, extra_context=context)
