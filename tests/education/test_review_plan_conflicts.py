"""A draft whose text contradicts a plan choice it offers: the editor sees each conflict when
sending it for review, the reviewer on the review page, and publishing it needs a stated
reason, recorded with the version, in its history and in the audit log."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from education.models import Article, WarningSign
from education.workflow import WorkflowError, publish, submit_for_review
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db

SIGN = "You cannot put any weight on your foot."
REASON = "Clinicians issue this article only to patients who may bear weight."


@pytest.fixture
def contradicting(draft: Article) -> Article:
    """The sample's draft with an editor's emergency sign that contradicts a plan of no
    weight on the leg, which the article offers."""
    WarningSign.objects.create(article=draft, text=SIGN, urgency="emergency", position=99)
    return draft


def test_publishing_text_that_contradicts_a_plan_choice_needs_a_reason(
    editor: User, reviewer: User, sample_article: Article, contradicting: Article
) -> None:
    submit_for_review(contradicting, editor)
    with pytest.raises(WorkflowError) as refused:
        publish(contradicting, reviewer)
    assert "contradicts plan choices it offers" in str(refused.value)
    assert f"Warning sign 8: “{SIGN}”" in str(refused.value)
    assert "No weight on the leg" in str(refused.value)
    with pytest.raises(WorkflowError, match="give a reason"):
        publish(contradicting, reviewer, conflict_reason="   ")
    sample_article.refresh_from_db()
    assert sample_article.is_published
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.PUBLISHED).exists()

    published = publish(contradicting, reviewer, conflict_reason=f"  {REASON} ")
    assert published.is_published and published.plan_conflict_reason == REASON
    assert published.history.first().plan_conflict_reason == REASON
    event = AuditEvent.objects.get(action=AuditEvent.Action.PUBLISHED)
    assert event.detail.startswith("Published as version 2. Plan conflicts (1): Warning sign 8:")
    assert SIGN in event.detail and "No weight on the leg" in event.detail
    assert event.detail.endswith(f"Reason: {REASON}")


def test_a_conflict_reason_is_not_kept_when_nothing_contradicts(
    editor: User, reviewer: User, draft: Article
) -> None:
    submit_for_review(draft, editor)
    published = publish(draft, reviewer, conflict_reason="Not needed")
    assert published.plan_conflict_reason == ""
    assert "Plan conflicts" not in AuditEvent.objects.get(action="published").detail


# --- Through the admin ------------------------------------------------------------------------


def test_the_editor_sees_the_conflicts_before_and_after_sending_the_draft_for_review(
    client: Client, editor: User, contradicting: Article
) -> None:
    client.force_login(editor)
    page = reverse("admin:education_article_change", args=[contradicting.pk])
    before = client.get(page).content.decode()
    assert "This text contradicts a plan choice clinicians can make" in before
    assert f"Warning sign 8: “{SIGN}” says “cannot put any weight”" in before

    sent = client.post(
        reverse("admin:education_article_submit", args=[contradicting.pk]), follow=True
    )
    html = sent.content.decode()
    assert "Sent for review." in html
    assert "Its text has 1 conflict with plan choices it offers" in html
    assert f"“{SIGN}”" in html  # the in-review page lists it too
    contradicting.refresh_from_db()
    assert contradicting.state == Article.State.IN_REVIEW


def test_a_draft_that_agrees_with_every_plan_choice_says_so(
    client: Client, editor: User, draft: Article
) -> None:
    client.force_login(editor)
    html = client.get(reverse("admin:education_article_change", args=[draft.pk])).content
    assert "Nothing in the warning signs, therapy instructions or tips contradicts" in html.decode()


def test_the_reviewer_sees_each_conflict_and_publishes_only_with_a_reason(
    client: Client, editor: User, reviewer: User, contradicting: Article
) -> None:
    submit_for_review(contradicting, editor)
    client.force_login(reviewer)
    url = reverse("admin:education_article_publish", args=[contradicting.pk])
    page = client.get(url).content.decode()
    assert f"“{SIGN}” says “cannot put any weight”, against the choice: No weight on" in page
    assert "Reason to publish although the text contradicts plan choices" in page

    refused = client.post(url, {"next_review_due": "2031-01-01", "conflict_reason": " "})
    assert refused.status_code == 200
    assert "Say why it should be published anyway" in refused.content.decode()
    contradicting.refresh_from_db()
    assert contradicting.state == Article.State.IN_REVIEW

    done = client.post(url, {"next_review_due": "2031-01-01", "conflict_reason": REASON})
    assert done.status_code == 302
    contradicting.refresh_from_db()
    assert contradicting.is_published and contradicting.plan_conflict_reason == REASON
    shown = client.get(done["Location"]).content.decode()
    assert REASON in shown  # the message, and the version's own field
    assert REASON in AuditEvent.objects.get(action=AuditEvent.Action.PUBLISHED).detail


def test_the_review_page_lists_the_conflicts_in_the_reviewers_language(
    client: Client, editor: User, reviewer: User, contradicting: Article
) -> None:
    submit_for_review(contradicting, editor)
    client.force_login(reviewer)
    url = reverse("admin:education_article_publish", args=[contradicting.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="es"' in page
    assert f"Señal de alarma 8: «{SIGN}» dice «cannot put any weight»" in page
    assert "Motivo para publicar aunque el texto contradiga opciones del plan" in page
