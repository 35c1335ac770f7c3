"""Visit packets (issue 23): one handout, one PDF, one link and code for up to three conditions
of one visit, each with its own plan. Built with the builder without JavaScript (the browser
test covers the page's script), printed as one PDF, and checked across conditions."""

import datetime
import io
from collections.abc import Callable
from typing import Any

import pytest
from django import forms
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader
from time_machine import TimeMachineFixture

from education.models import Article
from education.packs import load_shipped
from handouts.issuing import build_condition, build_visit
from handouts.models import CONDITION_CHOICES, Handout, HandoutCondition
from handouts.pdf.render import handout_html, render_handout_pdf
from portal.models import ClinicProfile
from tests.helpers import TestResponse, pdf_text, present

pytestmark = pytest.mark.django_db

PACKET = ["ankle-sprain", "low-back-pain", "knee-osteoarthritis"]
TITLES = {
    "ankle-sprain": "Ankle sprain",
    "low-back-pain": "Low back pain",
    "knee-osteoarthritis": "Knee osteoarthritis",
}


@pytest.fixture
def shipped(db: None) -> None:
    for slug in PACKET:
        load_shipped(slug)


def posted(form: forms.Form) -> dict[str, Any]:
    """What a browser posts for the form as shown: ticked boxes as "on", unticked ones left
    out, dates as ISO dates, under the form's prefix."""
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form[name].value()
        key = form.add_prefix(name)
        if isinstance(field.widget, forms.CheckboxInput):
            if value and value != "False":
                data[key] = "on"
        elif isinstance(value, (list, tuple)):
            data[key] = [str(item) for item in value]
        elif isinstance(value, datetime.date):
            data[key] = value.isoformat()
        else:
            data[key] = "" if value is None else str(value)
    return data


def page_data(response: TestResponse) -> dict[str, Any]:
    """Everything the builder page would post back as it is shown."""
    context = response.context
    data = posted(context["form"])
    for added in context["packet"]:
        data |= posted(added.form)
    data["packet"] = [added.slug for added in context["packet"]]
    return data


def errors_of(response: TestResponse) -> dict:
    context = response.context
    return {
        "form": context["form"].errors,
        **{added.slug: added.form.errors for added in context["packet"]},
    }


def single_pages(condition: HandoutCondition, clinician: User, clinic: ClinicProfile) -> int:
    """The pages of the condition's handout on its own, with the same choices."""
    visit = {"patient_name": "Ana Demo", "visit_date": condition.visit_date, "paper_size": "a4"}
    alone = build_visit(
        [build_condition(condition.article, {n: getattr(condition, n) for n in CONDITION_CHOICES})],
        visit,
        issued_by=clinician,
    )
    return len(PdfReader(io.BytesIO(render_handout_pdf(alone, clinic))).pages)


def outline_titles(outline: list) -> list[str]:
    """Every entry of a PDF's outline (bookmarks), nested ones included."""
    return [
        title
        for item in outline
        for title in (outline_titles(item) if isinstance(item, list) else [item.title])
    ]


def builder(slug: str = "ankle-sprain", language: str = "en") -> str:
    return reverse("handouts:new", args=[slug, language])


def add(client: Client, data: dict[str, Any], search: str, language: str = "en") -> TestResponse:
    return client.post(
        builder("ankle-sprain", language),
        data | {"action": "add_condition", "condition_search": search},
    )


def packet_of(client: Client, *searches: str) -> tuple[TestResponse, dict[str, Any]]:
    """The builder after adding conditions by name, as a clinician without JavaScript does."""
    response = client.get(builder())
    data = page_data(response) | {"patient_name": "Ana Demo"}
    for search in searches:
        response = add(client, data, search)
        assert response.status_code == 200
        data = page_data(response)
    return response, data


def issued_packet(client: Client, *searches: str) -> Handout:
    """The handout issued from the builder with those conditions added (packet_of)."""
    _response, data = packet_of(client, *searches)
    client.post(builder(), data | {"action": "issue"})
    return Handout.objects.get()


