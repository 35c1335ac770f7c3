"""Admin changes recorded as AuditEvents, in the same transaction as the change (the admin
saves inside transaction.atomic and calls these log_* hooks there)."""

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from portal.audit import Action, record_audit

if TYPE_CHECKING:
    # The mixin only ever runs combined with a ModelAdmin (audit_every_admin), whose hooks
    # it extends; the type checker needs to know that to follow super().
    _ModelAdmin = admin.ModelAdmin[Model]
else:
    _ModelAdmin = object


def changed_fields(message: Any) -> list[str]:
    """Field labels from the admin's change message ([{"changed": {"fields": [...]}}])."""
    fields: list[str] = []
    for entry in message if isinstance(message, list) else []:
        fields += entry.get("changed", {}).get("fields", [])
    return fields


class AuditedAdminMixin(_ModelAdmin):
    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> LogEntry:
        entry = super().log_addition(request, obj, message)
        record_audit(request.user, Action.CREATED, obj=obj)
        return entry

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> LogEntry:
        entry = super().log_change(request, obj, message)
        if isinstance(message, str):
            # A workflow step (education's article admin) describes itself in a sentence.
            action = Action.PUBLISHED if message.startswith("Published") else Action.CHANGED
            record_audit(request.user, action, obj=obj, detail=message)
        else:
            record_audit(
                request.user, Action.CHANGED, obj=obj, detail=", ".join(changed_fields(message))
            )
        return entry

    def log_deletions(self, request: HttpRequest, queryset: QuerySet[Model]) -> list[LogEntry]:
        for obj in queryset:
            record_audit(request.user, Action.DELETED, obj=obj)
        return super().log_deletions(request, queryset)


def audit_every_admin(site: admin.AdminSite) -> None:
    """Give every registered ModelAdmin the audit hooks. Done once at start-up, after the
    admin has discovered every app's admin module, so no app has to import portal for it."""
    for model, model_admin in list(site._registry.items()):
        admin_class = type(model_admin)
        if isinstance(model_admin, AuditedAdminMixin):
            continue
        audited = type(f"Audited{admin_class.__name__}", (AuditedAdminMixin, admin_class), {})
        site._registry[model] = audited(model, site)
