"""Ending staff sessions: at sign-out (every device), and on an administrator's request."""

import time
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.models import Session
from django.utils import timezone


def end_sessions_of(user: User, *, keep: str | None = None) -> int:
    """Delete every live session signed in as `user` (but `keep`); returns how many.

    Sessions are stored in the database, so they can be read here; a clinic has few enough
    live sessions that reading them all at sign-out costs little. Each is ended through the
    session engine, so a copy in the cache (cached_db) goes with it.
    """
    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()):
        if session.session_key == keep:
            continue
        if str(session.get_decoded().get(SESSION_KEY)) == str(user.pk):
            store(session_key=session.session_key).delete()
            ended += 1
    return ended


def mark_signed_in(session: SessionBase) -> None:
    session["signed_in_at"] = int(time.time())


def signed_in_too_long(session: SessionBase, max_hours: int) -> bool:
    signed_in_at = session.get("signed_in_at")
    return signed_in_at is not None and time.time() - signed_in_at > max_hours * 3600
