"""Every staff page for every role: anonymous users are sent to sign in, people without a role
get 403, and every role that reads the library gets the page."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from education.models import Article
from education.workflow import archive

READERS = ["editor", "clinician", "front_desk", "administrator"]


def staff_pages(article: Article) -> list[str]:
    return [
        reverse("home"),
        reverse("education:library"),
        reverse("education:library") + "?q=edema",
        article.get_absolute_url(),
    ]


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_sign_in_from_every_staff_page(
    client: Client, sample_article: Article
) -> None:
    for url in staff_pages(sample_article):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login") + "?next=")


@pytest.mark.django_db
def test_signed_in_user_without_a_role_is_refused_every_staff_page(
    client: Client, outsider: User, sample_article: Article
) -> None:
    client.force_login(outsider)
    for url in staff_pages(sample_article):
        assert client.get(url).status_code == 403, url


@pytest.mark.django_db
@pytest.mark.parametrize("persona", READERS)
def test_each_role_reads_every_staff_page(
    client: Client, personas: dict[str, User], sample_article: Article, persona: str
) -> None:
    client.force_login(personas[persona])
    for url in staff_pages(sample_article):
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_login_page_is_the_only_page_anonymous_users_see(client: Client) -> None:
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"Sign in" in response.content


@pytest.mark.django_db
def test_staff_sign_in_with_username_and_password_lands_on_home(
    client: Client, clinician: User
) -> None:
    response = client.post(
        reverse("login"), {"username": "clinician", "password": "correct horse battery staple 42"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_wrong_password_shows_a_message_and_keeps_the_username(
    client: Client, clinician: User
) -> None:
    response = client.post(reverse("login"), {"username": "clinician", "password": "nope"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    assert b'value="clinician"' in response.content


@pytest.mark.django_db
def test_sign_out_is_a_post_and_ends_the_session(client: Client, clinician: User) -> None:
    client.force_login(clinician)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_home_lists_recent_articles_and_overdue_reviews(
    client: Client, editor: User, sample_article: Article
) -> None:
    client.force_login(editor)
    response = client.get(reverse("home"))
    assert response.context["recent_articles"][0] == sample_article
    assert list(response.context["overdue"].object_list) == [sample_article]  # never reviewed
    assert b"No clinical review on record" in response.content


@pytest.mark.django_db
def test_article_page_shows_all_sections_sources_and_review_dates(
    client: Client, clinician: User, sample_article: Article
) -> None:
    client.force_login(clinician)
    response = client.get(sample_article.get_absolute_url())
    html = response.content.decode()
    for section in sample_article.sections.all():
        assert section.display_heading in html
    for source in sample_article.sources.all():
        assert source.citation.split(".")[0] in html
    assert "Last reviewed" in html and "Next review due" in html
    assert "Sample content" in html
    assert 'media="print"' in html
    assert '<h1 class="h2" lang="en">' in html  # the article's own text, not the page chrome


@pytest.mark.django_db
def test_unpublished_article_is_not_found_on_staff_pages(
    client: Client, clinician: User, reviewer: User, sample_article: Article
) -> None:
    archive(sample_article, reviewer)
    client.force_login(clinician)
    assert client.get(sample_article.get_absolute_url()).status_code == 404
    assert list(client.get(reverse("education:library")).context["conditions"]) == []


@pytest.mark.django_db
def test_admin_is_open_to_editors_and_administrators_only(
    client: Client, personas: dict[str, User]
) -> None:
    for persona, allowed in [
        ("editor", True),
        ("administrator", True),
        ("clinician", False),
        ("front_desk", False),
        ("outsider", False),
    ]:
        client.force_login(personas[persona])
        response = client.get(reverse("admin:education_article_changelist"))
        assert (response.status_code == 200) is allowed, persona
