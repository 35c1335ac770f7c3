"""Content fixtures for the education tests (the shared personas are in tests/conftest.py)."""

import datetime
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User

from education.models import Article
from education.workflow import publish, start_draft, submit_for_review
from tests.helpers import present


@pytest.fixture
def approve(sample_article: Article, editor: User, reviewer: User) -> Callable[..., Article]:
    """approve(next_review_due=None, change=None): a new version of the sample article, drafted
    by the editor (change(draft) edits it) and approved today by the reviewer, so a review is on
    record. The published sample itself never was reviewed."""

    def approve_version(
        next_review_due: datetime.date | None = None,
        change: Callable[[Article], None] | None = None,
    ) -> Article:
        draft = start_draft(present(sample_article.live_version()), editor)
        if change is not None:
            change(draft)
        submit_for_review(draft, editor)
        return publish(draft, reviewer, next_review_due=next_review_due)

    return approve_version
