import logging
from typing import Any

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.db.models import ManyToManyField, Model, QuerySet
from django.forms import ModelMultipleChoiceField
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult
from simple_history.admin import SimpleHistoryAdmin

from portal.admin_audit import AuditedAdminMixin
from portal.audit import Action, record_audit
from portal.http import AuthenticatedHttpRequest
from portal.lockout import clear_sign_in_lock
from portal.logos import MAX_LOGO_BYTES, clean_logo
from portal.mfa import reset_two_factor
from portal.models import AuditEvent, ClinicProfile
from portal.roles import ADMIN_SITE_ROLES
from portal.save_failures import log_save_failure
from portal.sessions import end_sessions_of

User = get_user_model()
logger = logging.getLogger(__name__)


class ClinicProfileForm(forms.ModelForm):
    logo_upload = forms.FileField(label=_("Logo"), required=False)
    remove_logo = forms.BooleanField(required=False, label=_("Remove the current logo"))

    class Meta:
        model = ClinicProfile
        fields = [
            "name",
            "address",
            "phone",
            "after_hours_phone",
            "emergency_number",
            "website",
            "default_paper_size",
            "accent_colour",
            "use_record_numbers",
            "teach_back_call_after_days",
            "max_reading_grade",
            "review_interval_months",
            "allow_self_approval",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Set per form, in the language of the request: the size needs formatting into it.
        self.fields["logo_upload"].help_text = gettext(
            "PNG or SVG, at most %(limit)d KB. Leave empty to keep the current logo."
        ) % {"limit": MAX_LOGO_BYTES // 1024}

    def clean_logo_upload(self) -> tuple[bytes, str] | None:
        upload = self.cleaned_data.get("logo_upload")
        if not upload:
            return None
        if upload.size > MAX_LOGO_BYTES:
            raise forms.ValidationError(
                gettext("The logo is %(size)d KB; the limit is %(limit)d KB.")
                % {"size": upload.size // 1024, "limit": MAX_LOGO_BYTES // 1024}
            )
        data = b"".join(upload.chunks())  # from the start, however often the form is cleaned
        return clean_logo(data)

    def save(self, commit: bool = True) -> ClinicProfile:
        profile = super().save(commit=False)
        if self.cleaned_data.get("logo_upload"):
            profile.logo, profile.logo_content_type = self.cleaned_data["logo_upload"]
        elif self.cleaned_data.get("remove_logo"):
            profile.logo, profile.logo_content_type = b"", ""
        if commit:
            profile.save()
        return profile


class ClinicProfileNotSavedForm(ClinicProfileForm):
    """The form as sent, shown again after the database failed to save it: it refuses to
    validate, with the reason, so the admin renders it the way it renders any refusal."""

    def clean(self) -> dict[str, Any]:
        super().clean()
        raise forms.ValidationError(
            gettext(
                "The clinic profile was not saved: the database could not save it. Your "
                "changes are still below (choose the logo file again if you picked one). "
                "Please try again; if it keeps happening, tell your administrator."
            )
        )


# Set on a request whose save the database refused.
SAVE_FAILED = "clinic_profile_save_failed"


@admin.register(ClinicProfile)
class ClinicProfileAdmin(AuditedAdminMixin, SimpleHistoryAdmin):
    form = ClinicProfileForm
    list_display = ["name", "phone", "default_paper_size", "has_logo"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "address",
                    ("phone", "after_hours_phone", "emergency_number"),
                    "website",
                ]
            },
        ),
        (
            _("Content"),
            {"fields": ["max_reading_grade", "review_interval_months", "allow_self_approval"]},
        ),
        (
            _("Handouts"),
            {
                "fields": [
                    ("default_paper_size", "accent_colour"),
                    "use_record_numbers",
                    "teach_back_call_after_days",
                    "logo_upload",
                    "remove_logo",
                ]
            },
        ),
    ]

    @admin.display(boolean=True, description=_("Logo"))
    def has_logo(self, profile: ClinicProfile) -> bool:
        return profile.has_logo

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not ClinicProfile.objects.exists() and super().has_add_permission(request)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            # The admin saves inside transaction.atomic: a failure leaves nothing half-saved.
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DatabaseError as error:
            if request.method != "POST" or getattr(request, SAVE_FAILED, False):
                raise
            log_save_failure(logger, "Saving the clinic profile", error)
            # Show the form again as sent: the admin runs once more, now with a form that
            # refuses to validate and says why (get_form), so it saves nothing.
            setattr(request, SAVE_FAILED, True)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:
        if getattr(request, SAVE_FAILED, False):
            kwargs["form"] = ClinicProfileNotSavedForm
        return super().get_form(request, obj, change, **kwargs)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Read-only: the application never edits or deletes audit events."""

    list_display = [
        "at",
        "actor_username",
        "action",
        "object_type",
        "object_id",
        "outcome",
        "detail",
    ]
    list_filter = ["action", "outcome", "object_type", ("at", admin.DateFieldListFilter)]
    search_fields = ["actor_username", "object_id", "detail"]
    date_hierarchy = "at"
    list_per_page = 100

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


# The admins of Django's and third-party apps, registered again with the audit hooks. Importing
# their admin modules above has registered them, whatever the order of INSTALLED_APPS.
admin.site.unregister(
    [User, Group, AccessAttempt, AccessLog, AccessFailureLog, StaticDevice, TOTPDevice]
)


class SuperusersOnlyEditMixin(AuditedAdminMixin):
    """Only superusers add or change these, whatever permissions anyone else holds: a role's
    permissions (each app's `role_permissions`, applied by migrate) and a two-factor device's
    secret are never set by hand. Others may still see them where they hold the view
    permission; a crafted request to add or change is refused and audited."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_superuser and super().has_change_permission(request, obj)


@admin.register(Group)
class AuditedGroupAdmin(SuperusersOnlyEditMixin, GroupAdmin):
    """The roles, read-only but for superusers: renaming or deleting one would leave its
    members with permissions that migrate no longer keeps in line."""

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_superuser and super().has_delete_permission(request, obj)


@admin.register(AccessAttempt)
class AuditedAccessAttemptAdmin(AuditedAdminMixin, AccessAttemptAdmin):
    """Failed sign-ins per username, address and browser: five for a username lock it."""

    # Instead of axes' own "clean up expired attempts", which deletes without an audit event.
    actions = ["clear_sign_in_locks"]

    @admin.action(
        description=_("Clear the sign-in lock of the selected usernames"), permissions=["delete"]
    )
    def clear_sign_in_locks(
        self, request: AuthenticatedHttpRequest, queryset: QuerySet[AccessAttempt]
    ) -> None:
        usernames = sorted(set(queryset.values_list("username", flat=True)))
        unlocked = [name for name in usernames if clear_sign_in_lock(name, by=request.user)]
        report_unlocked(request, unlocked)

    def audit_deletion(self, request: HttpRequest, obj: Model) -> None:
        # Deleting an attempt is how a lock is cleared (by hand, one record at a time here).
        assert isinstance(obj, AccessAttempt)
        record_audit(request.user, Action.SIGN_IN_UNLOCKED, obj=obj, detail=obj.username or "")


@admin.register(AccessLog)
class AuditedAccessLogAdmin(AuditedAdminMixin, AccessLogAdmin):
    pass


@admin.register(AccessFailureLog)
class AuditedAccessFailureLogAdmin(AuditedAdminMixin, AccessFailureLogAdmin):
    pass


def audit_device_reset(request: HttpRequest, device: Model) -> None:
    """A two-factor device deleted in the admin: its owner sets up again at next sign-in."""
    assert isinstance(device, StaticDevice | TOTPDevice)
    record_audit(request.user, Action.MFA_RESET, obj=device, detail=device.user.get_username())


# Deleting a device (a reset) is the one thing others may do to it.
@admin.register(StaticDevice)
class AuditedStaticDeviceAdmin(SuperusersOnlyEditMixin, StaticDeviceAdmin):
    def audit_deletion(self, request: HttpRequest, obj: Model) -> None:
        audit_device_reset(request, obj)


@admin.register(TOTPDevice)
class AuditedTOTPDeviceAdmin(SuperusersOnlyEditMixin, TOTPDeviceAdmin):
    def audit_deletion(self, request: HttpRequest, obj: Model) -> None:
        audit_device_reset(request, obj)


def within_reach(request: HttpRequest, account: Any) -> bool:
    """A superuser's account is changed only by a superuser."""
    return account is None or not account.is_superuser or request.user.is_superuser


def report_unlocked(request: HttpRequest, usernames: list[str]) -> None:
    if usernames:
        messages.success(
            request,
            gettext("Cleared the sign-in lock of %(usernames)s. They may sign in again now.")
            % {"usernames": ", ".join(usernames)},
        )
    else:
        messages.info(request, gettext("None of them was locked: nothing to clear."))


# Roles, not Django's "staff status", open the admin (portal/admin_site.py): the flag does
# nothing here, so no one is offered it.
NOT_OFFERED = ["is_staff"]
# Superuser status and raw permissions would reach past the roles, to everything including
# another person's second factor: only superusers (made with `createsuperuser`) give them.
SUPERUSER_ONLY = ["is_superuser", "user_permissions"]


def without_fields(fieldsets: Any, fields: list[str]) -> list[Any]:
    return [
        (name, {**options, "fields": [field for field in options["fields"] if field not in fields]})
        for name, options in fieldsets
    ]


@admin.register(User)
class StaffUserAdmin(AuditedAdminMixin, UserAdmin):
    actions = ["end_sessions", "clear_sign_in_locks", "reset_two_factor_sign_in"]
    list_display = ["username", "email", "first_name", "last_name", "roles", "is_active"]
    list_filter = ["groups", "is_active", "is_superuser"]
    fieldsets = without_fields(UserAdmin.fieldsets or [], NOT_OFFERED)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).prefetch_related("groups")

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        return fieldsets if request.user.is_superuser else without_fields(fieldsets, SUPERUSER_ONLY)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method == "POST" and not request.user.is_superuser:
            # The form would ignore these fields; a request that carries them anyway was
            # crafted to get past the page, so all of it is refused (and audited).
            crafted = sorted(set(request.POST) & {*NOT_OFFERED, *SUPERUSER_ONLY})
            if crafted:
                raise PermissionDenied(f"fields not offered: {', '.join(crafted)}")
        return super().changeform_view(request, object_id, form_url, extra_context)

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        with self.refusal_audited(request, id, "password"):
            return super().user_change_password(request, id, form_url)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and within_reach(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and within_reach(request, obj)

    def accounts_within_reach(
        self, request: HttpRequest, queryset: QuerySet[Any], action: str
    ) -> QuerySet[Any]:
        """The selected accounts an action may touch: a superuser's only for a superuser
        (resetting its second factor, then its password, would hand it over)."""
        if request.user.is_superuser:
            return queryset
        for account in queryset.filter(is_superuser=True):
            self.audit_refusal(request, account.pk, action)
            messages.warning(
                request,
                gettext("%(username)s is a superuser: only a superuser can do that.")
                % {"username": account.get_username()},
            )
        return queryset.filter(is_superuser=False)

    @admin.display(description=_("Roles"))
    def roles(self, user: Any) -> str:
        return ", ".join(sorted(group.name for group in user.groups.all()))

    def formfield_for_manytomany(
        self, db_field: ManyToManyField, request: HttpRequest, **kwargs: Any
    ) -> ModelMultipleChoiceField | None:
        if db_field.name == "groups":
            kwargs["help_text"] = gettext(
                "The roles this person holds; each gives its permissions. These roles also open "
                "the admin, with two-factor sign-in: %(roles)s."
            ) % {"roles": ", ".join(sorted(ADMIN_SITE_ROLES))}
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_clear_sign_in_lock_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("axes.delete_accessattempt")

    def has_reset_two_factor_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perms(
            ["otp_totp.delete_totpdevice", "otp_static.delete_staticdevice"]
        )

    @admin.action(
        description=_("Clear the sign-in lock of the selected users"),
        permissions=["clear_sign_in_lock"],
    )
    def clear_sign_in_locks(
        self, request: AuthenticatedHttpRequest, queryset: QuerySet[Any]
    ) -> None:
        queryset = self.accounts_within_reach(request, queryset, "clear_sign_in_locks")
        unlocked = [
            user.get_username()
            for user in queryset
            if clear_sign_in_lock(user.get_username(), by=request.user)
        ]
        report_unlocked(request, unlocked)

    @admin.action(
        description=_("Reset two-factor sign-in of the selected users (lost phone)"),
        permissions=["reset_two_factor"],
    )
    def reset_two_factor_sign_in(
        self, request: AuthenticatedHttpRequest, queryset: QuerySet[Any]
    ) -> None:
        queryset = self.accounts_within_reach(request, queryset, "reset_two_factor_sign_in")
        reset = [
            user.get_username()
            for user in queryset
            if reset_two_factor(user, by=request.user, keep_session=request.session.session_key)
        ]
        if reset:
            messages.success(
                request,
                gettext(
                    "Reset two-factor sign-in of %(usernames)s. They are signed out everywhere "
                    "and set up a new authenticator app at their next sign-in."
                )
                % {"usernames": ", ".join(reset)},
            )
        else:
            messages.info(request, gettext("None of them had two-factor sign-in set up."))

    @admin.action(description=_("End all sessions of the selected users"))
    def end_sessions(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        ended = 0
        for user in self.accounts_within_reach(request, queryset, "end_sessions"):
            count = end_sessions_of(user, keep=request.session.session_key)
            record_audit(request.user, Action.SESSIONS_ENDED, obj=user, detail=f"{count}")
            ended += count
        messages.success(
            request,
            ngettext("Ended %(count)d session.", "Ended %(count)d sessions.", ended)
            % {"count": ended},
        )

    def save_model(
        self, request: HttpRequest, obj: Any, form: forms.ModelForm, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        if change and not obj.is_active:
            # A deactivated account is refused at its next request anyway; end it now.
            end_sessions_of(obj)


# The task queue (link emails), read-only as django_tasks_db makes it: what the worker did and
# has still to do. Its rows hold ids only, never an address or a link.
admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class AuditedTaskResultAdmin(AuditedAdminMixin, DBTaskResultAdmin):
    pass
