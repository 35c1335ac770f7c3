"""The patient's side: a link from the printed slip or an email, an access code, then the
handout to read and download. No account; every step is recorded as a HandoutEvent.

Unknown, expired, revoked and locked links all get the same neutral page and status, so a
response never tells an outsider which links exist or whose they are.
"""

import functools
import secrets
import time
from collections.abc import Callable
from typing import Concatenate

from django import forms
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from handouts.events import device_class, record_event
from handouts.models import HandoutEvent, ShareLink
from handouts.pdf import handout_context
from handouts.responses import pdf_response
from handouts.sharing import CODE_LENGTH, Attempt, find_share_link, try_code
from portal.logos import logo_response
from portal.models import ClinicProfile

Kind = HandoutEvent.Kind
NEUTRAL_STATUS = 404


class AccessCodeForm(forms.Form):
    """Validates the code page's POST; the page writes its own large, phone-friendly input."""

    form_token = forms.CharField()
    code = forms.CharField(max_length=20)


def patient_page[**P](
    view: Callable[Concatenate[HttpRequest, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Headers every patient page carries: nothing cached, nothing leaked to other sites."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        response["Referrer-Policy"] = "no-referrer"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapper


FORM_TOKEN_KEY = "patient-form-token"  # noqa: S105  (a session key name, not a secret)


def issue_form_token(request: HttpRequest) -> str:
    """CSRF protection for the code form. Patient pages send `Referrer-Policy: no-referrer`,
    so browsers post the form with `Origin: null`, which Django's origin-based CSRF check must
    refuse. Instead the form carries a token bound to the session; the session cookie is
    SameSite=Lax, so a cross-site form cannot send it, and the token cannot be guessed."""
    token = request.session.get(FORM_TOKEN_KEY) or secrets.token_urlsafe(24)
    request.session[FORM_TOKEN_KEY] = token
    return token


def form_token_is_valid(request: HttpRequest, submitted: str) -> bool:
    expected = request.session.get(FORM_TOKEN_KEY, "")
    return bool(expected) and secrets.compare_digest(expected, submitted)


def _session_key(link: ShareLink) -> str:
    return f"patient-link-{link.pk}"


def grant_access(request: HttpRequest, link: ShareLink) -> None:
    request.session.cycle_key()  # a fresh session id once the code is proven
    request.session[_session_key(link)] = time.time() + settings.PATIENT_ACCESS_MINUTES * 60


def has_access(request: HttpRequest, link: ShareLink) -> bool:
    return request.session.get(_session_key(link), 0) > time.time()


def get_link_for_patient(token: str) -> ShareLink | None:
    """The one access helper for patient links: a link that is not revoked or expired."""
    link = find_share_link(token)
    now = timezone.now()
    if link is None or link.revoked_at or now >= link.expires_at or link.handout.purged_at:
        return None
    return link


def unavailable(request: HttpRequest) -> HttpResponse:
    return render(request, "handouts/patient/link_unavailable.html", status=NEUTRAL_STATUS)


@csrf_exempt  # protected by the session-bound form token instead: see issue_form_token()
@sensitive_post_parameters("code", "form_token")
@patient_page
@require_http_methods(["GET", "POST"])
def open_link(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        return _check_code(request, token)
    link = get_link_for_patient(token)
    if link is None or link.is_locked(timezone.now()):
        return unavailable(request)
    if has_access(request, link):
        return redirect("patient:read", token=token)
    # A code in the query string is ignored: codes are only accepted from the form.
    with transaction.atomic():
        record_event(link.handout, Kind.LINK_OPENED, share_link=link, device=device_class(request))
    return _code_page(request, link, AccessCodeForm())


def _check_code(request: HttpRequest, token: str) -> HttpResponse:
    # Any link the token names, even locked or revoked: every wrong code is counted.
    link = find_share_link(token)
    if link is None or link.handout.purged_at:
        return unavailable(request)
    form = AccessCodeForm(request.POST)
    if not form.is_valid():
        return _code_page(request, link, form)
    if not form_token_is_valid(request, form.cleaned_data["form_token"]):
        # Lazy: shown on the code page, rendered in the handout's language.
        form.add_error(
            None, gettext_lazy("Your page was open too long. Please enter the code again.")
        )
        return _code_page(request, link, form)
    attempt = try_code(link, form.cleaned_data["code"], device=device_class(request))
    if attempt is Attempt.ACCEPTED:
        grant_access(request, link)
        return redirect("patient:read", token=token)
    if attempt is Attempt.UNAVAILABLE:
        return unavailable(request)
    form.add_error("code", gettext_lazy("That code did not work. Check it and try again."))
    return _code_page(request, link, form)


def _code_page(request: HttpRequest, link: ShareLink, form: AccessCodeForm) -> HttpResponse:
    if not link.is_open(timezone.now()):
        return unavailable(request)
    context = {
        "form": form,
        "form_token": issue_form_token(request),
        "language": link.handout.language,
        "code_length": CODE_LENGTH,
    }
    with translation.override(link.handout.language):
        return render(request, "handouts/patient/access_code.html", context)


def with_patient_access(
    view: Callable[[HttpRequest, str, ShareLink], HttpResponse],
) -> Callable[[HttpRequest, str], HttpResponse]:
    """For pages behind the code: the link must still work and this session must have
    entered its code; otherwise the neutral page, or back to the code form."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, token: str) -> HttpResponse:
        link = get_link_for_patient(token)
        if link is None:
            return unavailable(request)
        if not has_access(request, link):
            return redirect("patient:open", token=token)
        return view(request, token, link)

    return wrapper


@patient_page
@require_http_methods(["GET"])
@with_patient_access
def read_handout(request: HttpRequest, token: str, link: ShareLink) -> HttpResponse:
    handout = link.handout
    with transaction.atomic():
        record_event(handout, Kind.PATIENT_VIEWED, share_link=link, device=device_class(request))
    clinic = ClinicProfile.load()
    content = handout_context(handout, clinic) | {
        "for_web": True,
        "logo_url": reverse("patient:logo", args=[token]) if clinic.has_logo else "",
    }
    context = {"handout": handout, "token": token, "content": content}
    with translation.override(handout.language):
        return render(request, "handouts/patient/handout_read.html", context)


@patient_page
@require_http_methods(["GET"])
@with_patient_access
def download_handout(request: HttpRequest, token: str, link: ShareLink) -> HttpResponse:
    pdf = link.handout.verified_pdf()
    if pdf is None:
        return render(request, "handouts/patient/pdf_unavailable.html", status=500)
    with transaction.atomic():
        record_event(
            link.handout, Kind.PATIENT_DOWNLOADED, share_link=link, device=device_class(request)
        )
    return pdf_response(pdf, link.handout.pdf_filename(), as_attachment=True)


@patient_page
@require_http_methods(["GET"])
@with_patient_access
def clinic_logo(request: HttpRequest, token: str, link: ShareLink) -> HttpResponse:
    """The letterhead's logo on the reading view. Behind the code like the handout, so the
    page needs nothing from outside the patient's own link."""
    return logo_response(ClinicProfile.load())
