"""The staff library costs the same at any size: a page of conditions at a time, each with its
published languages and the grade stored when they were published, and search through an
index of normalized text."""

import importlib
import re
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from benchmarks.scale import build_library
from education.models import Article, Condition
from education.packs import SHIPPED_DIR, Pack, load_shipped, read_packs
from education.readability import article_readability
from education.views import LIBRARY_PAGE_SIZE, RECENTLY_UPDATED_COUNT
from tests.education.helpers import publish_condition

pytestmark = pytest.mark.django_db

LIBRARY = reverse("education:library")


def get_counting_queries(client: Client, url: str, **params: str) -> tuple[str, list[str]]:
    """The page's HTML and the SQL of every query it ran, once the session's first request
    (which records things once per sign-in) is behind it."""
    client.get(url, params)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode(), [query["sql"] for query in queries.captured_queries]


@pytest.mark.parametrize(
    "params", [{}, {"q": "the"}, {"q": "sprain"}, {"q": "S00.0XXA"}, {"page": "2"}]
)
def test_the_library_runs_as_many_queries_for_fifty_conditions_as_for_one(
    client: Client, clinician: User, params: dict[str, str]
) -> None:
    client.force_login(clinician)
    build_library(1)
    _html, one = get_counting_queries(client, LIBRARY, **params)
    build_library(49)
    _html, fifty = get_counting_queries(client, LIBRARY, **params)
    assert len(fifty) == len(one)


def test_the_library_lists_no_section_and_measures_nothing(
    client: Client, clinician: User, sample_article: Article
) -> None:
    client.force_login(clinician)
    build_library(3)
    html, queries = get_counting_queries(client, LIBRARY)
    assert not [sql for sql in queries if '"education_section"' in sql]
    assert f"Reading grade {sample_article.published_grade}" in html


def test_the_library_lists_conditions_from_a_to_z_a_page_at_a_time(
    client: Client, clinician: User
) -> None:
    client.force_login(clinician)
    build_library(LIBRARY_PAGE_SIZE + 5)
    everything = list(Condition.objects.order_by("name").values_list("name", flat=True))

    first = client.get(LIBRARY)
    assert [c.name for c in first.context["conditions"]] == everything[:LIBRARY_PAGE_SIZE]
    html = first.content.decode()
    assert '<nav aria-label="Pages of conditions">' in html
    assert "Page 1" in html and 'href="?page=2"' in html

    second = client.get(LIBRARY, {"page": "2"})
    assert [c.name for c in second.context["conditions"]] == everything[LIBRARY_PAGE_SIZE:]
    # Recently updated is the front page's; later pages are the A-Z list only.
    assert second.context["recent_conditions"] == []


def test_a_page_that_is_not_a_page_number_is_the_first_page(
    client: Client, clinician: User
) -> None:
    client.force_login(clinician)
    build_library(3)
    for page in ["two", "-1", "0", "²", "9999999999999999999999"]:
        response = client.get(LIBRARY, {"page": page})
        assert len(response.context["conditions"]) == 3, page


def test_a_page_past_the_end_says_so_and_links_to_the_first(
    client: Client, clinician: User
) -> None:
    client.force_login(clinician)
    build_library(3)
    html = client.get(LIBRARY, {"q": "the", "page": "4"}).content.decode()
    assert "This page is past the end of the list." in html
    assert 'href="?q=the"' in html


def test_the_front_page_shows_the_recently_updated_conditions_newest_first(
    client: Client, clinician: User, approve: Callable[..., Article]
) -> None:
    build_library(RECENTLY_UPDATED_COUNT + 2)
    approve()  # a new version of the sample article: the most recent change
    client.force_login(clinician)
    recent = client.get(LIBRARY).context["recent_conditions"]
    assert len(recent) == RECENTLY_UPDATED_COUNT
    assert recent[0].slug == "bone-marrow-edema"
    # One entry per condition, with its articles as the A-Z list shows them.
    assert len({c.pk for c in recent}) == RECENTLY_UPDATED_COUNT
    assert [a.version for a in recent[0].published_articles] == [2]


def test_each_condition_lists_every_published_language_with_its_grade(
    client: Client, clinician: User
) -> None:
    load_shipped("bone-marrow-edema")
    client.force_login(clinician)
    html = client.get(LIBRARY).content.decode()
    for article in Article.objects.published():
        assert article.published_grade == article_readability(article)[0].grade
        assert article.get_absolute_url() in html
        assert f"Reading grade {article.published_grade}" in html


def test_search_results_that_fit_on_a_page_are_counted(client: Client, clinician: User) -> None:
    client.force_login(clinician)
    build_library(9)
    html = client.get(LIBRARY, {"q": "sprain"}).content.decode()
    assert "8 conditions found for “sprain”." in html
    assert "Pages of conditions" not in html


def test_search_results_are_paged_and_keep_the_query_in_the_page_links(
    client: Client, clinician: User
) -> None:
    client.force_login(clinician)
    build_library(LIBRARY_PAGE_SIZE * 2)
    response = client.get(LIBRARY, {"q": "the"})
    html = response.content.decode()
    # Counting every match would cost as much as listing them: past a page, it says so.
    assert f"More than {LIBRARY_PAGE_SIZE} conditions found for “the”." in html
    assert 'href="?q=the&amp;page=2"' in html
    names = [c.name for c in response.context["conditions"]]
    assert names == sorted(names) and len(names) == LIBRARY_PAGE_SIZE
    assert response.context["recent_conditions"] == []


