"""Recording staff actions as AuditEvents.

record_audit() is called by the action itself, inside its transaction. Sign-ins, failed
sign-ins, lockouts and sign-outs surface only as signals from Django and django-axes, so those
are recorded (and sign-out ends the user's other sessions) by the receivers below.
"""

from axes.signals import user_locked_out
from django.contrib.auth import user_logged_in, user_logged_out, user_login_failed
from django.contrib.auth.models import AnonymousUser, User
from django.db import models
from django.dispatch import receiver
from django.http import HttpRequest

from portal.models import AuditEvent
from portal.sessions import end_sessions_of, mark_signed_in

Action = AuditEvent.Action
Outcome = AuditEvent.Outcome


def record_audit(
    actor: User | AnonymousUser | None,
    action: str,
    *,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    outcome: str = Outcome.SUCCESS,
    detail: str = "",
    username: str = "",
) -> AuditEvent:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(getattr(obj, "public_id", None) or obj.pk)
    signed_in = actor if actor is not None and actor.is_authenticated else None
    return AuditEvent.objects.create(
        actor=signed_in,
        actor_username=(signed_in.get_username() if signed_in is not None else username)[:150],
        action=action,
        object_type=object_type,
        # A refused admin request names its object as the URL did, whatever was typed there.
        object_id=object_id[:64],
        outcome=outcome,
        detail=detail[:300],
    )


@receiver(user_logged_in)
def _signed_in(sender: object, request: HttpRequest, user: User, **kwargs: object) -> None:
    mark_signed_in(request.session)
    record_audit(user, Action.SIGN_IN)


@receiver(user_login_failed)
def _sign_in_failed(
    sender: object, credentials: dict, request: HttpRequest | None = None, **kwargs: object
) -> None:
    record_audit(
        None,
        Action.SIGN_IN_FAILED,
        outcome=Outcome.FAILURE,
        username=str(credentials.get("username", "")),
    )


@receiver(user_logged_out)
def _signed_out(sender: object, request: HttpRequest, user: User | None, **kwargs: object) -> None:
    if user is not None:
        end_sessions_of(user, keep=request.session.session_key)
        record_audit(user, Action.SIGN_OUT)


@receiver(user_locked_out)
def _locked_out(sender: object, request: HttpRequest, username: str, **kwargs: object) -> None:
    record_audit(None, Action.LOCKED_OUT, outcome=Outcome.FAILURE, username=username or "")
