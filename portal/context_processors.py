from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from portal.models import ClinicProfile
from portal.roles import works_in_admin


def clinic(request: HttpRequest) -> dict:
    """The clinic profile, loaded only by templates that use it."""
    return {"clinic": SimpleLazyObject(ClinicProfile.load)}


def roles(request: HttpRequest) -> dict:
    """Whether the signed-in user works in the admin (the header links to it), asked only by
    templates that use it."""
    return {"works_in_admin": SimpleLazyObject(lambda: works_in_admin(request.user))}
