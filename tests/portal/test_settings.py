"""Settings come from the environment; unsafe production values stop start-up."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from pytest_django import Settings

from portal.checks import check_configuration
from portal.env import env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_ENV = [
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "TIME_ZONE",
    "LANGUAGE_CODE",
    "LANGUAGES",
    "SMTP_HOST",
]


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS_ENV}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def load_settings(**env: str) -> dict:
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({"
        "'debug': s.DEBUG, 'db': s.DATABASES['default'], 'cache': s.CACHES['default'],"
        "'hosts': s.ALLOWED_HOSTS, 'tz': s.TIME_ZONE, 'lang': s.LANGUAGE_CODE,"
        "'languages': s.LANGUAGES}, default=str))"
    )
    result = run_python(code, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_development_defaults_are_sqlite_local_memory_cache_english_and_spanish() -> None:
    values = load_settings()
    assert values["debug"] is False
    assert values["db"]["ENGINE"] == "django.db.backends.sqlite3"
    assert values["cache"]["BACKEND"].endswith("LocMemCache")
    assert values["lang"] == "en"
    assert [code for code, _ in values["languages"]] == ["en", "es"]
    assert values["tz"] == "UTC"


def test_production_values_come_from_the_environment() -> None:
    values = load_settings(
        DEBUG="0",
        DATABASE_URL="postgres://portal:secret@db.internal:5432/portal",
        ALLOWED_HOSTS="portal.clinic.example, www.clinic.example",
        TIME_ZONE="Europe/Madrid",
        LANGUAGE_CODE="es",
        LANGUAGES="es,en,fr",
    )
    assert values["db"]["ENGINE"] == "django.db.backends.postgresql"
    assert values["db"]["HOST"] == "db.internal"
    assert values["db"]["NAME"] == "portal"
    assert values["hosts"] == ["portal.clinic.example", "www.clinic.example"]
    assert values["tz"] == "Europe/Madrid"
    assert [code for code, _ in values["languages"]] == ["es", "en", "fr"]


def test_unknown_language_code_stops_start_up_with_its_name() -> None:
    result = run_python("import django; django.setup()", LANGUAGES="en,xx")
    assert result.returncode != 0
    assert "LANGUAGES names unknown language codes: xx" in result.stderr


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("yes", True), ("off", False), ("", False)]
)
def test_env_bool_reads_common_spellings(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool
) -> None:
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG") is expected


def test_env_helpers_name_the_variable_when_a_value_is_wrong(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG"):
        env_bool("FLAG")
    monkeypatch.setenv("COUNT", "ten")
    with pytest.raises(ImproperlyConfigured, match="COUNT must be a whole number"):
        env_int("COUNT", 1)
    monkeypatch.setenv("HOSTS", " a, ,b ")
    assert env_list("HOSTS") == ["a", "b"]


def test_check_refuses_debug_off_with_development_secret_and_no_hosts(settings: Settings) -> None:
    settings.DEBUG = False
    settings.SECRET_KEY = settings.DEVELOPMENT_SECRET_KEY
    settings.ALLOWED_HOSTS = []
    assert {error.id for error in check_configuration()} == {"portal.E001", "portal.E002"}


def test_check_passes_with_real_production_values(settings: Settings) -> None:
    settings.DEBUG = False
    settings.SECRET_KEY = "a-real-secret-" + "x" * 50
    settings.ALLOWED_HOSTS = ["portal.clinic.example"]
    assert check_configuration() == []


def test_check_warns_behind_a_proxy_that_sign_ins_would_all_share_its_address(
    settings: Settings,
) -> None:
    settings.DEBUG = False
    settings.SECRET_KEY = "a-real-secret-" + "x" * 50
    settings.ALLOWED_HOSTS = ["portal.clinic.example"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    [warning] = check_configuration()
    assert (warning.id, warning.is_serious()) == ("portal.W003", False)
    assert "TRUST_X_FORWARDED_FOR=1" in str(warning.hint)
    settings.TRUST_X_FORWARDED_FOR = True
    assert check_configuration() == []


def test_check_allows_development_defaults_while_debug_is_on(settings: Settings) -> None:
    settings.DEBUG = True
    settings.SECRET_KEY = settings.DEVELOPMENT_SECRET_KEY
    settings.ALLOWED_HOSTS = []
    assert check_configuration() == []


def test_manage_py_refuses_to_start_in_production_without_a_secret_key() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k not in SETTINGS_ENV},
            "DEBUG": "0",
            "ALLOWED_HOSTS": "portal.clinic.example",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "portal.E001" in result.stderr and "SECRET_KEY" in result.stderr


def test_wsgi_application_refuses_unsafe_production_settings() -> None:
    result = run_python("import portal.wsgi", DEBUG="0")
    assert result.returncode != 0
    assert "The portal will not start" in result.stderr
    assert "portal.E001" in result.stderr and "portal.E002" in result.stderr
    ok = run_python(
        "import portal.wsgi",
        DEBUG="0",
        SECRET_KEY="s" * 60,
        ALLOWED_HOSTS="portal.clinic.example",
        SMTP_HOST="smtp.clinic.example",
    )
    assert ok.returncode == 0, ok.stderr


def test_production_refuses_to_start_without_a_mail_server_naming_smtp_host() -> None:
    result = run_python(
        "import portal.wsgi", DEBUG="0", SECRET_KEY="s" * 60, ALLOWED_HOSTS="portal.clinic.example"
    )
    assert result.returncode != 0
    [line] = [line for line in result.stderr.splitlines() if "portal.E004" in line]
    assert "SMTP_HOST is not set and DEBUG is off" in line


@pytest.mark.parametrize(
    "backend",
    [
        "portal.mail.RedactingConsoleBackend",
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.filebased.EmailBackend",
        "django.core.mail.backends.dummy.EmailBackend",
    ],
)
def test_check_refuses_a_mail_backend_that_delivers_nothing_while_debug_is_off(
    settings: Settings, backend: str
) -> None:
    settings.DEBUG = False
    settings.SECRET_KEY = "a-real-secret-" + "x" * 50
    settings.ALLOWED_HOSTS = ["portal.clinic.example"]
    settings.MAILERS = {"default": {"BACKEND": backend}}
    assert [error.id for error in check_configuration()] == ["portal.E004"]
    settings.DEBUG = True
    assert check_configuration() == []


def test_missing_handout_font_and_harfbuzz_subsetter_are_warned_about(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import ctypes.util

    from portal.checks import check_handout_rendering

    settings.FONT_DIR = tmp_path / "missing"
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    warnings = check_handout_rendering()
    assert [w.id for w in warnings] == ["portal.W001", "portal.W002"]
    assert "libharfbuzz-subset0" in str(warnings[1].hint)


def test_manage_py_reads_the_demo_env_file_without_overriding_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal.env import load_env_file

    env_file = tmp_path / ".env"
    env_file.write_text("# comment\n\nDEBUG=1\nLOG_LEVEL='WARNING'\n", encoding="utf-8")
    monkeypatch.delenv("DEBUG", raising=False)
    monkeypatch.setenv("LOG_LEVEL", "ERROR")
    load_env_file(env_file)
    assert os.environ["DEBUG"] == "1"
    assert os.environ["LOG_LEVEL"] == "ERROR"  # the environment wins


def test_a_malformed_env_file_names_the_line(tmp_path: Path) -> None:
    from portal.env import load_env_file

    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=1\nnonsense\n", encoding="utf-8")
    with pytest.raises(ImproperlyConfigured, match=r"\.env, line 2"):
        load_env_file(env_file)


def test_mail_goes_to_smtp_host_when_set_and_is_printed_redacted_otherwise() -> None:
    code = (
        "import json; from django.conf import settings as s; "
        "print(json.dumps([s.MAILERS['default'], s.TASKS['default']['BACKEND']]))"
    )
    development = run_python(code)
    assert development.returncode == 0, development.stderr
    mailer, tasks = json.loads(development.stdout)
    assert mailer == {"BACKEND": "portal.mail.RedactingConsoleBackend"}
    assert tasks == "django_tasks_db.DatabaseBackend"
    production = run_python(code, SMTP_HOST="smtp.clinic.example", SMTP_PORT="2525")
    mailer, _tasks = json.loads(production.stdout)
    assert mailer["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (mailer["OPTIONS"]["host"], mailer["OPTIONS"]["port"]) == ("smtp.clinic.example", 2525)
