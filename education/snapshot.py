"""A frozen copy of an article's content: what a handout is made from, and what versions of
an article are compared by.

Handouts render only from their snapshot, so publishing a new version later never changes a
handout that was already given to a patient. A snapshot is JSON, typed below: a format
version, the condition, the article, and one entry per part (education.parts.PARTS). Parts
that carry a lineage are keyed by it: the same part keeps its key from version to version, so
a handout's choices (which name parts by key) carry over to a newer version.
"""

import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, NotRequired, TypedDict, cast

from django.utils import translation

from education.models import Article, condition_terms
from education.parts import PARTS, iso_date

# 1: choice keys held database ids ("therapy-12"); 2: parts are keyed by their lineage.
# Stored handouts were upgraded by handouts migration 0015 (upgrade_format_1 below).
SNAPSHOT_FORMAT = 2


class ConditionSnapshot(TypedDict):
    slug: str
    name: str
    icd10_codes: list[str]


class ArticleSnapshot(TypedDict):
    id: int
    language: str
    title: str
    summary: str
    in_brief: NotRequired[str]
    needs_clinical_review: bool
    reviewed_by: str
    last_reviewed_on: str | None
    next_review_due: str | None


class SectionSnapshot(TypedDict):
    key: str
    kind: str
    heading: str
    body_html: str
    printed_by_default: NotRequired[bool]


class SourceSnapshot(TypedDict):
    key: str
    citation: str
    url: str
    accessed_on: str | None


class RestGuidanceSnapshot(TypedDict):
    default_weeks: int
    crutches_advised: bool
    weight_bearing: str
    body_part: NotRequired[str]
    note: str


class TherapySnapshot(TypedDict):
    key: str
    name: str
    instructions: str
    times_per_week: int
    weeks: int


class PreventionTipSnapshot(TypedDict):
    key: str
    text: str
    selected_by_default: bool


class WarningSignSnapshot(TypedDict):
    key: str
    text: str
    urgency: str


class CheckQuestionSnapshot(TypedDict):
    key: str
    about: str
    kind: str
    text: str
    options: list[dict[str, Any]]


class Snapshot(TypedDict):
    """One article version's content. Every part in education.parts.PARTS has its entry here
    (tests/education/test_parts.py checks it), under the part's name."""

    format: int
    # A fingerprint of the whole snapshot, database ids too (content_version).
    version: str
    condition: ConditionSnapshot
    article: ArticleSnapshot
    sections: list[SectionSnapshot]
    sources: list[SourceSnapshot]
    rest_guidance: RestGuidanceSnapshot
    therapies: list[TherapySnapshot]
    prevention_tips: list[PreventionTipSnapshot]
    warning_signs: list[WarningSignSnapshot]
    # Since check questions were added; older snapshots have none.
    check_questions: list[CheckQuestionSnapshot]


def build_snapshot(article: Article) -> Snapshot:
    parts: dict[str, Any] = {}
    # Parts are frozen in the article's language, not the language of whoever builds the
    # snapshot (a section without a heading is printed under its kind's name): the handout
    # reads in one language, and the same content always gives the same fingerprint.
    with translation.override(article.language):
        for part in PARTS:
            if part.snapshot is None:
                continue
            items = part.of(article)
            if part.many:
                parts[part.name] = [
                    ({"key": str(item.lineage)} if part.has_lineage else {}) | part.snapshot(item)
                    for item in items
                ]
            else:
                parts[part.name] = part.snapshot(items[0]) if items else part.snapshot_when_missing
    terms = condition_terms(article)
    content = {
        "format": SNAPSHOT_FORMAT,
        "condition": {
            "slug": article.condition.slug,
            # As this version names and codes it (reviewed with it), in its language.
            "name": terms.name,
            "icd10_codes": terms.icd10_codes,
        },
        "article": {
            "id": article.pk,
            "language": article.language,
            "title": article.title,
            "summary": article.summary,
            "in_brief": article.in_brief,
            "needs_clinical_review": article.needs_clinical_review,
            "reviewed_by": article.reviewed_by,
            "last_reviewed_on": iso_date(article.last_reviewed_on),
            "next_review_due": iso_date(article.next_review_due),
        },
        **parts,
    }
    return cast(Snapshot, {**content, "version": content_version(content)})


