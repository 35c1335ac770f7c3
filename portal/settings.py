"""Settings for the patient education portal.

Every value comes from the environment (see the configuration table in docs/operating.md), with
defaults that are safe for development. Production differs only by environment; the checks in
portal/checks.py refuse to start with an unsafe combination.
"""

import datetime
from pathlib import Path
from typing import Final

import dj_database_url
from django.conf.locale import LANG_INFO
from django.utils.csp import CSP

from portal.env import (
    ConfigurationError,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    env_time_zone,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent

# --- Core -------------------------------------------------------------------------------------
DEBUG = env_bool("DEBUG", False)
# Only a development convenience; portal.checks refuses it whenever DEBUG is off.
DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-never-use-in-production"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY") or DEVELOPMENT_SECRET_KEY
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "portal.apps.PortalAdminConfig",  # django.contrib.admin, admitting staff by role
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks_db",
    "portal",
    "education",
    "handouts",
    "interop",
    "reports",
    "benchmarks",  # only their management commands (make bench, make bench-http)
]

MIDDLEWARE = [
    # First: it sets the patient pages' headers on every response under /p/, error pages too.
    "portal.middleware.PatientPageHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.SessionIdleMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.language.StaffLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.middleware.StaffSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns lockouts raised by the views into responses.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.clinic",
                "portal.context_processors.roles",
                "portal.language.language_switcher",
            ],
        },
    },
]

# --- Data -------------------------------------------------------------------------------------
DATABASE_URL = env_url(
    "DATABASE_URL",
    f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
    schemes=["postgres", "postgresql", "sqlite"],
)
try:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0),
            # A kept connection is checked before each request reuses it, so a database restart
            # or failover costs a reconnect instead of one failed request per worker.
            conn_health_checks=True,
        ),
    }
except ValueError:  # dj_database_url's parse errors; the URL holds a password, never shown
    raise ConfigurationError(
        "DATABASE_URL is not a valid database URL, e.g. postgres://user:password@host:5432/portal."
    ) from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo runs the task worker beside the web server: two processes writing one file. A
    # transaction that read first and then asked for the write lock while the other process
    # held it would fail at once with "database is locked"; so every transaction takes the
    # write lock when it begins, waiting up to 20 seconds for it, and readers never wait for
    # a writer (write-ahead log).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL;",
    }
