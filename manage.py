#!/usr/bin/env python
import os
import sys
from pathlib import Path


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    # A demo checkout's development settings (`make demo` writes .env); never in production.
    from portal.env import ConfigurationError, exit_on_configuration_error, load_env_file

    try:
        load_env_file(Path(__file__).resolve().parent / ".env")
        from django.core.management import execute_from_command_line

        execute_from_command_line(sys.argv)
    except ConfigurationError as error:
        # The message names the variable and what it allows; a traceback would bury it.
        exit_on_configuration_error(error)


if __name__ == "__main__":
    main()
