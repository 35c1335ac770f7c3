"""Log filters and the formatter: no secrets or patient data in a log line, one line per record."""

import datetime
import logging
import re

from django.core.exceptions import PermissionDenied

# Patient links carry a token that, with the access code, opens a handout.
PATIENT_LINK = re.compile(r"/p/[A-Za-z0-9_-]+")
# A FHIR search names the patient in its query string (patient.identifier=<record number>):
# the query of every FHIR URL is left out.
FHIR_QUERY = re.compile(r"(/fhir/[^\s?\"]*)\?[^\s\"]*")
# A patient's email address is personal data; so is a staff member's, in a log.
EMAIL_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")


def redact(text: str) -> str:
    """The text without patient-link tokens, FHIR search queries or email addresses."""
    if "/p/" in text:
        text = PATIENT_LINK.sub("/p/[redacted]", text)
    if "/fhir/" in text:
        text = FHIR_QUERY.sub(r"\1?[redacted]", text)
    if "@" in text:
        text = EMAIL_ADDRESS.sub("[address redacted]", text)
    return text


class RedactPatientLinks(logging.Filter):
    """Patient-link tokens, FHIR search queries and email addresses out of every message
    (see `redact`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        for attribute in ("request", "path"):
            if hasattr(record, attribute):
                setattr(record, attribute, None)
        return True


class OneLineRefusals(logging.Filter):
    """A refused permission (Django's "Forbidden (Permission denied): <path>", logged with the
    exception) as one line: who was refused and why, without the traceback, which only says
    where the refusal was raised. For the `django.request` logger, before the handler's
    filters drop the request."""

    def filter(self, record: logging.LogRecord) -> bool:
        refusal = record.exc_info[1] if record.exc_info else None
        if isinstance(refusal, PermissionDenied):
            user = getattr(getattr(record, "request", None), "user", None)
            who = f"user {user.pk}" if user is not None and user.is_authenticated else "anonymous"
            reason = f": {refusal}" if str(refusal) else ""
            record.msg, record.args = f"{record.getMessage()} ({who}){reason}", ()
            record.exc_info, record.exc_text = None, None
        return True


def escape(value: str) -> str:
    """One line, quotes and control characters escaped: a value typed by a user cannot start
    a new log line or forge a field."""
    out = []
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    return "".join(out)


class StructuredFormatter(logging.Formatter):
    """`time=... level=... logger=... msg="..."`, one line per record, in UTC."""

    def format(self, record: logging.LogRecord) -> str:
        time = datetime.datetime.fromtimestamp(record.created, datetime.UTC)
        line = (
            f"time={time:%Y-%m-%dT%H:%M:%S.%f}Z level={record.levelname} "
            f'logger={record.name} msg="{escape(record.getMessage())}"'
        )
        if record.exc_info:
            # A traceback quotes exception messages, which may hold an address (a refused
            # recipient) or a link: the filters above see only the message.
            line += f' exc="{escape(redact(self.formatException(record.exc_info)))}"'
        return line
