"""The handout benchmark behind `make bench` (manage.py benchmark_handouts).

It answers three questions about the portal's PDF path, in one process and one run:

* Does our rendering path (render_handout_pdf: template -> shared FontConfiguration and cached
  stylesheets -> WeasyPrint) cost more than a plain WeasyPrint render of the same HTML? The
  ratio of the medians is the figure that matters: absolute times depend on the machine, the
  ratio much less, because both paths run interleaved in the same run.
* How long does downloading an issued handout take (the stored PDF, checked against its
  SHA-256, through the full middleware stack)?
* Does memory stay flat over many renders (a leak shows as RSS growth)?

It creates data (sample article, clinician, handout), so it must run on a throwaway database;
the management command makes sure of that.
"""

import gc
import resource
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from io import TextIOBase

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.db import connection, reset_queries
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from benchmarks.measuring import percentile, printer, time_call, verdict
from benchmarks.packets import PacketResult, measure_packet, print_packet_report
from education.models import Article
from education.packs import load_shipped
from education.snapshot import Snapshot, build_snapshot
from handouts.forms import HandoutForm
from handouts.issuing import build_handout, issue_handout
from handouts.models import Handout
from handouts.pdf.render import (
    PDF_OPTIONS,
    clinic_logo,
    handout_html,
    handout_url_fetcher,
    page_size_css,
    render_handout_pdf,
    stylesheet_text,
)
from portal.demo import ensure_demo_clinic_profile
from portal.models import ClinicProfile
from portal.roles import CLINICIAN

SAMPLE_SLUG = "bone-marrow-edema"
# Non-ASCII and punctuation on purpose: the name exercises font fallback and escaping.
PATIENT_NAME = "Zoë Núñez-O'Brien"
REST_WEEKS = 6
WARM_UP_RENDERS = 3
# Before the memory baseline: the first few dozen renders grow the heap to its working size
# (about 18 MB, once); growth is measured from there, where a leak would show.
MEMORY_WARM_UP_RENDERS = 50
WARM_UP_DOWNLOADS = 5
WARM_UP_BUILDER_GETS = 5

TARGET_RATIO = 1.2
TARGET_DOWNLOAD_MS = 20.0
TARGET_GROWTH_PCT = 10.0
TARGET_BUILDER_MS = 20.0


# --- Measuring ----------------------------------------------------------------------------


def time_calls(fn: Callable[[], object], n: int) -> list[float]:
    return [time_call(fn) for _ in range(n)]


def time_interleaved(
    first: Callable[[], object], second: Callable[[], object], n: int
) -> tuple[list[float], list[float]]:
    """n timings of each, alternating the two and which goes first, so that machine noise
    (another process, CPU frequency, a garbage collection) falls on both equally."""
    first_ms: list[float] = []
    second_ms: list[float] = []
    for i in range(n):
        if i % 2:
            second_ms.append(time_call(second))
            first_ms.append(time_call(first))
        else:
            first_ms.append(time_call(first))
            second_ms.append(time_call(second))
    return first_ms, second_ms


def rss_mb() -> float:
    """Resident set size now. /proc/self/statm counts pages; it is Linux-only, which is where
    the portal runs."""
    with open("/proc/self/statm") as statm:
        resident_pages = int(statm.read().split()[1])
    return resident_pages * resource.getpagesize() / 2**20


