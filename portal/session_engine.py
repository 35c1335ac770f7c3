"""The session engine with Redis (SESSION_ENGINE when REDIS_URL is set): Django's cached_db,
which keeps every session in the database and reads it through the cache, made to go on
working while the cache cannot be reached. Sessions are then read from and written to the
database alone, so staff and patients keep working, a little slower.

Each worker process notices an outage by itself: it logs one warning when the cache fails and
one line when the cache answers again, and between the two it asks the cache again at most once
every RETRY_SECONDS, so a cache that hangs instead of refusing costs one request in that many
seconds its timeout, not every request.

A session written or ended while the cache was out of reach may still have an older copy in the
cache (a network fault rather than a restart keeps Redis's data): read first, that copy would
bring back a session that was signed out. So the process remembers which sessions it changed,
and removes their copies before it reads from the cache again.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.cache.backends.base import BaseCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# How long a process leaves the cache alone after it failed.
RETRY_SECONDS = 15
# Past this many sessions changed during one outage, the process clears the cache when it comes
# back rather than remember more keys (it holds nothing but sessions' copies).
MAX_REMEMBERED = 10_000


class CacheOutage:
    """One worker process's view of the cache: reachable, or failed and when to try again,
    with the keys whose cached copies went stale meanwhile."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.retry_at: float | None = None  # None while the cache works
        self.stale: set[str] = set()
        self.clear_all = False

    def waiting(self) -> bool:
        """Whether to leave the cache alone for now."""
        return self.retry_at is not None and time.monotonic() < self.retry_at

    def failed(self, error: RedisError) -> None:
        with self._lock:
            first = self.retry_at is None
            self.retry_at = time.monotonic() + RETRY_SECONDS
        if first:
            # The error's class and text name the server, never a session's contents.
            logger.warning(
                "The session cache cannot be reached (%s: %s): sessions are read from and "
                "written to the database until it answers again",
                type(error).__name__,
                error,
            )

    def changed_meanwhile(self, key: str) -> None:
        with self._lock:
            if len(self.stale) >= MAX_REMEMBERED:
                self.clear_all = True
                self.stale.clear()
            if not self.clear_all:
                self.stale.add(key)

    def remove_stale(self, cache: BaseCache) -> None:
        """Before the cache is used again after an outage: remove the copies it may hold of
        sessions changed meanwhile. Raises RedisError if the cache still fails."""
        with self._lock:
            stale, clear_all = list(self.stale), self.clear_all
        if clear_all:
            cache.clear()
        elif stale:
            cache.delete_many(stale)
        with self._lock:
            self.stale.difference_update(stale)
            self.clear_all = False

    def answered(self) -> None:
        with self._lock:
            back, self.retry_at = self.retry_at is not None, None
        if back:
            logger.info("The session cache answers again: sessions are read through it")


outage = CacheOutage()


class SessionStore(cached_db.SessionStore):
    # Set by Django's classes; django-stubs leaves them out.
    _cache: BaseCache
    _session: dict[str, Any]
    _get_session_from_db: Callable[[], AbstractBaseSession | None]

    def _use_cache(self, operation: str, *args: Any, changes: str = "") -> Any:
        """Run one cache operation; None when the cache cannot be reached. An operation that
        `changes` a session's copy and cannot run leaves that copy out of date."""
        if outage.waiting():
            if changes:
                outage.changed_meanwhile(changes)
            return None
        try:
            if outage.retry_at is not None:
                outage.remove_stale(self._cache)
            result = getattr(self._cache, operation)(*args)
        except RedisError as error:
            outage.failed(error)
            if changes:
                outage.changed_meanwhile(changes)
            return None
        if outage.retry_at is not None:
            outage.answered()
        return result

    def load(self) -> dict[str, Any]:
        data = self._use_cache("get", self.cache_key)
        if data is not None:
            return data
        session = self._get_session_from_db()
        if session is None:
            return {}
        data = self.decode(session.session_data)
        if not outage.waiting():
            self._use_cache(
                "set", self.cache_key, data, self.get_expiry_age(expiry=session.expire_date)
            )
        return data

    def exists(self, session_key: str) -> bool:
        return bool(
            session_key and self._use_cache("has_key", self.cache_key_prefix + session_key)
        ) or super(cached_db.SessionStore, self).exists(session_key)

    def save(self, must_create: bool = False) -> None:
        super(cached_db.SessionStore, self).save(must_create)
        key = self.cache_key
        self._use_cache("set", key, self._session, self.get_expiry_age(), changes=key)

    def delete(self, session_key: str | None = None) -> None:
        super(cached_db.SessionStore, self).delete(session_key)
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        key = self.cache_key_prefix + session_key
        self._use_cache("delete", key, changes=key)
