"""Handouts made from an article version that has since changed: flagged, listed, and updated
with the same personal choices."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.forms import BaseForm
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from time_machine import TimeMachineFixture

from education.models import Article, PreventionTip, Therapy
from education.workflow import archive, publish, start_draft, submit_for_review
from handouts.models import Handout
from handouts.retention import purge_handout
from portal.models import ClinicProfile

pytestmark = pytest.mark.django_db


def new_version(
    article: Article,
    editor: User,
    reviewer: User,
    change: Callable[[Article], None] | None = None,
    **publish_options: Any,
) -> Article:
    draft = start_draft(article, editor)
    if change:
        change(draft)
    submit_for_review(draft, editor)
    return publish(draft, reviewer, **publish_options)


def rewrite_overview(draft: Article) -> None:
    section = draft.sections.get(kind="overview")
    section.body = "Fluid has built up inside the bone. It often heals with rest."
    section.save()


def builder_url(handout: Handout) -> str:
    url = reverse(
        "handouts:new", args=[handout.condition_list[0].article.condition.slug, handout.language]
    )
    return f"{url}?from={handout.public_id}"


def as_submitted(form: BaseForm, **overrides: object) -> dict[str, object]:
    """What the builder posts when the clinician changes nothing and presses Issue."""
    data: dict[str, object] = {}
    for name in form.fields:
        value = form[name].value()
        if value is True:
            data[name] = "on"
        elif value not in (None, False):
            data[name] = value
    return data | {"action": "issue"} | overrides


def changed_list(client: Client) -> list[Handout]:
    response = client.get(reverse("handouts:changed"))
    assert response.status_code == 200
    return list(response.context["page"].object_list)


def test_a_republished_version_with_the_same_text_does_not_flag_the_handout(
    client: Client,
    clinician: User,
    handout: Handout,
    sample_article: Article,
    editor: User,
    administrator: User,
) -> None:
    live = new_version(sample_article, editor, administrator)
    assert live.version == 2 and live.reviewed_by  # re-approved: only review metadata changed
    handout.refresh_from_db()
    assert not Handout.objects.from_changed_content().exists()
    client.force_login(clinician)
    assert "reads differently" not in client.get(handout.get_absolute_url()).content.decode()
    assert changed_list(client) == []


def test_a_text_change_in_a_new_version_flags_the_handout(
    handout: Handout, sample_article: Article, editor: User, administrator: User
) -> None:
    new_version(sample_article, editor, administrator, rewrite_overview)
    assert list(Handout.objects.from_changed_content()) == [handout]


def test_handout_page_shows_the_newer_version_and_offers_an_updated_handout(
    client: Client,
    clinician: User,
    front_desk: User,
    handout: Handout,
    sample_article: Article,
    editor: User,
    administrator: User,
    visit_day: TimeMachineFixture,
) -> None:
    new_version(sample_article, editor, administrator, rewrite_overview)
    client.force_login(clinician)
    html = client.get(handout.get_absolute_url()).content.decode()
    assert (
        "A newer version of this article (version 2, published on 2 February 2027) reads "
        "differently from this handout"
    ) in html
    assert "Issue an updated handout with the same choices" in html
    assert builder_url(handout) in html

    client.force_login(front_desk)  # may view handouts, not issue them
    html = client.get(handout.get_absolute_url()).content.decode()
    assert "reads differently" in html
    assert builder_url(handout) not in html


def test_handout_page_says_when_the_article_was_withdrawn(
    client: Client, clinician: User, handout: Handout, sample_article: Article, administrator: User
) -> None:
    archive(sample_article, administrator)
    client.force_login(clinician)
    html = client.get(handout.get_absolute_url()).content.decode()
    assert "This article is no longer published" in html
    assert "Issue an updated handout" not in html


@pytest.fixture
def custom_handout(
    sample_article: Article, issue: Callable[..., Handout], visit_day: TimeMachineFixture
) -> Handout:
    """Magnet treatment at the clinician's own frequency, muscle relaxation, and two tips: one
    the article suggests and one it leaves out by default."""
    therapies = list(sample_article.therapies.all())
    tips = list(sample_article.prevention_tips.all())
    return issue(
        sample_article,
        therapy_plan=[
            {"key": str(therapies[0].lineage), "times_per_week": 5, "weeks": 2},
            {"key": str(therapies[2].lineage), "times_per_week": 2, "weeks": 6},
        ],
        prevention_tip_keys=[str(tips[0].lineage), str(tips[3].lineage)],
        clinician_note="Ice it after the pool.",
        large_print=True,
    )


def restructure(draft: Article) -> None:
    """Magnet treatment gets a new suggested frequency, muscle relaxation and the first tip go,
    and a therapy and a tip are added."""
    draft.therapies.filter(name="Magnet treatment").update(times_per_week=2)
    draft.therapies.filter(name="Muscle relaxation").delete()
    Therapy.objects.create(
        article=draft, name="Cycling", position=9, instructions="Ride an exercise bike gently."
    )
    draft.prevention_tips.filter(text__startswith="Do not push").delete()
    PreventionTip.objects.create(article=draft, text="Wear shoes that fit well.", position=9)


def live_key(live: Article, old_key: str) -> str:
    """The live version's choice key for the part that had `old_key` in the old version: the
    same, its lineage, though the live version's part is another row."""
    for model in (Therapy, PreventionTip):
        part = model.objects.filter(article=live, lineage=old_key).first()
        if part is not None:
            assert not model.objects.filter(pk=part.pk, article=live.based_on).exists()
            return str(part.lineage)
    raise AssertionError(f"{old_key} is not in the live version")


