import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from interop.models import DEFAULT_TOKEN_DAYS, Scope
from interop.tokens import create_api_client


class Command(BaseCommand):
    help = (
        "Create an API client (an EHR or other system) and print its bearer token. The token is "
        "printed this once and only its hash is kept: store it in the client's configuration "
        "now. Give --scope once for each thing the client may do. Administrators revoke "
        "tokens in the admin (API clients)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="Which system this is, e.g. 'Clinic EHR production'.")
        parser.add_argument(
            "--scope",
            action="append",
            required=True,
            choices=Scope.values,
            dest="scopes",
            help="What the token may do; repeat for more than one.",
        )
        parser.add_argument(
            "--expires-in-days",
            type=int,
            default=DEFAULT_TOKEN_DAYS,
            help=f"Days until the token stops working (default {DEFAULT_TOKEN_DAYS}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["expires_in_days"]
        if days < 1:
            raise CommandError("--expires-in-days must be at least 1.")
        try:
            client, token = create_api_client(
                options["name"],
                scopes=sorted(set(options["scopes"])),
                expires_at=timezone.now() + datetime.timedelta(days=days),
                detail="manage.py create_api_client",
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            f"Created API client {client.name!r} ({', '.join(client.scopes)}), "
            f"expiring {client.expires_at:%Y-%m-%d}. Its token, shown only now:"
        )
        self.stdout.write(token)
