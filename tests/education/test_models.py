import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from time_machine import TimeMachineFixture

from education.models import Article, Condition


def make_article(
    condition: Condition, language: str = "en", state: str = Article.State.PUBLISHED, **fields: Any
) -> Article:
    return Article.objects.create(
        condition=condition, language=language, title="T", summary="S", state=state, **fields
    )


@pytest.fixture
def condition(db: None) -> Condition:
    return Condition.objects.create(slug="knee-pain", name="Knee pain")


@pytest.mark.django_db
def test_database_refuses_a_second_published_article_for_the_same_condition_and_language(
    condition: Condition,
) -> None:
    make_article(condition)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_article(condition)


@pytest.mark.django_db
def test_a_draft_archives_and_other_languages_can_sit_beside_the_published_article(
    condition: Condition,
) -> None:
    make_article(condition)
    make_article(condition, state=Article.State.DRAFT)
    make_article(condition, state=Article.State.ARCHIVED)
    make_article(condition, state=Article.State.ARCHIVED)
    make_article(condition, language="es")
    assert Article.objects.published().count() == 2


@pytest.mark.django_db
def test_validation_explains_the_one_open_draft_rule(condition: Condition) -> None:
    make_article(condition, state=Article.State.IN_REVIEW)
    second = Article(condition=condition, language="en", title="T", summary="S")
    with pytest.raises(ValidationError, match="already has a draft in this language"):
        second.full_clean()


@pytest.mark.django_db
def test_validation_explains_the_one_published_article_rule(condition: Condition) -> None:
    make_article(condition)
    second = Article(
        condition=condition, language="en", title="T", summary="S", state=Article.State.PUBLISHED
    )
    with pytest.raises(ValidationError, match="already has a published article"):
        second.full_clean()


@pytest.mark.django_db
def test_review_overdue_compares_with_today(
    condition: Condition, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(datetime.datetime(2027, 3, 1, 12, tzinfo=datetime.UTC))
    reviewed = datetime.date(2026, 3, 1)
    due_yesterday = make_article(
        condition, last_reviewed_on=reviewed, next_review_due=datetime.date(2027, 2, 28)
    )
    make_article(
        condition,
        language="es",
        last_reviewed_on=reviewed,
        next_review_due=datetime.date(2027, 3, 1),
    )
    assert list(Article.objects.review_overdue()) == [due_yesterday]
    assert due_yesterday.is_review_overdue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "review, overdue",
    [
        ({}, True),  # sample or imported content: never reviewed
        ({"last_reviewed_on": datetime.date(2026, 3, 1)}, True),  # no next review set
        ({"next_review_due": datetime.date(2028, 3, 1)}, True),  # a date, but no review
        (
            {
                "last_reviewed_on": datetime.date(2026, 3, 1),
                "next_review_due": datetime.date(2028, 3, 1),
                "needs_clinical_review": True,
            },
            True,
        ),
        (
            {
                "last_reviewed_on": datetime.date(2026, 3, 1),
                "next_review_due": datetime.date(2028, 3, 1),
            },
            False,
        ),
    ],
)
def test_an_article_is_within_its_review_date_only_with_a_review_on_record(
    condition: Condition, time_machine: TimeMachineFixture, review: dict[str, Any], overdue: bool
) -> None:
    time_machine.move_to(datetime.datetime(2027, 3, 1, 12, tzinfo=datetime.UTC))
    article = make_article(condition, **review)
    assert article.is_review_overdue() is overdue
    assert Article.objects.review_overdue().filter(pk=article.pk).exists() is overdue
    assert not (
        overdue and Article.objects.review_due_soon(days=800).filter(pk=article.pk).exists()
    )


def test_next_review_must_come_after_the_last_review() -> None:
    article = Article(
        last_reviewed_on=datetime.date(2027, 1, 1), next_review_due=datetime.date(2026, 1, 1)
    )
    with pytest.raises(ValidationError, match="after the last review"):
        article.clean()


@pytest.mark.django_db
def test_an_article_offers_the_plan_blocks_its_plan_holds(condition: Condition) -> None:
    from education.plan_blocks import Activity, LegLoad, Limb, LoadOffer

    article = make_article(
        condition,
        state=Article.State.DRAFT,
        plan={"load": {"limb": "leg", "default": "full"}, "activity": {"offered": ["active"]}},
    )
    offer = article.plan_offer()
    assert offer.load == LoadOffer(Limb.LEG, LegLoad.FULL)
    assert offer.activity and offer.activity.offered == (Activity.ACTIVE,)
    assert make_article(condition, language="es").plan_offer().activity is None


@pytest.mark.django_db
def test_an_offer_that_does_not_fit_is_refused_naming_the_field(condition: Condition) -> None:
    article = make_article(
        condition,
        state=Article.State.DRAFT,
        plan={"aids": [{"kind": "sling", "weeks": 99}]},
    )
    with pytest.raises(ValidationError) as refused:
        article.full_clean()
    assert refused.value.message_dict["plan"] == [
        "plan.aids[0].weeks: must be a whole number from 1 to 52"
    ]


@pytest.mark.django_db
def test_a_published_versions_plan_is_frozen(condition: Condition) -> None:
    from education.models import FrozenContentError

    article = make_article(condition)
    article.plan = {"activity": {"offered": ["active"]}}
    with pytest.raises(FrozenContentError, match="plan"):
        article.save()
