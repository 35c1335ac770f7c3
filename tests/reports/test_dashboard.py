"""The engagement dashboard: who sees it, what it counts, and that it never names or singles
out a patient."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from benchmarks.scale import build_handouts
from handouts.models import Handout, HandoutEvent
from reports.charts import line_chart
from reports.tables import HIDDEN

DASHBOARD = reverse("reports:dashboard")
TABLES = ["weeks", "conditions", "clinicians", "languages", "delivery", "teach_back"]
Kind = HandoutEvent.Kind


def year(client, path=DASHBOARD, **params):
    """The last 52 weeks: every handout build_handouts makes (it spreads them over a year)."""
    today = timezone.localdate()
    return client.get(path, {"start": (today - datetime.timedelta(weeks=52)).isoformat(), **params})


def csv_rows(client, table: str) -> list[list[str]]:
    response = year(client, reverse("reports:csv", args=[table]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("front_desk", 403),
        ("clinician", 403),
        ("outsider", 403),
        ("clinic_lead", 200),
        ("administrator", 200),
    ],
)
def test_clinic_leads_and_administrators_see_the_dashboard_and_no_one_else(
    client, request, persona, status
):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(DASHBOARD).status_code == status
    assert client.get(reverse("reports:csv", args=["weeks"])).status_code == status


def test_signed_out_visitors_are_sent_to_sign_in(client, db):
    response = client.get(DASHBOARD)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def expected_figures(handouts):
    """What each handout's events say, worked out one handout at a time: the test's oracle."""
    figures = {"issued": 0, "links": 0, "opened": 0, "opened_72h": 0, "downloaded": 0}
    for handout in handouts:
        kinds = {event.kind: event for event in reversed(list(handout.events.all()))}
        figures["issued"] += 1
        figures["links"] += Kind.LINK_CREATED in kinds
        figures["downloaded"] += Kind.PATIENT_DOWNLOADED in kinds
        if Kind.CODE_ACCEPTED in kinds:
            figures["opened"] += 1
            wait = kinds[Kind.CODE_ACCEPTED].at - handout.issued_at
            figures["opened_72h"] += wait < datetime.timedelta(hours=72)
    return figures


def test_the_period_figures_are_what_happened_to_each_handout(
    client, clinic_lead, clinician, sample_article
):
    build_handouts(60)
    client.force_login(clinic_lead)

    total = year(client).context["dashboard"].total

    expected = expected_figures(Handout.objects.prefetch_related("events"))
    assert {name: getattr(total, name) for name in expected} == expected
    assert expected["opened"] >= 5 and expected["links"] > expected["opened"]


def test_the_median_time_to_first_open_is_the_middle_wait(
    client, clinic_lead, clinician, sample_article
):
    build_handouts(7)
    # Replace the made-up opens by five known ones: 1, 2, 3, 10 and 50 hours after issue.
    HandoutEvent.objects.filter(kind=Kind.CODE_ACCEPTED).delete()
    for hours, handout in zip([1, 2, 3, 10, 50], Handout.objects.all(), strict=False):
        HandoutEvent.objects.create(
            handout=handout,
            kind=Kind.CODE_ACCEPTED,
            at=handout.issued_at + datetime.timedelta(hours=hours),
        )
    client.force_login(clinic_lead)

    dashboard = year(client).context["dashboard"]

    assert dashboard.total.median_to_open == datetime.timedelta(hours=3)
    assert dashboard.tables["weeks"].total[-1] == "3.0"


def test_no_patient_name_or_record_number_is_ever_shown(
    client, clinic_lead, clinician, sample_article
):
    build_handouts(30)
    Handout.objects.update(patient_name="Zelda Quux", record_number="MRN-424242")
    client.force_login(clinic_lead)

    pages = [year(client).content.decode()]
    pages += [year(client, reverse("reports:csv", args=[t])).content.decode() for t in TABLES]

    for page in pages:
        assert "Zelda" not in page and "Quux" not in page and "424242" not in page


def test_counts_of_fewer_than_five_patients_are_hidden_everywhere(
    client, clinic_lead, clinician, sample_article
):
    build_handouts(3)
    client.force_login(clinic_lead)

    response = year(client)

    dashboard = response.context["dashboard"]
    assert dashboard.tables["weeks"].total[1] == HIDDEN  # 3 handouts issued
    assert all(
        cell in ("0", HIDDEN, "") for row in dashboard.tables["weeks"].rows for cell in row[1:]
    )
    assert "&lt;5" in response.content.decode()
    # The charts draw nothing for a hidden count: no point above zero, no bar.
    assert all(point.value == 0 for series in dashboard.trend.series for point in series.points)
    assert all(bar.issued_width is None for bar in dashboard.by_condition.bars)
    for table in TABLES:
        for row in csv_rows(client, table)[1:]:
            assert not any(cell.isdigit() and 0 < int(cell) < 5 for cell in row[1:]), (table, row)


def test_each_csv_holds_the_table_and_the_numbers_the_charts_plot(
    client, clinic_lead, clinician, sample_article
):
    build_handouts(120)
    client.force_login(clinic_lead)
    dashboard = year(client).context["dashboard"]

    for slug, table in dashboard.tables.items():
        rows = csv_rows(client, slug)
        assert rows[0] == [str(table.first_column), *map(str, table.columns)]
        assert rows[1:] == [*table.rows, *([table.total] if table.total else [])]
    weeks = csv_rows(client, "weeks")[1:-1]  # without the whole period's row
    issued, opened = dashboard.trend.series
    assert [p.value for p in issued.points] == [int(r[1]) for r in weeks if r[1] != HIDDEN]
    assert [p.value for p in opened.points] == [int(r[3]) for r in weeks if r[3] != HIDDEN]
    conditions = csv_rows(client, "conditions")[1:]
    assert [(b.label, b.issued, b.opened) for b in dashboard.by_condition.bars] == [
        (r[0], r[1], r[3]) for r in conditions
    ]


def test_the_dashboard_takes_as_many_queries_for_many_handouts_as_for_few(
    client, clinic_lead, clinician, sample_article
):
    client.force_login(clinic_lead)
    year(client)  # the first request of a session stores the staff's language in it
    build_handouts(5)
    with CaptureQueriesContext(connection) as few:
        year(client)
    build_handouts(200)
    with CaptureQueriesContext(connection) as many:
        year(client)

    assert len(few) == len(many)


def test_the_default_period_is_the_last_twelve_weeks(client, clinic_lead):
    client.force_login(clinic_lead)

    period = client.get(DASHBOARD).context["dashboard"].period

    today = timezone.localdate()
    assert period.last_day == today
    assert period.first_day.weekday() == 0
    assert (today - period.first_day).days // 7 == 11
    assert len(client.get(DASHBOARD).context["dashboard"].tables["weeks"].rows) == 12


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2026-05-01", "end": "2026-04-01"}, "The end date is before the start date."),
        ({"start": "yesterday"}, "Enter a valid date."),
        ({"start": "2020-01-01", "end": "2026-01-01"}, "Choose a period of at most 106 weeks."),
    ],
)
def test_dates_that_make_no_period_get_a_clear_message_and_stay_typed(
    client, clinic_lead, params, message
):
    client.force_login(clinic_lead)

    response = client.get(DASHBOARD, params)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert f'value="{params["start"]}"' in response.content.decode()
    assert client.get(reverse("reports:csv", args=["weeks"]), params).status_code == 400


def test_an_unknown_table_has_no_csv(client, clinic_lead):
    client.force_login(clinic_lead)

    assert client.get(reverse("reports:csv", args=["patients"])).status_code == 404


def test_the_charts_are_accessible_svg_without_inline_style_or_script(
    client, clinic_lead, clinician, sample_article
):
    build_handouts(120)
    client.force_login(clinic_lead)

    html = year(client).content.decode()

    assert html.count('role="img"') == 2
    assert html.count("<title id=") == 2 and html.count("<desc id=") == 2
    assert "style=" not in html and "<script>" not in html.replace("<script src", "")


def test_the_trend_line_leaves_a_gap_for_a_hidden_week():
    chart = line_chart(["a", "b", "c", "d"], [("Issued", "x", ["10", HIDDEN, "12", "14"])])

    (series,) = chart.series
    assert [point.value for point in series.points] == [10, 12, 14]
    assert len(series.paths) == 1 and series.paths[0].count("L") == 1


def test_a_clinic_lead_finds_the_reports_from_the_home_page(client, clinic_lead):
    client.force_login(clinic_lead)

    home = client.get(reverse("home"))

    assert home.status_code == 200
    assert f'href="{DASHBOARD}"' in home.content.decode()


def test_the_dashboard_reads_in_spanish(client, clinic_lead, clinician, sample_article):
    build_handouts(40)
    client.force_login(clinic_lead)
    client.post(reverse("set_language"), {"language": "es", "next": DASHBOARD})

    html = year(client).content.decode()

    assert "Lo que llegó a los pacientes" in html
    assert "Hojas informativas emitidas" in html and "Todo el periodo" in html