@pytest.mark.parametrize("query", ["edeme", "EDEME", "Œdème", "oedeme s82", "s82.1"])
def test_search_ignores_accents_and_case_and_finds_codes(
    client: Client, clinician: User, query: str
) -> None:
    publish_condition("other", {"en": "Ankle sprain"}, icd10=["S93.4"])
    edema = publish_condition("edeme", {"en": "Œdème du genou"}, icd10=["S82.1"])
    client.force_login(clinician)
    found = client.get(LIBRARY, {"q": query}).context["conditions"]
    assert [c.pk for c in found] == [edema.pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no trigram index")
def test_search_can_use_the_trigram_index_on_postgresql() -> None:
    build_library(20)
    query = Condition.objects.search("knee sprain").order_by().values("pk").query
    sql, params = query.sql_with_params()
    with connection.cursor() as cursor:
        # With a handful of rows a table scan is cheaper; ask whether the index can serve it.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "condition_search_trgm" in plan


def test_every_way_of_publishing_records_the_grade(
    sample_article: Article, approve: Callable[..., Article]
) -> None:
    # Sample content is published by education.workflow.publish_loaded_content, a reviewed
    # draft by education.workflow.publish.
    for article in [sample_article, approve()]:
        assert article.published_grade == article_readability(article)[0].grade


def test_the_migration_records_the_grade_of_versions_published_without_one(
    sample_article: Article, approve: Callable[..., Article]
) -> None:
    archived, published = Article.objects.get(version=1), approve()
    Article._base_manager.update(published_grade=None)
    migration = importlib.import_module("education.migrations.0006_record_published_grades")
    at_that_point = MigrationLoader(connection).project_state(
        ("education", "0006_record_published_grades")
    )
    migration.record_published_grades(at_that_point.apps, None)
    for article in [archived, published]:
        article.refresh_from_db()
        assert article.published_grade == article_readability(article)[0].grade


@pytest.mark.parametrize("persona", ["clinician", "editor", "reviewer"])
def test_staff_home_runs_as_many_queries_for_fifty_articles_as_for_one(
    client: Client, request: pytest.FixtureRequest, persona: str
) -> None:
    client.force_login(request.getfixturevalue(persona))
    build_library(1)
    _html, one = get_counting_queries(client, reverse("home"))
    build_library(49)
    html, fifty = get_counting_queries(client, reverse("home"))
    assert len(fifty) == len(one)
    assert "All 50 conditions in the library" in html


def test_the_article_page_runs_as_many_queries_for_fifty_articles_as_for_one(
    client: Client, clinician: User, sample_article: Article
) -> None:
    client.force_login(clinician)
    url = sample_article.get_absolute_url()
    build_library(1)
    _html, one = get_counting_queries(client, url)
    build_library(49)
    _html, fifty = get_counting_queries(client, url)
    assert len(fifty) == len(one)


def test_the_article_page_lists_the_plan_blocks_clinicians_choose_from(
    client: Client, clinician: User, sample_article: Article
) -> None:
    client.force_login(clinician)
    html = client.get(sample_article.get_absolute_url()).content.decode()
    assert "<dt>Load</dt><dd>Leg; default Some weight (partial)</dd>" in html
    assert "<dt>Aids</dt><dd>Crutches, 4 weeks, selected</dd>" in html


# --- The shipped library ---------------------------------------------------------------------


@pytest.fixture
def shipped_library(db) -> list[Pack]:
    """Every shipped pack, loaded as `make demo` loads it: published, needing clinical review."""
    packs = read_packs([SHIPPED_DIR])
    for pack in packs:
        load_shipped(pack.slug)
    return packs


def test_the_library_lists_every_shipped_condition_in_both_languages_needing_review(
    client, clinician, shipped_library
):
    client.force_login(clinician)
    response = client.get(LIBRARY)
    listed = {c.slug: c for c in response.context["conditions"]}
    assert set(listed) == {pack.slug for pack in shipped_library}
    html = response.content.decode()
    for condition in listed.values():
        assert [a.language for a in condition.published_articles] == ["en", "es"]
        for language in ["en", "es"]:
            assert reverse("education:article", args=[condition.slug, language]) in html


def test_each_language_shows_its_own_review_state(client, clinician, shipped_library, approve):
    approve()  # bone marrow edema in English: reviewed; in Spanish: still sample content
    client.force_login(clinician)
    html = client.get(LIBRARY, {"q": "marrow"}).content.decode()
    items = html.split('<li class="list-inline-item')[1:]
    by_language = {re.search(r'lang="(\w\w)"', item).group(1): item for item in items}
    assert set(by_language) == {"en", "es"}
    assert "Clinically reviewed" in by_language["en"]
    assert "Needs clinical review" not in by_language["en"]
    assert "Needs clinical review" in by_language["es"]
    assert "Clinically reviewed" not in by_language["es"]


def test_search_finds_each_shipped_condition_by_its_spanish_name_and_every_synonym(
    client, clinician, shipped_library
):
    client.force_login(clinician)
    for pack in shipped_library:
        spanish = pack.data["condition"]["names"]["es"]
        for query in [spanish["name"], *spanish["synonyms"]]:
            for staff_language in ["en", "es"]:
                found = client.get(LIBRARY, {"q": query}, HTTP_ACCEPT_LANGUAGE=staff_language)
                assert pack.slug in [c.slug for c in found.context["conditions"]], query
