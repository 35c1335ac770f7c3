"""Published content changes only by publishing a reviewed draft: every admin page, admin
action and the models themselves refuse to change or delete a version that has left draft, or
its parts. Only education.workflow moves a version on."""

from typing import Any

import pytest
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse

from education import parts
from education.models import Article, FrozenContentError, PartOfArticle, Section, Therapy
from education.workflow import archive, publish, start_draft, submit_for_review
from tests.helpers import form_value, present

pytestmark = pytest.mark.django_db

# Each kind of part: where an article keeps it, and a text field an editor might change.
PARTS = {
    "conditionname": ("condition_name", "name"),
    "conditioncode": ("codes", "code"),
    "section": ("sections", "heading"),
    "source": ("sources", "citation"),
    "therapy": ("therapies", "name"),
    "preventiontip": ("prevention_tips", "text"),
    "warningsign": ("warning_signs", "text"),
    "checkquestion": ("check_questions", "text"),
}
STAFF = ["editor", "administrator"]


def part_of(article: Article, name: str) -> PartOfArticle:
    related = getattr(article, PARTS[name][0])
    return related if name == "conditionname" else related.first()


def changed_form(part: PartOfArticle, **fields: object) -> dict[str, str | list[str]]:
    """The part's own admin form as a browser posts it, with one text changed."""
    text_field = PARTS[present(part._meta.model_name)][1]
    values = model_to_dict(part) | {text_field: "Changed in place"} | fields
    return {name: form_value(value) for name, value in values.items()}


def text_of(part: PartOfArticle) -> str:
    return getattr(type(part).objects.get(pk=part.pk), PARTS[present(part._meta.model_name)][1])


@pytest.fixture
def archived(sample_article: Article, draft: Article, editor: User, reviewer: User) -> Article:
    """The sample article's version 1, replaced by an approved version 2."""
    submit_for_review(draft, editor)
    publish(draft, reviewer)
    sample_article.refresh_from_db()
    assert sample_article.state == Article.State.ARCHIVED
    return sample_article


@pytest.fixture
def staff_member(request: pytest.FixtureRequest) -> User:
    return request.getfixturevalue(request.param)


# --- The models ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", PARTS)
@pytest.mark.parametrize("version", ["sample_article", "archived"])
def test_a_published_or_archived_versions_parts_refuse_every_change(
    request: pytest.FixtureRequest, name: str, version: str
) -> None:
    article = request.getfixturevalue(version)
    part = part_of(article, name)
    # One of the part models, chosen at run time: each declares its own `article` field, which
    # the abstract PartOfArticle that mypy sees does not.
    model: Any = type(part)
    count = model.objects.filter(article=article).count()
    setattr(part, PARTS[name][1], "Changed in place")

    with pytest.raises(FrozenContentError):
        part.save()
    with pytest.raises(FrozenContentError):
        part.delete()
    with pytest.raises(FrozenContentError):
        model.objects.filter(pk=part.pk).update(**{PARTS[name][1]: "Changed in bulk"})
    with pytest.raises(FrozenContentError):
        model.objects.filter(article=article).delete()
    with pytest.raises(FrozenContentError):
        model.objects.create(**(model_to_dict(part, exclude=["id", "article"])), article=article)
    assert text_of(part) != "Changed in place"
    assert model.objects.filter(article=article).count() == count


def test_a_part_can_be_moved_neither_into_nor_out_of_a_published_version(
    sample_article: Article, draft: Article
) -> None:
    sections = sample_article.sections.count()
    into_live = present(draft.sections.first())
    into_live.article = sample_article
    with pytest.raises(FrozenContentError):
        into_live.save()
    out_of_live = present(sample_article.sections.first())
    out_of_live.article = draft
    with pytest.raises(FrozenContentError):
        out_of_live.save()
    with pytest.raises(FrozenContentError):
        draft.sections.update(article=sample_article)
    assert sample_article.sections.count() == draft.sections.count() == sections


@pytest.mark.parametrize("version", ["sample_article", "archived"])
@pytest.mark.parametrize(
    "field, value",
    [
        ("title", "Changed in place"),
        ("summary", "Changed in place."),
        ("in_brief", "Changed in place."),
        ("language", "es"),
        ("needs_clinical_review", False),
        ("next_review_due", "2031-01-01"),
        ("version", 7),
    ],
)
def test_a_published_or_archived_version_refuses_to_change_its_own_fields(
    request: pytest.FixtureRequest, version: str, field: str, value: bool | int | str
) -> None:
    article = request.getfixturevalue(version)
    setattr(article, field, value)
    with pytest.raises(FrozenContentError, match=field):
        article.save()
    with pytest.raises(FrozenContentError):
        Article.objects.filter(pk=article.pk).update(**{field: value})


