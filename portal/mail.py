"""The development mail backend: shows what would be sent, without who to or the patient's link.

A terminal is often captured into a log file, and the rule is that no token or address ever
reaches a log, in development as in production (where portal.checks refuses this backend).
"""

from django.core.mail.backends.console import EmailBackend
from django.core.mail.message import EmailMessage

from portal.logging import redact


class RedactingConsoleBackend(EmailBackend):
    def write_message(self, message: EmailMessage) -> None:
        recipients = len(message.recipients())
        self.stream.write(
            f"Subject: {redact(str(message.subject))}\n"
            f"From: {redact(str(message.from_email))}\n"
            f"To: {recipients} recipient(s), not shown\n\n"
            f"{redact(str(message.body))}\n"
        )
        self.stream.write("-" * 79 + "\n")
