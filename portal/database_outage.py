"""When the database cannot be reached (a restart, a failover, a network fault): every page says
so with 503 and Retry-After instead of the generic 500, in the language the browser asks for,
and the sign-in page comes back with the username typed.

Django's handler500, so it also answers for failures in middleware (a session read from the
database, say), before any view runs. The page is rendered from its template alone, without
the request's context processors, which would query the database again (the clinic profile,
the user, their role). It holds nothing the request carried but the typed username, and
nothing from the database. Its log line is one line, without the traceback each request
would otherwise repeat.
"""

import logging
import sys
from typing import TypeIs

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template import loader
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.views import defaults

from portal.save_failures import error_kind

RETRY_AFTER_SECONDS = 60


def is_database_outage(error: BaseException | None) -> TypeIs[OperationalError | InterfaceError]:
    """Whether `error` is the database out of reach rather than a fault in our code: Django
    raises these two for connections refused, dropped or timed out."""
    return isinstance(error, (OperationalError, InterfaceError))


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: Django calls it while it handles the exception, so sys.exception() is
    that exception."""
    if not is_database_outage(sys.exception()):
        return defaults.server_error(request)
    with translation.override(translation.get_language_from_request(request)):
        html = loader.render_to_string("503.html", _page_context(request))
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)  # no browser or proxy may keep the outage
    return response


def _page_context(request: HttpRequest) -> dict[str, object]:
    if request.method != "POST" or request.path not in (reverse("login"), reverse("admin:login")):
        return {}
    # Imported here: LOGGING loads this module (OutageInOneLine) before the auth models can.
    from django.contrib.auth.forms import AuthenticationForm

    # The sign-in form again, with the username and never the password.
    username = request.POST.get("username", "")
    return {
        "sign_in_form": AuthenticationForm(initial={"username": username}),
        "sign_in_url": request.path,
        "next": request.POST.get("next", ""),
        "csrf_token": get_token(request),
    }


class OutageInOneLine(logging.Filter):
    """Django logs each failed request with its traceback; while the database is out of reach
    every request fails the same way, so the line says why instead and the traceback goes."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if is_database_outage(error):
            record.msg = (
                f"{record.getMessage()} (the database cannot be reached: {error_kind(error)})"
            )
            record.args = ()
            record.exc_info = record.exc_text = None
        return True
