"""Log filters that keep secrets and patient data out of log lines."""

import datetime
import logging
import re

# Patient links carry a token that, with the access code, opens a handout.
PATIENT_LINK = re.compile(r"/p/[A-Za-z0-9_-]+")


class RedactPatientLinks(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/p/" in message:
            record.msg, record.args = PATIENT_LINK.sub("/p/[redacted]", message), ()
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
            line += f' exc="{escape(self.formatException(record.exc_info))}"'
        return line
