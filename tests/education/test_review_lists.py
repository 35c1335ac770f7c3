"""Staff home lists the published articles whose review is overdue (or which were never
reviewed) or due soon, for the people who edit and approve content; reviewers also get the
queue of drafts waiting for review, there and in the admin."""

import datetime
from collections.abc import Callable

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from time_machine import TimeMachineFixture

from education.models import REVIEW_SOON_DAYS, Article, Condition
from education.packs import SHIPPED_DIR, import_pack, read_packs
from education.workflow import start_draft, submit_for_review
from portal.models import ClinicProfile
from tests.helpers import import_translation

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2027, 6, 1)


@pytest.fixture
def review_dates(
    approve: Callable[..., Article], time_machine: TimeMachineFixture
) -> dict[str, Article]:
    """Today is 1 June 2027: one article overdue (approved a year ago), two due soon (today and
    the window's last day), one due just after the window, and a draft due soon (only published
    versions are listed). All were reviewed on 1 June 2026."""
    time_machine.move_to(datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC))
    overdue = approve(next_review_due=datetime.date(2027, 5, 1))
    time_machine.move_to(datetime.datetime(2027, 6, 1, 12, tzinfo=datetime.UTC))

    def article(slug: str, title: str, due: datetime.date, state: str = "published") -> Article:
        condition = Condition.objects.create(slug=slug, name=title)
        return Article.objects.create(
            condition=condition,
            language="en",
            title=title,
            summary=".",
            state=state,
            last_reviewed_on=datetime.date(2026, 6, 1),
            next_review_due=due,
        )

    soon = datetime.timedelta(days=REVIEW_SOON_DAYS)
    return {
        "overdue": overdue,
        "last_day": article("shin-splints", "Shin splints", TODAY + soon),
        "today": article("stress-fracture", "Stress fracture", TODAY),
        "later": article("tennis-elbow", "Tennis elbow", TODAY + soon + datetime.timedelta(1)),
        "draft": article("bursitis", "Bursitis", TODAY + datetime.timedelta(5), state="draft"),
    }


def test_editors_see_overdue_and_due_soon_reviews_in_date_order_with_due_dates(
    client: Client, editor: User, review_dates: dict[str, Article]
) -> None:
    client.force_login(editor)
    response = client.get(reverse("home"))

    assert list(response.context["overdue"].object_list) == [review_dates["overdue"]]
    assert list(response.context["due_soon"].object_list) == [
        review_dates["today"],
        review_dates["last_day"],
    ]
    reviews = response.content.decode().split('id="overdue-heading"')[1]
    assert "Review overdue" in reviews and "Review due soon" in reviews
    assert "Review was due 1 May 2027" in reviews
    assert "Review due 1 Jun 2027" in reviews and "Review due 31 Jul 2027" in reviews
    assert "Tennis elbow" not in reviews and "Bursitis" not in reviews


def test_review_lists_link_editors_to_the_admin_page_of_each_article(
    client: Client, editor: User, review_dates: dict[str, Article]
) -> None:
    client.force_login(editor)
    html = client.get(reverse("home")).content.decode()
    for article in [review_dates["overdue"], review_dates["today"]]:
        assert reverse("admin:education_article_change", args=[article.pk]) in html


def test_review_lists_link_to_the_library_for_people_outside_the_admin(
    client: Client, make_user: Callable[..., User], review_dates: dict[str, Article]
) -> None:
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
    client: Client, administrator: User, reviewer: User, review_dates: dict[str, Article]
) -> None:
    for user in [administrator, reviewer]:
        client.force_login(user)
        response = client.get(reverse("home"))
        assert list(response.context["overdue"].object_list) == [review_dates["overdue"]], user


@pytest.mark.parametrize("persona", ["clinician", "front_desk"])
def test_clinicians_and_front_desk_see_neither_review_list(
    client: Client, personas: dict[str, User], review_dates: dict[str, Article], persona: str
) -> None:
    client.force_login(personas[persona])
    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert review_dates["overdue"] in response.context["recent_articles"]
    assert "overdue" not in response.context
    assert "due_soon" not in response.context
    html = response.content.decode()
    assert "Review overdue" not in html and "Review due soon" not in html
    assert "Review was due" not in html


