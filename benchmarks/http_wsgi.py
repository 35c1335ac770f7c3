"""The benchmark's WSGI application (manage.py benchmark_http starts gunicorn with it): the
portal exactly as portal.wsgi loads it, configuration checks included, with the URLs of
benchmarks.http_urls, which add a bare view for comparison."""

import os

from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
# Before the first request resolves a URL; settings are read from the environment here.
settings.ROOT_URLCONF = "benchmarks.http_urls"

from portal.wsgi import application  # noqa: E402

__all__ = ["application"]
