"""Editors set the plan blocks an article version offers on its admin page, as a form."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from education.models import Article
from education.plan_blocks import (
    Activity,
    ActivityOffer,
    Aid,
    AidOffer,
    BackToActivity,
    BackToOffer,
    BackToWhen,
    LegLoad,
    Limb,
    LoadOffer,
    PhysioStart,
    PhysiotherapyOffer,
    PlanOffer,
    SelfCare,
    SelfCareOffer,
    Site,
    SiteOffer,
)
from tests.helpers import article_form, form_value

pytestmark = pytest.mark.django_db

ANKLE_SPRAIN = PlanOffer(
    site=SiteOffer((Site.ANKLE, Site.FOOT), Site.ANKLE, sided=True),
    activity=ActivityOffer((Activity.RELATIVE, Activity.ACTIVE), Activity.ACTIVE),
    load=LoadOffer(Limb.LEG, LegLoad.AS_TOLERATED),
    aids=(AidOffer(Aid.CRUTCHES, 2, False), AidOffer(Aid.BRACE, 6, True)),
    self_care=(SelfCareOffer(SelfCare.COLD, 4, 15, 3, True),),
    physiotherapy=PhysiotherapyOffer(PhysioStart.AT_VISIT, 7),
    back_to=BackToOffer((BackToActivity.WORK, BackToActivity.SPORT), BackToWhen.DATE),
)


def change_url(article: Article) -> str:
    return reverse("admin:education_article_change", args=[article.pk])


def with_plan(draft: Article, **plan_fields: object) -> dict:
    """The draft's form as the browser sends it, with the plan fields given changed."""
    data = article_form(draft)
    data |= {f"plan_{name}": form_value(value) for name, value in plan_fields.items()}
    return data


def test_an_editor_sets_every_block_and_reads_it_back(
    client: Client, editor: User, draft: Article
) -> None:
    client.force_login(editor)
    data = with_plan(
        draft,
        site=True,
        site_sites=["ankle", "foot"],
        site_default="ankle",
        site_sided=True,
        activity=["relative", "active"],
        activity_default="active",
        load="leg",
        load_leg="as_tolerated",
        aid_crutches=True,
        aid_crutches_weeks=2,
        aid_crutches_selected=False,
        aid_brace=True,
        aid_brace_weeks=6,
        aid_brace_selected=True,
        care_cold=True,
        care_cold_times=4,
        care_cold_minutes=15,
        care_cold_days=3,
        care_cold_selected=True,
        physio="at_visit",
        physio_days=7,
        back_to=["work", "sport"],
        back_to_default="date",
    )

    response = client.post(change_url(draft), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    draft.refresh_from_db()
    assert draft.plan_offer() == ANKLE_SPRAIN
    # Opened again, the form shows what was saved: sending it back changes nothing.
    form = client.get(change_url(draft)).context["adminform"].form
    assert form.initial["plan_site_sites"] == [Site.ANKLE, Site.FOOT]
    assert form.initial["plan_aid_brace_weeks"] == 6
    assert client.post(change_url(draft), article_form(draft)).status_code == 302
    draft.refresh_from_db()
    assert draft.plan_offer() == ANKLE_SPRAIN


def test_unticking_a_block_stops_offering_it(client: Client, editor: User, draft: Article) -> None:
    client.force_login(editor)
    response = client.post(change_url(draft), with_plan(draft, aid_crutches=False, physio=""))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.plan_offer().aids == ()
    assert draft.plan_offer().physiotherapy is None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"site_default": "hip", "site_sites": ["knee"]}, "plan_site_default", "must be one of"),
        ({"site_sites": []}, "plan_site_sites", "at least one site"),
        ({"load": "arm", "load_arm": "light"}, "plan_aid_crutches", "load block for a leg"),
        (
            {"activity": ["relative"], "activity_default": "rest"},
            "plan_activity_default",
            "must be one of",
        ),
        ({"activity_rest_weeks": 0}, "plan_activity_rest_weeks", "at least 1"),
        ({"aid_brace": True, "aid_brace_weeks": ""}, "plan_aid_brace_weeks", "Give a value"),
        ({"activity": ["active"], "activity_default": "active"}, "plan_physio", "after_rest"),
    ],
)
def test_an_offer_that_does_not_fit_is_shown_next_to_its_field_and_nothing_typed_is_lost(
    client: Client, editor: User, draft: Article, changes: dict, field: str, message: str
) -> None:
    client.force_login(editor)
    before = draft.plan
    data = with_plan(draft, **changes) | {"title": "A new title"}

    response = client.post(change_url(draft), data)

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert list(form.errors) == [field]
    assert message in form.errors[field][0]
    assert form["title"].value() == "A new title"
    for name, value in changes.items():
        assert form[f"plan_{name}"].value() in (value, form_value(value), str(value))
    draft.refresh_from_db()
    assert draft.plan == before and draft.title != "A new title"


def test_a_published_versions_plan_shows_read_only_in_plain_words(
    client: Client, editor: User, sample_article: Article
) -> None:
    client.force_login(editor)
    page = client.get(change_url(sample_article)).content.decode()
    assert "Leg; default Some weight (partial)" in page
    assert 'name="plan_load"' not in page
