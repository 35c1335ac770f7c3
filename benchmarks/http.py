"""The HTTP and scale benchmark behind `make bench-http` (manage.py benchmark_http).

In one run, on a throwaway database (PostgreSQL when TEST_POSTGRES_URL names a server, else a
temporary SQLite file), it answers three questions:

* How fast are the staff pages next to Django itself? gunicorn (2 workers, DEBUG off) serves
  the portal on 127.0.0.1, and wrk loads each page with a signed-in clinician's cookie, then a
  bare view through the same middleware stack (benchmarks.http_urls). The ratio of
  requests/s is the figure that matters: both run on the same server in the same run.
* How many handouts can 4 clinicians issue per second through HTTP, each going through the
  builder as a browser does (GET the form, POST it with the issue button)?
* Do the library, the handout lists and the engagement dashboard stay flat as the clinic
  grows? Each is timed in-process (django.test.Client) at 10 and at 10,000 articles, 100 and
  100,000 handouts (each with ten events: 1,000,000 at the large size), in the same database
  grown in between, and the ratio of the medians printed. The dashboard is read by a Clinic
  lead, for its default period (the last 12 weeks).

The last line sums it up for scripts and notes; every figure is printed next to its target
from issue 14.
"""

import contextlib
import datetime
import http.client
import io
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from importlib import import_module
from io import TextIOBase

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import Group, User
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabase
from django.test import Client, override_settings
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from benchmarks.http_urls import BARE_PATH
from benchmarks.measuring import percentile, printer, time_call, verdict
from benchmarks.scale import UNIQUE_NAME, build_handouts, build_library
from education.models import Article, Condition
from education.packs import load_shipped
from handouts.models import Handout
from portal.demo import ensure_demo_clinic_profile
from portal.mfa import mfa_required
from portal.roles import CLINIC_LEAD, CLINICIAN
from portal.sessions import mark_signed_in

SMALL_ARTICLES = 10
SMALL_HANDOUTS = 100
WORKERS = 2
WRK_THREADS = 2
WRK_CONNECTIONS = 20
WARM_UP_SECONDS = 2
# wrk's default of 2 s would drop the slowest answers from the latencies; past this, a page
# has long missed its target anyway, and the report counts the requests wrk gave up on.
WRK_TIMEOUT_SECONDS = 10
ISSUING_CLIENTS = 4
SCALE_WARM_UP = 5
SERVER_START_SECONDS = 60
WSGI_MODULE = "benchmarks.http_wsgi"
# Every staff page is loaded with a clinician's session. The article is the sample one: a
# full article, as clinicians read them.
SAMPLE_SLUG = "bone-marrow-edema"
PATIENT_NAME = "Benchmark Patient"

# Issue 14's targets.
TARGET_RPS_SHARE = 0.10  # of the bare view's requests/s, every staff page
TARGET_P99_MS = 50.0
TARGET_ISSUE_PER_S = 10.0
TARGET_SCALE_RATIO = 1.5
TARGET_SCALE_P95_MS = 50.0  # the handout lists at the large size
# Issue 25's: the engagement dashboard at 100,000 handouts and 1,000,000 events.
TARGET_DASHBOARD_P95_MS = 150.0

LIBRARY_PAGES = ["library", "library search"]
HANDOUT_PAGES = ["handout list", "handout name search", "changed list"]
REPORT_PAGES = ["engagement dashboard"]


# --- wrk ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadResult:
    requests_per_s: float
    p99_ms: float
    # Answers other than 2xx or 3xx, and requests wrk gave up on: either makes the figures
    # above doubtful, so the report shows them.
    bad_responses: int = 0
    timeouts: int = 0


WRK_RATE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
WRK_P99 = re.compile(r"^\s*99(?:\.0+)?%\s+([\d.]+)(us|ms|s|m)\s*$", re.MULTILINE)
WRK_BAD = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
WRK_TIMEOUTS = re.compile(r"Socket errors:.*timeout (\d+)")
MS_PER_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def parse_wrk(output: str) -> LoadResult:
    """Requests/s and the 99th percentile latency from `wrk --latency` output."""
    rate, p99 = WRK_RATE.search(output), WRK_P99.search(output)
    if rate is None or p99 is None:
        raise ValueError(f"Unexpected wrk output (was --latency given?):\n{output}")
    bad, timeouts = WRK_BAD.search(output), WRK_TIMEOUTS.search(output)
    return LoadResult(
        requests_per_s=float(rate.group(1)),
        p99_ms=float(p99.group(1)) * MS_PER_UNIT[p99.group(2)],
        bad_responses=int(bad.group(1)) if bad else 0,
        timeouts=int(timeouts.group(1)) if timeouts else 0,
    )


