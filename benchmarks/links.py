"""The patient-link timing benchmark (manage.py benchmark_patient_links, part of `make bench`).

A wrong access code must take as long to refuse whatever the token names: an unknown token,
an expired link or a revoked one. All three get the same neutral "not available" page, for
good, and its timing must not tell an outsider that a token they hold was once a real link.
This posts a wrong code to each kind in turn, through the full middleware stack, and prints
the median and p95 of each and the largest gap between those three medians.

A locked link and a working one are timed too, for comparison. They are live links, and their
wrong codes are counted (written to the database): a working link answers with its code page
anyway, and a locked one does once the lock ends, so their timing tells nothing new.

Like the handout benchmark it creates its own data, so it runs only on a throwaway database.
"""

import contextlib
import datetime
import logging
import statistics
from collections.abc import Callable, Iterator
from io import TextIOBase

from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from benchmarks.handouts import issue_one, set_up
from benchmarks.measuring import percentile, printer, time_call, verdict
from handouts.models import LOCK_FOR, ShareLink
from handouts.sharing import create_share_link, hash_token

WRONG_CODE = "AAAA-AAAA"
WARM_UP_ROUNDS = 5
# The largest gap between the medians of the ENDED kinds, as a share of the slowest.
TARGET_GAP_PCT = 10.0
LINKS = ["expired link", "revoked link", "locked link", "working link"]
ENDED = ["unknown token", "expired link", "revoked link"]
KINDS = ["unknown token", *LINKS]


def make_links() -> dict[str, str]:
    """A token of each kind; every link on its own handout, as a clinic's would be."""
    fixture = set_up()
    tokens = {"unknown token": "NoSuchLinkEverExisted0"}
    for kind in LINKS:
        handout = issue_one(fixture)
        tokens[kind] = create_share_link(handout, staff=fixture.clinician).token
    return tokens


def reset_states(tokens: dict[str, str]) -> None:
    """Put every link back in its state (each wrong code counts, so after ten a working link
    would be revoked); not timed."""
    now = timezone.now()
    links = {kind: ShareLink.objects.get(token_hash=hash_token(tokens[kind])) for kind in LINKS}
    ShareLink.objects.filter(pk__in=[link.pk for link in links.values()]).update(
        failed_attempts=0, locked_until=None, revoked_at=None, revoked_because=""
    )
    ShareLink.objects.filter(pk=links["expired link"].pk).update(
        expires_at=now - datetime.timedelta(days=1)
    )
    ShareLink.objects.filter(pk=links["revoked link"].pk).update(
        revoked_at=now, revoked_because=ShareLink.RevokedBecause.STAFF
    )
    ShareLink.objects.filter(pk=links["locked link"].pk).update(
        failed_attempts=5, locked_until=now + LOCK_FOR
    )


def post_wrong_code(client: Client, token: str, expected_status: int) -> Callable[[], None]:
    url = reverse("patient:open", args=[token])

    def post() -> None:
        response = client.post(url, {"code": WRONG_CODE})
        if response.status_code != expected_status:
            raise AssertionError(f"{url}: status {response.status_code}")

    return post


def run_link_benchmark(rounds: int, out: TextIOBase) -> dict[str, float]:
    say = printer(out)
    tokens = make_links()
    client = Client()
    posts = {
        kind: post_wrong_code(client, tokens[kind], 200 if kind == "working link" else 404)
        for kind in KINDS
    }
    timings: dict[str, list[float]] = {kind: [] for kind in KINDS}
    say(f"Timing: {rounds} wrong codes on each of {len(KINDS)} kinds of link, interleaved...")
    with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]), _quiet_404s():
        for round_number in range(WARM_UP_ROUNDS + rounds):
            # A different kind goes first each round, so machine noise falls on all alike.
            order = KINDS[round_number % len(KINDS) :] + KINDS[: round_number % len(KINDS)]
            for kind in order:
                reset_states(tokens)
                elapsed = time_call(posts[kind])
                if round_number >= WARM_UP_ROUNDS:
                    timings[kind].append(elapsed)
    medians = {kind: statistics.median(values) for kind, values in timings.items()}
    ended = [medians[kind] for kind in ENDED]
    gap = max(ended) - min(ended)
    gap_pct = gap / max(ended) * 100
    say("")
    say(f"A wrong access code, {rounds} requests of each kind:")
    for kind in KINDS:
        say(
            f"  {kind:<14} median {medians[kind]:6.1f} ms   "
            f"p95 {percentile(timings[kind], 95):6.1f} ms"
        )
    say(
        f"Largest gap between unknown, expired and revoked {gap:.1f} ms ({gap_pct:.0f} %; "
        f"target <= {TARGET_GAP_PCT:.0f} %)   {verdict(gap_pct <= TARGET_GAP_PCT)}"
    )
    say(f"link_gap_ms={gap:.1f} link_gap_pct={gap_pct:.0f}")
    return {"gap_ms": gap, "gap_pct": gap_pct, **medians}


@contextlib.contextmanager
def _quiet_404s() -> Iterator[None]:
    """Django logs every 404 as a warning: hundreds of lines that say nothing here."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)
