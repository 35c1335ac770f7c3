"""A condition's names (per language) and codes (as rows) belong to its article versions: staff
find it by a published name, synonym or code in any language, an ICD-10-CM code finds its
nearest coded parent, and an editor's change goes live only when a reviewer publishes it."""

from collections.abc import Iterable

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from education.diff import compare_articles
from education.models import (
    Article,
    CodeSystem,
    Condition,
    ConditionCode,
    ConditionName,
    FrozenContentError,
    icd10_cm_parents,
    normalize_code,
)
from education.packs import load_shipped
from education.snapshot import build_snapshot, content_fingerprint
from education.workflow import WorkflowError, archive, publish, start_draft, submit_for_review
from tests.education.helpers import publish_condition
from tests.helpers import article_form

pytestmark = pytest.mark.django_db

LIBRARY = reverse("education:library")
ICD, SNOMED = CodeSystem.ICD10_CM, CodeSystem.SNOMED_CT


def slugs(conditions: Iterable[Condition]) -> list[str]:
    return sorted(condition.slug for condition in conditions)


# --- Codes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("m89.8x6", "M89.8X6"), ("M898X6", "M89.8X6"), (" r52 ", "R52"), ("s82101a", "S82.101A")],
)
def test_icd10_cm_codes_are_stored_upper_case_with_their_dot(typed: str, stored: str) -> None:
    assert normalize_code(ICD, typed) == stored


def test_an_icd10_cm_code_has_each_parent_up_to_its_category() -> None:
    assert icd10_cm_parents("M89.8X6") == ["M89.8X6", "M89.8X", "M89.8", "M89"]
    assert icd10_cm_parents("R52") == ["R52"]


@pytest.mark.parametrize(
    ("system", "code"),
    [(ICD, "M89.8X6"), (ICD, "m898x6"), (ICD, "R52"), (SNOMED, "22298006"), (SNOMED, "404684003")],
)
def test_valid_codes_are_accepted(sample_article: Article, system: str, code: str) -> None:
    draft_code = ConditionCode(article=sample_article, system=system, code=code)
    draft_code.clean()


@pytest.mark.parametrize(
    ("system", "code", "message"),
    [
        (ICD, "89.8", "Not an ICD-10-CM code: 89.8"),
        (ICD, "M89.8X6X7", "Not an ICD-10-CM code"),
        (ICD, "bone", "Not an ICD-10-CM code"),
        (SNOMED, "12a456", "Not a SNOMED CT concept id"),
        # A typing slip in the last digit: the Verhoeff check digit no longer fits.
        (SNOMED, "22298007", "Not a SNOMED CT concept id: 22298007"),
    ],
)
def test_malformed_codes_are_refused_with_the_bad_code_named(
    sample_article: Article, system: str, code: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        ConditionCode(article=sample_article, system=system, code=code).clean()


def test_a_code_finds_the_condition_whose_published_article_lists_it(
    sample_article: Article,
) -> None:
    publish_condition("other", {"en": "Other"}, icd10=["M89.8"])
    assert slugs(Condition.objects.for_code(ICD, "M89.8X6")) == ["bone-marrow-edema"]
    assert slugs(Condition.objects.for_code(ICD, "m898x6")) == ["bone-marrow-edema"]


def test_an_icd10_cm_code_nobody_lists_finds_the_nearest_parent_somebody_does() -> None:
    publish_condition("edema", {"en": "Edema"}, icd10=["M89.8"])
    publish_condition("bone", {"en": "Bone disorder"}, icd10=["M89"])
    assert slugs(Condition.objects.for_code(ICD, "M89.8X6")) == ["edema"]
    assert slugs(Condition.objects.for_code(ICD, "M89.1")) == ["bone"]
    assert list(Condition.objects.for_code(ICD, "M90.8X6")) == []


def test_snomed_ct_codes_are_matched_exactly() -> None:
    publish_condition("mi", {"en": "Heart attack"}, snomed=["22298006"])
    assert slugs(Condition.objects.for_code(SNOMED, "22298006")) == ["mi"]
    assert list(Condition.objects.for_code(SNOMED, "2229800")) == []


def test_looking_up_a_code_is_one_query_however_many_parents_are_tried() -> None:
    publish_condition("bone", {"en": "Bone disorder"}, icd10=["M89"])
    with CaptureQueriesContext(connection) as queries:
        assert len(list(Condition.objects.for_code(ICD, "M89.8X6"))) == 1
    assert len(queries) == 1


def test_staff_search_by_a_code_finds_its_nearest_coded_parent(
    client: Client, clinician: User
) -> None:
    publish_condition("ankle-sprain", {"en": "Ankle sprain"}, icd10=["S93.4"])
    client.force_login(clinician)
    for query in ["S93.401A", "s93401a", "S93.4"]:
        found = client.get(LIBRARY, {"q": query}).context["conditions"]
        assert slugs(found) == ["ankle-sprain"], query


# --- Names in each language -----------------------------------------------------------------


@pytest.fixture
def bilingual_library() -> None:
    load_shipped("bone-marrow-edema")
    publish_condition(
        "ankle-sprain",
        {"en": "Ankle sprain", "es": "Esguince de tobillo"},
        synonyms={"es": ["Torcedura de tobillo"]},
        icd10=["S93.4"],
    )


@pytest.mark.parametrize("staff_language", ["en", "es"])
@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("esguince", "ankle-sprain"),
        ("TORCEDURA", "ankle-sprain"),
        ("médula", "bone-marrow-edema"),
        ("medula osea", "bone-marrow-edema"),
        ("hueso", "bone-marrow-edema"),
        ("ankle", "ankle-sprain"),
        ("bone bruise", "bone-marrow-edema"),
    ],
)
def test_staff_find_a_condition_by_its_name_or_synonym_in_any_published_language(
    client: Client,
    clinician: User,
    bilingual_library: None,
    staff_language: str,
    query: str,
    slug: str,
) -> None:
    client.force_login(clinician)
    response = client.get(LIBRARY, {"q": query}, HTTP_ACCEPT_LANGUAGE=staff_language)
    assert slugs(response.context["conditions"]) == [slug]