def run_wrk(url: str, seconds: int, cookie: str | None) -> LoadResult:
    command = ["wrk", f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s", "--latency"]
    command += ["--timeout", f"{WRK_TIMEOUT_SECONDS}s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    # Our own arguments: the URL is the benchmark server's on 127.0.0.1.
    done = subprocess.run(  # noqa: S603
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 60
    )
    return parse_wrk(done.stdout)


def wrk_missing() -> bool:
    return shutil.which("wrk") is None


# --- The throwaway database ---------------------------------------------------------------


@contextlib.contextmanager
def throwaway_database(directory: str) -> Iterator[str]:
    """A new, migrated database beside the one configured, made and dropped the way Django's
    test runner makes its test database: `portal_bench` on the PostgreSQL server, or a SQLite
    file in `directory`. This process uses it from here on; yields its URL for the server."""
    connection = connections[DEFAULT_DB_ALIAS]
    configured_url = settings.DATABASE_URL
    if connection.vendor == "postgresql":
        name = "portal_bench"
        url = urllib.parse.urlsplit(configured_url)._replace(path=f"/{name}").geturl()
    else:
        name = os.path.join(directory, "bench.sqlite3")
        url = f"sqlite:///{name}"
    if isinstance(connection, SQLiteDatabase) and connection.is_in_memory_db():
        # Django never closes an in-memory SQLite database (its data would be lost), so the
        # empty one the system checks opened would stay in use instead of the new file.
        BaseDatabaseWrapper.close(connection)
    connection.settings_dict["TEST"]["NAME"] = name
    configured_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield url
    finally:
        connection.creation.destroy_test_db(configured_name, verbosity=0)


# --- Data ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fixture:
    article: Article
    clinicians: list[User]
    lead: User  # reads the engagement dashboard


def set_up() -> Fixture:
    """The sample content, the demo clinic profile (issuing needs its name and phone), one
    clinician per issuing client, the first also the one who reads the pages, and a Clinic
    lead for the dashboard."""
    load_shipped(SAMPLE_SLUG)
    ensure_demo_clinic_profile()
    role = Group.objects.get(name=CLINICIAN)
    clinicians = []
    for number in range(1, ISSUING_CLIENTS + 1):
        user = User.objects.create_user(
            username=f"benchmark-clinician-{number}", first_name="Bench", last_name="Clinician"
        )
        user.groups.add(role)
        clinicians.append(user)
    article = Article.objects.published().get(condition__slug=SAMPLE_SLUG, language="en")
    lead = User.objects.create_user(username="benchmark-lead", first_name="Bench")
    lead.groups.add(Group.objects.get(name=CLINIC_LEAD))
    return Fixture(article, clinicians, lead)


def grow_to(articles: int, handouts: int) -> tuple[int, int]:
    """Add conditions and handouts up to the given totals; returns the totals reached."""
    build_library(max(articles - library_size(), 0))
    build_handouts(max(handouts - Handout.objects.count(), 0))
    # What autovacuum would soon do: fresh statistics (without them PostgreSQL plans for the
    # tables as they were before the bulk insert) and, on PostgreSQL, the trigram indexes'
    # pending entries merged in (until then the planner avoids those indexes). VACUUM cannot
    # run in a transaction, as the benchmark's tests do.
    connection = connections[DEFAULT_DB_ALIAS]
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
    return library_size(), Handout.objects.count()


def library_size() -> int:
    return Condition.objects.with_published_articles().count()


def common_word(texts: Iterable[str]) -> str:
    """The word (of four letters or more) found in the most of `texts`: a search for it is a
    common search that matches much of the library."""
    counts = Counter(
        word for text in texts for word in set(text.split()) if len(word) >= 4 and word.isalpha()
    )
    return min(counts, key=lambda word: (-counts[word], word))


# --- Signing in without the sign-in form --------------------------------------------------


def staff_session(user: User) -> str:
    """The key of a new session signed in as `user`, holding what the sign-in form and, where
    the user's role needs it, two-factor sign-in would have stored."""
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    mark_signed_in(session)
    if mfa_required(user):
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, name="Benchmark", defaults={"confirmed": True}
        )
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return session.session_key


def session_cookie(user: User) -> str:
    return f"{settings.SESSION_COOKIE_NAME}={staff_session(user)}"


# --- A browser, for the server ----------------------------------------------------------


class Browser:
    """One person's browser on the benchmark server: keeps cookies from answer to answer and
    follows no redirects."""

    def __init__(self, base_url: str, cookie: str = "") -> None:
        self.address = urllib.parse.urlsplit(base_url).netloc
        self.cookies = SimpleCookie(cookie)

    def get(self, path: str) -> tuple[int, str, str]:
        return self._request("GET", path)

    def post(self, path: str, fields: list[tuple[str, str]]) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(fields)
        return self._request(
            "POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"}
        )

    def _request(
        self, method: str, path: str, body: str | None = None, headers: dict | None = None
    ) -> tuple[int, str, str]:
        """(status, Location, body) of one request."""
        cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in self.cookies.items())
        connection = http.client.HTTPConnection(self.address, timeout=60)
        try:
            connection.request(method, path, body, {**(headers or {}), "Cookie": cookie})
            response = connection.getresponse()
            for header in response.headers.get_all("Set-Cookie") or []:
                self.cookies.load(header)
            text = response.read().decode()
            return response.status, response.getheader("Location", ""), text
        finally:
            connection.close()


