"""A wrong configuration value stops start-up with one line that names the variable and what it
allows: no traceback, and never a password from a URL."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Everything portal/settings.py reads, so the environment of the test run does not leak in.
SETTINGS_ENV = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "DB_CONN_MAX_AGE",
    "TIME_ZONE",
    "LANGUAGE_CODE",
    "LANGUAGES",
    "LOG_LEVEL",
    "SESSION_IDLE_MINUTES",
    "SESSION_MAX_HOURS",
    "HANDOUT_RETENTION_DAYS",
    "PATIENT_ACCESS_MINUTES",
    "SMTP_HOST",
    "SMTP_PORT",
}


def run(command: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS_ENV}
    return subprocess.run(
        command,
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


BAD_VALUES = [
    ({"HANDOUT_RETENTION_DAYS": "0"}, "HANDOUT_RETENTION_DAYS must be a whole number from 1 to"),
    # Large enough to overflow the dates computed from it.
    ({"HANDOUT_RETENTION_DAYS": "9" * 12}, "HANDOUT_RETENTION_DAYS must be a whole number from 1"),
    ({"PATIENT_ACCESS_MINUTES": "9" * 15}, "PATIENT_ACCESS_MINUTES must be a whole number from 1"),
    ({"SESSION_IDLE_MINUTES": "half an hour"}, "SESSION_IDLE_MINUTES must be a whole number"),
    ({"DB_CONN_MAX_AGE": "-5"}, "DB_CONN_MAX_AGE must be a whole number of at least 0"),
    ({"DEBUG": "maybe"}, "DEBUG must be one of 1/0, true/false, yes/no, on/off"),
    (
        {"SMTP_HOST": "mail.clinic.example", "SMTP_PORT": "70000"},
        "SMTP_PORT must be a whole number from 1 to 65535",
    ),
    ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
    ({"TIME_ZONE": "Mars/Olympus"}, "TIME_ZONE must be a time zone name"),
    ({"LANGUAGES": "en,xx"}, "LANGUAGES names unknown language codes: xx"),
    (
        {"DATABASE_URL": "mysql://portal:hunter2@db.internal/portal"},
        "DATABASE_URL must start with postgres:// or postgresql:// or sqlite://; got mysql://",
    ),
    (
        {"DATABASE_URL": "postgres://portal:hun/ter2@db.internal:5432/portal"},
        "DATABASE_URL is not a valid URL",
    ),
]


def assert_one_line_naming(result: subprocess.CompletedProcess, message: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0]
    assert "hunter2" not in result.stderr + result.stdout


@pytest.mark.parametrize(("env", "message"), BAD_VALUES)
def test_manage_py_names_a_bad_value_in_one_line_without_a_traceback(
    env: dict[str, str], message: str
) -> None:
    result = run([sys.executable, "manage.py", "check"], **({"DEBUG": "1"} | env))
    assert_one_line_naming(result, message)
    assert result.returncode == 1


def test_the_wsgi_application_names_a_bad_value_in_one_line_and_stops_the_server() -> None:
    result = run([sys.executable, "-c", "import portal.wsgi"], HANDOUT_RETENTION_DAYS="0")
    assert_one_line_naming(result, "HANDOUT_RETENTION_DAYS must be a whole number from 1 to 3650")
    assert result.returncode == 4  # gunicorn's "application failed to load"


def test_gunicorn_as_the_readme_runs_it_stops_with_only_the_message() -> None:
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    readme_command = [gunicorn, "portal.wsgi", "--workers", "3", "--preload"]
    result = run(
        [*readme_command, "--bind", "127.0.0.1:0", "--no-control-socket"],
        HANDOUT_RETENTION_DAYS="0",
    )
    assert_one_line_naming(result, "HANDOUT_RETENTION_DAYS must be a whole number from 1 to 3650")
    assert result.returncode == 4


def test_good_values_start_normally() -> None:
    result = run(
        [sys.executable, "manage.py", "check"],
        DEBUG="1",
        HANDOUT_RETENTION_DAYS="30",
        TIME_ZONE="America/Chicago",
        LOG_LEVEL="warning",
        DATABASE_URL="sqlite:///:memory:",
    )
    assert result.returncode == 0, result.stderr
