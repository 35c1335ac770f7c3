"""Log filters that keep secrets and patient data out of log lines."""

import datetime
import logging
import re

# Patient links carry a token that, with the access code, opens a handout.
PATIENT_LINK = re.compile(r"/p/[A-Za-z0-9_-]+")
# A patient's email address is personal data; so is a staff member's, in a log.
EMAIL_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")


def redact(text: str) -> str:
    """The text without patient-link tokens or email addresses."""
    if "/p/" in text:
        text = PATIENT_LINK.sub("/p/[redacted]", text)
    if "@" in text:
        text = EMAIL_ADDRESS.sub("[address redacted]", text)
    return text


class RedactPatientLinks(logging.Filter):
    """Patient-link tokens and email addresses out of every message (see `redact`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        for attribute in ("request", "path"):
            if hasattr(record, attribute):
                setattr(record, attribute, None)
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
