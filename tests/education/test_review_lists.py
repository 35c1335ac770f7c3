"""Staff home lists the published articles whose review is overdue or due soon, for the
people who edit and approve content."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from education.models import REVIEW_SOON_DAYS, Article, Condition

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2027, 6, 1)


@pytest.fixture
def review_dates(sample_article, time_machine) -> dict[str, Article]:
    """Today is 1 June 2027: one article overdue, two due soon (today and the window's last
    day), one due just after the window, and a draft due soon (only published versions are
    listed)."""
    time_machine.move_to(datetime.datetime(2027, 6, 1, 12, tzinfo=datetime.UTC))
    sample_article.next_review_due = datetime.date(2027, 5, 1)
    sample_article.save()

    def article(slug: str, title: str, due: datetime.date, state: str = "published"):
        condition = Condition.objects.create(slug=slug, name=title)
        return Article.objects.create(
            condition=condition,
            language="en",
            title=title,
            summary=".",
            state=state,
            next_review_due=due,
        )

    soon = datetime.timedelta(days=REVIEW_SOON_DAYS)
    return {
        "overdue": sample_article,
        "last_day": article("shin-splints", "Shin splints", TODAY + soon),
        "today": article("stress-fracture", "Stress fracture", TODAY),
        "later": article("tennis-elbow", "Tennis elbow", TODAY + soon + datetime.timedelta(1)),
        "draft": article("bursitis", "Bursitis", TODAY + datetime.timedelta(5), state="draft"),
    }


def test_editors_see_overdue_and_due_soon_reviews_in_date_order_with_due_dates(
    client, editor, review_dates
):
    client.force_login(editor)
    response = client.get(reverse("home"))

    assert list(response.context["overdue_articles"]) == [review_dates["overdue"]]
    assert list(response.context["due_soon_articles"]) == [
        review_dates["today"],
        review_dates["last_day"],
    ]
    reviews = response.content.decode().split('id="overdue-heading"')[1]
    assert "Review overdue" in reviews and "Review due soon" in reviews
    assert "Review was due 1 May 2027" in reviews
    assert "Review due 1 Jun 2027" in reviews and "Review due 31 Jul 2027" in reviews
    assert "Tennis elbow" not in reviews and "Bursitis" not in reviews


def test_review_lists_link_editors_to_the_admin_page_of_each_article(client, editor, review_dates):
    client.force_login(editor)
    html = client.get(reverse("home")).content.decode()
    for article in [review_dates["overdue"], review_dates["today"]]:
        assert reverse("admin:education_article_change", args=[article.pk]) in html


def test_review_lists_link_to_the_library_for_people_outside_the_admin(
    client, make_user, review_dates
):
    # Content permissions given directly, without a role that works in the admin; staff
    # status does not open the admin either.
    person = make_user("helper")
    person.user_permissions.set(
        Permission.objects.filter(codename__in=["view_article", "change_article"])
    )
    person.is_staff = True
    person.save()
    client.force_login(person)
    html = client.get(reverse("home")).content.decode()
    assert "Review due soon" in html
    assert review_dates["overdue"].get_absolute_url() in html
    assert "/admin/" not in html.split('id="overdue-heading"')[1]


def test_administrators_and_reviewers_see_the_review_lists(
    client, administrator, reviewer, review_dates
):
    for user in [administrator, reviewer]:
        client.force_login(user)
        response = client.get(reverse("home"))
        assert list(response.context["overdue_articles"]) == [review_dates["overdue"]], user


@pytest.mark.parametrize("persona", ["clinician", "front_desk"])
def test_clinicians_and_front_desk_see_neither_review_list(client, personas, review_dates, persona):
    client.force_login(personas[persona])
    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert review_dates["overdue"] in response.context["recent_articles"]
    assert "overdue_articles" not in response.context
    assert "due_soon_articles" not in response.context
    html = response.content.decode()
    assert "Review overdue" not in html and "Review due soon" not in html
    assert "Review was due" not in html


def test_editors_are_told_when_no_review_is_due(client, editor, sample_article, time_machine):
    time_machine.move_to(datetime.datetime(2027, 6, 1, 12, tzinfo=datetime.UTC))
    sample_article.next_review_due = datetime.date(2029, 1, 1)
    sample_article.save()
    client.force_login(editor)
    html = client.get(reverse("home")).content.decode()
    assert "Every published article is within its review date." in html
    assert f"No reviews are due in the next {REVIEW_SOON_DAYS} days." in html
