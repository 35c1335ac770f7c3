import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from education.models import Article, Condition
from tests.education.helpers import publish_condition


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "edema",
        "oedema",
        "M89",
        "m89.8x6",
        "BONE MARROW",
        "Édema",
        "  bone   bruise ",
        "bone-marrow",
    ],
)
def test_library_search_finds_bone_marrow_edema(
    client: Client, clinician: User, sample_article: Article, query: str
) -> None:
    client.force_login(clinician)
    response = client.get(reverse("education:library"), {"q": query})
    assert [c.slug for c in response.context["conditions"]] == ["bone-marrow-edema"]
    assert sample_article.title in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["fracture", "M17", "edema knee-cap"])
def test_library_search_says_when_nothing_matches(
    client: Client, clinician: User, sample_article: Article, query: str
) -> None:
    client.force_login(clinician)
    response = client.get(reverse("education:library"), {"q": query})
    assert list(response.context["conditions"]) == []
    assert b"Nothing matches" in response.content


@pytest.mark.django_db
def test_search_is_accent_insensitive_in_both_directions(db: None) -> None:
    publish_condition("oedeme", {"es": "Œdème osseux"}, icd10=["M89.8X6"])
    assert Condition.objects.search("oedeme osseux").count() == 1
    assert Condition.objects.search("ŒDÈME").count() == 1
