"""Sign-in locks (django-axes): five failed sign-ins for a username lock it for a while; an
administrator can clear the lock at once, for a colleague who has remembered their password."""

from axes.utils import reset as axes_reset
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction

from portal.audit import Action, record_audit


@transaction.atomic
def clear_sign_in_lock(username: str, *, by: User) -> int:
    """Forget the failed sign-ins recorded for `username`, so it may sign in again now; returns
    how many records went (0: it was not locked, and nothing is audited).

    Locks are kept per username (AXES_LOCKOUT_PARAMETERS), across every address and browser
    the failures came from: all of those records go, or the sum of the rest could still lock it.
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
