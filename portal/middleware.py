import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import ngettext

from portal.mfa import has_authenticator, is_verified, mfa_required
from portal.sessions import signed_in_too_long

# Where portal/urls.py mounts the patients' links (/p/<token>/...).
PATIENT_PAGES = "/p/"


class PatientPageHeadersMiddleware:
    """Headers every response under /p/ carries, error pages included: nothing kept by any
    cache, no index, and no address sent to other sites (the token is in the path).

    "same-origin" rather than "no-referrer": with no-referrer browsers post forms with
    `Origin: null`, which Django's CSRF check must refuse; with same-origin they send the
    page's true origin on the code form, and no Referer to any other site.

    First in MIDDLEWARE, so it also sees the responses other middleware make (CSRF refusals,
    HTTPS redirects) and the error pages Django makes from exceptions (handler500 and the
    templates at the project's root).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path_info.startswith(PATIENT_PAGES):
            response["Cache-Control"] = "no-store"
            response["Referrer-Policy"] = "same-origin"
            response["X-Robots-Tag"] = "noindex, nofollow"
        return response


class SessionIdleMiddleware:
    """Pushes a session's idle limit (SESSION_COOKIE_AGE) back while its owner works: saving a
    session renews its expiry, in the store and in the cookie. It is saved for that at most
    once every SESSION_REFRESH_SECONDS, not on every request, so most pages write nothing; the
    idle limit holds to within that many seconds."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if not session.is_empty():
            now = int(time.time())
            if now - session.get(REFRESHED_AT, 0) >= settings.SESSION_REFRESH_SECONDS:
                session[REFRESHED_AT] = now
        return self.get_response(request)


# When SessionIdleMiddleware last saved the session, in seconds since the epoch.
REFRESHED_AT = "refreshed_at"


class StaffSessionMiddleware:
    """Two rules for signed-in staff on every request: a session ends SESSION_MAX_HOURS after
    sign-in, and a user who needs two-factor sign-in reaches nothing but the two-factor pages
    (and sign-out) until they have passed it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            if signed_in_too_long(request.session, settings.SESSION_MAX_HOURS):
                logout(request)
                hours = settings.SESSION_MAX_HOURS
                messages.info(
                    request,
                    ngettext(
                        "You were signed out: sessions last at most %(hours)d hour. "
                        "Please sign in again.",
                        "You were signed out: sessions last at most %(hours)d hours. "
                        "Please sign in again.",
                        hours,
                    )
                    % {"hours": hours},
                )
                return redirect(settings.LOGIN_URL)
            if not self._exempt(request.path) and mfa_required(user) and not is_verified(user):
                target = "mfa_verify" if has_authenticator(user) else "mfa_setup"
                return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        exempt = [
            reverse("mfa_verify"),
            reverse("mfa_setup"),
            reverse("logout"),
            reverse("admin:logout"),
            settings.STATIC_URL,
            "/static/",
            PATIENT_PAGES,
        ]
        return any(path.startswith(prefix) for prefix in exempt)
