"""Configuration checks: a production setting that is missing or unsafe stops start-up.

`manage.py` commands run them as Django system checks; portal/wsgi.py runs them before a WSGI
server (gunicorn) takes its first request, because servers do not run system checks themselves.
"""

from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.core.exceptions import ImproperlyConfigured

TAG = "portal_configuration"


@register(TAG)
def check_configuration(app_configs=None, **kwargs) -> list[CheckMessage]:
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
    return errors


def refuse_unsafe_configuration() -> None:
    """Raise with every problem at once, for entry points that do not run system checks."""
    errors = check_configuration()
    if errors:
        lines = [f"{error.id}: {error.msg} {error.hint}" for error in errors]
        raise ImproperlyConfigured("The portal will not start:\n" + "\n".join(lines))