def test_editors_are_told_when_no_review_is_due(
    client: Client, editor: User, approve: Callable[..., Article], time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(datetime.datetime(2027, 6, 1, 12, tzinfo=datetime.UTC))
    approve(next_review_due=datetime.date(2029, 1, 1))
    client.force_login(editor)
    html = client.get(reverse("home")).content.decode()
    assert "Every published article is within its review date." in html
    assert f"No reviews are due in the next {REVIEW_SOON_DAYS} days." in html


# --- Never reviewed ------------------------------------------------------------------------


def test_a_published_article_never_reviewed_is_listed_as_overdue_not_within_its_date(
    client: Client, editor: User, sample_article: Article
) -> None:
    client.force_login(editor)
    response = client.get(reverse("home"))
    assert list(response.context["overdue"].object_list) == [sample_article]
    html = response.content.decode()
    assert "No clinical review on record" in html
    assert "Every published article is within its review date." not in html

    admin_page = client.get(reverse("admin:education_article_change", args=[sample_article.pk]))
    assert "no clinical review of this article is on record" in admin_page.content.decode()
    library_page = client.get(sample_article.get_absolute_url()).content.decode()
    assert "Review overdue" in library_page


def test_the_builder_says_when_an_article_has_no_review_on_record(
    client: Client, clinician: User, clinic: ClinicProfile, sample_article: Article
) -> None:
    """Sample content carries its own warning; other content published without a review
    (here: imported, with no review dates) gets this one."""
    client.force_login(clinician)
    sample_page = client.get(reverse("handouts:new", args=["bone-marrow-edema", "en"]))
    assert "has not been clinically reviewed" in sample_page.content.decode()
    assert "no clinical review on record" not in sample_page.content.decode()

    imported = Article.objects.create(
        condition=Condition.objects.create(slug="shin-splints", name="Shin splints"),
        language="en",
        title="Shin splints",
        summary="Pain along the shin bone.",
        state="published",
        version=1,
    )
    page = client.get(reverse("handouts:new", args=["shin-splints", "en"])).content.decode()
    assert imported.is_review_overdue()
    assert "This article has no clinical review on record." in page
    assert "due for clinical review on" not in page


# --- The review queue ----------------------------------------------------------------------


@pytest.fixture
def waiting(
    sample_article: Article, editor: User, time_machine: TimeMachineFixture
) -> list[Article]:
    """Two drafts sent for review, the Spanish one a day earlier, and a draft not sent."""
    # The Spanish translation arrives as a content pack: a draft, never live.
    spanish = import_translation("bone-marrow-edema", "es", editor)
    time_machine.move_to(datetime.datetime(2027, 6, 1, 9, tzinfo=datetime.UTC))
    first = submit_for_review(spanish, editor)
    time_machine.move_to(datetime.datetime(2027, 6, 2, 9, tzinfo=datetime.UTC))
    second = submit_for_review(start_draft(sample_article, editor), editor)
    Article.objects.create(
        condition=Condition.objects.create(slug="bursitis", name="Bursitis"),
        language="en",
        title="Bursitis",
        summary=".",
    )
    return [first, second]


@pytest.mark.parametrize("persona", ["reviewer", "administrator"])
def test_reviewers_see_drafts_waiting_for_review_on_staff_home_oldest_first(
    client: Client, request: pytest.FixtureRequest, waiting: list[Article], persona: str
) -> None:
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("home"))
    assert list(response.context["review_queue"].object_list) == waiting
    queue = response.content.decode().split('id="queue-heading"')[1].split("</section>")[0]
    assert "Waiting for review" in queue
    assert "Sent 1 Jun 2027 by Editor" in queue and "Sent 2 Jun 2027 by Editor" in queue
    assert queue.index("Sent 1 Jun") < queue.index("Sent 2 Jun")
    assert reverse("admin:education_article_publish", args=[waiting[0].pk]) in queue
    assert "Bursitis" not in queue


@pytest.mark.parametrize("persona", ["editor", "clinician", "front_desk"])
def test_only_people_who_approve_see_the_review_queue(
    client: Client, personas: dict[str, User], waiting: list[Article], persona: str
) -> None:
    client.force_login(personas[persona])
    response = client.get(reverse("home"))
    assert "review_queue" not in response.context
    assert 'id="queue-heading"' not in response.content.decode()


def test_reviewers_are_told_when_nothing_waits_for_review(
    client: Client, reviewer: User, sample_article: Article
) -> None:
    client.force_login(reviewer)
    assert "No drafts are waiting for review." in client.get(reverse("home")).content.decode()


def test_the_admin_lists_drafts_waiting_for_review_oldest_first(
    client: Client, reviewer: User, waiting: list[Article]
) -> None:
    client.force_login(reviewer)
    url = reverse("admin:education_article_changelist")
    assert "Waiting for review: 2" in client.get(url).content.decode()

    response = client.get(url, {"review": "waiting"})
    assert list(response.context["cl"].result_list) == waiting
    assert "Submitted at" in response.content.decode()
    newest_first = client.get(url, {"review": "waiting", "o": "-4"}).context["cl"].result_list
    assert list(newest_first) == waiting[::-1]  # a reviewer may still sort by a column