def test_without_javascript_a_condition_is_added_keeping_everything_typed(
    client: Client,
    clinician: User,
    shipped: None,
    clinic: ClinicProfile,
    visit_day: TimeMachineFixture,
) -> None:
    client.force_login(clinician)
    response = client.get(builder())
    data = page_data(response) | {"patient_name": "Ana Demo", "clinician_note": "Ice it."}
    response = add(client, data, "low back pain")
    assert [added.slug for added in response.context["packet"]] == ["low-back-pain"]
    html = response.content.decode()
    assert 'value="Ana Demo"' in html and "Ice it." in html
    assert not response.context["form"].errors  # nothing checked yet: the clinician is not done
    assert 'name="c-low-back-pain-activity"' in html
    assert '<input type="hidden" name="packet" value="low-back-pain">' in html

    response = client.post(builder(), page_data(response) | {"action": "issue"})
    assert response.status_code == 302, errors_of(response)
    handout = Handout.objects.get()
    assert [c.article.condition.slug for c in handout.conditions.all()] == [
        "ankle-sprain",
        "low-back-pain",
    ]
    assert handout.title == "Ankle sprain + Low back pain"
    assert handout.patient_name == "Ana Demo"


def test_a_condition_is_removed_and_the_others_keep_what_was_typed(
    client: Client,
    clinician: User,
    shipped: None,
    clinic: ClinicProfile,
    visit_day: TimeMachineFixture,
) -> None:
    client.force_login(clinician)
    response, data = packet_of(client, "low back pain", "knee osteoarthritis")
    data["c-knee-osteoarthritis-follow_up_date"] = "2027-03-01"
    response = client.post(builder(), data | {"remove": "low-back-pain"})
    assert [added.slug for added in response.context["packet"]] == ["knee-osteoarthritis"]
    assert response.context["packet"][0].form["follow_up_date"].value() == "2027-03-01"
    assert response.context["form"]["patient_name"].value() == "Ana Demo"


def test_a_search_matching_several_conditions_offers_them_to_choose(
    client: Client,
    clinician: User,
    shipped: None,
    clinic: ClinicProfile,
    visit_day: TimeMachineFixture,
) -> None:
    client.force_login(clinician)
    load_shipped("neck-pain")
    response = client.get(builder())
    response = add(client, page_data(response), "pain")
    assert "Several conditions match" in response.content.decode()
    offered = {match.condition.slug for match in response.context["condition_matches"]}
    assert {"low-back-pain", "neck-pain"} <= offered
    response = client.post(builder(), page_data(response) | {"add_slug": "low-back-pain"})
    assert [added.slug for added in response.context["packet"]] == ["low-back-pain"]


def test_at_most_three_conditions_each_once_each_published_in_the_language(
    client: Client,
    clinician: User,
    shipped: None,
    clinic: ClinicProfile,
    visit_day: TimeMachineFixture,
) -> None:
    client.force_login(clinician)
    load_shipped("tennis-elbow")
    response, data = packet_of(client, "low back pain")
    response = add(client, data, "ankle sprain")
    assert "Ankle sprain is already in this handout." in response.content.decode()
    response = add(client, data, "no such thing")
    assert "No condition in the library matches “no such thing”." in response.content.decode()

    response, data = packet_of(client, "low back pain", "knee osteoarthritis")
    assert 'id="packet-add" data-url' in response.content.decode()
    assert response.context["can_add_condition"] is False
    response = add(client, data, "tennis elbow")
    assert "A handout can hold at most 3 conditions." in response.content.decode()
    assert len(response.context["packet"]) == 2


def test_a_condition_without_an_article_in_the_handouts_language_is_refused(
    client: Client, clinician: User, visit_day: TimeMachineFixture
) -> None:
    from tests.helpers import shipped_language

    load_shipped("ankle-sprain")
    shipped_language("low-back-pain", "en")
    client.force_login(clinician)
    response = client.get(builder("ankle-sprain", "es"))
    response = add(client, page_data(response), "low back pain", language="es")
    with translation.override("en"):
        assert response.context["packet"] == []
    assert "has a published article in Spanish" in response.content.decode()


