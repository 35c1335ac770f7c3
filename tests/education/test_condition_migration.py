"""Migration 0008 moves each condition's names and comma-separated codes into its articles,
on data made by the schema before it, and keeps every code, even one that is not well formed."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from education.models import CodeSystem, Condition

BEFORE = [("education", "0007_library_indexes")]
AFTER = [("education", "0008_condition_names_and_codes")]


def migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def migrate_to_latest() -> None:
    """Today's schema, which the models (and every later test) read."""
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_names_and_codes_move_into_every_version_of_every_article() -> None:
    apps = migrate(BEFORE).loader.project_state(BEFORE).apps
    OldCondition = apps.get_model("education", "Condition")
    OldArticle = apps.get_model("education", "Article")
    edema = OldCondition.objects.create(
        slug="edema",
        name="Bone marrow edema",
        synonyms="Bone bruise\nBone marrow lesion",
        icd10_codes="M89.8X6, m898x7; M89.8X6  bogus",
        snomed_codes="22298006",
        search_text="bone marrow edema bone bruise",
    )
    OldCondition.objects.create(slug="bare", name="No codes at all")
    versions = [
        OldArticle.objects.create(
            condition=edema, language=language, title="T", summary="S", state=state, version=v
        )
        for language, state, v in [
            ("en", "archived", 1),
            ("en", "published", 2),
            ("en", "draft", None),
            ("es", "published", 1),
        ]
    ]

    migrate(AFTER)
    migrate_to_latest()

    condition = Condition.objects.get(slug="edema")
    assert condition.name == "Bone marrow edema"
    for old in versions:
        article = condition.articles.get(pk=old.pk)
        assert article.condition_name.name == "Bone marrow edema"
        assert article.condition_name.synonym_list == ["Bone bruise", "Bone marrow lesion"]
        assert sorted(article.codes.values_list("system", "code")) == [
            (CodeSystem.ICD10_CM, "BOGUS"),  # kept as typed, for an editor to correct
            (CodeSystem.ICD10_CM, "M89.8X6"),
            (CodeSystem.ICD10_CM, "M89.8X7"),
            (CodeSystem.SNOMED_CT, "22298006"),
        ]
    assert [c.slug for c in Condition.objects.for_code(CodeSystem.ICD10_CM, "M89.8X7")] == ["edema"]
    assert [c.slug for c in Condition.objects.search("bone bruise")] == ["edema"]

    # And back: the codes return to the condition, comma-separated.
    apps = migrate(BEFORE).loader.project_state(BEFORE).apps
    restored = apps.get_model("education", "Condition").objects.get(slug="edema")
    assert restored.icd10_codes == "BOGUS, M89.8X6, M89.8X7"
    assert restored.snomed_codes == "22298006"
    assert restored.synonyms == "Bone bruise\nBone marrow lesion"
    migrate_to_latest()
