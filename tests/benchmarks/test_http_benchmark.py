"""The HTTP benchmark's own logic (`make bench-http`): reading wrk's report, submitting the
builder as a browser does, signing in without the form. Never its timings."""

from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from benchmarks.http import (
    common_word,
    form_fields,
    grow_to,
    parse_wrk,
    scale_requests,
    staff_session,
    time_scale_pages,
)
from education.models import Article
from handouts.models import Handout
from portal.models import ClinicProfile

# Captured from `wrk -t2 -c20 -d1s --latency` against a server answering 404.
WRK_OUTPUT = """\
Running 1s test @ http://127.0.0.1:18431/nonexistent
  2 threads and 20 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     4.22ms    3.36ms  34.74ms   85.27%
    Req/Sec     1.15k   106.89     1.37k    80.00%
  Latency Distribution
     50%    2.98ms
     75%    5.29ms
     90%    8.36ms
     99%   16.57ms
  1154 requests in 1.00s, 586.02KB read
  Non-2xx or 3xx responses: 1154
Requests/sec:   1150.32
Transfer/sec:    584.15KB
"""


def test_wrk_report_gives_requests_per_second_and_p99_in_milliseconds() -> None:
    result = parse_wrk(WRK_OUTPUT)

    assert result.requests_per_s == 1150.32
    assert result.p99_ms == pytest.approx(16.57)
    assert result.bad_responses == 1154
    assert result.timeouts == 0


@pytest.mark.parametrize(("printed", "ms"), [("850.00us", 0.85), ("1.20s", 1200.0)])
def test_wrk_latencies_in_other_units_are_converted(printed: str, ms: float) -> None:
    output = WRK_OUTPUT.replace("   16.57ms", f"   {printed}")

    assert parse_wrk(output).p99_ms == pytest.approx(ms)


def test_wrk_timeouts_are_counted() -> None:
    output = WRK_OUTPUT.replace(
        "  Non-2xx or 3xx responses: 1154\n",
        "  Socket errors: connect 0, read 3, write 0, timeout 17\n",
    )

    result = parse_wrk(output)

    assert (result.bad_responses, result.timeouts) == (0, 17)


def test_wrk_report_without_latency_distribution_is_refused() -> None:
    with pytest.raises(ValueError, match="--latency"):
        parse_wrk(WRK_OUTPUT.replace("     99%   16.57ms\n", ""))


def test_form_fields_are_what_a_browser_submits_unchanged() -> None:
    html = """
    <form id="other"><input name="elsewhere" value="x"></form>
    <form id="wanted" method="post">
      <input type="hidden" name="token" value="a&amp;b">
      <input name="empty">
      <input type="checkbox" name="ticked" checked>
      <input type="checkbox" name="unticked" value="1">
      <input type="text" name="off" value="x" disabled>
      <select name="size"><option value="a4">A4</option><option value="letter">Letter</option>
      </select>
      <select name="tips" multiple><option value="1" selected>1</option><option value="2">
      </option><option value="3" selected>3</option></select>
      <textarea name="note">
Ice it.</textarea>
      <button type="submit" name="action" value="issue">Issue</button>
      <input type="submit" name="go" value="Go">
    </form>
    """

    assert form_fields(html, "wanted") == [
        ("token", "a&b"),
        ("empty", ""),
        ("ticked", "on"),
        ("size", "a4"),
        ("tips", "1"),
        ("tips", "3"),
        ("note", "Ice it."),
    ]


def test_builder_form_submitted_unchanged_with_a_name_issues_a_handout(
    client: Client, clinician: User, sample_article: Article, clinic: ClinicProfile
) -> None:
    url = reverse("handouts:new", args=[sample_article.condition.slug, "en"])
    client.force_login(clinician)
    fields = form_fields(client.get(url).content.decode(), "handout-form")
    data = [(name, value) for name, value in fields if name != "patient_name"]
    data += [("patient_name", "Benchmark Patient"), ("action", "issue")]

    response = client.post(url, urlencode(data), content_type="application/x-www-form-urlencoded")

    handout = Handout.objects.get()
    assert response.status_code == 302
    assert response["Location"] == handout.get_absolute_url()


@pytest.mark.parametrize("persona", ["clinician", "editor"])
def test_staff_session_is_signed_in_past_two_factor_where_the_role_needs_it(
    persona: str, request: pytest.FixtureRequest, roles: None
) -> None:
    user = request.getfixturevalue(persona)
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = staff_session(user)

    response = client.get(reverse("home"))

    assert response.status_code == 200


def test_most_common_word_is_the_library_search() -> None:
    texts = ["knee sprain injury", "ankle strain injury", "knee bruise injury x1"]

    assert common_word(texts) == "injury"


def test_every_scale_page_answers_a_signed_in_clinician_or_lead(
    clinician: User, clinic_lead: User, sample_article: Article, clinic: ClinicProfile
) -> None:
    grow_to(articles=3, handouts=5)
    client, lead_client = Client(), Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = staff_session(clinician)
    lead_client.cookies[settings.SESSION_COOKIE_NAME] = staff_session(clinic_lead)

    timings = time_scale_pages(scale_requests(client, "injury", "Ana", lead_client), n=1)

    assert set(timings) == {
        "library",
        "library search",
        "handout list",
        "handout name search",
        "changed list",
        "engagement dashboard",
    }
