"""The portal's URLs plus a patient page that fails, for the error-page tests: Django's own
500 handling must send the patient pages' headers too."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns


def failing_patient_page(request: HttpRequest, token: str) -> HttpResponse:
    raise RuntimeError("Zoë Núñez internals")


urlpatterns = [
    path("p/<str:token>/failing/", failing_patient_page),
    *portal_urlpatterns,
]
