"""The visit packet part of `make bench` (manage.py benchmark_handouts): a packet of three
shipped conditions against the same three rendered on their own (issue 23).

Each round renders the three single handouts and the packet, interleaved, so the machine's
load weighs on both alike. Budget: the packet's median within PACKET_RATIO of the sum of the
three singles' medians, and within PACKET_TARGET_MS.
"""

import functools
import io
import statistics
from collections.abc import Callable
from dataclasses import dataclass

from pypdf import PdfReader

from benchmarks.measuring import percentile, time_call, verdict
from education.models import Article
from education.packs import load_shipped
from education.snapshot import build_snapshot
from handouts.issuing import build_condition, build_visit, split_choices
from handouts.models import Handout
from handouts.pdf.render import render_handout_pdf
from portal.models import ClinicProfile

PACKET_SLUGS = ("ankle-sprain", "low-back-pain", "knee-osteoarthritis")
PACKET_RATIO = 1.5
PACKET_TARGET_MS = 1500.0
WARM_UP_ROUNDS = 2


@dataclass(frozen=True)
class PacketResult:
    rounds: int
    single_median_ms: dict[str, float]
    packet_median_ms: float
    packet_p95_ms: float
    single_pages: dict[str, int]
    packet_pages: int

    @property
    def sum_of_singles_ms(self) -> float:
        return sum(self.single_median_ms.values())

    @property
    def ratio(self) -> float:
        return self.packet_median_ms / self.sum_of_singles_ms


def packet_handouts(
    clinic: ClinicProfile, choices_for: Callable[..., dict], **personal: object
) -> tuple[dict[str, Handout], Handout]:
    """(each condition's handout alone, by slug; the packet of all three), unsaved, with the
    builder's defaults for each (`choices_for(snapshot, clinic, **personal)`)."""
    singles: dict[str, Handout] = {}
    conditions = []
    visit: dict = {}
    for slug in PACKET_SLUGS:
        load_shipped(slug, ["en"])
        article = Article.objects.published().get(condition__slug=slug, language="en")
        snapshot = build_snapshot(article)
        visit, chosen = split_choices(choices_for(snapshot, clinic, **personal))
        singles[slug] = build_visit(
            [build_condition(article, chosen, snapshot=snapshot)], visit, issued_by=None
        )
        conditions.append(build_condition(article, chosen, snapshot=snapshot))
    return singles, build_visit(conditions, visit, issued_by=None)


def pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def measure_packet(
    clinic: ClinicProfile, choices_for: Callable[..., dict], rounds: int, **personal: object
) -> PacketResult:
    singles, packet = packet_handouts(clinic, choices_for, **personal)
    for _ in range(WARM_UP_ROUNDS):
        for handout in [*singles.values(), packet]:
            render_handout_pdf(handout, clinic)
    single_ms: dict[str, list[float]] = {slug: [] for slug in singles}
    packet_ms: list[float] = []
    for _ in range(rounds):
        for slug, handout in singles.items():
            single_ms[slug].append(
                time_call(functools.partial(render_handout_pdf, handout, clinic))
            )
        packet_ms.append(time_call(lambda: render_handout_pdf(packet, clinic)))
    return PacketResult(
        rounds,
        {slug: statistics.median(times) for slug, times in single_ms.items()},
        statistics.median(packet_ms),
        percentile(packet_ms, 95),
        {slug: pages(render_handout_pdf(h, clinic)) for slug, h in singles.items()},
        pages(render_handout_pdf(packet, clinic)),
    )


def print_packet_report(r: PacketResult, say: Callable[[str], None]) -> None:
    say(f"Visit packet of {len(PACKET_SLUGS)} conditions, {r.rounds} rounds (builder defaults):")
    for slug, median in r.single_median_ms.items():
        say(f"  {slug:<20} alone   median {median:7.1f} ms   {r.single_pages[slug]} pages (A4)")
    say(f"  sum of the three          {r.sum_of_singles_ms:7.1f} ms")
    say(
        f"  packet               median {r.packet_median_ms:7.1f} ms   "
        f"p95 {r.packet_p95_ms:7.1f} ms   {r.packet_pages} pages (A4)"
    )
    say(f"  ratio packet/sum {r.ratio:.2f}")
    say(f"  packet <= {PACKET_RATIO} x sum of singles   {verdict(r.ratio <= PACKET_RATIO)}")
    say(
        f"  packet <= {PACKET_TARGET_MS:.0f} ms median      "
        f"{verdict(r.packet_median_ms <= PACKET_TARGET_MS)}"
    )
    budget = 2 * len(PACKET_SLUGS) + 1
    say(f"  packet <= {budget} pages (A4)         {verdict(r.packet_pages <= budget)}")
