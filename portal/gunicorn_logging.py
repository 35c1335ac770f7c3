"""gunicorn's logger for the portal (named in gunicorn.conf.py).

gunicorn writes its access and error logs itself, outside Django's LOGGING. An access line
holds the request line and the Referer, and both carry a patient's token when the request is
for, or comes from, a page under /p/. The same filter as the portal's own logs redacts them,
so the pattern has one home: portal.logging.RedactPatientLinks.
"""

from typing import Any

from gunicorn.glogging import Logger

from portal.logging import RedactPatientLinks

# One instance: addFilter() skips a filter already there, and gunicorn runs setup() again on
# every configuration reload (HUP).
REDACT_PATIENT_LINKS = RedactPatientLinks()


class RedactingLogger(Logger):
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        # On the loggers, not their handlers: it then covers every handler gunicorn or a
        # logconfig adds (files, stdout, syslog).
        for log in (self.error_log, self.access_log):
            log.addFilter(REDACT_PATIENT_LINKS)
