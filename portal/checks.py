"""Configuration checks: a production setting that is missing or unsafe stops start-up.

`manage.py` commands run them as Django system checks; portal/wsgi.py runs them before a WSGI
server (gunicorn) takes its first request, because servers do not run system checks themselves.
"""

import ctypes.util
import logging
from collections.abc import Sequence

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends import console, dummy
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

TAG = "portal_configuration"


@register(TAG)
def check_configuration(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: object
) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    language_codes = [code for code, _name in settings.LANGUAGES]
    if settings.LANGUAGE_CODE not in language_codes:
        errors.append(
            Error(
                f"LANGUAGE_CODE {settings.LANGUAGE_CODE!r} is not one of LANGUAGES "
                f"({', '.join(language_codes)}).",
                hint="Set LANGUAGE_CODE to one of the LANGUAGES, or add it to LANGUAGES.",
                id="portal.E003",
            )
        )
    if settings.DEBUG:
        return errors
    if not settings.SECRET_KEY or settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY:
        errors.append(
            Error(
                "SECRET_KEY is missing or is the development default, and DEBUG is off.",
                hint="Set SECRET_KEY to a long random value (for example the output of "
                "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`), "
                "or set DEBUG=1 for local development.",
                id="portal.E001",
            )
        )
    if not settings.ALLOWED_HOSTS:
        errors.append(
            Error(
                "ALLOWED_HOSTS is empty and DEBUG is off.",
                hint="Set ALLOWED_HOSTS to the host names the portal is served on, separated by "
                "commas (for example portal.example-clinic.org).",
                id="portal.E002",
            )
        )
    if _mail_is_not_delivered():
        errors.append(
            Error(
                "SMTP_HOST is not set and DEBUG is off: link emails would never reach patients.",
                hint="Set SMTP_HOST (with SMTP_PORT, SMTP_USERNAME, SMTP_PASSWORD) to the "
                "clinic's mail server, or set DEBUG=1 for local development.",
                id="portal.E004",
            )
        )
    if settings.SECURE_PROXY_SSL_HEADER and not settings.TRUST_X_FORWARDED_FOR:
        errors.append(
            Warning(
                "TRUST_X_FORWARDED_PROTO is on but TRUST_X_FORWARDED_FOR is off: behind the "
                "proxy every sign-in seems to come from its address, so 5 failed sign-ins lock "
                "a username at every address.",
                hint="Set TRUST_X_FORWARDED_FOR=1 when the reverse proxy appends the client's "
                "address to X-Forwarded-For.",
                id="portal.W003",
            )
        )
    return errors


def _mail_is_not_delivered() -> bool:
    """Whether the default mailer only prints (console, file) or drops messages: fine while
    developing, never for a patient waiting for their link. Tests' in-memory outbox passes."""
    backend = import_string(str(settings.MAILERS["default"]["BACKEND"]))
    return issubclass(backend, console.EmailBackend | dummy.EmailBackend)


@register(TAG)
def check_handout_rendering(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: object
) -> list[CheckMessage]:
    warnings: list[CheckMessage] = []
    if not settings.FONT_DIR.is_dir():
        warnings.append(
            Warning(
                "The handout font (Atkinson Hyperlegible) is not installed; PDFs fall back to "
                "DejaVu Sans.",
                hint="Run `make install` (it runs `npm ci`), or `npm ci` in the project folder.",
                id="portal.W001",
            )
        )
    if ctypes.util.find_library("harfbuzz-subset") is None:
        warnings.append(
            Warning(
                "HarfBuzz's font subsetter is missing, "
                "so handout PDFs render about twice as slowly.",
                hint="Install it: `apt-get install libharfbuzz-subset0` on Debian and Ubuntu.",
                id="portal.W002",
            )
        )
    return warnings


def refuse_unsafe_configuration() -> None:
    """For entry points that do not run system checks (WSGI servers): log the warnings, and
    raise with every error at once."""
    problems = check_configuration() + check_handout_rendering()
    for warning in (p for p in problems if not p.is_serious()):
        logger.warning("%s: %s %s", warning.id, warning.msg, warning.hint)
    errors = [p for p in problems if p.is_serious()]
    if errors:
        lines = [f"{error.id}: {error.msg} {error.hint}" for error in errors]
        raise ImproperlyConfigured("The portal will not start:\n" + "\n".join(lines))
