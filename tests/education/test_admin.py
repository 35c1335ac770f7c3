"""Editors work on a whole article on one admin page; every change is kept and revertable."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from education.models import Article, Condition, Section
from tests.helpers import article_form, form_value, present


def add_row(data: dict, prefix: str, **fields: object) -> dict[str, object]:
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    for name, value in fields.items():
        data[f"{prefix}-{index}-{name}"] = form_value(value)
    return data


@pytest.fixture
def condition(db: None) -> Condition:
    return Condition.objects.create(slug="shin-splints", name="Shin splints")


@pytest.mark.django_db
def test_editor_adds_a_whole_article_with_its_parts_on_one_page(
    client: Client, editor: User, condition: Condition
) -> None:
    client.force_login(editor)
    data = article_form(
        condition=condition.pk,
        language="en",
        title="Shin splints",
        summary="Pain along the shin bone.",
    )
    add_row(data, "sections", kind="overview", heading="", body="It **hurts**.", position=0)
    add_row(data, "sections", kind="prevention", heading="Stay well", body="- Warm up", position=1)
    add_row(data, "sources", citation="A textbook", url="https://example.org/a", position=0)
    add_row(
        data, "therapies", name="Ice", instructions="Ice it.", times_per_week=7, weeks=2, position=0
    )
    add_row(data, "prevention_tips", text="Warm up first.", selected_by_default=True, position=0)
    add_row(data, "warning_signs", text="Numb foot.", urgency="emergency", position=0)

    response = client.post(reverse("admin:education_article_add"), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    article = Article.objects.get(title="Shin splints")
    assert article.state == Article.State.DRAFT and article.version is None
    assert article.contributors.get() == editor
    assert [s.display_heading for s in article.sections.all()] == ["Overview", "Stay well"]
    assert present(article.sections.first()).body_html == "<p>It <strong>hurts</strong>.</p>"
    assert article.therapies.get().times_per_week == 7
    assert article.warning_signs.get().urgency == "emergency"
    assert article.history.get().history_user == editor


@pytest.mark.django_db
def test_invalid_input_is_shown_next_to_the_field_and_nothing_typed_is_lost(
    client: Client, editor: User, draft: Article
) -> None:
    client.force_login(editor)
    data = article_form(draft, title="")
    data["sections-0-body"] = "A long new paragraph the editor spent ten minutes writing."
    data["therapies-0-times_per_week"] = "99"
    url = reverse("admin:education_article_change", args=[draft.pk])

    response = client.post(url, data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "This field is required." in html
    assert "Ensure this value is less than or equal to 14." in html
    assert "A long new paragraph the editor spent ten minutes writing." in html
    draft.refresh_from_db()
    assert draft.title != ""
    assert "ten minutes" not in present(draft.sections.first()).body
    assert not draft.contributors.exists()


@pytest.mark.django_db
def test_a_second_draft_in_the_same_language_is_refused_with_a_message(
    client: Client, editor: User, draft: Article
) -> None:
    client.force_login(editor)
    data = article_form(
        condition=draft.condition_id,
        language="en",
        title="Copy",
        summary="Copy",
    )
    response = client.post(reverse("admin:education_article_add"), data)
    assert response.status_code == 200
    assert "already has a draft in this language" in response.content.decode()
    assert Article.objects.count() == 2


@pytest.mark.django_db
def test_article_list_filters_by_state_language_and_overdue_review_and_searches_codes(
    client: Client, editor: User, sample_article: Article
) -> None:
    client.force_login(editor)
    url = reverse("admin:education_article_changelist")
    # Never reviewed (sample content), so overdue.
    for query, expected in [
        ({"state": "published"}, 1),
        ({"state": "draft"}, 0),
        ({"language": "es"}, 0),
        ({"review": "overdue"}, 1),
        ({"review": "current"}, 0),
        ({"review": "soon"}, 0),
        ({"q": "M89.8X6"}, 1),
        ({"q": "oedema"}, 1),
        ({"q": "nothing-like-this"}, 0),
    ]:
        response = client.get(url, query)
        assert response.context["cl"].result_count == expected, query


@pytest.mark.django_db
def test_history_of_article_and_its_parts_is_viewable_and_a_section_can_be_reverted(
    client: Client, editor: User, draft: Article
) -> None:
    client.force_login(editor)
    section = draft.sections.get(kind="overview")
    original_body = section.body
    data = article_form(draft, title="Bone marrow edema (edited)")
    index = list(draft.sections.all()).index(section)
    data[f"sections-{index}-body"] = "Changed by mistake."
    change_url = reverse("admin:education_article_change", args=[draft.pk])
    assert client.post(change_url, data).status_code == 302

    history = client.get(reverse("admin:education_article_history", args=[draft.pk]))
    html = history.content.decode()
    assert history.status_code == 200
    assert "Bone marrow edema (edited)" in html
    assert "Changes to sections, sources and care-plan options" in html
    assert reverse("admin:education_section_history", args=[section.pk]) in html

    first_version = section.history.earliest()
    revert_url = reverse(
        "admin:education_section_simple_history", args=[section.pk, first_version.history_id]
    )
    revert_form = client.get(revert_url)
    assert revert_form.status_code == 200
    response = client.post(
        revert_url,
        {
            "article": draft.pk,
            "kind": first_version.kind,
            "heading": first_version.heading,
            "body": first_version.body,
            "position": first_version.position,
        },
    )
    assert response.status_code == 302
    section.refresh_from_db()
    assert section.body == original_body
    assert section.history.count() == 3


@pytest.mark.django_db
def test_deleted_section_can_be_recovered_from_history(
    client: Client, editor: User, draft: Article
) -> None:
    client.force_login(editor)
    section = draft.sections.get(kind="diagnosis")
    section_id, body = section.pk, section.body
    section.delete()
    deleted = Section.history.filter(id=section_id).latest()
    version = Section.history.filter(id=section_id).earliest()
    assert deleted.history_type == "-"
    history = client.get(reverse("admin:education_section_history", args=[section_id]))
    assert history.status_code == 200
    revert_url = reverse(
        "admin:education_section_simple_history", args=[section_id, version.history_id]
    )
    response = client.post(
        revert_url,
        {
            "article": draft.pk,
            "kind": version.kind,
            "heading": version.heading,
            "body": version.body,
            "position": version.position,
        },
    )
    assert response.status_code == 302
    assert Section.objects.get(pk=section_id).body == body


@pytest.mark.django_db
def test_clinicians_cannot_see_admin_history(
    client: Client, clinician: User, sample_article: Article
) -> None:
    client.force_login(clinician)
    url = reverse("admin:education_article_history", args=[sample_article.pk])
    assert client.get(url).status_code == 302  # admin sends non-staff to its login page