def content_version(content: Mapping[str, Any]) -> str:
    """A short fingerprint of the content: equal fingerprints, equal handout text."""
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


# Who reviewed a version and when is printed, but is not advice: a version that was only
# re-approved reads the same to a patient.
REVIEW_FIELDS = (
    "id",
    "needs_clinical_review",
    "reviewed_by",
    "last_reviewed_on",
    "next_review_due",
)


# Fields added to snapshots after handouts were issued, with the value older snapshots
# imply. At that value they are left out of the fingerprint, so content that did not change
# keeps its fingerprint and older handouts are not reported as made from changed content.
LATER_FIELDS: dict[str, dict[str, object]] = {
    "article": {"in_brief": ""},
    "sections": {"printed_by_default": True},
    "rest_guidance": {"body_part": ""},
}


def content_fingerprint(snapshot: Mapping[str, Any]) -> str:
    """A fingerprint of the advice itself: equal when two versions tell the patient the same
    thing, whoever reviewed them and whatever keys their parts have.

    It reads the content as format 1 laid it out, whatever the snapshot's format, so the
    fingerprints of handouts issued before a format change still compare with the live
    version's."""
    content: dict[str, Any] = {
        "format": 1,
        "condition": snapshot["condition"],
        "article": {k: v for k, v in snapshot["article"].items() if k not in REVIEW_FIELDS},
    }
    for part in PARTS:
        value = snapshot.get(part.name)
        if part.many:
            value = [{k: v for k, v in item.items() if k != "key"} for item in value or []]
        if not part.in_format_1 and value in (None, [], part.snapshot_when_missing):
            continue
        content[part.name] = value
    for name, defaults in LATER_FIELDS.items():
        if name not in content:
            continue
        items = content[name] if isinstance(content[name], list) else [content[name]]
        for index, item in enumerate(items):
            items[index] = {
                field: value
                for field, value in item.items()
                if field not in defaults or value != defaults[field]
            }
        content[name] = items if isinstance(content[name], list) else items[0]
    return content_version(content)


# --- Upgrading older snapshots --------------------------------------------------------------

# The keys format 1 gave the parts a handout's choices name ("therapy-12"), by part.
FORMAT_1_KEY_PREFIXES = {"sections": "section", "therapies": "therapy", "prevention_tips": "tip"}


def upgrade_format_1(
    snapshot: Mapping[str, Any], lineages: Mapping[str, Sequence[tuple[int, uuid.UUID]]]
) -> tuple[dict[str, Any], dict[str, str]]:
    """A format-1 snapshot as format 2, and each of its old choice keys with its new one.

    `lineages` holds, for each part name, the (database id, lineage) of the article's parts
    in the article's order: the parts of a version that has left draft never change, so they
    are what the snapshot was made from. A part keyed by database id is matched by it, the
    others by position; one that matches nothing (data repaired by hand) gets a key of its
    own, derived from the handout's content so that upgrading twice gives the same key."""
    upgraded = dict(snapshot)
    new_keys: dict[str, str] = {}
    for name, rows in lineages.items():
        by_id = dict(rows)
        items = []
        for position, item in enumerate(snapshot.get(name, [])):
            old_key = item.get("key")
            if old_key is not None:
                found = by_id.get(_format_1_id(old_key, FORMAT_1_KEY_PREFIXES[name]) or 0)
            else:
                found = rows[position][1] if position < len(rows) else None
            lineage = found or uuid.uuid5(
                uuid.NAMESPACE_URL, f"snapshot:{snapshot.get('version')}:{name}:{position}"
            )
            if old_key is not None:
                new_keys[old_key] = str(lineage)
            items.append({**item, "key": str(lineage)})
        upgraded[name] = items
    upgraded["format"] = SNAPSHOT_FORMAT
    return upgraded, new_keys


def _format_1_id(key: str, prefix: str) -> int | None:
    kind, _dash, number = key.partition("-")
    return int(number) if kind == prefix and number.isdigit() else None