class FormReader(HTMLParser):
    """What a browser submits from the form with id `form_id` when nobody changes anything:
    every named field's current value, checked boxes only, no buttons."""

    UNSENT_INPUTS = {"submit", "button", "image", "reset", "file"}

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id = form_id
        self.fields: list[tuple[str, str]] = []
        self._inside = False
        self._select: tuple[str, bool] | None = None  # name, multiple
        self._options: list[tuple[str, bool]] = []  # value, selected
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self._inside = a.get("id") == self.form_id
        if not self._inside or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self.fields.append((name, a.get("value") or "on"))
            elif kind not in self.UNSENT_INPUTS:
                self.fields.append((name, a.get("value") or ""))
        elif tag == "select" and name:
            self._select, self._options = (name, "multiple" in a), []
        elif tag == "option" and self._select:
            self._options.append((a.get("value") or "", "selected" in a))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._inside = False
        elif tag == "select" and self._select:
            name, multiple = self._select
            chosen = [value for value, selected in self._options if selected]
            if not chosen and not multiple and self._options:
                chosen = [self._options[0][0]]
            self.fields += [(name, value) for value in chosen]
            self._select = None
        elif tag == "textarea" and self._textarea:
            # Browsers drop one newline right after <textarea>.
            self.fields.append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None


def form_fields(html: str, form_id: str) -> list[tuple[str, str]]:
    reader = FormReader(form_id)
    reader.feed(html)
    return reader.fields


# --- 1. Staff pages under load ------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    signed_in: bool = True


def staff_pages(article: Article) -> list[Page]:
    """The bare view first: the figure every page is compared with."""
    slug, language = article.condition.slug, article.language
    return [
        Page("bare Django view", f"/{BARE_PATH}", signed_in=False),
        Page("staff home", reverse("home")),
        Page("library", reverse("education:library")),
        Page("article page", reverse("education:article", args=[slug, language])),
        Page("handout list", reverse("handouts:list")),
        Page("builder", reverse("handouts:new", args=[slug, language])),
    ]


def load_pages(
    base_url: str, pages: list[Page], cookie: str, seconds: int, say: Callable[[str], None]
) -> dict[str, LoadResult]:
    """wrk on each page in turn, after checking that it answers 200 to the cookie (not a
    redirect to sign-in) and a short untimed warm-up."""
    results = {}
    for page in pages:
        page_cookie = cookie if page.signed_in else ""
        status, location, _ = Browser(base_url, page_cookie).get(page.path)
        if status != 200:
            raise AssertionError(f"{page.name} ({page.path}) answered {status} {location}")
        url = base_url + page.path
        run_wrk(url, WARM_UP_SECONDS, page_cookie)
        results[page.name] = run_wrk(url, seconds, page_cookie)
        say(f"  {page.name}: {results[page.name].requests_per_s:,.0f} requests/s")
    return results


# --- 2. Issuing ---------------------------------------------------------------------------


# Where the builder sends the clinician once the handout is issued: the handout's page.
ISSUED = re.compile(r"/handouts/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/")


