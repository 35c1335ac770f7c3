"""When the database refuses a write or the connection drops while a reviewer publishes: the
live version stays, the draft stays in review, and the form comes back as it was sent."""

import logging

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from education.models import Article
from education.workflow import submit_for_review
from portal.models import AuditEvent
from tests.database_faults import FAILURES

pytestmark = pytest.mark.django_db

NOT_PUBLISHED = "The article was not published: the database could not save the change."


@pytest.mark.parametrize("failure", FAILURES)
@pytest.mark.parametrize(
    ("operation", "table"),
    [
        ("UPDATE", "education_article"),  # the first write: archiving the live version
        ("INSERT", "django_admin_log"),  # the last: the admin's own log entry
    ],
)
def test_publishing_when_the_database_fails_changes_nothing_and_keeps_the_form(
    client: Client,
    editor: User,
    reviewer: User,
    sample_article: Article,
    draft: Article,
    caplog: pytest.LogCaptureFixture,
    failure: str,
    operation: str,
    table: str,
) -> None:
    submit_for_review(draft, editor)
    client.force_login(reviewer)
    url = reverse("admin:education_article_publish", args=[draft.pk])
    with caplog.at_level(logging.INFO), FAILURES[failure](operation, table):
        response = client.post(url, {"next_review_due": "2031-01-01"})

    assert response.status_code == 200
    html = response.content.decode()
    assert NOT_PUBLISHED in html
    assert 'value="2031-01-01"' in html
    draft.refresh_from_db()
    sample_article.refresh_from_db()
    assert draft.state == Article.State.IN_REVIEW and draft.version is None
    assert sample_article.state == Article.State.PUBLISHED
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.PUBLISHED).exists()
    assert "Publishing an article failed: the database raised" in caplog.text

    assert client.post(url, {"next_review_due": "2031-01-01"}).status_code == 302
    draft.refresh_from_db()
    assert draft.is_published
