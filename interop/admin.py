from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from interop.models import ApiClient, Scope
from interop.tokens import revoke_api_clients
from portal.admin_audit import AuditedAdminMixin


class ApiClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("What the token may do."),
    )

    class Meta:
        model = ApiClient
        fields = ["name", "scopes", "expires_at"]


@admin.register(ApiClient)
class ApiClientAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Administrators add clients (the token is shown once, on the page that follows) and
    revoke them. Clients are never deleted: the audit log names them."""

    form = ApiClientForm
    list_display = ["name", "scope_list", "token_hint", "expires_at", "revoked_at", "last_used_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name"]
    readonly_fields = ["token_hint", "created_at", "created_by", "revoked_at", "last_used_at"]
    actions = ["revoke"]

    @admin.display(description=_("scopes"))
    def scope_list(self, client: ApiClient) -> str:
        return ", ".join(client.scopes)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ApiClient, form: Any, change: bool) -> None:
        if not change:
            # Kept for response_add on this request only; the database keeps the hash.
            request.issued_token = obj.issue_token()  # type: ignore[attr-defined]
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)

    def response_add(
        self, request: HttpRequest, obj: ApiClient, post_url_continue: str | None = None
    ) -> HttpResponse:
        """The token, once: the page is rendered in the response, never kept in a message, the
        session or a redirect."""
        response = TemplateResponse(
            request,
            "admin/interop/apiclient/token_issued.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "client": obj,
                "token": request.issued_token,  # type: ignore[attr-defined]
                "title": gettext("Token for %(name)s") % {"name": obj.name},
            },
        )
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Revoke the selected clients' tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        count = revoke_api_clients(queryset, by=request.user)
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count)
            % {"count": count},
            messages.SUCCESS,
        )
