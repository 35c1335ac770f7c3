"""gunicorn's settings for the portal: the production command in docs/operating.md runs
`gunicorn --config gunicorn.conf.py`. Workers, the bind address and the access log stay on the
command line (or in GUNICORN_CMD_ARGS), so each installation sets its own."""

wsgi_app = "portal.wsgi"

# Patient links carry their token in the path, and a patient page's Referer is its own
# address: the access and error logs redact it, with the rule the portal's own logs use.
logger_class = "portal.gunicorn_logging.RedactingLogger"
