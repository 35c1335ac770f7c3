from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.demo import ensure_demo_accounts, ensure_demo_clinic_profile
from portal.models import ClinicProfile


class Command(BaseCommand):
    help = (
        "Create one demo account per role (admin, editor, reviewer, clinician, frontdesk, lead) "
        "for "
        "local trials. New accounts get a random password, printed once here and stored only as a "
        "hash. Refused unless DEBUG is on. Existing accounts are left as they are unless "
        "--reset-passwords is given. Also fills in a sample clinic profile while the profile is "
        "untouched (placeholder name, no phone); a profile anyone has edited is left alone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="Give every demo account a new random password.",
        )
        parser.add_argument("--port", default="8000", help="Port named in the sign-in hint.")

    def handle(self, *args: Any, reset_passwords: bool, port: str, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo accounts are for local trials only; run with DEBUG=1.")
        accounts = ensure_demo_accounts(reset_passwords=reset_passwords)
        filled_in = ensure_demo_clinic_profile()
        url = f"http://127.0.0.1:{port}/"
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(f"The portal will be at {url}  (content editing: {url}admin/)")
        )
        if filled_in:
            self.stdout.write(f"Demo clinic profile: filled in as {ClinicProfile.load().name}.")
        else:
            self.stdout.write("Demo clinic profile: left as it was (already filled in).")
        self.stdout.write("Demo accounts (one per role):")
        for account in accounts:
            password = account.password or "(unchanged: printed when it was created)"
            self.stdout.write(f"  {account.username:<10} {account.role:<34} password: {password}")
        if not all(account.password for account in accounts):
            self.stdout.write(
                "Lost a password? `make demo-passwords` (or `python manage.py "
                "create_demo_accounts --reset-passwords`) prints new ones."
            )
        self.stdout.write(
            "Where to read on: README.md (a first tour), docs/using.md (what each role does)."
        )
        self.stdout.write("")