def test_choices_that_contradict_across_conditions_are_refused_naming_both(
    client: Client,
    clinician: User,
    shipped: None,
    clinic: ClinicProfile,
    visit_day: TimeMachineFixture,
) -> None:
    client.force_login(clinician)
    response, data = packet_of(client, "low back pain")
    data |= {
        "activity": "rest",
        "rest_weeks": "6",
        "c-low-back-pain-back_to": "date",
        "c-low-back-pain-back_to_date": "2027-02-20",
        "action": "issue",
    }
    response = client.post(builder(), data)
    assert response.status_code == 200
    assert Handout.objects.count() == 0
    (error,) = response.context["form"].non_field_errors()
    assert "Ankle sprain says no sport during rest, but Low back pain says" in error
    assert error in response.content.decode()

    data["c-low-back-pain-back_to_date"] = "2027-03-20"  # after the six weeks of rest
    assert client.post(builder(), data).status_code == 302


def test_the_packets_pdf_has_page_one_for_every_plan_and_one_help_box(
    client: Client,
    clinician: User,
    shipped: None,
    clinic: ClinicProfile,
    visit_day: TimeMachineFixture,
) -> None:
    client.force_login(clinician)
    _response, data = packet_of(client, "low back pain", "knee osteoarthritis")
    assert client.post(builder(), data | {"action": "issue"}).status_code == 302
    handout = Handout.objects.get()
    pdf = present(handout.verified_pdf())
    reader = PdfReader(io.BytesIO(pdf))
    # One letterhead, one help box and one "About this handout" for the three: shorter than
    # the three handouts on their own.
    alone = sum(single_pages(condition, clinician, clinic) for condition in handout.condition_list)
    assert len(reader.pages) < alone
    page_one = " ".join(reader.pages[0].extract_text().split())
    for title in TITLES.values():
        assert f"Your plan: {title}" in pdf_text(pdf)
    assert "Your plan: Ankle sprain" in page_one
    # The outline: an entry for each condition.
    outline = outline_titles(reader.outline)
    for title in TITLES.values():
        assert title in outline
    text = pdf_text(pdf)
    assert text.count("go to the emergency room now if") == 1  # one help box for all three
    signs = [
        s["text"]
        for condition in handout.condition_list
        for s in condition.snapshot["warning_signs"]
    ]
    # (Teach-back's "Check yourself" box may offer a sign as an answer: not a help box.)
    before_check = text[: text.index("Check yourself")]
    for sign in set(signs):
        assert before_check.count(" ".join(sign.split())) == 1, sign
    assert f"Call {clinic.emergency_number}" in text or clinic.emergency_number in text


def test_a_one_condition_handout_prints_as_before(
    clinician: User, sample_article: Article, clinic: ClinicProfile, issue: Callable[..., Handout]
) -> None:
    handout = issue(sample_article)
    html = handout_html(handout, clinic)
    assert 'id="plan-heading">Your plan</h2>' in html
    assert "condition-part" not in html
    assert handout.pdf_filename() == "handout-bone-marrow-edema-2027-02-02.pdf"


def test_the_reading_view_has_jump_links_to_each_condition(
    client: Client,
    clinician: User,
    shipped: None,
    clinic: ClinicProfile,
    visit_day: TimeMachineFixture,
) -> None:
    from handouts.sharing import create_share_link

    client.force_login(clinician)
    handout = issued_packet(client, "low back pain")
    link = create_share_link(handout, staff=clinician)
    patient = Client()
    patient.post(reverse("patient:open", args=[link.token]), {"code": link.code})
    html = patient.get(reverse("patient:read", args=[link.token])).content.decode()
    assert '<a href="#condition">Ankle sprain</a>' in html
    assert '<a href="#condition-2">Low back pain</a>' in html
    assert 'id="condition-2"' in html


def test_staff_pages_name_every_condition(
    client: Client,
    clinician: User,
    shipped: None,
    clinic: ClinicProfile,
    visit_day: TimeMachineFixture,
) -> None:
    client.force_login(clinician)
    handout = issued_packet(client, "low back pain")
    for url in [handout.get_absolute_url(), reverse("handouts:list")]:
        assert "Ankle sprain + Low back pain" in client.get(url).content.decode(), url
    listed = client.post(reverse("handouts:list"), {"condition": "back pain"})
    assert list(listed.context["page"].object_list) == [handout]