def test_updating_prefills_the_same_choices_matched_by_lineage(
    client: Client,
    clinician: User,
    custom_handout: Handout,
    sample_article: Article,
    editor: User,
    administrator: User,
) -> None:
    live = new_version(sample_article, editor, administrator, restructure)
    client.force_login(clinician)
    response = client.get(builder_url(custom_handout))
    assert response.status_code == 200
    initial = response.context["form"].initial

    assert initial["patient_name"] == custom_handout.patient_name
    assert initial["visit_date"] == datetime.date(2027, 2, 2)
    assert initial["rest_weeks"] == 6 and initial["load"] == "partial"
    assert initial["activity"] == "rest" and initial["aid-crutches"] is True
    assert initial["clinician_note"] == "Ice it after the pool."
    assert initial["large_print"] is True
    assert initial["replaces"] == custom_handout.public_id

    magneto = live_key(live, custom_handout.condition_list[0].therapy_plan[0]["key"])
    assert initial[f"{magneto}-include"] is True
    # The clinician's own frequency, not the article's new suggestion.
    assert (initial[f"{magneto}-times_per_week"], initial[f"{magneto}-weeks"]) == (5, 2)
    heat = str(live.therapies.get(name="Heat treatment").lineage)
    cycling = str(live.therapies.get(name="Cycling").lineage)
    assert initial[f"{heat}-include"] is False  # not chosen before, so not now
    assert initial[f"{cycling}-include"] is False  # new: the clinician decides

    coach = live_key(live, custom_handout.condition_list[0].prevention_tip_keys[1])
    shoes = str(live.prevention_tips.get(text__startswith="Wear shoes").lineage)
    assert set(initial["prevention_tips"]) == {coach, shoes}

    html = response.content.decode()
    assert "Updating" in html and "the handout issued on 2 February 2027" in html
    assert (
        "No longer in the article: Muscle relaxation; Do not push your body harder than "
        "it is ready for."
    ) in html
    assert "New in this version: Cycling; Wear shoes that fit well." in html
    assert "Suggested frequency changed: Magnet treatment (now 2× a week for 4 weeks)" in html
    assert custom_handout.patient_name not in response.request["QUERY_STRING"]


def test_issuing_the_update_records_what_it_replaces_and_clears_the_list(
    client: Client,
    clinician: User,
    custom_handout: Handout,
    sample_article: Article,
    editor: User,
    administrator: User,
) -> None:
    live = new_version(sample_article, editor, administrator, restructure)
    client.force_login(clinician)
    assert changed_list(client) == [custom_handout]
    form = client.get(builder_url(custom_handout)).context["form"]

    response = client.post(
        reverse("handouts:new", args=["bone-marrow-edema", "en"]), as_submitted(form)
    )
    updated = Handout.objects.get(replaces=custom_handout)
    assert response["Location"] == updated.get_absolute_url()
    assert updated.condition_list[0].article == live
    assert updated.condition_list[0].therapy_plan == [
        {
            "key": live_key(live, custom_handout.condition_list[0].therapy_plan[0]["key"]),
            "times_per_week": 5,
            "weeks": 2,
        },
    ]
    assert updated.patient_name == custom_handout.patient_name
    assert changed_list(client) == []

    html = client.get(custom_handout.get_absolute_url()).content.decode()
    assert "An updated handout was issued on" in html
    assert updated.get_absolute_url() in html
    assert "Issue an updated handout" not in html
    assert (
        custom_handout.get_absolute_url() in client.get(updated.get_absolute_url()).content.decode()
    )


