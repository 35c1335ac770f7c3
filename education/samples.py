"""Sample content shipped with the portal (education/sample_content/*.json).

Loading is idempotent and never overwrites: a condition or article that already exists is left
exactly as editors left it.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from education.models import Article, CodeSystem, Condition
from education.parts import PARTS
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
        plan=article_data.get("plan", {}),
        needs_clinical_review=article_data.get("needs_clinical_review", True),
    )
    # The condition's name (in the article's language) and its codes (the same in every
    # language) are parts of the article: its review covers them.
    article_data = {
        **article_data,
        "condition_name": {
            "name": article_data["condition_name"],
            "synonyms": "\n".join(article_data.get("synonyms", [])),
        },
        "codes": [
            {"system": system, "code": code}
            for system, key in [
                (CodeSystem.ICD10_CM, "icd10_codes"),
                (CodeSystem.SNOMED_CT, "snomed_codes"),
            ]
            for code in condition_data.get(key, [])
        ],
    }
    # Each part under its name (education.parts): a list in the article's order, or one
    # object for a part an article has at most one of.
    for part in PARTS:
        value = article_data.get(part.name)
        if part.many:
            for position, fields in enumerate(value or []):
                part.create(article, **({"position": position} if part.ordered else {}), **fields)
        elif value is not None:
            part.create(article, **value)
    publish_loaded_content(article)
    return LoadResult(path, article_created=True, condition_created=condition_created)
