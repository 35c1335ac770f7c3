"""Making and revoking API clients, with their audit events. The admin and
`manage.py create_api_client` both go through ApiClient.issue_token."""

import datetime

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.db.models import QuerySet

from interop.models import ApiClient
from portal.audit import Action, record_audit


@transaction.atomic
def create_api_client(
    name: str, *, scopes: list[str], expires_at: datetime.datetime, detail: str = ""
) -> tuple[ApiClient, str]:
    """A new client and its token, returned this once; only its hash is stored."""
    client = ApiClient(name=name, scopes=scopes, expires_at=expires_at)
    token = client.issue_token()
    client.full_clean()
    client.save()
    record_audit(None, Action.CREATED, obj=client, detail=detail)
    return client, token


@transaction.atomic
def revoke_api_clients(clients: QuerySet[ApiClient], *, by: User | AnonymousUser) -> int:
    """Revoke the tokens of those not revoked yet; returns how many."""
    revoked = 0
    for client in clients.select_for_update().filter(revoked_at__isnull=True):
        client.revoke()
        record_audit(by, Action.API_CLIENT_REVOKED, obj=client)
        revoked += 1
    return revoked
