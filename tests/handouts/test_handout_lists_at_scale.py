"""The handout pages cost the same however many handouts the clinic has issued: a fixed
number of queries, no count over every handout, and the PDFs' bytes read only to send one."""

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from benchmarks.scale import CHANGED_EVERY, SHARED_NAME, UNIQUE_NAME, build_handouts
from education.models import Article
from handouts.models import Handout
from handouts.views import HANDOUTS_PER_PAGE
from tests.helpers import TestResponse, present

pytestmark = pytest.mark.django_db

LIST = reverse("handouts:list")
CHANGED = reverse("handouts:changed")


def newest_handout_page(client: Client) -> TestResponse:
    return client.get(present(Handout.objects.first()).get_absolute_url())


# Every way the staff read handouts, with and without each filter.
PAGES: dict[str, Callable[[Client], TestResponse]] = {
    "list": lambda client: client.get(LIST),
    "list by patient": lambda client: client.post(LIST, {"patient": "zoe nunez"}),
    "list by condition": lambda client: client.post(LIST, {"condition": "bone marrow"}),
    "list by dates": lambda client: client.post(
        LIST, {"issued_from": "2000-01-01", "issued_to": "2100-12-31"}
    ),
    "list by everything": lambda client: client.post(
        LIST,
        {
            "patient": "zoe",
            "condition": "edema",
            "issued_from": "2000-01-01",
            "issued_to": "2100-12-31",
        },
    ),
    "list, second page": lambda client: client.post(LIST, {"page": "2"}),
    "changed list": lambda client: client.get(CHANGED),
    "changed list, only mine": lambda client: client.get(CHANGED, {"mine": "on"}),
    "handout page": newest_handout_page,
}


def queries_of(page: Callable[[Client], TestResponse], client: Client) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = page(client)
    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries]


@pytest.mark.parametrize("name", PAGES)
def test_the_queries_of_each_handout_page_do_not_grow_with_the_handouts(
    client: Client, clinician: User, sample_article: Article, name: str
) -> None:
    client.force_login(clinician)
    build_handouts(1)
    PAGES[name](client)  # the first request of a session stores the staff's language in it
    with_one = len(queries_of(PAGES[name], client))
    build_handouts(49)
    with_fifty = len(queries_of(PAGES[name], client))
    assert with_one == with_fifty, name


def test_the_lists_never_count_every_handout(
    client: Client, clinician: User, sample_article: Article
) -> None:
    """A count is only ever over a limited subquery: at 100,000 handouts, counting the list
    would cost more than showing its page."""
    client.force_login(clinician)
    build_handouts(HANDOUTS_PER_PAGE + 1)
    for name, page in PAGES.items():
        for sql in queries_of(page, client):
            if "COUNT(" in sql.upper():
                assert "LIMIT" in sql.upper(), (name, sql)


def test_lists_and_handout_pages_never_read_the_stored_pdfs(
    client: Client, clinician: User, sample_article: Article
) -> None:
    client.force_login(clinician)
    build_handouts(CHANGED_EVERY)
    for name, page in PAGES.items():
        assert not [sql for sql in queries_of(page, client) if "handouts_handoutpdf" in sql], name
    download = reverse("handouts:pdf", args=[present(Handout.objects.first()).public_id])
    assert [sql for sql in queries_of(lambda c: c.get(download), client) if "handoutpdf" in sql]


def test_the_list_pages_newest_first_by_older_and_newer_buttons(
    client: Client, clinician: User, sample_article: Article
) -> None:
    client.force_login(clinician)
    build_handouts(HANDOUTS_PER_PAGE + 1)
    newest_first = list(Handout.objects.order_by("-issued_at"))
    first = client.post(LIST)
    assert first.context["page"].object_list == newest_first[:HANDOUTS_PER_PAGE]
    html = first.content.decode()
    assert 'form="handout-filter" name="page" value="2">Older</button>' in html
    assert "Newer" not in html
    second = client.post(LIST, {"page": "2"})
    assert second.context["page"].object_list == newest_first[HANDOUTS_PER_PAGE:]
    html = second.content.decode()
    assert 'name="page" value="1">Newer</button>' in html and "Older" not in html
    # A page past the end (the list shrank since) shows the first.
    assert (
        client.post(LIST, {"page": "9"}).context["page"].object_list
        == first.context["page"].object_list
    )


@pytest.mark.parametrize(
    "query", ["zoe nunez", "ZOË NÚÑEZ", "o'brien zoe", "nunez-o", "Zoë Núñez-O'Brien"]
)
def test_patient_search_ignores_case_accents_and_word_order(
    client: Client,
    clinician: User,
    sample_article: Article,
    issue: Callable[..., Handout],
    query: str,
) -> None:
    found = issue(sample_article, patient_name=SHARED_NAME)
    issue(sample_article, patient_name="Zoe Smith")
    client.force_login(clinician)
    assert client.post(LIST, {"patient": query}).context["page"].object_list == [found]


def test_patient_search_finds_nobody_when_a_word_is_missing(
    client: Client, clinician: User, sample_article: Article, issue: Callable[..., Handout]
) -> None:
    issue(sample_article, patient_name=SHARED_NAME)
    client.force_login(clinician)
    assert client.post(LIST, {"patient": "zoe smith"}).context["page"].object_list == []


def test_the_searched_name_follows_the_name(
    clinician: User, sample_article: Article, issue: Callable[..., Handout]
) -> None:
    handout = issue(sample_article, patient_name="Łukasz Żółć-Ångström")
    assert handout.patient_name_search == "łukasz zołc-angstrom"  # ł is a letter, not ł + mark
    handout.patient_name = "Chloé Dubois"
    handout.save()
    handout.refresh_from_db()
    assert handout.patient_name_search == "chloe dubois"


def test_the_list_links_to_the_changed_handouts_with_how_many(
    client: Client, clinician: User, sample_article: Article
) -> None:
    build_handouts(CHANGED_EVERY * 2)  # two from the earlier version
    client.force_login(clinician)
    response = client.get(LIST)
    assert response.context["changed_count"] == 2 and not response.context["more_changed"]
    assert '<span class="badge text-bg-warning">2</span>' in response.content.decode()
    assert len(client.get(CHANGED).context["page"].object_list) == 2


def test_built_handouts_include_one_patient_with_a_single_handout(
    client: Client, clinician: User, sample_article: Article
) -> None:
    build_handouts(100)
    client.force_login(clinician)
    found = client.post(LIST, {"patient": "ximena yamamoto"}).context["page"].object_list
    assert [handout.patient_name for handout in found] == [UNIQUE_NAME]