def test_the_library_names_each_condition_in_the_staff_members_language(
    client: Client, clinician: User, bilingual_library: None
) -> None:
    client.force_login(clinician)
    spanish = client.get(LIBRARY, {"q": "tobillo"}, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<h3 class="h5 card-title" lang="es">Esguince de tobillo</h3>' in spanish
    assert "Torcedura de tobillo" in spanish
    english = client.get(LIBRARY, {"q": "tobillo"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<h3 class="h5 card-title" lang="en">Ankle sprain</h3>' in english
    assert "Torcedura" not in english


def test_the_sample_condition_has_its_spanish_names_and_its_codes_as_rows() -> None:
    load_shipped("bone-marrow-edema")
    spanish = Article.objects.get(condition__slug="bone-marrow-edema", language="es")
    assert spanish.condition_name.name == "Edema de médula ósea"
    assert "Moretón en el hueso" in spanish.condition_name.synonym_list
    for article in Article.objects.filter(condition__slug="bone-marrow-edema"):
        assert list(article.codes.values_list("system", "code")) == [
            (ICD, "M89.8X5"),
            (ICD, "M89.8X6"),
            (ICD, "M89.8X7"),
        ]
    assert Condition.objects.get().name == "Bone marrow edema"  # the portal's language, English


# --- Review --------------------------------------------------------------------------------


def rename_and_recode(draft: Article) -> None:
    naming = draft.condition_name
    naming.name, naming.synonyms = "Bone bruising", "Osteitis of nowhere"
    naming.save()
    draft.codes.filter(code="M89.8X6").delete()
    ConditionCode.objects.create(article=draft, system=ICD, code="S80.01")


def test_a_changed_name_or_code_is_not_live_until_a_reviewer_publishes_it(
    sample_article: Article, editor: User, reviewer: User
) -> None:
    draft = start_draft(sample_article, editor)
    rename_and_recode(draft)
    assert list(Condition.objects.search("osteitis")) == []
    assert list(Condition.objects.for_code(ICD, "S80.01")) == []
    assert slugs(Condition.objects.for_code(ICD, "M89.8X6")) == ["bone-marrow-edema"]
    assert Condition.objects.get().name == "Bone marrow edema"

    submit_for_review(draft, editor)
    publish(draft, reviewer)

    assert slugs(Condition.objects.search("osteitis")) == ["bone-marrow-edema"]
    assert slugs(Condition.objects.for_code(ICD, "S80.01")) == ["bone-marrow-edema"]
    assert list(Condition.objects.for_code(ICD, "M89.8X6")) == []
    assert list(Condition.objects.search("bone marrow lesion")) == []
    assert Condition.objects.get().name == "Bone bruising"


def test_the_reviewer_sees_the_changed_name_and_codes(
    sample_article: Article, editor: User
) -> None:
    draft = start_draft(sample_article, editor)
    rename_and_recode(draft)
    groups = {group.name: group for group in compare_articles(sample_article, draft).groups}
    name_changes = {
        change.label: (change.old, change.new)
        for part in groups["Condition's name"].changes
        for change in part.changed_fields
    }
    assert name_changes["Name"] == ("Bone marrow edema", "Bone bruising")
    codes = {part.label: part.status for part in groups["Condition's codes"].changes}
    assert codes["ICD-10-CM M89.8X6"] == "removed"
    assert codes["ICD-10-CM S80.01"] == "added"


def test_a_published_articles_name_and_codes_cannot_be_changed_in_place(
    sample_article: Article,
) -> None:
    naming = sample_article.condition_name
    naming.name = "Something else"
    with pytest.raises(FrozenContentError):
        naming.save()
    with pytest.raises(FrozenContentError):
        ConditionCode.objects.create(article=sample_article, system=ICD, code="R52")
    with pytest.raises(FrozenContentError):
        sample_article.codes.all().delete()


def test_an_editor_changes_names_and_codes_in_the_drafts_admin_page(
    client: Client, editor: User, sample_article: Article
) -> None:
    draft = start_draft(sample_article, editor)
    client.force_login(editor)
    data = article_form(draft, **{"condition_name-0-name": "Bone bruising", "codes-0-code": "r52"})
    response = client.post(reverse("admin:education_article_change", args=[draft.pk]), data)
    assert response.status_code == 302
    assert ConditionName.objects.get(article=draft).name == "Bone bruising"
    assert "R52" in draft.codes.values_list("code", flat=True)
    assert sample_article.condition_name.name == "Bone marrow edema"
    assert Condition.objects.get().name == "Bone marrow edema"


def test_the_drafts_admin_page_names_a_malformed_code(
    client: Client, editor: User, sample_article: Article
) -> None:
    draft = start_draft(sample_article, editor)
    client.force_login(editor)
    data = article_form(draft, **{"codes-0-code": "M8"})
    response = client.post(reverse("admin:education_article_change", args=[draft.pk]), data)
    assert response.status_code == 200
    assert "Not an ICD-10-CM code: M8." in response.content.decode()


def test_a_conditions_name_cannot_be_changed_outside_review(
    client: Client, administrator: User, sample_article: Article
) -> None:
    condition = sample_article.condition
    client.force_login(administrator)
    url = reverse("admin:education_condition_change", args=[condition.pk])
    client.post(url, {"slug": condition.slug, "name": "Renamed at once"})
    condition.refresh_from_db()
    assert condition.name == "Bone marrow edema"


def test_withdrawing_the_last_published_article_takes_its_names_out_of_search(
    sample_article: Article, reviewer: User
) -> None:
    archive(sample_article, reviewer)
    assert "bruise" not in Condition.objects.get().search_text


def test_a_version_published_with_a_new_name_and_code_is_fingerprinted_with_them(
    sample_article: Article, editor: User, reviewer: User
) -> None:
    draft = start_draft(sample_article, editor)
    rename_and_recode(draft)
    submit_for_review(draft, editor)
    published = publish(draft, reviewer)
    snapshot = build_snapshot(Article.objects.get(pk=published.pk))
    assert snapshot["condition"]["name"] == "Bone bruising"
    assert "S80.01" in snapshot["condition"]["icd10_codes"]
    # A handout made from it now is made from the live content, not from changed content.
    assert content_fingerprint(snapshot) == published.fingerprint


def test_a_draft_without_the_conditions_name_in_its_language_cannot_be_sent_for_review(
    client: Client, editor: User, sample_article: Article
) -> None:
    draft = start_draft(sample_article, editor)
    draft.condition_name.delete()
    with pytest.raises(WorkflowError, match="Give the condition's name"):
        submit_for_review(draft, editor)
    client.force_login(editor)
    page = client.get(reverse("admin:education_article_change", args=[draft.pk])).content
    assert "Give the condition&#x27;s name in this article&#x27;s language" in page.decode()
    assert b"Send for review" not in page
