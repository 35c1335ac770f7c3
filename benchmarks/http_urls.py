"""The benchmark server's URLs (manage.py benchmark_http): the portal's own, plus a bare view.

The bare view is the floor the staff pages are compared with: Django's request handling and
the portal's whole middleware stack, and nothing else. It exists only on the benchmark's
server (benchmarks.http_wsgi), never in portal/urls.py.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns

BARE_PATH = "benchmark/bare/"


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path(BARE_PATH, bare, name="benchmark_bare"), *portal_urlpatterns]