def peak_rss_mb() -> float:
    """Highest resident set size of the process so far (kilobytes on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (2**20 if sys.platform == "darwin" else 2**10)


def settled_rss_mb() -> float:
    """RSS after a full garbage collection, so that garbage waiting for the collector is not
    counted as growth."""
    gc.collect()
    return rss_mb()


# --- Data ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fixture:
    article: Article
    snapshot: Snapshot
    clinic: ClinicProfile
    clinician: User
    choices: dict
    handout: Handout  # unsaved, as the builder's preview renders it


def sample_choices(snapshot: Snapshot, clinic: ClinicProfile, **overrides: object) -> dict:
    """The builder form's own defaults for the article (with overrides), submitted back to the
    form and validated, exactly as a clinician who changes nothing else would. Going through
    HandoutForm keeps the defaults and rules in one place."""
    unbound = HandoutForm(snapshot=snapshot, clinic=clinic, initial=overrides)
    data = {field.name: field.value() for field in unbound if field.value() is not None}
    form = HandoutForm(data, snapshot=snapshot, clinic=clinic)
    if not form.is_valid():
        raise ValueError(f"The sample handout is invalid: {form.errors.as_text()}")
    return form.handout_choices()


def create_clinician() -> User:
    """A user in the Clinician role (the group the migrations create), so the download runs the
    real permission check."""
    user = get_user_model().objects.create_user(
        username="benchmark-clinician", first_name="Bench", last_name="Clinician"
    )
    user.groups.add(Group.objects.get(name=CLINICIAN))
    return user


def issue_one(fixture: Fixture) -> Handout:
    """A new handout from the fixture's article and choices, issued by its clinician."""
    handout, _created = issue_handout(
        fixture.article,
        fixture.choices,
        issued_by=fixture.clinician,
        issue_token=uuid.uuid4(),
        clinic=fixture.clinic,
        snapshot=fixture.snapshot,
    )
    return handout


def set_up() -> Fixture:
    load_shipped(SAMPLE_SLUG, ["en"])
    article = Article.objects.published().get(condition__slug=SAMPLE_SLUG, language="en")
    snapshot = build_snapshot(article)
    ensure_demo_clinic_profile()  # as `make demo` fills it in: issuing needs name and phone
    clinic = ClinicProfile.load()
    clinician = create_clinician()
    choices = sample_choices(snapshot, clinic, patient_name=PATIENT_NAME, rest_weeks=REST_WEEKS)
    handout = build_handout(article, choices, issued_by=clinician, snapshot=snapshot)
    return Fixture(article, snapshot, clinic, clinician, choices, handout)


# --- The two rendering paths --------------------------------------------------------------


def portal_renderer(fixture: Fixture) -> Callable[[], bytes]:
    """The portal's path, template included: what the builder's preview and issuing run."""
    return lambda: render_handout_pdf(fixture.handout, fixture.clinic)


def raw_renderer(fixture: Fixture) -> Callable[[], bytes]:
    """Plain WeasyPrint on the same HTML, as its documentation shows for web fonts: a new
    FontConfiguration and a freshly parsed stylesheet per render.

    The HTML and the stylesheet text are made once, outside the timing (a plain WeasyPrint
    user has them as files). The same restricted URL fetcher loads the fonts and the same PDF
    identifier is passed, so both paths must produce the very same bytes: that is checked,
    and it proves the ratio compares like with like.

    Both paths finish WeasyPrint's output with handouts.pdf.tagging (footer as an artifact,
    table header scopes, spaces at line wraps): without it the PDF's PDF/UA claim is not
    true, so it is part of producing the PDF, whoever renders it, and not an overhead of ours.
    """
    import weasyprint  # here, as a plain WeasyPrint user would
    from weasyprint.text.fonts import FontConfiguration

    from handouts.pdf.tagging import finish_tagged_pdf

    handout, clinic = fixture.handout, fixture.clinic
    html = handout_html(handout, clinic)
    css_text = stylesheet_text()
    page_css_text = page_size_css(handout.paper_size)
    logo = clinic_logo(clinic)

    def render() -> bytes:
        font_config = FontConfiguration()
        fetcher = handout_url_fetcher(logo)
        stylesheets = [
            weasyprint.CSS(string=css_text, font_config=font_config, url_fetcher=fetcher),
            weasyprint.CSS(string=page_css_text, font_config=font_config),
        ]
        return finish_tagged_pdf(
            weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf(
                stylesheets=stylesheets,
                font_config=font_config,
                pdf_identifier=handout.public_id.hex.encode(),
                **PDF_OPTIONS,
            )
        )

    return render


