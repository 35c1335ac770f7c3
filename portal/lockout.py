"""Sign-in locks (django-axes): AXES_FAILURE_LIMIT failed sign-ins for a username from one
address lock that username at that address for AXES_COOLOFF_TIME; SIGN_IN_USERNAME_FAILURE_LIMIT
failures for it from anywhere lock it everywhere. An administrator can clear either lock at
once, for a colleague who has remembered their password.

Two limits, because someone who knows a colleague's username could otherwise lock them out
from anywhere with five guesses; while a clinic's staff often share one address (behind NAT),
so a lock by address alone would stop the whole team. A guesser from many addresses still
meets the username's limit.
"""

import datetime

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Sum
from django.http import HttpRequest

from portal.audit import Action, record_audit


class SignInLockHandler(AxesDatabaseHandler):
    """Axes' database handler, with the username's own, higher limit: axes knows one limit for
    all its lockout parameters (AXES_LOCKOUT_PARAMETERS: the username with the address)."""

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        """The failures that count towards AXES_FAILURE_LIMIT: those of this username from
        this address, or the limit itself once the username has met its own limit."""
        from_this_address = super().get_failures(request, credentials)
        username = get_client_username(request, credentials)
        if (
            username is not None
            and username_failures(username, since=get_cool_off_threshold(request))
            >= settings.SIGN_IN_USERNAME_FAILURE_LIMIT
        ):
            return max(from_this_address, get_failure_limit(request, credentials))
        return from_this_address


def username_failures(username: str, *, since: datetime.datetime) -> int:
    """Failed sign-ins for `username` from every address and browser, counted as axes counts
    those of one address: every record whose latest failure is at or after `since`."""
    total = AccessAttempt.objects.filter(username=username, attempt_time__gte=since).aggregate(
        total=Sum("failures_since_start")
    )["total"]
    return total or 0


def client_address(request: HttpRequest) -> str:
    """The address a sign-in comes from. Behind a reverse proxy every request comes from the
    proxy, so with TRUST_X_FORWARDED_FOR on it is the last X-Forwarded-For entry: the one the
    proxy added. Earlier entries are whatever the client sent, so are never trusted."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.TRUST_X_FORWARDED_FOR and forwarded.strip():
        return forwarded.rsplit(",", 1)[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


@transaction.atomic
def clear_sign_in_lock(username: str, *, by: User) -> int:
    """Forget the failed sign-ins recorded for `username`, so it may sign in again now; returns
    how many records went (0: it was not locked, and nothing is audited).

    Both locks go: the one at each address and the username's own, which counts the records of
    every address and browser the failures came from (all of them go, or the sum of the rest
    could still lock it).
    """
    cleared = axes_reset(username=username)
    if cleared:
        account = get_user_model().objects.filter(username=username).first()
        record_audit(
            by,
            Action.SIGN_IN_UNLOCKED,
            obj=account,
            object_type="auth.user",  # also when no account has that username
            detail=username,
        )
    return cleared
