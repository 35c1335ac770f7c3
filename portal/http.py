"""Request types for the type checker.

Django types `request.user` as "a user or AnonymousUser". Behind @login_required it is always
a signed-in User (the project's user model, django.contrib.auth's), and views say so by taking
an AuthenticatedHttpRequest. Nothing checks this at run time: the decorator is the guarantee.
"""

from django.contrib.auth.models import User
from django.http import HttpRequest


class AuthenticatedHttpRequest(HttpRequest):
    """A request to a view behind @login_required."""

    user: User