def warm_up(portal: Callable[[], bytes], raw: Callable[[], bytes]) -> int:
    """Untimed renders, so imports, font loading and the process-wide caches are not counted.
    Returns the PDF size after checking that both paths give identical bytes."""
    for _ in range(WARM_UP_RENDERS):
        portal_pdf, raw_pdf = portal(), raw()
    if portal_pdf != raw_pdf:
        raise AssertionError(
            "The portal and plain WeasyPrint PDFs differ, so their times cannot be compared."
        )
    return len(portal_pdf)


# --- Download and memory ------------------------------------------------------------------


def time_downloads(fixture: Fixture, n: int) -> list[float]:
    """Issue one handout, then time GETs of its PDF as the signed-in clinician, checking that
    each response is the stored PDF."""
    handout = issue_one(fixture)
    expected = bytes(handout.stored_pdf.pdf)
    url = reverse("handouts:pdf", kwargs={"public_id": handout.public_id})
    client = Client()
    client.force_login(fixture.clinician)

    def download() -> None:
        response = client.get(url)
        if response.status_code != 200 or response.content != expected:
            raise AssertionError(
                f"Download failed: status {response.status_code}, "
                f"{len(response.content)} bytes instead of {len(expected)}."
            )

    # The test client's requests come from "testserver".
    with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
        time_calls(download, WARM_UP_DOWNLOADS)
        return time_calls(download, n)


@dataclass(frozen=True)
class BuilderResult:
    gets_ms: list[float]
    # The process's CPU time per GET: on a busy machine the wall time also counts waiting
    # for a core, this does not.
    cpu_ms: list[float]
    queries: int  # of one GET, after the warm-up


def time_builder_gets(fixture: Fixture, n: int) -> BuilderResult:
    """Time GETs of the handout builder for the sample article, as the signed-in clinician
    opens it (the whole request: middleware, view, form and template), and count the queries
    of one of them."""
    url = reverse("handouts:new", args=[SAMPLE_SLUG, fixture.article.language])
    client = Client()
    client.force_login(fixture.clinician)

    def get() -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise AssertionError(f"The builder answered {response.status_code}.")

    with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
        time_calls(get, WARM_UP_BUILDER_GETS)
        # Counted from an empty query log: each request clears the log as it starts, so a
        # count begun over the last request's queries comes out short (it read 0 at first).
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            get()
        query_count = len(queries)
        wall_ms, cpu_ms = [], []
        for _ in range(n):
            cpu_start = time.process_time()
            wall_ms.append(time_call(get))
            cpu_ms.append((time.process_time() - cpu_start) * 1000)
        return BuilderResult(wall_ms, cpu_ms, query_count)


