"""Content packs: one JSON file per condition, holding every language's article with its
parts, plan blocks, names, codes and sources (format in docs/developing.md, "Content packs";
schema in education/content_packs/schema/v1.json).

Reading a pack checks all of it before anything is written, and each problem names the file,
the field's path in it and what is allowed. Importing one never changes what clinicians use:
each article that differs from the condition's current version becomes a draft beside the live
version, for a reviewer to compare and approve as usual. Only the shipped library, loaded into
a condition that has no live version yet, is published directly, flagged as needing clinical
review (`publish`, `manage.py import_content --publish-unreviewed`).

Keys. Packs name parts by slugs that are the same in every language ("calf-raises"); the
parts registry names them by lineage. A part keeps its pack key (ArticlePart.pack_key), so
export writes back the key it was imported with; a part written in the admin has none and is
named by its lineage ("section-1a2b3c4d"). On import, a part takes the lineage of the live
version's part with the same key, so handouts carry their choices over and the reviewer's diff
pairs them; a part new to the condition gets a lineage derived from condition, language, part
and key, so importing the same pack anywhere gives the same lineages. Export, import and export
again write identical files, and importing a pack that matches the current version writes
nothing.
"""

import datetime
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import models, transaction
from django.utils.translation import gettext

from education.models import (
    CHECK_QUESTION_TOPICS,
    Article,
    CodeSystem,
    Condition,
    ConditionCode,
    ConditionName,
    code_problem,
    normalize_code,
)
from education.parts import PARTS, Part
from education.plan_blocks import PlanError, PlanOffer
from education.workflow import note_contribution, publish_loaded_content

# Importing a pack creates articles (drafts): Content editors may.
IMPORT_PERMISSION = "education.add_article"
PACK_FORMAT = "patient-portal-content-pack"
PACK_FORMAT_VERSION = 1
SHIPPED_DIR = Path(__file__).resolve().parent / "content_packs"
SCHEMA_PATH = SHIPPED_DIR / "schema" / "v1.json"

# A pack's article fields before its parts; the plan follows the sources.
ARTICLE_FIELDS = ("title", "summary", "in_brief", "needs_clinical_review")
PLAN_AFTER = "sources"
# Code systems as packs write them ("ICD-10-CM"), and back.
SYSTEM_BY_LABEL = {str(label): value for value, label in CodeSystem.choices}
LABEL_BY_SYSTEM = {value: label for label, value in SYSTEM_BY_LABEL.items()}
# Lineages of parts new to a condition: uuid5 in this namespace (fixed: changing it would give
# every later import new lineages).
LINEAGE_NAMESPACE = uuid.UUID("6f9b2a5e-4c1d-5e8f-9a0b-3c2d1e4f5a6b")


def pack_parts() -> list[Part]:
    """The parts a pack holds in each article, in the registry's order."""
    return [part for part in PARTS if part.pack_fields]


# --- Reading and checking -------------------------------------------------------------------


@dataclass(frozen=True)
class PackProblem:
    file: str
    path: str  # e.g. "articles.es.therapies[2].weeks"
    message: str  # what is allowed

    def __str__(self) -> str:
        return f"{self.file}: {self.path}: {self.message}"


