"""API clients: the EHRs and other systems that call the portal's API with a bearer token."""

import datetime
import hashlib
import secrets
import uuid
from typing import Self

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Tokens start with this, so a token pasted where it should not be is easy to recognize.
TOKEN_PREFIX = "pep_"  # noqa: S105  (a prefix, not a secret)
# How long a new client's token lasts unless its creator says otherwise.
DEFAULT_TOKEN_DAYS = 365
# last_used_at is written at most this often per client, not on every request.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=5)


class Scope(models.TextChoices):
    INFOBUTTON = "infobutton", _("Infobutton knowledge requests")
    FHIR_READ = "fhir.read", _("FHIR read")


def hash_token(token: str) -> str:
    """What is stored of a token. A token is 32 random bytes, far beyond guessing, so one fast
    hash is enough (no slow password hash) and lookups go through an index."""
    return hashlib.sha256(token.encode()).hexdigest()


def default_expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=DEFAULT_TOKEN_DAYS)


class ApiClientQuerySet(models.QuerySet["ApiClient"]):
    def usable(self, now: datetime.datetime | None = None) -> Self:
        """Clients whose token is accepted now: neither revoked nor expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())

    def for_token(self, token: str) -> "ApiClient | None":
        """The usable client this token belongs to, or None, the same for every reason."""
        if not token.startswith(TOKEN_PREFIX):
            return None
        return self.usable().filter(token_hash=hash_token(token)).first()


class ApiClient(models.Model):
    """A system allowed to call the API. Its token is shown once, when it is made
    (issue_token); only its hash is kept."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(
        _("name"),
        max_length=100,
        unique=True,
        help_text=_("Which system this is, e.g. the EHR's name and environment."),
    )
    scopes = models.JSONField(_("scopes"), default=list, help_text=_("What the token may do."))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The token's first characters, so administrators can tell which token a system holds.
    token_hint = models.CharField(_("token starts with"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("expires at"), default=default_expiry)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    objects = ApiClientQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")

    def __str__(self) -> str:
        return self.name

    def issue_token(self) -> str:
        """A new token for this client (replacing any earlier one once saved); returns it, the
        only time it is ever available."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.token_hash = hash_token(token)
        self.token_hint = token[: len(TOKEN_PREFIX) + 4]
        return token

    def allows(self, scope: str) -> bool:
        return scope in self.scopes

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            ApiClient.objects.filter(pk=self.pk).update(revoked_at=self.revoked_at)

    def mark_used(self) -> None:
        now = timezone.now()
        if self.last_used_at is None or now - self.last_used_at >= LAST_USED_RESOLUTION:
            self.last_used_at = now
            ApiClient.objects.filter(pk=self.pk).update(last_used_at=now)
