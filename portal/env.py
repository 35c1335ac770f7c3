"""Tiny typed readers for settings that come from the environment.

Each raises ConfigurationError naming the variable and what it allows when a value cannot be
read, so a typo in production stops start-up with one line instead of running with a
surprise. manage.py and portal/wsgi.py print that line without a traceback.
"""

import os
import sys
import zoneinfo
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


class ConfigurationError(ImproperlyConfigured):
    """A setting's value is wrong. The message is complete on its own: it names the variable
    and what is allowed, so the entry points print it without a traceback."""


def exit_on_configuration_error(error: ImproperlyConfigured, *, status: int = 1) -> None:
    """Print the message as the only output, on standard error, and stop the process."""
    print(f"Configuration error: {error}", file=sys.stderr)
    raise SystemExit(status)


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigurationError(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}.")


def env_int(
    name: str, default: int, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        value = None
    if (
        value is None
        or (minimum is not None and value < minimum)
        or (maximum is not None and value > maximum)
    ):
        raise ConfigurationError(f"{name} must be {_whole_number(minimum, maximum)}; got {raw!r}.")
    return value


def _whole_number(minimum: int | None, maximum: int | None) -> str:
    if minimum is not None and maximum is not None:
        return f"a whole number from {minimum} to {maximum}"
    if minimum is not None:
        return f"a whole number of at least {minimum}"
    if maximum is not None:
        return f"a whole number of at most {maximum}"
    return "a whole number"


def env_choice(name: str, default: str, choices: Iterable[str]) -> str:
    """One of `choices`, compared without regard to case; returned as spelt in `choices`."""
    raw = env_str(name) or default
    by_key = {choice.casefold(): choice for choice in choices}
    if raw.casefold() not in by_key:
        allowed = ", ".join(by_key.values())
        raise ConfigurationError(f"{name} must be one of {allowed}; got {raw!r}.")
    return by_key[raw.casefold()]


def env_url(name: str, default: str, *, schemes: Iterable[str]) -> str:
    """A URL with one of `schemes`. The value is never repeated in a message: a database or
    cache URL carries a password."""
    raw = env_str(name) or default
    if not raw:  # optional, and not set
        return ""
    allowed = list(schemes)
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
    except ValueError:
        raise ConfigurationError(
            f"{name} is not a valid URL (check the port, and percent-encode special "
            f"characters in the password); it must start with {_schemes(allowed)}."
        ) from None
    if parts.scheme not in allowed:
        got = f"{parts.scheme}://" if parts.scheme else "no scheme"
        raise ConfigurationError(f"{name} must start with {_schemes(allowed)}; got {got}.")
    return raw


def _schemes(schemes: list[str]) -> str:
    return " or ".join(f"{scheme}://" for scheme in schemes)


def env_time_zone(name: str, default: str) -> str:
    raw = env_str(name) or default
    try:
        zoneinfo.ZoneInfo(raw)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigurationError(
            f"{name} must be a time zone name from the IANA database, such as UTC or "
            f"America/Chicago; got {raw!r}."
        ) from None
    return raw


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """A comma-separated list; blank items are dropped."""
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def load_env_file(path: Path) -> None:
    """Read KEY=VALUE lines (blank lines and # comments skipped) into the environment,
    without overriding a variable that is already set. manage.py reads the `.env` that
    `make demo` writes, so development defaults apply to commands in a demo checkout; the
    WSGI application never reads it, and production has no such file."""
    if not path.is_file():
        return
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, equals, value = line.partition("=")
        if not equals or not name.strip():
            raise ConfigurationError(f"{path}, line {number}: write NAME=value.")
        os.environ.setdefault(name.strip(), value.strip().strip("\"'"))
