"""Patient links: a random token in the URL plus a short access code given separately.

Only hashes are stored. Wrong codes are counted in the database under a row lock, so the
limits hold across worker processes without relying on a cache: after LOCK_AFTER wrong codes
the link locks for LOCK_FOR (the right code is refused meanwhile), after REVOKE_AFTER it is
revoked (the limits live in handouts.models, next to ShareLink).
"""

import datetime
import enum
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from handouts.emails import queue_link_email
from handouts.events import record_event
from handouts.models import (
    LOCK_AFTER,
    LOCK_FOR,
    REVOKE_AFTER,
    Handout,
    HandoutEvent,
    LinkEmail,
    ShareLink,
)

Kind = HandoutEvent.Kind
# No 0/O or 1/I: codes are read off paper and typed on phones.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
# The link's token is typed from the printed slip too, so it is Crockford's base 32 in lower
# case: no i, l, o or u, and a typed I, L or O is read as the 1 or 0 it was surely meant to be.
# 25 characters (125 bits) in five groups of five, joined by dashes, which typing may leave out.
# (An alphabet, not a secret.)
TOKEN_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # noqa: S105
TOKEN_GROUPS, TOKEN_GROUP_LENGTH = 5, 5
TOKEN_LENGTH = TOKEN_GROUPS * TOKEN_GROUP_LENGTH
TYPED_AS = str.maketrans({"o": "0", "i": "1", "l": "1", "-": None})
DEFAULT_EXPIRY_DAYS = 30
MIN_EXPIRY_DAYS, MAX_EXPIRY_DAYS = 1, 90


class CodeHasher(PBKDF2PasswordHasher):
    # Fewer iterations than for passwords: a code has only REVOKE_AFTER online tries before its
    # link is revoked, and each check must stay quick on a patient's request.
    iterations = 100_000


def _unmatchable_code_hash() -> str:
    """A code hash in CodeHasher's format (algorithm$iterations$salt$digest) with a random
    digest: checking a code against it derives a key exactly as checking a real link's does,
    and no code matches it."""
    hasher = CodeHasher()
    return f"{hasher.algorithm}${hasher.iterations}${hasher.salt()}${secrets.token_urlsafe(32)}"


# What a code is checked against when the token names no link (as Django's ModelBackend hashes
# the password of a user who does not exist): every code check costs the same, so how long
# the answer takes never tells whether a token was once a real link.
UNMATCHABLE_CODE_HASH = _unmatchable_code_hash()


@dataclass(frozen=True)
class NewShareLink:
    link: ShareLink
    token: str  # shown once, never stored
    code: str  # shown once, never stored

    @property
    def display_code(self) -> str:
        return format_code(self.code)