class PackInvalid(Exception):
    """One or more files that are not valid packs; nothing was written."""

    def __init__(self, problems: Sequence[PackProblem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class Pack:
    """A pack that passed every check, in the form export writes it."""

    file: str
    data: dict[str, Any]

    @property
    def slug(self) -> str:
        return str(self.data["condition"]["slug"])

    @property
    def languages(self) -> list[str]:
        return list(self.data["articles"])

    def content(self, language: str) -> dict[str, Any]:
        """What one language's article version holds: its name, the codes and the article."""
        condition = self.data["condition"]
        return {
            "name": condition["names"][language],
            "codes": condition["codes"],
            "article": self.data["articles"][language],
        }

    def text(self) -> str:
        return pack_text(self.data)


def pack_text(data: dict[str, Any]) -> str:
    """A pack's file: UTF-8 JSON, 2-space indent, keys in the format's order."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


class _Reader:
    """Collects every problem of one file, each with its path."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[PackProblem] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(PackProblem(self.file, path, message))

    def obj(
        self, value: object, path: str, required: Iterable[str], optional: Iterable[str] = ()
    ) -> dict[str, Any] | None:
        required, optional = list(required), list(optional)
        if not isinstance(value, dict):
            self.problem(path, gettext("must be an object"))
            return None
        for name in required:
            if name not in value:
                self.problem(f"{path}.{name}", gettext("is missing"))
        allowed = required + optional
        for name in value:
            if name not in allowed:
                self.problem(
                    f"{path}.{name}",
                    gettext("is not a field here; allowed: %(fields)s")
                    % {"fields": ", ".join(allowed)},
                )
        return value

    def list(self, value: object, path: str) -> list[Any]:
        if not isinstance(value, list):
            self.problem(path, gettext("must be a list"))
            return []
        return value

    def text(self, value: object, path: str, max_length: int | None, blank: bool) -> str:
        if not isinstance(value, str):
            self.problem(path, gettext("must be text"))
            return ""
        if not blank and not value.strip():
            self.problem(path, gettext("must not be empty"))
        if max_length is not None and len(value) > max_length:
            self.problem(
                path,
                gettext("must be at most %(count)d characters (it has %(length)d)")
                % {"count": max_length, "length": len(value)},
            )
        return value

    def model_value(self, model_field: models.Field, value: object, path: str) -> Any:
        """`value` as the model's field takes it, or a problem saying what the field allows."""
        if value is None and model_field.null:
            return None
        if model_field.choices:
            allowed = [str(choice) for choice, _label in model_field.flatchoices]
            if value not in allowed:
                self.problem(
                    path, gettext("must be one of: %(values)s") % {"values": ", ".join(allowed)}
                )
            return value
        if isinstance(model_field, models.BooleanField):
            if not isinstance(value, bool):
                self.problem(path, gettext("must be true or false"))
            return value
        if isinstance(model_field, models.IntegerField):
            if not isinstance(value, int) or isinstance(value, bool):
                self.problem(path, gettext("must be a whole number"))
                return None
            return value
        if isinstance(model_field, models.DateField):
            try:
                return datetime.date.fromisoformat(str(value))
            except ValueError:
                self.problem(path, gettext("must be a date, YYYY-MM-DD, or null"))
                return None
        if isinstance(model_field, models.JSONField):
            return value
        return self.text(value, path, model_field.max_length, model_field.blank)

    def validation_error(self, error: ValidationError, path: str) -> None:
        for name, messages in error.message_dict.items():
            for message in messages:
                self.problem(path if name == "__all__" else f"{path}.{name}", message)


def _model_field(model: type[models.Model], name: str) -> models.Field:
    found = model._meta.get_field(name)
    assert isinstance(found, models.Field), name
    return found


def _json_value(value: object) -> object:
    """A model field's value as packs write it."""
    return value.isoformat() if isinstance(value, datetime.date) else value


def read_pack(file: str, raw: bytes | str) -> Pack:
    """The pack in `raw` (the content of `file`), checked; PackInvalid lists every problem."""
    reader = _Reader(file)
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        reader.problem("(file)", gettext("is not UTF-8 JSON: %(error)s") % {"error": error})
        raise PackInvalid(reader.problems) from None
    top = reader.obj(data, "(pack)", ["format", "format_version", "condition", "articles"])
    if top is None:
        raise PackInvalid(reader.problems)
    if top.get("format") != PACK_FORMAT:
        reader.problem("format", gettext('must be "%(format)s"') % {"format": PACK_FORMAT})
    if top.get("format_version") != PACK_FORMAT_VERSION:
        reader.problem(
            "format_version",
            gettext("must be %(version)d: the version of the format this portal reads")
            % {"version": PACK_FORMAT_VERSION},
        )
    condition = _read_condition(reader, top.get("condition"))
    articles = _read_articles(reader, top.get("articles"))
    if condition and articles is not None and set(condition["names"]) != set(articles):
        reader.problem(
            "condition.names",
            gettext("must name the condition in each language of the articles: %(languages)s")
            % {"languages": ", ".join(articles)},
        )
    if reader.problems or condition is None or articles is None:
        raise PackInvalid(reader.problems)
    return Pack(
        file,
        {
            "format": PACK_FORMAT,
            "format_version": PACK_FORMAT_VERSION,
            "condition": condition,
            "articles": articles,
        },
    )


def _language_problem(language: str) -> str | None:
    offered = [code for code, _name in settings.LANGUAGES]
    if language in offered:
        return None
    return gettext("is not a language of this portal: %(languages)s") % {
        "languages": ", ".join(offered)
    }


def _read_condition(reader: _Reader, value: object) -> dict[str, Any] | None:
    data = reader.obj(value, "condition", ["slug", "codes", "names"])
    if data is None:
        return None
    slug = reader.text(
        data.get("slug"), "condition.slug", Condition._meta.get_field("slug").max_length, False
    )
    try:
        validate_slug(slug)
    except ValidationError:
        reader.problem("condition.slug", gettext("must be letters, numbers, - and _ only"))
    codes = []
    raw_codes = reader.list(data.get("codes"), "condition.codes")
    if "codes" in data and not raw_codes:
        reader.problem("condition.codes", gettext("must list at least one code"))
    for index, item in enumerate(raw_codes):
        path = f"condition.codes[{index}]"
        entry = reader.obj(item, path, ["system", "code"])
        if entry is None:
            continue
        system = SYSTEM_BY_LABEL.get(entry.get("system"))  # type: ignore[arg-type]
        if system is None:
            reader.problem(
                f"{path}.system",
                gettext("must be one of: %(values)s") % {"values": ", ".join(SYSTEM_BY_LABEL)},
            )
            continue
        code = normalize_code(system, reader.text(entry.get("code"), f"{path}.code", 20, False))
        problem = code_problem(system, code)
        if problem is not None:
            reader.problem(f"{path}.code", problem)
        elif (system, code) in codes:
            reader.problem(f"{path}.code", gettext("lists this code twice"))
        codes.append((system, code))
    names: dict[str, Any] = {}
    raw_names = data.get("names")
    if not isinstance(raw_names, dict) or not raw_names:
        reader.problem("condition.names", gettext("must be an object with one entry per language"))
        raw_names = {}
    for language, item in raw_names.items():
        path = f"condition.names.{language}"
        if (problem := _language_problem(language)) is not None:
            reader.problem(path, problem)
        entry = reader.obj(item, path, ["name"], ["synonyms"])
        if entry is None:
            continue
        name = reader.text(entry.get("name"), f"{path}.name", 200, False)
        synonyms = [
            reader.text(s, f"{path}.synonyms[{i}]", 200, False)
            for i, s in enumerate(reader.list(entry.get("synonyms", []), f"{path}.synonyms"))
        ]
        if any("\n" in s for s in synonyms):
            reader.problem(
                f"{path}.synonyms", gettext("holds one synonym per entry, no line breaks")
            )
        names[language] = {"name": name, "synonyms": synonyms}
    return {
        "slug": slug,
        # In the order the database keeps them (ConditionCode.Meta.ordering).
        "codes": [
            {"system": LABEL_BY_SYSTEM[system], "code": code} for system, code in sorted(set(codes))
        ],
        "names": _in_language_order(names),
    }


def _in_language_order(by_language: dict[str, Any]) -> dict[str, Any]:
    """Languages in the portal's order (settings.LANGUAGES), the rest after."""
    order = [code for code, _name in settings.LANGUAGES]
    return dict(
        sorted(
            by_language.items(),
            key=lambda item: (order.index(item[0]) if item[0] in order else len(order), item[0]),
        )
    )


def _read_articles(reader: _Reader, value: object) -> dict[str, Any] | None:
    if not isinstance(value, dict) or not value:
        reader.problem("articles", gettext("must be an object with one article per language"))
        return None
    articles = {}
    for language, item in value.items():
        path = f"articles.{language}"
        if (problem := _language_problem(language)) is not None:
            reader.problem(path, problem)
        article = _read_article(reader, item, path)
        if article is not None:
            articles[language] = article
    return _in_language_order(articles)


def _read_article(reader: _Reader, value: object, path: str) -> dict[str, Any] | None:
    parts = pack_parts()
    data = reader.obj(
        value,
        path,
        ["title", "summary", "sections"],
        [
            "in_brief",
            "needs_clinical_review",
            "plan",
            *(p.name for p in parts if p.name != "sections"),
        ],
    )
    if data is None:
        return None
    article: dict[str, Any] = {}
    for name in ARTICLE_FIELDS:
        model_field = _model_field(Article, name)
        default = model_field.get_default() if name != "needs_clinical_review" else True
        article[name] = reader.model_value(model_field, data.get(name, default), f"{path}.{name}")
    for part in parts:
        article[part.name] = _read_part_list(reader, part, data.get(part.name, []), path)
        if part.name == PLAN_AFTER:
            article["plan"] = _read_plan(reader, data.get("plan"), f"{path}.plan")
    section_keys = {s["key"] for s in article.get("sections", [])}
    for index, question in enumerate(article.get("check_questions", [])):
        if question.get("about") not in section_keys | set(CHECK_QUESTION_TOPICS):
            reader.problem(
                f"{path}.check_questions[{index}].about",
                gettext("must be a section key of this article or one of: %(topics)s")
                % {"topics": ", ".join(CHECK_QUESTION_TOPICS)},
            )
    return article


def _read_plan(reader: _Reader, value: object, path: str) -> dict[str, Any] | None:
    if value is None:
        return None
    try:
        offer = PlanOffer.from_json(value, path)
    except PlanError as error:
        reader.problem(error.path, error.message)
        return None
    return plan_json(offer)


def plan_json(offer: PlanOffer) -> dict[str, Any] | None:
    """An offer as packs write it: its blocks, without the storage format (the pack has its
    own); None when it offers no block."""
    blocks = {k: v for k, v in offer.to_json().items() if k != "format"}
    return blocks or None


def _read_part_list(reader: _Reader, part: Part, value: object, path: str) -> list[dict[str, Any]]:
    path = f"{path}.{part.name}"
    items = reader.list(value, path)
    if part.count_when_present and items:
        low, high = part.count_when_present
        if not low <= len(items) <= high:
            reader.problem(
                path, gettext("must hold %(low)d to %(high)d, or none") % {"low": low, "high": high}
            )
    result, seen = [], set()
    model_fields = {name: _model_field(part.model, name) for name in part.pack_fields}
    required = [
        name
        for name, model_field in model_fields.items()
        if not (model_field.has_default() or model_field.blank)
    ]
    for index, item in enumerate(items):
        item_path = f"{path}[{index}]"
        entry = reader.obj(
            item,
            item_path,
            (["key"] if part.pack_keyed else []) + required,
            [name for name in part.pack_fields if name not in required],
        )
        if entry is None:
            continue
        out: dict[str, Any] = {}
        if part.pack_keyed:
            key = reader.text(entry.get("key"), f"{item_path}.key", 80, False)
            try:
                validate_slug(key)
            except ValidationError:
                reader.problem(
                    f"{item_path}.key", gettext("must be letters, numbers, - and _ only")
                )
            out["key"] = key
        values = {}
        for name, model_field in model_fields.items():
            raw = entry.get(name, model_field.get_default())
            values[name] = reader.model_value(model_field, raw, f"{item_path}.{name}")
            out[name] = _json_value(values[name])
        identity = _identity(part, out)
        if identity in seen:
            reader.problem(
                f"{item_path}.{'key' if part.pack_keyed else part.pack_fields[0]}",
                gettext("is used twice in this list"),
            )
        seen.add(identity)
        try:
            instance = part.model(**values)
            instance.clean_fields(exclude=["article", "lineage", "pack_key", "position"])
            instance.clean()
        except ValidationError as error:
            reader.validation_error(error, item_path)
        except (TypeError, ValueError):
            pass  # a value of the wrong type: named above
        result.append(out)
    return result


def _identity(part: Part, item: dict[str, Any]) -> str:
    """What names one part of a list in a pack: its key, or (sources) its first field."""
    return str(item["key"] if part.pack_keyed else item[part.pack_fields[0]])


def read_pack_file(path: Path) -> Pack:
    return read_pack(path.name, path.read_bytes())


def pack_paths(paths: Iterable[Path]) -> list[Path]:
    """The pack files among `paths`: files as given, and each directory's *.json files."""
    found: list[Path] = []
    for path in paths:
        found += sorted(path.glob("*.json")) if path.is_dir() else [path]
    return found


def read_packs(paths: Iterable[Path]) -> list[Pack]:
    """Every pack in `paths`, checked; PackInvalid lists every problem of every file."""
    packs, problems = [], []
    for path in pack_paths(paths):
        try:
            packs.append(read_pack_file(path))
        except PackInvalid as invalid:
            problems += invalid.problems
        except OSError as error:
            problems.append(PackProblem(str(path), "(file)", error.strerror or str(error)))
    slugs = [pack.slug for pack in packs]
    for pack in packs:
        if slugs.count(pack.slug) > 1:
            problems.append(
                PackProblem(pack.file, "condition.slug", gettext("another file has this condition"))
            )
    if problems:
        raise PackInvalid(problems)
    return packs


# --- Exporting ------------------------------------------------------------------------------


def _pack_key(part: Part, item: Any) -> str:
    return str(item.key_in_packs)


def article_content(article: Article) -> dict[str, Any]:
    """What one article version holds, as a pack writes it (Pack.content)."""
    naming = ConditionName.objects.filter(article=article).first()
    content: dict[str, Any] = {
        "name": {
            "name": naming.name if naming else article.condition.name,
            "synonyms": naming.synonym_list if naming else [],
        },
        "codes": [
            {"system": LABEL_BY_SYSTEM[c.system], "code": c.code}
            for c in ConditionCode.objects.filter(article=article)
        ],
    }
    data: dict[str, Any] = {name: getattr(article, name) for name in ARTICLE_FIELDS}
    for part in pack_parts():
        data[part.name] = [
            ({"key": _pack_key(part, item)} if part.pack_keyed else {})
            | {name: _json_value(getattr(item, name)) for name in part.pack_fields}
            for item in part.of(article, fresh=True)
        ]
        if part.name == PLAN_AFTER:
            data["plan"] = plan_json(article.plan_offer())
    return content | {"article": data}


def exported_versions(condition: Condition) -> list[Article]:
    """What export writes of a condition, per language: the live version, or else the open
    draft (a translation not yet published)."""
    versions = []
    for language, _name in settings.LANGUAGES:
        articles = condition.articles.filter(language=language)
        version = articles.published().first() or articles.open_drafts().first()
        if version is not None:
            versions.append(version)
    return versions


def export_condition(condition: Condition) -> dict[str, Any] | None:
    """The condition as a pack, or None when it has no article to export."""
    contents = {a.language: article_content(a) for a in exported_versions(condition)}
    if not contents:
        return None
    codes = {(c["system"], c["code"]) for content in contents.values() for c in content["codes"]}
    return {
        "format": PACK_FORMAT,
        "format_version": PACK_FORMAT_VERSION,
        "condition": {
            "slug": condition.slug,
            # Every language's article lists the codes; a pack lists them once.
            "codes": [
                {"system": system, "code": code}
                for system, code in sorted(codes, key=lambda c: (SYSTEM_BY_LABEL[c[0]], c[1]))
            ],
            "names": {language: content["name"] for language, content in contents.items()},
        },
        "articles": {language: content["article"] for language, content in contents.items()},
    }


def export_packs(slugs: Sequence[str], directory: Path) -> list[Path]:
    """Write one pack per condition (every condition with an article when `slugs` is empty)
    into `directory`; returns the files written. Raises Condition.DoesNotExist naming an
    unknown slug."""
    conditions = (
        list(Condition.objects.filter(slug__in=slugs))
        if slugs
        else list(Condition.objects.order_by("slug"))
    )
    missing = set(slugs) - {c.slug for c in conditions}
    if missing:
        raise Condition.DoesNotExist(
            gettext("No condition with the slug: %(slugs)s") % {"slugs": ", ".join(sorted(missing))}
        )
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for condition in conditions:
        data = export_condition(condition)
        if data is None:
            continue
        path = directory / f"{condition.slug}.json"
        path.write_text(pack_text(data), encoding="utf-8")
        written.append(path)
    return written


# --- Importing ------------------------------------------------------------------------------


class Outcome(StrEnum):
    DRAFT = "draft"  # a new draft, beside the live version if there is one
    PUBLISHED = "published"  # published unreviewed (the shipped library)
    UNCHANGED = "unchanged"  # the current version already holds exactly this
    REFUSED = "refused"  # see the reason


@dataclass(frozen=True)
class LanguageImport:
    language: str
    outcome: Outcome
    # What differs from the current version (empty for a new article).
    changes: list[str] = field(default_factory=list)
    reason: str = ""
    article: Article | None = None  # the draft or version written


@dataclass(frozen=True)
class PackImport:
    pack: Pack
    new_condition: bool
    languages: list[LanguageImport]

    def count(self, outcome: Outcome) -> int:
        return sum(1 for item in self.languages if item.outcome == outcome)


def _changes(current: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What an import would change in one language, field by field, for the preview."""
    changes = []
    if current["name"] != new["name"]:
        changes.append(gettext("condition's name or synonyms"))
    if current["codes"] != new["codes"]:
        changes.append(gettext("codes"))
    old_article, new_article = current["article"], new["article"]
    for name, value in new_article.items():
        old = old_article.get(name)
        if old == value:
            continue
        if not isinstance(value, list):
            changes.append(name)
            continue
        part = next(p for p in pack_parts() if p.name == name)
        before = {_identity(part, item): item for item in old or []}
        after = {_identity(part, item): item for item in value}
        counts = {
            gettext("added"): len(after.keys() - before.keys()),
            gettext("removed"): len(before.keys() - after.keys()),
            gettext("changed"): sum(
                1 for k in after.keys() & before.keys() if after[k] != before[k]
            ),
        }
        described = ", ".join(f"{n} {what}" for what, n in counts.items() if n)
        changes.append(f"{name}: {described}" if described else f"{name}: " + gettext("reordered"))
    return changes


def plan_import(pack: Pack, *, publish: bool = False) -> PackImport:
    """What importing `pack` would do, language by language; reads, never writes."""
    condition = Condition.objects.filter(slug=pack.slug).first()
    has_live = condition is not None and condition.articles.published().exists()
    languages = []
    for language in pack.languages:
        new = pack.content(language)
        articles = (
            condition.articles.filter(language=language) if condition else Article.objects.none()
        )
        draft = articles.open_drafts().first()
        current = draft or articles.published().first()
        current_content = article_content(current) if current else None
        if current_content == new:
            languages.append(LanguageImport(language, Outcome.UNCHANGED))
            continue
        changes = _changes(current_content, new) if current_content else []
        if draft is not None:
            reason = gettext(
                "There is already a %(state)s of this article; finish or delete it before "
                "importing this pack."
            ) % {"state": draft.get_state_display().lower()}
            languages.append(LanguageImport(language, Outcome.REFUSED, changes, reason))
        elif publish and has_live:
            reason = gettext(
                "This condition already has a live version: import the pack as drafts for "
                "review instead."
            )
            languages.append(LanguageImport(language, Outcome.REFUSED, changes, reason))
        else:
            outcome = Outcome.PUBLISHED if publish else Outcome.DRAFT
            languages.append(LanguageImport(language, outcome, changes))
    return PackImport(pack, condition is None, languages)


@transaction.atomic
def import_pack(pack: Pack, *, publish: bool = False, user: User | None = None) -> PackImport:
    """Import `pack`: each language that differs from the condition's current version becomes
    a draft beside the live one (`user`, if given, is its contributor); with `publish`, into a
    condition with no live version only, each is published unreviewed, flagged as needing
    clinical review. What plan_import() refuses is left as it is."""
    planned = plan_import(pack, publish=publish)
    names = pack.data["condition"]["names"]
    shown = names.get(settings.LANGUAGE_CODE) or next(iter(names.values()))
    condition, _created = Condition.objects.get_or_create(
        slug=pack.slug, defaults={"name": shown["name"]}
    )
    done = []
    for item in planned.languages:
        if item.outcome not in (Outcome.DRAFT, Outcome.PUBLISHED):
            done.append(item)
            continue
        article = _create_version(condition, item.language, pack, publish=publish)
        if publish:
            publish_loaded_content(article)
        elif user is not None:
            note_contribution(article, user)
        done.append(LanguageImport(item.language, item.outcome, item.changes, "", article))
    return PackImport(pack, planned.new_condition, done)


def _create_version(condition: Condition, language: str, pack: Pack, *, publish: bool) -> Article:
    content = pack.content(language)
    data = content["article"]
    live = condition.articles.filter(language=language).published().first()
    offer = PlanOffer.from_json(data["plan"]) if data["plan"] is not None else PlanOffer()
    fields = {name: data[name] for name in ARTICLE_FIELDS}
    if publish:
        fields["needs_clinical_review"] = True
    article = Article.objects.create(
        condition=condition, language=language, based_on=live, plan=offer.to_json(), **fields
    )
    ConditionName.objects.create(
        article=article,
        name=content["name"]["name"],
        synonyms="\n".join(content["name"]["synonyms"]),
    )
    for code in content["codes"]:
        ConditionCode.objects.create(
            article=article, system=SYSTEM_BY_LABEL[code["system"]], code=code["code"]
        )
    for part in pack_parts():
        lineages = (
            {_pack_key_or_identity(part, item): item.lineage for item in part.of(live, fresh=True)}
            if live
            else {}
        )
        for position, item in enumerate(data[part.name]):
            identity = _identity(part, item)
            lineage = lineages.get(identity) or uuid.uuid5(
                LINEAGE_NAMESPACE, f"{condition.slug}/{language}/{part.name}/{identity}"
            )
            fields = {
                name: _model_field(part.model, name).to_python(item[name])
                for name in part.pack_fields
            }
            keyed = {"pack_key": item["key"]} if part.pack_keyed else {}
            part.create(article, position=position, lineage=lineage, **keyed, **fields)
    return article


def _pack_key_or_identity(part: Part, item: Any) -> str:
    """How a pack names a stored part: its pack key, or (sources) its first field."""
    return _pack_key(part, item) if part.pack_keyed else str(getattr(item, part.pack_fields[0]))


def load_shipped(slug: str, languages: Sequence[str] | None = None) -> PackImport:
    """One shipped pack (education/content_packs/<slug>.json), published unreviewed as
    `manage.py import_content --publish-unreviewed` (make demo) publishes the library;
    `languages` narrows it (tests and benchmarks load one)."""
    pack = read_pack_file(SHIPPED_DIR / f"{slug}.json")
    if languages is not None:
        pack = only_languages(pack, languages)
    return import_pack(pack, publish=True)


def only_languages(pack: Pack, languages: Sequence[str]) -> Pack:
    """The pack with only the articles (and names) in `languages`."""
    data = pack.data
    keep = [language for language in data["articles"] if language in languages]
    condition = data["condition"]
    return Pack(
        pack.file,
        {
            **data,
            "condition": {**condition, "names": {k: condition["names"][k] for k in keep}},
            "articles": {k: data["articles"][k] for k in keep},
        },
    )
