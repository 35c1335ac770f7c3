"""Log filters that keep secrets and patient data out of log lines."""

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
