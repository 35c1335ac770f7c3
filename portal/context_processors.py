from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from portal.models import ClinicProfile


def clinic(request: HttpRequest) -> dict:
    """The clinic profile, loaded only by templates that use it."""
    return {"clinic": SimpleLazyObject(ClinicProfile.load)}
