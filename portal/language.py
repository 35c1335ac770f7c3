"""The language staff pages speak.

Django's LocaleMiddleware picks the browser's language (or the language cookie, which the
switcher sets for the sign-in page). A signed-in staff member who chose a language in the
switcher gets that one on every staff page, the admin included, on any device: the choice is
kept on their account (StaffPreference) and copied into the session once, so pages do not query
for it. Patient pages are left alone: they speak the handout's language (handouts.patient_views).
"""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from portal.models import StaffPreference

SESSION_KEY = "portal_language"
PATIENT_PREFIX = "/p/"


def supported(code: str) -> bool:
    return code in dict(settings.LANGUAGES)


def chosen_language(session: SessionBase, user: User) -> str:
    """The signed-in user's chosen language, or "" for the browser's."""
    if SESSION_KEY not in session:
        preference = StaffPreference.objects.filter(user=user).first()
        session[SESSION_KEY] = preference.language if preference else ""
    language = session[SESSION_KEY]
    return language if supported(language) else ""


class StaffLanguageMiddleware:
    """After AuthenticationMiddleware: a signed-in user's chosen language wins over the
    browser's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not request.path.startswith(PATIENT_PREFIX):
            language = chosen_language(request.session, user)
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The header's switcher. An empty choice goes back to the browser's language. Open to
    everyone (the sign-in page has the switcher too); only a signed-in user's choice is kept on
    their account."""
    language = request.POST.get("language", "")
    if language and not supported(language):
        language = ""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("home")
    if request.user.is_authenticated:
        StaffPreference.objects.update_or_create(user=request.user, defaults={"language": language})
        request.session[SESSION_KEY] = language
    response = HttpResponseRedirect(target)
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    else:
        response.delete_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
        )
    return response


def language_switcher(request: HttpRequest) -> dict[str, object]:
    """Template context for the header's switcher: each language under its own name, and the
    current choice ("" while the browser's language is followed)."""
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        chosen = request.session.get(SESSION_KEY, "")
    else:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return {
        "language_switcher": {
            "languages": settings.LANGUAGES,
            "chosen": chosen if supported(chosen) else "",
            "next": request.get_full_path(),
        }
    }