class Attempt(enum.Enum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    UNAVAILABLE = "unavailable"  # unknown, expired, revoked or locked: all look the same


def generate_token() -> str:
    groups = (
        "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_GROUP_LENGTH))
        for _ in range(TOKEN_GROUPS)
    )
    return "-".join(groups)


def canonical_token(token: str) -> str:
    """The token as created, however it was typed: any case, with or without the dashes, I, L
    or O for 1 or 0. A token from before the typeable alphabet (22 characters, case-sensitive,
    never 25 once dashes are taken out) is left exactly as it is, so those links keep working."""
    typed = token.lower().translate(TYPED_AS)
    if len(typed) == TOKEN_LENGTH and all(char in TOKEN_ALPHABET for char in typed):
        return typed
    return token


def hash_token(token: str) -> str:
    return hashlib.sha256(canonical_token(token).encode()).hexdigest()


def generate_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(typed: str) -> str:
    """Patients type codes with spaces, dashes and lower case."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())


def format_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def create_share_link(
    handout: Handout, *, staff: User, days: int = DEFAULT_EXPIRY_DAYS
) -> NewShareLink:
    """A new link and code; any earlier link of the handout stops working."""
    if not MIN_EXPIRY_DAYS <= days <= MAX_EXPIRY_DAYS:
        raise ValueError(f"A link lasts {MIN_EXPIRY_DAYS} to {MAX_EXPIRY_DAYS} days.")
    token, code = generate_token(), generate_code()
    now = timezone.now()
    with transaction.atomic():
        for old in handout.share_links.active().select_for_update():
            _revoke(old, staff=staff, because=ShareLink.RevokedBecause.REPLACED, now=now)
        link = ShareLink.objects.create(
            handout=handout,
            token_hash=hash_token(token),
            code_hash=CodeHasher().encode(code, CodeHasher().salt()),
            created_by=staff,
            created_at=now,
            expires_at=now + datetime.timedelta(days=days),
        )
        record_event(handout, Kind.LINK_CREATED, staff=staff, share_link=link)
    return NewShareLink(link, token, code)


def revoke_share_link(link: ShareLink, *, staff: User) -> None:
    with transaction.atomic():
        link = ShareLink.objects.select_for_update().get(pk=link.pk)
        if link.revoked_at is None:
            _revoke(link, staff=staff, because=ShareLink.RevokedBecause.STAFF, now=timezone.now())


def _revoke(link: ShareLink, *, staff: User | None, because: str, now: datetime.datetime) -> None:
    link.revoked_at, link.revoked_because = now, because
    link.save(update_fields=["revoked_at", "revoked_because"])
    # A link that no longer works is not worth an email.
    LinkEmail.objects.filter(share_link=link).finish(LinkEmail.Status.CANCELLED, now)
    record_event(link.handout, Kind.LINK_REVOKED, staff=staff, share_link=link)


def find_share_link(token: str) -> ShareLink | None:
    """The link the token names, in any state, unless its handout's patient data is gone.

    The handout's conditions with their snapshots (and its PDF), in tables of their own, are
    left to load when a page uses them: the code page needs none, and reading them only for
    real links would make an unknown token quicker to refuse than an expired or revoked link.
    """
    return (
        ShareLink.objects.select_related("handout")
        .filter(token_hash=hash_token(token), handout__purged_at__isnull=True)
        .first()
    )


def try_code(link: ShareLink | None, typed_code: str, *, device: str) -> Attempt:
    """Check a typed code and count it.

    A link that has ended (revoked or expired) can never open again, so it is refused exactly
    as a token that names no link (`link` None) is: the code is checked, against
    UNMATCHABLE_CODE_HASH for an unknown token, and nothing is written. The time of the answer
    then cannot tell an outsider that a token they hold was once a real link. (A locked link
    is a live one: its code page comes back when the lock ends, so it has nothing to hide.)

    Every wrong code on a live link counts, locked or not, so guesses made during a lock still
    bring the link closer to being revoked. The right code opens only a link that is open: not
    locked, revoked or expired. The slow hash check happens before the row is locked, so
    concurrent attempts queue only for the counter update.
    """
    code_hash = UNMATCHABLE_CODE_HASH if link is None else link.code_hash
    matches = CodeHasher().verify(normalize_code(typed_code), code_hash)
    if link is None or link.has_ended(timezone.now()):
        return Attempt.UNAVAILABLE
    with transaction.atomic():
        handout = link.handout
        link = ShareLink.objects.select_for_update().get(pk=link.pk)
        link.handout = handout  # unchanged: the counters are what must be read under the lock
        now = timezone.now()
        if matches:
            if not link.is_open(now):
                return Attempt.UNAVAILABLE
            record_event(link.handout, Kind.CODE_ACCEPTED, share_link=link, device=device)
            return Attempt.ACCEPTED
        link.failed_attempts += 1
        record_event(link.handout, Kind.CODE_FAILED, share_link=link, device=device)
        if link.failed_attempts == LOCK_AFTER:
            link.locked_until = now + LOCK_FOR
            record_event(link.handout, Kind.LINK_LOCKED, share_link=link, device=device)
        link.save(update_fields=["failed_attempts", "locked_until"])
        if link.failed_attempts >= REVOKE_AFTER and link.revoked_at is None:
            _revoke(link, staff=None, because=ShareLink.RevokedBecause.TOO_MANY_ATTEMPTS, now=now)
        return Attempt.WRONG if link.is_open(now) else Attempt.UNAVAILABLE


@dataclass(frozen=True)
class ShareResult:
    new_link: NewShareLink
    url: str
    email: LinkEmail | None  # None: no email was asked for


def share_handout(
    handout: Handout, *, staff: User, days: int, email: str, url_for: Callable[[str], str]
) -> ShareResult:
    """Create the link and, if an address was given, queue the email that sends it
    (handouts.emails): in one transaction, so the email exists only if the link does. The
    address waits sealed until the worker has sent the email, and is then erased."""
    with transaction.atomic():
        new_link = create_share_link(handout, staff=staff, days=days)
        url = url_for(new_link.token)
        queued = queue_link_email(new_link.link, address=email, url=url) if email else None
    return ShareResult(new_link, url, queued)


def link_matches(link: ShareLink, *, token: str, code: str) -> bool:
    """Whether a token and code are the ones this link was created with."""
    return secrets.compare_digest(link.token_hash, hash_token(token)) and CodeHasher().verify(
        normalize_code(code), link.code_hash
    )
