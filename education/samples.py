"""Sample content shipped with the portal (education/sample_content/*.json).

Loading is idempotent and never overwrites: a condition or article that already exists is left
exactly as editors left it.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from education.models import (
    Article,
    CodeSystem,
    Condition,
    ConditionCode,
    ConditionName,
    PreventionTip,
    RestGuidance,
    Section,
    Source,
    Therapy,
    WarningSign,
)
from education.workflow import publish_loaded_content

SAMPLE_DIR = Path(__file__).resolve().parent / "sample_content"


@dataclass(frozen=True)
class LoadResult:
    path: Path
    article_created: bool
    condition_created: bool


def sample_files() -> list[Path]:
    return sorted(SAMPLE_DIR.glob("*.json"))


@transaction.atomic
def load_sample_file(path: Path) -> LoadResult:
    data = json.loads(path.read_text(encoding="utf-8"))
    condition_data, article_data = data["condition"], data["article"]
    condition, condition_created = Condition.objects.get_or_create(
        slug=condition_data["slug"], defaults={"name": article_data["condition_name"]}
    )
    language = article_data["language"]
    if condition.articles.filter(language=language).exists():
        return LoadResult(path, article_created=False, condition_created=condition_created)

    article = Article.objects.create(
        condition=condition,
        language=language,
        title=article_data["title"],
        summary=article_data["summary"],
        in_brief=article_data.get("in_brief", ""),
        needs_clinical_review=article_data.get("needs_clinical_review", True),
    )
    # The name is in the article's language; the codes are the same in every language.
    ConditionName.objects.create(
        article=article,
        name=article_data["condition_name"],
        synonyms="\n".join(article_data.get("synonyms", [])),
    )
    for system, key in [
        (CodeSystem.ICD10_CM, "icd10_codes"),
        (CodeSystem.SNOMED_CT, "snomed_codes"),
    ]:
        for code in condition_data.get(key, []):
            ConditionCode.objects.create(article=article, system=system, code=code)
    for position, section in enumerate(article_data["sections"]):
        Section.objects.create(article=article, position=position, **section)
    for position, source in enumerate(article_data.get("sources", [])):
        Source.objects.create(article=article, position=position, **source)
    RestGuidance.objects.create(article=article, **article_data["rest_guidance"])
    for position, therapy in enumerate(article_data.get("therapies", [])):
        Therapy.objects.create(article=article, position=position, **therapy)
    for position, tip in enumerate(article_data.get("prevention_tips", [])):
        PreventionTip.objects.create(article=article, position=position, **tip)
    for position, sign in enumerate(article_data.get("warning_signs", [])):
        WarningSign.objects.create(article=article, position=position, **sign)
    publish_loaded_content(article)
    return LoadResult(path, article_created=True, condition_created=condition_created)