def issue_one(browser: Browser, builder_path: str) -> None:
    """Issue a handout as a clinician does: open the builder, keep its defaults, type the
    name, press Issue."""
    status, _, html = browser.get(builder_path)
    if status != 200:
        raise AssertionError(f"The builder answered {status}")
    fields = [(n, value) for n, value in form_fields(html, "handout-form") if n != "patient_name"]
    fields += [("patient_name", PATIENT_NAME), ("action", "issue")]
    status, location, _ = browser.post(builder_path, fields)
    # Issued, the builder redirects to the new handout's page.
    if status != 302 or not ISSUED.fullmatch(location):
        raise AssertionError(f"Issuing answered {status} {location}: not issued")


def issue_until(browser: Browser, builder_path: str, until: float) -> tuple[int, float]:
    """Issue handouts until the monotonic clock passes `until`; returns (handouts, finished
    at)."""
    issued = 0
    while time.monotonic() < until:
        issue_one(browser, builder_path)
        issued += 1
    return issued, time.monotonic()


def measure_issuing(base_url: str, builder_path: str, cookies: list[str], seconds: int) -> float:
    """Handouts issued per second by one client per cookie, all at once."""
    browsers = [Browser(base_url, cookie) for cookie in cookies]
    with ThreadPoolExecutor(max_workers=len(browsers)) as pool:
        # Untimed, one each: a worker's first PDF loads the fonts and WeasyPrint's caches.
        list(pool.map(lambda browser: issue_one(browser, builder_path), browsers))
        start = time.monotonic()
        runs = [
            pool.submit(issue_until, browser, builder_path, start + seconds) for browser in browsers
        ]
        results = [run.result() for run in runs]
    issued = sum(count for count, _ in results)
    return issued / (max(finished for _, finished in results) - start)


