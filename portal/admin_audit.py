"""Admin changes recorded as AuditEvents, in the same transaction as the change (the admin
saves inside transaction.atomic and calls these log_* hooks there).

Every ModelAdmin on the admin site mixes in AuditedAdminMixin in its own class statement, first
among its bases; the admins of third-party apps are re-registered as audited subclasses in
portal/admin.py. A test checks that none is left out."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse

from portal.audit import Action, Outcome, record_audit

if TYPE_CHECKING:
    # The mixin only ever runs combined with a ModelAdmin (first among its bases), whose hooks
    # it extends; the type checker needs to know that to follow super(). Any model: each
    # admin narrows it to its own.
    _ModelAdmin = admin.ModelAdmin[Any]
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
        # A form's changes come as a list; an admin's own step may describe itself in a
        # sentence (in the source language, like the field labels).
        detail = message if isinstance(message, str) else ", ".join(changed_fields(message))
        record_audit(request.user, Action.CHANGED, obj=obj, detail=detail)
        return entry

    def log_change_without_audit(
        self, request: HttpRequest, obj: Model, message: str | list
    ) -> LogEntry:
        """Only the admin's own log entry, for a change whose action recorded its audit event
        itself (a publication), so it is not audited twice."""
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: QuerySet[Model]) -> list[LogEntry]:
        for obj in queryset:
            self.audit_deletion(request, obj)
        return super().log_deletions(request, queryset)

    # Refusals are recorded outside the admin's transaction (UserAdmin's add_view has its own),
    # which rolls back as the refusal leaves it.
    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        with self.refusal_audited(request, None, "add"):
            return super().add_view(request, form_url, extra_context)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        with self.refusal_audited(request, object_id, "change"):
            return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        with self.refusal_audited(request, object_id, "delete"):
            return super().delete_view(request, object_id, extra_context)

    @contextmanager
    def refusal_audited(self, request: HttpRequest, object_id: Any, what: str) -> Iterator[None]:
        """Record a PermissionDenied raised inside, with its message if it has one."""
        try:
            yield
        except PermissionDenied as refusal:
            self.audit_refusal(request, object_id, str(refusal) or what)
            raise

    def audit_refusal(self, request: HttpRequest, object_id: Any, what: str) -> None:
        """Something this person may not do here, asked for anyway: the page never offers
        it, so only a crafted request (or an old bookmark) gets this far."""
        record_audit(
            request.user,
            Action.REFUSED,
            object_type=self.model._meta.label_lower,
            object_id=str(object_id or ""),
            outcome=Outcome.FAILURE,
            detail=what,
        )

    def audit_deletion(self, request: HttpRequest, obj: Model) -> None:
        """Record one object deleted through this admin. An admin whose deletions mean more (an
        unlocked account, a reset authenticator) records that instead."""
        record_audit(request.user, Action.DELETED, obj=obj)