def test_query_counts_grow_by_a_constant_per_condition(
    client: Client,
    clinician: User,
    shipped: None,
    clinic: ClinicProfile,
    visit_day: TimeMachineFixture,
) -> None:
    client.force_login(clinician)
    counts: dict[str, list[int]] = {"builder": [], "preview": [], "issue": [], "detail": []}
    for searches in ([], ["low back pain"], ["low back pain", "knee osteoarthritis"]):
        _response, data = packet_of(client, *searches)
        for page, post in [("builder", {"remove": "x"}), ("preview", {"action": "preview"})]:
            with CaptureQueriesContext(connection) as captured:
                client.post(builder(), data | post)
            counts[page].append(len(captured.captured_queries))
        with CaptureQueriesContext(connection) as captured:
            client.post(builder(), data | {"action": "issue"})
        counts["issue"].append(len(captured.captured_queries))
        handout = present(Handout.objects.order_by("-pk").first())
        with CaptureQueriesContext(connection) as captured:
            client.get(handout.get_absolute_url())
        counts["detail"].append(len(captured.captured_queries))
    for page, (one, two, three) in counts.items():
        # A packet costs a fixed query or two (its articles, in one query), then the same
        # per condition (its snapshot's parts).
        assert three - two <= two - one <= three - two + 2, (page, counts[page])
        assert three - two <= 10, (page, counts[page])
    assert HandoutCondition.objects.filter(handout=handout).count() == 3


def test_the_condition_block_for_the_page_script(
    client: Client, clinician: User, shipped: None
) -> None:
    client.force_login(clinician)
    url = reverse("handouts:packet_condition", args=["ankle-sprain", "en"])
    html = client.get(url, {"condition_search": "low back pain"}).content.decode()
    assert '<input type="hidden" name="packet" value="low-back-pain">' in html
    assert 'name="c-low-back-pain-activity"' in html
    html = client.get(
        url, {"condition_search": "knee", "packet": ["low-back-pain", "knee-osteoarthritis"]}
    ).content.decode()
    assert "A handout can hold at most 3 conditions." in html


def test_updating_a_packet_carries_every_conditions_choices_over(
    client: Client,
    clinician: User,
    shipped: None,
    clinic: ClinicProfile,
    visit_day: TimeMachineFixture,
    editor: User,
    administrator: User,
) -> None:
    from education.workflow import publish, start_draft, submit_for_review

    client.force_login(clinician)
    _response, data = packet_of(client, "low back pain")
    data["c-low-back-pain-follow_up_date"] = "2027-03-01"
    client.post(builder(), data | {"action": "issue"})
    old = Handout.objects.get()
    back = Article.objects.published().get(condition__slug="low-back-pain", language="en")
    draft = start_draft(back, editor)
    therapy = present(draft.therapies.first())
    draft.therapies.filter(pk=therapy.pk).update(times_per_week=therapy.times_per_week + 1)
    submit_for_review(draft, editor)
    publish(draft, administrator)
    assert list(Handout.objects.from_changed_content()) == [old]

    detail = client.get(old.get_absolute_url()).content.decode()
    assert f"/handouts/new/ankle-sprain/en/?from={old.public_id}" in detail
    response = client.get(builder(), {"from": str(old.public_id)})
    (added,) = response.context["packet"]
    assert added.slug == "low-back-pain"
    assert added.form.initial["follow_up_date"] == datetime.date(2027, 3, 1)
    response = client.post(builder(), page_data(response) | {"action": "issue"})
    assert response.status_code == 302, errors_of(response)
    new = Handout.objects.exclude(pk=old.pk).get()
    assert new.replaces == old and new.title == "Ankle sprain + Low back pain"
    assert new.condition_list[1].follow_up_date == datetime.date(2027, 3, 1)
    assert list(Handout.objects.from_changed_content()) == []