else:
    # PostgreSQL's JIT compiler starts on queries it expects to be costly, such as the
    # reports' grouped counts over a period's handouts, and takes longer compiling (about
    # 100 ms) than they take to run.
    DATABASES["default"]["OPTIONS"] = {"options": "-c jit=off"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis, when REDIS_URL is set (production), is shared by every worker process: sessions are
# read from it (see SESSION_ENGINE). Without it each process has its own memory cache, which
# holds nothing another process must see.
REDIS_URL = env_url("REDIS_URL", "", schemes=["redis", "rediss", "unix"])
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that hangs rather than refuses (a host gone from the network) costs a
            # request one second, after which sessions are read from the database
            # (portal.session_engine).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Language and time ------------------------------------------------------------------------
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "en")
TIME_ZONE = env_time_zone("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True


def _languages(codes: list[str]) -> list[tuple[str, str]]:
    unknown = [code for code in codes if code not in LANG_INFO]
    if unknown:
        raise ConfigurationError(
            f"LANGUAGES names unknown language codes: {', '.join(unknown)}. "
            "Use codes Django knows, separated by commas, e.g. en,es,fr,pt-br."
        )
    return [(code, LANG_INFO[code]["name_local"]) for code in codes]


# Articles exist per language; this list is what editors and clinicians can choose from.
LANGUAGES = _languages(env_list("LANGUAGES", ["en", "es"]))
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Auth -------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses locked-out usernames first
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Brute force (portal.lockout): 5 failed sign-ins for a username from one address lock it at
# that address for 15 minutes; 30 from anywhere within 15 minutes lock it everywhere. On the
# staff sign-in page and /admin/ alike, in the database (so across worker processes).
AXES_FAILURE_LIMIT = 5
SIGN_IN_USERNAME_FAILURE_LIMIT = 30
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "portal.lockout.SignInLockHandler"
AXES_CLIENT_IP_CALLABLE = "portal.lockout.client_address"
# Behind a reverse proxy that appends the client's address to X-Forwarded-For (nginx:
# proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for). Off, the header is ignored:
# anyone could send one.
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_DISABLE_ACCESS_LOG = True  # AuditEvent records sign-ins
AXES_VERBOSE = False

# Two-factor sign-in: required for administrators and content editors, or for everyone.
REQUIRE_MFA_FOR_ALL = env_bool("REQUIRE_MFA_FOR_ALL", False)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Patient education portal")
# Administrators see and delete two-factor devices in the admin, never their secret keys or
# recovery codes.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Sessions end after SESSION_IDLE_MINUTES without a request, and SESSION_MAX_HOURS after
# sign-in whatever happens.
# The maximums keep every expiry the portal computes from these within the calendar.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30, minimum=1, maximum=24 * 60)
SESSION_MAX_HOURS = env_int("SESSION_MAX_HOURS", 12, minimum=1, maximum=7 * 24)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
# A request pushes the idle limit back by saving the session, at most once a minute
# (portal.middleware.SessionIdleMiddleware) rather than on every request.
SESSION_REFRESH_SECONDS = 60
# Sessions live in the database, where portal.sessions.end_sessions_of finds every session of
# a user. With Redis they are read from it too (cached_db), so a page costs no session query:
# the cache is shared, so a session ended in one process is ended in all. Without Redis the
# per-process memory cache could keep an ended session alive in another worker, so sessions are
# read from the database alone. While Redis cannot be reached, portal.session_engine reads and
# writes sessions in the database alone, so nobody is signed out or refused.
SESSION_ENGINE = "portal.session_engine" if REDIS_URL else "django.contrib.sessions.backends.db"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Handout fonts come from the npm registry (package.json); `make` installs them into
# node_modules. Only the PDF renderer reads them (handouts/pdf/fonts.py lists the files), so they
# are not static files. FONT_DIR is the main handout font, checked at start-up.
FONTSOURCE_DIR = BASE_DIR / "node_modules" / "@fontsource"
FONT_DIR = FONTSOURCE_DIR / "atkinson-hyperlegible" / "files"
STATICFILES_DIRS = [BASE_DIR / "portal" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Forms ------------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security ---------------------------------------------------------------------------------
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    # Bootstrap draws form controls with data: SVGs.
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# With DEBUG off these default to production values: HTTPS only, HSTS for a year.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
# Preloading binds the whole domain to HTTPS in browsers for good: each clinic decides.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("TRUST_X_FORWARDED_PROTO", False) else None
)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE: Final = "Lax"  # Final: typed as the literal set_cookie() accepts
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

# --- Patients and retention -------------------------------------------------------------------
# How long a patient may read their handout after entering the access code.
PATIENT_ACCESS_MINUTES = env_int("PATIENT_ACCESS_MINUTES", 30, minimum=1, maximum=24 * 60)
# Patient data is removed this many days after the later of issue and link expiry (at most
# about ten years, so the purge's cut-off date stays within the calendar).
HANDOUT_RETENTION_DAYS = env_int("HANDOUT_RETENTION_DAYS", 90, minimum=1, maximum=3650)

# --- Handout PDFs ------------------------------------------------------------------------------
# How many handout PDFs one worker process renders at once (each takes tens of MB while it
# renders), and how long a request waits for its turn before the portal says it is busy.
# Under gunicorn's default sync workers a process serves one request at a time anyway; the
# limit holds when workers run threads.
PDF_RENDER_CONCURRENCY = env_int("PDF_RENDER_CONCURRENCY", 2, minimum=1, maximum=16)
PDF_RENDER_WAIT_SECONDS = env_int("PDF_RENDER_WAIT_SECONDS", 20, minimum=0, maximum=300)
# A render still running after this long is stopped (its child process is killed) and the
# builder says why, so one PDF that cannot be drawn never holds a worker until gunicorn's
# timeout kills it. Keep it below that timeout (gunicorn's default is 30 s).
PDF_RENDER_TIME_LIMIT_SECONDS = env_int("PDF_RENDER_TIME_LIMIT_SECONDS", 20, minimum=1, maximum=300)

# --- EHR integration (interop) ----------------------------------------------------------------
# The Infobutton serves published education only, never patient data, so it is open unless the
# clinic wants every request to carry an API client's token (manage.py create_api_client).
INFOBUTTON_REQUIRE_TOKEN = env_bool("INFOBUTTON_REQUIRE_TOKEN", False)
# Requests per minute from one address (or one API client, when it sends its token), counted
# in the shared cache so every worker process counts the same requests.
API_RATE_LIMIT_PER_MINUTE = env_int("API_RATE_LIMIT_PER_MINUTE", 120, minimum=1, maximum=100_000)
# Origins whose browser scripts may call the API (CORS); empty: none, the browser's default.
API_CORS_ORIGINS = env_list("API_CORS_ORIGINS")
# The FHIR API names each patient by the record number typed in the builder. Give the system
# (a URI) of those numbers as the EHR knows them, e.g. urn:oid:1.2.36.146.595.217.0.1; empty:
# the identifiers carry a value only.
FHIR_RECORD_NUMBER_SYSTEM = env_str("FHIR_RECORD_NUMBER_SYSTEM", "")

# --- Email ------------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "portal@localhost")
if env_str("SMTP_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env_str("SMTP_HOST"),
                "port": env_int("SMTP_PORT", 587, minimum=1, maximum=65535),
                "username": env_str("SMTP_USERNAME"),
                "password": env_str("SMTP_PASSWORD"),
                "use_tls": env_bool("SMTP_USE_TLS", True),
                "timeout": 20,
            },
        }
    }