@dataclass(frozen=True)
class MemoryResult:
    renders: int
    cold_mb: float  # before the memory warm-up
    before_mb: float
    after_tenth_mb: float  # after the first tenth of the renders
    after_mb: float
    peak_mb: float

    @property
    def growth_pct(self) -> float:
        return (self.after_mb - self.before_mb) / self.before_mb * 100

    @property
    def creep_kb_per_render(self) -> float:
        """Growth per render over the last nine tenths. With the default 1,000 renders the
        one-off rise (the heap reaching its working size, some 20-40 renders in) is over by
        then, so what remains is a leak. Meaningless for short runs."""
        later_renders = self.renders - max(self.renders // 10, 1)
        return (self.after_mb - self.after_tenth_mb) * 1024 / max(later_renders, 1)


def measure_memory(
    render: Callable[[], object], n: int, progress: Callable[[int], None]
) -> MemoryResult:
    """RSS before, after a tenth of, and after n renders, counted from after a warm-up. The
    peak is read right after them, before the plain WeasyPrint renders (a FontConfiguration
    per render) can raise it."""
    tenth = max(n // 10, 1)
    cold = settled_rss_mb()
    for _ in range(MEMORY_WARM_UP_RENDERS):
        render()
    before = after_tenth = settled_rss_mb()
    for done in range(1, n + 1):
        render()
        if done == tenth:
            after_tenth = settled_rss_mb()
        progress(done)
    return MemoryResult(n, cold, before, after_tenth, settled_rss_mb(), peak_rss_mb())


# --- The run and its report ---------------------------------------------------------------


def run_benchmark(
    renders: int, memory_renders: int, downloads: int, builder_gets: int, out: TextIOBase
) -> dict:
    """Run every measurement and print the report; the last line is the one-line summary."""
    say = printer(out)
    fixture = set_up()
    portal, raw = portal_renderer(fixture), raw_renderer(fixture)
    say(f"Warming up ({WARM_UP_RENDERS} renders of each path, not timed)...")
    pdf_bytes = warm_up(portal, raw)

    # Memory first, straight after the warm-up: its baseline and peak then reflect the
    # portal path only.
    say(f"Memory: {memory_renders:,} portal renders...")
    memory = measure_memory(portal, memory_renders, _progress(say, memory_renders))
    say(f"Timing: {renders} portal and {renders} plain WeasyPrint renders, interleaved...")
    portal_ms, raw_ms = time_interleaved(portal, raw, renders)
    html_ms = time_calls(lambda: handout_html(fixture.handout, fixture.clinic), renders)
    say(f"Downloads: {downloads} GETs of an issued handout...")
    download_ms = time_downloads(fixture, downloads)
    packet_rounds = max(renders // 5, 3)
    say(f"Visit packet: {packet_rounds} rounds of three single renders and the packet...")
    packet = measure_packet(
        fixture.clinic, sample_choices, packet_rounds, patient_name=PATIENT_NAME
    )
    say(f"Builder: {builder_gets} GETs of the sample article's handout builder...")
    builder = time_builder_gets(fixture, builder_gets)

    results = summarise(portal_ms, raw_ms, html_ms, download_ms, memory, builder)
    results["pdf_bytes"] = pdf_bytes
    results["peak_run_mb"] = peak_rss_mb()
    results["packet_ms"] = packet.packet_median_ms
    results["packet_ratio"] = packet.ratio
    print_report(results, say, packet)
    return results


def summarise(
    portal_ms: list[float],
    raw_ms: list[float],
    html_ms: list[float],
    download_ms: list[float],
    memory: MemoryResult,
    builder: BuilderResult,
) -> dict:
    return {
        "renders": len(portal_ms),
        "portal_median_ms": statistics.median(portal_ms),
        "portal_p95_ms": percentile(portal_ms, 95),
        "raw_median_ms": statistics.median(raw_ms),
        "raw_p95_ms": percentile(raw_ms, 95),
        "html_median_ms": statistics.median(html_ms),
        "ratio": statistics.median(portal_ms) / statistics.median(raw_ms),
        "downloads": len(download_ms),
        "download_median_ms": statistics.median(download_ms),
        "download_p95_ms": percentile(download_ms, 95),
        "memory_renders": memory.renders,
        "rss_cold_mb": memory.cold_mb,
        "rss_before_mb": memory.before_mb,
        "rss_after_mb": memory.after_mb,
        "growth_pct": memory.growth_pct,
        "rss_after_tenth_mb": memory.after_tenth_mb,
        "creep_kb_per_render": memory.creep_kb_per_render,
        "peak_mb": memory.peak_mb,
        "builder_gets": len(builder.gets_ms),
        "builder_median_ms": statistics.median(builder.gets_ms),
        "builder_p95_ms": percentile(builder.gets_ms, 95),
        "builder_cpu_median_ms": statistics.median(builder.cpu_ms),
        "builder_queries": builder.queries,
    }


def print_report(r: dict, say: Callable[[str], None], packet: PacketResult | None = None) -> None:
    say("")
    say(
        f"Handout rendering, {r['renders']} renders each (PDF of {r['pdf_bytes']:,} bytes, "
        "identical from both paths):"
    )
    say(
        f"  portal path       median {r['portal_median_ms']:7.1f} ms   "
        f"p95 {r['portal_p95_ms']:7.1f} ms"
    )
    say(f"    of which HTML   median {r['html_median_ms']:7.1f} ms   (template only)")
    say(f"  plain WeasyPrint  median {r['raw_median_ms']:7.1f} ms   p95 {r['raw_p95_ms']:7.1f} ms")
    say(f"  ratio portal/plain {r['ratio']:.2f}")
    say(f"Download of an issued handout, {r['downloads']} requests:")
    say(f"  median {r['download_median_ms']:.1f} ms   p95 {r['download_p95_ms']:.1f} ms")
    say(f"Handout builder (the sample article), {r['builder_gets']} GETs:")
    say(
        f"  median {r['builder_median_ms']:.1f} ms   p95 {r['builder_p95_ms']:.1f} ms   "
        f"{r['builder_queries']} queries per GET"
    )
    say(f"  CPU time per GET median {r['builder_cpu_median_ms']:.1f} ms")
    say(f"Memory over {r['memory_renders']:,} portal renders:")
    say(
        f"  RSS {r['rss_cold_mb']:.1f} MB, after {MEMORY_WARM_UP_RENDERS} warm-up renders "
        f"(heap reaching its working size) {r['rss_before_mb']:.1f} MB"
    )
    say(
        f"  RSS before {r['rss_before_mb']:.1f} MB   after {r['rss_after_mb']:.1f} MB   "
        f"growth {r['growth_pct']:+.1f} %"
    )
    say(
        f"  after the first tenth {r['rss_after_tenth_mb']:.1f} MB; from there "
        f"{r['creep_kb_per_render']:+.1f} KB per render"
    )
    say(
        f"  peak {r['peak_mb']:.0f} MB (whole run, with the plain WeasyPrint renders: "
        f"{r['peak_run_mb']:.0f} MB)"
    )
    say("Targets:")
    say(f"  ratio <= {TARGET_RATIO}            {verdict(r['ratio'] <= TARGET_RATIO)}")
    say(
        f"  download <= {TARGET_DOWNLOAD_MS:.0f} ms median   "
        f"{verdict(r['download_median_ms'] <= TARGET_DOWNLOAD_MS)}"
    )
    say(
        f"  memory growth <= {TARGET_GROWTH_PCT:.0f} %   "
        f"{verdict(r['growth_pct'] <= TARGET_GROWTH_PCT)}"
    )
    say(
        f"  builder GET <= {TARGET_BUILDER_MS:.0f} ms median   "
        f"{verdict(r['builder_median_ms'] <= TARGET_BUILDER_MS)}"
    )
    if packet is not None:
        print_packet_report(packet, say)
    say(summary_line(r))


def summary_line(r: dict) -> str:
    """The last line of the output, for scripts and CI logs."""
    return (
        f"ratio={r['ratio']:.2f} render_ms={r['portal_median_ms']:.1f} "
        f"download_ms={r['download_median_ms']:.1f} peak_mb={r['peak_mb']:.0f} "
        f"builder_ms={r['builder_median_ms']:.1f} builder_queries={r['builder_queries']}"
        + (
            f" packet_ms={r['packet_ms']:.1f} packet_ratio={r['packet_ratio']:.2f}"
            if "packet_ms" in r
            else ""
        )
    )


def _progress(say: Callable[[str], None], total: int) -> Callable[[int], None]:
    """Reports every tenth of a long loop, so a run of several minutes shows it is alive."""
    step = max(total // 10, 1)

    def report(done: int) -> None:
        if done % step == 0 and total >= 100:
            say(f"  {done:,}/{total:,} (RSS {rss_mb():.1f} MB)")

    return report