# --- The server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def benchmark_server(database_url: str, log: io.BufferedRandom) -> Iterator[str]:
    """gunicorn with the project's configuration and WORKERS workers on 127.0.0.1, serving
    the portal and the bare view from the throwaway database; yields its base URL."""
    base_url = f"http://127.0.0.1:{free_port()}"
    command = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"]
    command += ["--workers", str(WORKERS), "--bind", base_url.removeprefix("http://")]
    server = subprocess.Popen(  # noqa: S603 (this interpreter, our own arguments)
        [*command, WSGI_MODULE],
        cwd=settings.BASE_DIR,
        env=os.environ | {"DATABASE_URL": database_url},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_serving(server, base_url, log)
        yield base_url
    except Exception as error:
        raise RuntimeError(f"{error}\nThe server's log:\n{_read(log)}") from error
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def wait_until_serving(server: subprocess.Popen, base_url: str, log: io.BufferedRandom) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn stopped.")
        with contextlib.suppress(OSError):
            if Browser(base_url).get(f"/{BARE_PATH}")[0] == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {SERVER_START_SECONDS} s")


def _read(log: io.BufferedRandom) -> str:
    log.seek(0)
    return log.read().decode(errors="replace")


# --- 3. Scale -----------------------------------------------------------------------------


def scale_requests(
    client: Client, library_query: str, patient_query: str, lead_client: Client
) -> dict[str, Callable[[], None]]:
    """One request per page, checked; the name search is a POST, as the list's form sends it
    (patient names are never put in a URL). The dashboard is read by `lead_client`."""

    def request(
        method: str, path: str, data: dict | None = None, by: Client = client
    ) -> Callable[[], None]:
        def send() -> None:
            response = getattr(by, method)(path, data)
            if response.status_code != 200:
                raise AssertionError(f"{method.upper()} {path}: status {response.status_code}")

        return send

    library, handouts = reverse("education:library"), reverse("handouts:list")
    return {
        "library": request("get", library),
        "library search": request("get", library, {"q": library_query}),
        "handout list": request("get", handouts),
        "handout name search": request("post", handouts, {"patient": patient_query}),
        "changed list": request("get", reverse("handouts:changed")),
        "engagement dashboard": request("get", reverse("reports:dashboard"), by=lead_client),
    }


@dataclass(frozen=True)
class Timing:
    median_ms: float
    p95_ms: float


def time_scale_pages(requests: dict[str, Callable[[], None]], n: int) -> dict[str, Timing]:
    """n timed requests of each page after a warm-up, a round of every page at a time, so
    machine noise falls on all pages alike."""
    timings: dict[str, list[float]] = {name: [] for name in requests}
    for round_number in range(SCALE_WARM_UP + n):
        for name, send in requests.items():
            elapsed = time_call(send)
            if round_number >= SCALE_WARM_UP:
                timings[name].append(elapsed)
    return {
        name: Timing(statistics.median(values), percentile(values, 95))
        for name, values in timings.items()
    }


# --- The run and its report ---------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    articles: int
    handouts: int
    timings: dict[str, Timing]


@dataclass(frozen=True)
class Results:
    seconds: int
    staff: dict[str, LoadResult]
    issue_per_s: float
    small: Scale
    big: Scale
    library_query: str

    @property
    def bare(self) -> LoadResult:
        return self.staff["bare Django view"]

    def rps_share(self, page: str) -> float:
        return self.staff[page].requests_per_s / self.bare.requests_per_s

    @property
    def staff_rps_ratio(self) -> float:
        return min(self.rps_share(page) for page in self.staff if page != "bare Django view")

    def scale_ratio(self, page: str) -> float:
        return self.big.timings[page].median_ms / self.small.timings[page].median_ms

    @property
    def library_ratio(self) -> float:
        return max(self.scale_ratio(page) for page in LIBRARY_PAGES)

    @property
    def handouts_ratio(self) -> float:
        return max(self.scale_ratio(page) for page in HANDOUT_PAGES)

    @property
    def dashboard_ratio(self) -> float:
        return max(self.scale_ratio(page) for page in REPORT_PAGES)

    @property
    def dashboard_p95_ms(self) -> float:
        return max(self.big.timings[page].p95_ms for page in REPORT_PAGES)


def run_http_benchmark(
    seconds: int, articles: int, handouts: int, requests: int, out: TextIOBase
) -> Results:
    say = printer(out)
    with tempfile.TemporaryDirectory() as directory, throwaway_database(directory) as url:
        say(f"Throwaway database: {connections[DEFAULT_DB_ALIAS].vendor}")
        fixture = set_up()
        clinician = fixture.clinicians[0]
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = staff_session(clinician)
        lead_client = Client()
        lead_client.cookies[settings.SESSION_COOKIE_NAME] = staff_session(fixture.lead)

        say(f"Scale: {SMALL_ARTICLES} articles, {SMALL_HANDOUTS} handouts...")
        small_size = grow_to(SMALL_ARTICLES, SMALL_HANDOUTS)
        library_query = common_word(
            Condition.objects.with_published_articles().values_list("search_text", flat=True)
        )
        # One handout has this name at any size: the search's two pages show the same row, so
        # the ratio measures the search, not drawing 1 row against 50.
        pages = scale_requests(client, library_query, UNIQUE_NAME, lead_client)
        with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
            small = Scale(*small_size, time_scale_pages(pages, requests))

        log_path = os.path.join(directory, "gunicorn.log")
        with open(log_path, "w+b") as log, benchmark_server(url, log) as base_url:
            say(f"Staff pages: wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{seconds}s each...")
            staff = load_pages(
                base_url, staff_pages(fixture.article), session_cookie(clinician), seconds, say
            )
            say(f"Issuing: {ISSUING_CLIENTS} clinicians for {seconds} s...")
            builder = reverse("handouts:new", args=[SAMPLE_SLUG, "en"])
            cookies = [session_cookie(user) for user in fixture.clinicians]
            issue_per_s = measure_issuing(base_url, builder, cookies, seconds)

        say(f"Scale: growing to {articles:,} articles and {handouts:,} handouts...")
        started = time.monotonic()
        big_size = grow_to(articles, handouts)
        say(f"  built in {datetime.timedelta(seconds=round(time.monotonic() - started))}")
        with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
            big = Scale(*big_size, time_scale_pages(pages, requests))
    results = Results(seconds, staff, issue_per_s, small, big, library_query)
    print_report(results, requests, say)
    return results


def print_report(r: Results, requests: int, say: Callable[[str], None]) -> None:
    say("")
    say(
        f"Staff pages under load (gunicorn, {WORKERS} workers, DEBUG off; wrk -t{WRK_THREADS} "
        f"-c{WRK_CONNECTIONS}, {r.seconds} s each):"
    )
    say(f"  {'page':<18} {'req/s':>8} {'p99 ms':>8} {'/bare':>7}   target")
    for page, load in r.staff.items():
        problems = _load_problems(load)
        if page == "bare Django view":
            say(f"  {page:<18} {load.requests_per_s:8,.0f} {load.p99_ms:8.1f} {'':>7}{problems}")
            continue
        share = r.rps_share(page)
        met = share >= TARGET_RPS_SHARE and load.p99_ms <= TARGET_P99_MS
        say(
            f"  {page:<18} {load.requests_per_s:8,.0f} {load.p99_ms:8.1f} {share:7.1%}   "
            f">= {TARGET_RPS_SHARE:.0%}, p99 <= {TARGET_P99_MS:.0f} ms  {verdict(met)}{problems}"
        )
    say(f"Issuing through HTTP, {ISSUING_CLIENTS} clinicians at once for {r.seconds} s:")
    say(
        f"  {r.issue_per_s:.1f} handouts/s   target >= {TARGET_ISSUE_PER_S:.0f}  "
        f"{verdict(r.issue_per_s >= TARGET_ISSUE_PER_S)}"
    )
    say(
        f"Scale, in-process, {requests} requests each after {SCALE_WARM_UP} untimed "
        f"(library search: {r.library_query!r}):"
    )
    small, big = r.small, r.big
    say(
        f"  {'':<20} {small.articles:>7,} articles  {big.articles:>7,} articles"
        f"\n  {'':<20} {small.handouts:>7,} handouts  {big.handouts:>7,} handouts"
    )
    say(f"  {'page':<20} {'median':>8} {'p95':>8} {'median':>8} {'p95':>8} {'ratio':>6}   target")
    for page in [*LIBRARY_PAGES, *HANDOUT_PAGES, *REPORT_PAGES]:
        before, after, ratio = small.timings[page], big.timings[page], r.scale_ratio(page)
        if page in HANDOUT_PAGES:
            met = ratio <= TARGET_SCALE_RATIO and after.p95_ms <= TARGET_SCALE_P95_MS
            target = f"<= {TARGET_SCALE_RATIO}x, p95 <= {TARGET_SCALE_P95_MS:.0f} ms"
        elif page in REPORT_PAGES:
            # The dashboard's work grows with the period's handouts by design (it counts
            # them): its target is the time at the large size, not a ratio.
            met = after.p95_ms <= TARGET_DASHBOARD_P95_MS
            target = f"p95 <= {TARGET_DASHBOARD_P95_MS:.0f} ms"
        else:
            met, target = ratio <= TARGET_SCALE_RATIO, f"<= {TARGET_SCALE_RATIO}x"
        say(
            f"  {page:<20} {before.median_ms:8.1f} {before.p95_ms:8.1f} {after.median_ms:8.1f} "
            f"{after.p95_ms:8.1f} {ratio:6.2f}   {target}  {verdict(met)}"
        )
    say("Targets:")
    say(
        f"  library_ratio {r.library_ratio:.2f} <= {TARGET_SCALE_RATIO}   "
        f"{verdict(r.library_ratio <= TARGET_SCALE_RATIO)}"
    )
    say(
        f"  handouts_ratio {r.handouts_ratio:.2f} <= {TARGET_SCALE_RATIO}   "
        f"{verdict(r.handouts_ratio <= TARGET_SCALE_RATIO)}"
    )
    say(
        f"  dashboard_p95_ms {r.dashboard_p95_ms:.1f} <= {TARGET_DASHBOARD_P95_MS:.0f}   "
        f"{verdict(r.dashboard_p95_ms <= TARGET_DASHBOARD_P95_MS)}"
    )
    say(
        f"  staff_rps_ratio {r.staff_rps_ratio:.3f} >= {TARGET_RPS_SHARE}   "
        f"{verdict(r.staff_rps_ratio >= TARGET_RPS_SHARE)}"
    )
    say(
        f"  issue_per_s {r.issue_per_s:.1f} >= {TARGET_ISSUE_PER_S:.0f}   "
        f"{verdict(r.issue_per_s >= TARGET_ISSUE_PER_S)}"
    )
    say(summary_line(r))


def summary_line(r: Results) -> str:
    """The last line of the output, for scripts and notes."""
    return (
        f"scale library_ratio={r.library_ratio:.2f} handouts_ratio={r.handouts_ratio:.2f} "
        f"dashboard_ratio={r.dashboard_ratio:.2f} dashboard_p95_ms={r.dashboard_p95_ms:.1f} "
        f"staff_rps_ratio={r.staff_rps_ratio:.3f} issue_per_s={r.issue_per_s:.1f}"
    )


def _load_problems(load: LoadResult) -> str:
    if not (load.bad_responses or load.timeouts):
        return ""
    return f"  ({load.bad_responses} bad responses, {load.timeouts} timeouts)"