else:
    # Development only (portal.checks refuses it with DEBUG off): messages are printed on the
    # console without their recipients or patient links; nothing leaves the machine.
    MAILERS = {"default": {"BACKEND": "portal.mail.RedactingConsoleBackend"}}

# --- Tasks ------------------------------------------------------------------------------------
# Link emails wait in a queue in the database and `manage.py db_worker` sends them, retrying
# while the mail server is down, so a clinician's request never waits on it. The queue is in the
# same database so a task commits, or not, with what it acts on (handouts.emails).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"structured": {"()": "portal.logging.StructuredFormatter"}},
    "filters": {
        "database_outage": {"()": "portal.database_outage.OutageInOneLine"},
        "redact_patient_links": {"()": "portal.logging.RedactPatientLinks"},
        "one_line_refusals": {"()": "portal.logging.OneLineRefusals"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "structured",
            "filters": ["database_outage", "redact_patient_links"],
        }
    },
    "root": {
        "handlers": ["console"],
        "level": env_choice("LOG_LEVEL", "INFO", ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]),
    },
    # WeasyPrint reports every rendering step at INFO.
    "loggers": {
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "pikepdf": {"level": "WARNING"},  # announces its logger bridge at INFO on import
        "axes": {"level": "WARNING"},  # AuditEvent records sign-ins and lockouts
        # No handlers of its own: Django's defaults (a console handler while DEBUG is on, mail
        # to ADMINS) would write request paths, patient-link tokens included, unredacted.
        # Its records reach the root's redacting handler instead.
        "django": {"handlers": [], "level": "INFO"},
        "django.request": {"filters": ["one_line_refusals"]},
        # runserver's request lines; routed through the redacting handler.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