def test_a_published_version_only_moves_on_to_archived(
    sample_article: Article, reviewer: User
) -> None:
    sample_article.state = Article.State.DRAFT
    with pytest.raises(FrozenContentError, match="from published to draft"):
        sample_article.save()
    archived = archive(Article.objects.get(pk=sample_article.pk), reviewer)
    archived.state = Article.State.PUBLISHED
    with pytest.raises(FrozenContentError, match="from archived to published"):
        archived.save()


@pytest.mark.parametrize("version", ["sample_article", "archived"])
def test_a_published_or_archived_version_is_never_deleted(
    request: pytest.FixtureRequest, version: str
) -> None:
    article = request.getfixturevalue(version)
    sections = article.sections.count()
    with pytest.raises(FrozenContentError):
        article.delete()
    with pytest.raises(FrozenContentError):
        Article.objects.filter(pk=article.pk).delete()
    assert Article.objects.filter(pk=article.pk).exists()
    assert article.sections.count() == sections


def test_a_draft_in_review_keeps_the_text_its_reviewer_reads(
    editor: User, reviewer: User, draft: Article
) -> None:
    submit_for_review(draft, editor)
    draft.refresh_from_db()
    draft.title = "Changed after it was sent"
    with pytest.raises(FrozenContentError, match="title"):
        draft.save()
    section = present(draft.sections.first())
    section.body = "Changed after it was sent."
    with pytest.raises(FrozenContentError):
        section.save()

    published = publish(Article.objects.get(pk=draft.pk), reviewer)  # the workflow still may
    assert published.is_published and published.title != "Changed after it was sent"


def test_a_draft_and_its_parts_change_and_go_freely(draft: Article) -> None:
    draft.title = "A better title"
    draft.save()
    Therapy.objects.filter(article=draft).update(times_per_week=3)
    present(draft.sections.first()).delete()
    Section.objects.create(article=draft, kind="other", body="New.")
    draft.refresh_from_db()
    assert draft.title == "A better title"
    assert set(draft.therapies.values_list("times_per_week", flat=True)) == {3}
    draft.delete()
    assert not Section.objects.filter(article_id=draft.pk).exists()


def test_the_refusal_answers_a_request_with_403_not_500() -> None:
    from django.core.exceptions import PermissionDenied

    assert issubclass(FrozenContentError, PermissionDenied)


# --- The admin: every page and action, as an editor and as an administrator ----------------


@pytest.mark.parametrize("staff_member", STAFF, indirect=True)
@pytest.mark.parametrize("name", PARTS)
def test_a_published_parts_own_page_is_read_only_and_refuses_a_post(
    client: Client, staff_member: User, sample_article: Article, name: str
) -> None:
    client.force_login(staff_member)
    part = part_of(sample_article, name)
    url = reverse(f"admin:education_{name}_change", args=[part.pk])

    page = client.get(url)
    assert page.status_code == 200
    assert "start a new draft of the article and have it reviewed" in page.content.decode()
    assert "_save" not in page.content.decode()
    assert client.post(url, changed_form(part)).status_code == 403
    assert text_of(part) != "Changed in place"


@pytest.mark.parametrize("staff_member", STAFF, indirect=True)
@pytest.mark.parametrize("name", PARTS)
def test_parts_cannot_be_added_on_their_own_page(
    client: Client, staff_member: User, sample_article: Article, name: str
) -> None:
    client.force_login(staff_member)
    part = part_of(sample_article, name)
    url = reverse(f"admin:education_{name}_add")
    count = type(part).objects.count()
    assert client.get(url).status_code == 403
    assert client.post(url, changed_form(part, id=None)).status_code == 403
    assert type(part).objects.count() == count


@pytest.mark.parametrize("staff_member", STAFF, indirect=True)
@pytest.mark.parametrize("name", PARTS)
def test_a_published_part_cannot_be_deleted_one_by_one_or_in_bulk(
    client: Client, staff_member: User, sample_article: Article, name: str
) -> None:
    client.force_login(staff_member)
    part = part_of(sample_article, name)
    model = type(part)
    delete_url = reverse(f"admin:education_{name}_delete", args=[part.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403

    changelist = reverse(f"admin:education_{name}_changelist")
    assert client.get(changelist).context["action_form"] is None  # no actions, so no bulk delete
    client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [part.pk], "post": "yes"},
    )
    assert model.objects.filter(pk=part.pk).exists()


