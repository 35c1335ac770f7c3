"""Content made the way editors and reviewers make it, for the education tests."""

from collections.abc import Sequence

from education.models import Article, CodeSystem, Condition, ConditionCode, ConditionName
from education.workflow import publish_loaded_content


def publish_condition(
    slug: str,
    names: dict[str, str],
    *,
    synonyms: dict[str, list[str]] | None = None,
    icd10: Sequence[str] = (),
    snomed: Sequence[str] = (),
) -> Condition:
    """A condition with a published article in each language of `names` (language -> name),
    each listing the same codes."""
    condition = Condition.objects.create(slug=slug, name=next(iter(names.values())))
    for language, name in names.items():
        article = Article.objects.create(
            condition=condition, language=language, title=name, summary=f"{name}."
        )
        ConditionName.objects.create(
            article=article, name=name, synonyms="\n".join((synonyms or {}).get(language, []))
        )
        for system, codes in [(CodeSystem.ICD10_CM, icd10), (CodeSystem.SNOMED_CT, snomed)]:
            for code in codes:
                ConditionCode.objects.create(article=article, system=system, code=code)
        publish_loaded_content(article)
    condition.refresh_from_db()
    return condition
