"""The dashboard's teach-back figures (reports.engagement.teach_back), from the answers the
patient's check page records: a handout counts as understood once every question it asks is
answered right, on the first try or after re-reading; every other handout is unanswered."""

import datetime
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from education.models import Article
from handouts.models import Handout
from handouts.questions import Question
from handouts.teach_back import handout_questions, record_answer
from portal.models import ClinicProfile
from reports.engagement import TeachBack, teach_back

pytestmark = pytest.mark.django_db


def answer(handout: Handout, question: Question, asked: int, *, right: bool) -> None:
    chosen = (
        sorted(question.right)
        if right
        else [next(i for i in range(len(question.options)) if i not in question.right)]
    )
    record_answer(handout, question, chosen, asked=asked, share_link=None, device="phone")


def test_handouts_are_counted_by_how_their_questions_went(
    sample_article: Article, issue: Callable[..., Handout], clinic: ClinicProfile
) -> None:
    first_try, after_rereading, one_left, _unanswered, earlier = (
        issue(sample_article) for _ in range(5)
    )
    questions = handout_questions(first_try, clinic)
    asked = len(questions)
    assert asked >= 2
    for question in questions:
        answer(first_try, question, asked, right=True)
    answer(after_rereading, questions[0], asked, right=False)
    answer(after_rereading, questions[0], asked, right=False)
    for question in questions:
        answer(after_rereading, question, asked, right=True)
    for question in questions[1:]:
        answer(one_left, question, asked, right=True)
    answer(one_left, questions[0], asked, right=False)
    Handout.objects.filter(pk=earlier.pk).update(
        issued_at=timezone.now() - datetime.timedelta(days=30)
    )
    for question in questions:
        answer(earlier, question, asked, right=True)  # issued before the period

    now = timezone.now()
    with CaptureQueriesContext(connection) as queries:
        figures = teach_back(now - datetime.timedelta(days=1), now + datetime.timedelta(days=1))

    assert figures == TeachBack(first_try=1, after_rereading=1, unanswered=2)
    assert len(queries) == 1