def test_editors_get_no_queue_link_in_the_admin(
    client: Client, editor: User, waiting: list[Article]
) -> None:
    client.force_login(editor)
    assert (
        "Waiting for review:"
        not in client.get(reverse("admin:education_article_changelist")).content.decode()
    )


def test_home_shows_the_first_ten_overdue_reviews_and_sends_editors_to_the_admin_for_the_rest(
    client: Client, editor: User, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(datetime.datetime(2027, 6, 1, 12, tzinfo=datetime.UTC))
    for number in range(12):
        condition = Condition.objects.create(slug=f"condition-{number}", name=f"C {number:02}")
        Article.objects.create(
            condition=condition,
            language="en",
            title=f"Condition {number:02}",
            summary=".",
            state="published",
            next_review_due=datetime.date(2027, 1, 1),
        )
    client.force_login(editor)
    response = client.get(reverse("home"))
    overdue = response.context["overdue"]
    assert [article.title for article in overdue.object_list] == [
        f"Condition {number:02}" for number in range(10)
    ]
    assert overdue.has_next
    admin_list = reverse("admin:education_article_changelist") + "?review=overdue"
    assert f'href="{admin_list}"' in response.content.decode()


# --- The queue at the size of the shipped library ------------------------------------------


def send_shipped_packs_for_review(
    editor, time_machine, slugs=None, start=datetime.datetime(2027, 6, 1, 9, tzinfo=datetime.UTC)
) -> list[Article]:
    """The shipped packs (all, or `slugs`) imported by an editor into a portal that has none of
    them, each language a draft, sent for review an hour apart in the reverse of the packs'
    order, so that oldest first is neither A to Z nor the order they were made."""
    packs = [pack for pack in read_packs([SHIPPED_DIR]) if slugs is None or pack.slug in set(slugs)]
    drafts = [item.article for pack in packs for item in import_pack(pack, user=editor).languages]
    waiting = []
    for hours, draft in enumerate(reversed(drafts)):
        time_machine.move_to(start + datetime.timedelta(hours=hours))
        waiting.append(submit_for_review(draft, editor))
    return waiting


def queue(client, **filters: str):
    params = {"review": "waiting", **filters}
    return client.get(reverse("admin:education_article_changelist"), params)


def test_the_admin_queue_holds_the_whole_shipped_library_oldest_first_on_one_page(
    client, reviewer, editor, time_machine
):
    waiting = send_shipped_packs_for_review(editor, time_machine)
    assert len(waiting) == 26
    client.force_login(reviewer)
    response = queue(client)
    assert list(response.context["cl"].result_list) == waiting
    html = response.content.decode()
    assert "Waiting for review: 26" in html
    assert "26 articles" in html


def test_the_admin_queue_filters_by_condition_and_language_and_stays_oldest_first(
    client, reviewer, editor, time_machine
):
    waiting = send_shipped_packs_for_review(editor, time_machine)
    client.force_login(reviewer)
    knee = Condition.objects.get(slug="knee-osteoarthritis")
    html = queue(client).content.decode()
    # Each condition with a draft is a filter choice.
    for condition in Condition.objects.all():
        assert f"condition__id__exact={condition.pk}" in html, condition.slug

    by_condition = queue(client, condition__id__exact=str(knee.pk)).context["cl"].result_list
    assert list(by_condition) == [a for a in waiting if a.condition_id == knee.pk]
    assert [a.language for a in by_condition] == ["es", "en"]  # Spanish was sent first

    spanish = queue(client, language="es").context["cl"].result_list
    assert list(spanish) == [a for a in waiting if a.language == "es"]
    assert len(spanish) == 13

    one = queue(client, condition__id__exact=str(knee.pk), language="en").context["cl"]
    assert [(a.condition.slug, a.language) for a in one.result_list] == [
        ("knee-osteoarthritis", "en")
    ]


def test_the_admin_queue_runs_as_many_queries_for_26_drafts_as_for_2(
    client, reviewer, editor, time_machine
):
    first = ["ankle-sprain"]
    send_shipped_packs_for_review(editor, time_machine, first)
    client.force_login(reviewer)
    queue(client)
    with CaptureQueriesContext(connection) as two:
        queue(client)
    others = {path.stem for path in SHIPPED_DIR.glob("*.json")} - set(first)
    send_shipped_packs_for_review(
        editor, time_machine, others, start=datetime.datetime(2027, 6, 2, 9, tzinfo=datetime.UTC)
    )
    client.force_login(reviewer)  # a day later: a new sign-in
    queue(client)
    with CaptureQueriesContext(connection) as twenty_six:
        assert len(queue(client).context["cl"].result_list) == 26
    assert len(twenty_six) == len(two)
