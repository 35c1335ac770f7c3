from base64 import b32encode

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp import match_token

from portal.audit import Action, record_audit
from portal.http import AuthenticatedHttpRequest
from portal.logos import logo_response
from portal.mfa import (
    authenticator_qr_svg,
    confirm_authenticator,
    has_authenticator,
    is_verified,
    pending_authenticator,
    replace_recovery_codes,
)
from portal.models import ClinicProfile


@login_required
def clinic_logo(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The clinic logo, for staff pages that preview a handout."""
    return logo_response(ClinicProfile.load())


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else reverse("home")


@never_cache
@login_required
def mfa_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Add an authenticator app: scan, type a code, receive recovery codes once."""
    if has_authenticator(request.user) and not is_verified(request.user):
        return redirect("mfa_verify")
    device = pending_authenticator(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = confirm_authenticator(request.user, device, form.cleaned_data["token"])
        if codes is not None:
            otp_login(request, device)
            return render(
                request,
                "portal/mfa_recovery_codes.html",
                {"codes": codes, "next": _safe_next(request)},
            )
        form.add_error(
            "token",
            gettext(
                "That code did not match. Check the time on your phone and type the newest code."
            ),
        )
    context = {
        "form": form,
        "qr_svg": authenticator_qr_svg(device),
        "secret": b32encode(device.bin_key).decode(),
        "next": _safe_next(request),
    }
    return render(request, "portal/mfa_setup.html", context)


@never_cache
@login_required
def mfa_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The second step of sign-in: a code from the authenticator app, or a recovery code."""
    if not has_authenticator(request.user):
        return redirect("mfa_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"].strip().replace(" ", "").lower()
        device = match_token(request.user, token)
        if device is not None:
            otp_login(request, device)
            record_audit(request.user, Action.MFA_VERIFIED, obj=device)
            return redirect(_safe_next(request))
        record_audit(request.user, Action.MFA_FAILED, outcome="failure")
        form.add_error(
            "token",
            gettext(
                "That code was not accepted. Type the newest code "
                "from your app, or one of your recovery codes."
            ),
        )
    return render(request, "portal/mfa_verify.html", {"form": form, "next": _safe_next(request)})


@never_cache
@login_required
def mfa_recovery_codes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Replace the recovery codes (POST); the page shows the new ones once."""
    if request.method == "POST" and has_authenticator(request.user):
        codes = replace_recovery_codes(request.user)
        return render(
            request, "portal/mfa_recovery_codes.html", {"codes": codes, "next": reverse("home")}
        )
    return render(
        request, "portal/mfa_status.html", {"has_authenticator": has_authenticator(request.user)}
    )
