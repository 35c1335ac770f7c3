"""Each workflow rule is written once: the admin offers a step exactly when the workflow would
take it, and a refused step gives the reason the rule gives."""

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client
from django.urls import reverse

from education.models import Article
from education.workflow import (
    WorkflowError,
    approval_problem,
    archive,
    archive_problem,
    can_archive,
    can_return,
    can_review,
    can_start_draft,
    can_submit,
    publish,
    return_problem,
    return_to_draft,
    review_problem,
    start_draft,
    start_draft_problem,
    submit_for_review,
    submit_problem,
)
from portal.models import ClinicProfile
from portal.roles import EDITOR
from tests.helpers import present

pytestmark = pytest.mark.django_db


def approval_reason(article: Article, user: User) -> str | None:
    return approval_problem(article, user, ClinicProfile.load())


# Each step by the name of the admin URL that offers it, with the rule it obeys.
STEPS = {
    "submit": (submit_for_review, submit_problem),
    "publish": (publish, approval_reason),
    "return": (return_to_draft, return_problem),
    "new_draft": (start_draft, start_draft_problem),
    "archive": (archive, archive_problem),
}
STATES = ["draft", "in review", "published", "published with a draft", "archived"]


class _Undo(Exception):
    pass


def refusal(step: Callable[[Article, User], object], article: Article, user: User) -> str | None:
    """What the step says when it refuses, or None when it succeeds; undone either way."""
    try:
        with transaction.atomic():
            step(article, user)
            raise _Undo
    except _Undo:
        return None
    except WorkflowError as error:
        return str(error)


def article_in(state: str, sample_article: Article, editor: User, reviewer: User) -> Article:
    """The sample article in `state`; the editor starts and sends drafts, the reviewer
    publishes them."""
    if state == "published":
        return sample_article
    draft = start_draft(sample_article, editor)
    if state == "published with a draft":
        return sample_article
    if state == "draft":
        return draft
    draft = submit_for_review(draft, editor)
    if state == "in review":
        return draft
    publish(draft, reviewer)
    return Article.objects.get(pk=sample_article.pk)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("persona", ["editor", "colleague", "reviewer", "administrator"])
def test_the_admin_offers_a_step_exactly_when_the_workflow_would_take_it(
    client: Client,
    make_user: Callable[..., User],
    editor: User,
    reviewer: User,
    administrator: User,
    sample_article: Article,
    state: str,
    persona: str,
) -> None:
    users = {
        "editor": editor,  # who started and sent the draft
        "colleague": make_user("colleague", EDITOR),
        "reviewer": reviewer,
        "administrator": administrator,
    }
    user = users[persona]
    article = article_in(state, sample_article, editor, reviewer)
    client.force_login(user)
    page = client.get(reverse("admin:education_article_change", args=[article.pk]))
    assert page.status_code == 200
    html = page.content.decode()

    for name, (step, rule) in STEPS.items():
        offered = reverse(f"admin:education_article_{name}", args=[article.pk]) in html
        refused = refusal(step, article, user)
        assert offered == (refused is None), name
        assert refused == rule(article, user), name


@pytest.mark.parametrize("state", STATES)
def test_clinicians_may_take_no_step(
    clinician: User, editor: User, reviewer: User, sample_article: Article, state: str
) -> None:
    article = article_in(state, sample_article, editor, reviewer)
    for step, rule in STEPS.values():
        refused = refusal(step, article, clinician)
        assert refused is not None and refused == rule(article, clinician)
    assert not any(
        check(article, clinician)
        for check in [can_submit, can_return, can_review, can_archive, can_start_draft]
    )


def test_a_reviewer_who_changed_the_draft_is_offered_the_review_page_which_says_why_not(
    client: Client, editor: User, reviewer: User, sample_article: Article
) -> None:
    draft = start_draft(sample_article, editor)
    draft.contributors.add(reviewer)
    draft = submit_for_review(draft, editor)
    assert can_review(draft, reviewer) and review_problem(draft, reviewer) is None
    problem = present(approval_reason(draft, reviewer))
    assert "another reviewer must approve it" in problem
    assert refusal(publish, draft, reviewer) == problem

    client.force_login(reviewer)
    page = client.get(reverse("admin:education_article_change", args=[draft.pk])).content.decode()
    assert reverse("admin:education_article_publish", args=[draft.pk]) in page
    review = client.get(reverse("admin:education_article_publish", args=[draft.pk]))
    assert problem in review.content.decode()


@pytest.mark.parametrize("open_draft", [False, True])
def test_the_versions_page_offers_a_restore_exactly_when_a_draft_could_be_started(
    client: Client, editor: User, reviewer: User, sample_article: Article, open_draft: bool
) -> None:
    archived = article_in("archived", sample_article, editor, reviewer)
    if open_draft:
        start_draft(archived, editor)
    client.force_login(editor)
    live = present(archived.live_version())
    page = client.get(reverse("admin:education_article_versions", args=[live.pk])).content.decode()
    offered = reverse("admin:education_article_new_draft", args=[archived.pk]) in page
    assert offered == can_start_draft(archived, editor) == (not open_draft)
    assert offered == (refusal(start_draft, archived, editor) is None)