def test_the_handout_being_updated_is_checked_again_when_the_form_is_sent(
    client: Client,
    clinician: User,
    handout: Handout,
    sample_article: Article,
    editor: User,
    administrator: User,
) -> None:
    new_version(sample_article, editor, administrator, rewrite_overview)
    client.force_login(clinician)
    form = client.get(builder_url(handout)).context["form"]
    purge_handout(handout, timezone.now())
    response = client.post(
        reverse("handouts:new", args=["bone-marrow-edema", "en"]), as_submitted(form), follow=True
    )
    assert response.redirect_chain[-1][0] == handout.get_absolute_url()
    assert "cannot be carried over" in response.content.decode()
    assert not Handout.objects.filter(replaces=handout).exists()


def test_purged_handouts_are_not_listed_and_cannot_be_updated(
    client: Client,
    clinician: User,
    handout: Handout,
    sample_article: Article,
    editor: User,
    administrator: User,
) -> None:
    new_version(sample_article, editor, administrator, rewrite_overview)
    purge_handout(handout, timezone.now())
    client.force_login(clinician)
    assert changed_list(client) == []
    html = client.get(handout.get_absolute_url()).content.decode()
    assert "Issue an updated handout" not in html
    response = client.get(builder_url(handout), follow=True)
    assert response.redirect_chain == [(handout.get_absolute_url(), 302)]
    assert "personal data was removed" in response.content.decode()


def test_a_handout_of_another_condition_or_an_unknown_one_cannot_be_carried_over(
    client: Client, clinician: User, handout: Handout, sample_article: Article
) -> None:
    spanish = Article.objects.create(
        condition=sample_article.condition,
        language="es",
        title="Edema óseo",
        summary="Líquido dentro del hueso.",
        state=Article.State.PUBLISHED,
        version=1,
    )
    client.force_login(clinician)
    url = reverse("handouts:new", args=["bone-marrow-edema", spanish.language])
    response = client.get(f"{url}?from={handout.public_id}", follow=True)
    assert response.redirect_chain == [(handout.get_absolute_url(), 302)]
    assert "another condition or language" in response.content.decode()
    assert client.get(f"{url}?from=00000000-0000-0000-0000-000000000000").status_code == 404
    assert client.get(f"{url}?from=not-a-uuid").status_code == 404


def test_changed_list_shows_versions_and_can_be_narrowed_to_my_handouts(
    client: Client,
    clinician: User,
    administrator: User,
    sample_article: Article,
    issue: Callable[..., Handout],
    editor: User,
    visit_day: TimeMachineFixture,
) -> None:
    mine = issue(sample_article, patient_name="Ana Mine")
    theirs = issue(sample_article, patient_name="Bo Theirs")
    Handout.objects.filter(pk=theirs.pk).update(
        issued_by=administrator, issued_by_name="Administrator"
    )
    new_version(sample_article, editor, administrator, rewrite_overview)
    client.force_login(clinician)
    response = client.get(reverse("handouts:changed"))
    html = response.content.decode()
    assert "Ana Mine" in html and "Bo Theirs" in html
    assert "Version 1" in html and "Version 2, 2 Feb 2027" in html
    assert mine.get_absolute_url() in html and theirs.get_absolute_url() in html

    response = client.get(reverse("handouts:changed"), {"mine": "on"})
    assert list(response.context["page"].object_list) == [mine]

    listing = client.get(reverse("handouts:list")).content.decode()
    assert reverse("handouts:changed") in listing
    assert '<span class="badge text-bg-warning">2</span>' in listing


@pytest.mark.parametrize(
    "persona, status", [("outsider", 403), ("editor", 403), ("front_desk", 200), ("clinician", 200)]
)
def test_only_roles_that_view_handouts_see_the_changed_list(
    client: Client, personas: dict[str, User], persona: str, status: int
) -> None:
    client.force_login(personas[persona])
    assert client.get(reverse("handouts:changed")).status_code == status


def test_builder_warns_when_the_article_is_overdue_for_review_and_still_issues(
    client: Client,
    clinician: User,
    sample_article: Article,
    editor: User,
    administrator: User,
    visit_day: TimeMachineFixture,
    clinic: ClinicProfile,
) -> None:
    live = new_version(
        sample_article, editor, administrator, next_review_due=datetime.date(2027, 6, 1)
    )
    url = reverse("handouts:new", args=["bone-marrow-edema", "en"])
    client.force_login(clinician)
    assert "due for clinical review" not in client.get(url).content.decode()

    visit_day.move_to(datetime.datetime(2027, 6, 2, 9, tzinfo=datetime.UTC))
    client.force_login(clinician)  # the first session has long expired
    response = client.get(url)
    assert "This article was due for clinical review on 1 June 2027" in (response.content.decode())
    data = as_submitted(response.context["form"], patient_name="Ana Early")
    response = client.post(url, data)
    issued = Handout.objects.get(patient_name="Ana Early")
    assert response["Location"] == issued.get_absolute_url()
    assert issued.condition_list[0].article == live