@pytest.mark.parametrize("staff_member", STAFF, indirect=True)
def test_the_revert_form_cannot_move_a_drafts_part_into_the_live_version(
    client: Client, staff_member: User, sample_article: Article, draft: Article
) -> None:
    """The reported route: the revert form offered the article as a field."""
    client.force_login(staff_member)
    section = draft.sections.get(kind="overview")
    record = section.history.earliest()
    url = reverse("admin:education_section_simple_history", args=[section.pk, record.history_id])
    form = client.get(url).context["adminform"].form
    assert "article" not in form.fields

    data = changed_form(section, article=sample_article.pk, heading="Moved into the live one")
    assert client.post(url, data).status_code == 302

    section.refresh_from_db()
    assert section.article == draft and section.heading == "Moved into the live one"
    assert not sample_article.sections.filter(heading="Moved into the live one").exists()
    assert list(draft.contributors.all()) == [staff_member]


@pytest.mark.parametrize("staff_member", STAFF, indirect=True)
def test_a_published_parts_history_cannot_be_reverted(
    client: Client, staff_member: User, sample_article: Article
) -> None:
    client.force_login(staff_member)
    section = present(sample_article.sections.first())
    record = section.history.earliest()
    url = reverse("admin:education_section_simple_history", args=[section.pk, record.history_id])
    assert "Revert" not in client.get(url).context["title"]
    assert client.post(url, changed_form(section)).status_code == 403
    assert text_of(section) != "Changed in place"


@pytest.mark.parametrize("staff_member", STAFF, indirect=True)
def test_a_published_articles_page_offers_no_inline_edits_and_refuses_them(
    client: Client, staff_member: User, sample_article: Article
) -> None:
    from tests.helpers import article_form

    client.force_login(staff_member)
    therapies = sample_article.therapies.count()
    url = reverse("admin:education_article_change", args=[sample_article.pk])
    page = client.get(url)
    for inline in page.context["inline_admin_formsets"]:
        assert not (
            inline.has_add_permission
            or inline.has_change_permission
            or inline.has_delete_permission
        ), inline.opts
    data = article_form(sample_article)
    data["sections-0-heading"] = "Changed in place"
    data["therapies-0-DELETE"] = "on"
    assert client.post(url, data).status_code == 403
    assert not sample_article.sections.filter(heading="Changed in place").exists()
    assert sample_article.therapies.count() == therapies


@pytest.mark.parametrize("staff_member", STAFF, indirect=True)
def test_a_drafts_part_changes_on_its_own_page_and_counts_as_a_contribution(
    client: Client, staff_member: User, draft: Article
) -> None:
    client.force_login(staff_member)
    therapy = present(draft.therapies.first())
    url = reverse("admin:education_therapy_change", args=[therapy.pk])
    assert client.post(url, changed_form(therapy)).status_code == 302
    assert text_of(therapy) == "Changed in place"
    assert list(draft.contributors.all()) == [staff_member]
    assert LogEntry.objects.filter(object_id=str(therapy.pk)).exists()


def test_every_part_an_article_owns_is_guarded_and_in_the_admin_and_covered_here() -> None:
    guarded = {
        model._meta.model_name
        for model in apps.get_app_config("education").get_models()
        if issubclass(model, PartOfArticle)
    }
    assert guarded == set(PARTS) == {part.model._meta.model_name for part in parts.PARTS}


def test_a_new_draft_and_sample_content_are_still_made_by_the_workflow(
    sample_article: Article, editor: User
) -> None:
    draft = start_draft(sample_article, editor)
    assert draft.sections.count() == sample_article.sections.count() > 0
    assert sample_article.is_published and sample_article.version == 1


@pytest.mark.parametrize("staff_member", STAFF, indirect=True)
def test_reverting_a_draft_brings_back_its_text_but_never_a_workflow_step(
    client: Client, staff_member: User, editor: User, reviewer: User, draft: Article
) -> None:
    from education.workflow import return_to_draft

    draft.title = "Sent for review with this title"
    draft.save()
    submit_for_review(draft, editor)
    return_to_draft(draft, reviewer)
    draft.refresh_from_db()
    in_review = draft.history.filter(state=Article.State.IN_REVIEW).earliest()
    client.force_login(staff_member)
    url = reverse("admin:education_article_simple_history", args=[draft.pk, in_review.history_id])
    data = {
        name: form_value(getattr(in_review, name + ("_id" if name == "condition" else "")))
        for name in ["condition", "language", "title", "summary", "in_brief"]
    }
    draft.title = "Changed since"
    draft.save()

    assert client.post(url, data).status_code == 302

    draft.refresh_from_db()
    assert draft.title == "Sent for review with this title"
    assert draft.state == Article.State.DRAFT and draft.submitted_at is not None
    assert staff_member in draft.contributors.all()
