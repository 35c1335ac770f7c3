"""A frozen copy of an article's content: what a handout is made from, and what versions of
an article are compared by.

Handouts render only from their snapshot, so publishing a new version later never changes a
handout that was already given to a patient. A snapshot is JSON, typed below: a format
version, the condition, the article, and one entry per part (education.parts.PARTS). Parts
that carry a lineage are keyed by it: the same part keeps its key from version to version, so
a handout's choices (which name parts by key) carry over to a newer version.
"""

import dataclasses
import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, NotRequired, TypedDict, cast

from django.utils import translation

from education.models import Article, condition_terms
from education.parts import PARTS, PARTS_BY_NAME, iso_date
from education.plan_blocks import (
    Activity,
    Aid,
    LegLoad,
    Limb,
    PlanOffer,
    offer_from_rest_guidance,
)

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
    """Format 1's plan: the only one there was before plan blocks, always for a leg. Snapshots
    still carry it, made from the plan offer (rest_guidance_of), while handouts read it."""

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
    # The key of the section a question is about (its `about` names it as packs do), so a
    # handout points to the passage that answers it; not there for a question about another
    # part, nor in snapshots made before teach-back.
    section_key: NotRequired[str]


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
    # The plan blocks the version offers, PlanOffer.to_json(); read through plan_offer_of(),
    # since snapshots made before plan blocks have none.
    plan: NotRequired[dict[str, Any]]
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
    _tie_questions_to_sections(article, parts)
    offer = article.plan_offer()
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
        "plan": offer.to_json(),
        "rest_guidance": rest_guidance_of(offer),
    }
    return cast(Snapshot, {**content, "version": content_version(content)})


def _tie_questions_to_sections(article: Article, parts: dict[str, Any]) -> None:
    """Give each check question about a section that section's key."""
    sections = {
        section.key_in_packs: str(section.lineage)
        for section in PARTS_BY_NAME["sections"].of(article)
    }
    for question in parts.get("check_questions", []):
        if question["about"] in sections:
            question["section_key"] = sections[question["about"]]


def content_version(content: Mapping[str, Any]) -> str:
    """A short fingerprint of the content: equal fingerprints, equal handout text."""
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def plan_offer_of(snapshot: Mapping[str, Any]) -> PlanOffer:
    """The plan blocks a snapshot's version offers: its "plan", or for a snapshot made before
    plan blocks (every handout issued until then) what its rest guidance offered."""
    plan = snapshot.get("plan")
    if plan is not None:
        return PlanOffer.from_json(plan)
    return offer_from_rest_guidance(snapshot["rest_guidance"], bool(snapshot["therapies"]))


def rest_guidance_of(offer: PlanOffer) -> RestGuidanceSnapshot:
    """The offer as format 1's rest guidance, which handouts read until they read the plan:
    the default rest, the default leg load and whether crutches are selected. What it cannot
    say (an arm, a site, self-care) it leaves out; an offer made from rest guidance
    (offer_from_rest_guidance) gives back the rest guidance it was made from."""
    rest = offer.activity
    load = offer.load
    return {
        "default_weeks": rest.rest_weeks if rest and rest.default == Activity.REST else 0,
        "crutches_advised": any(a.kind == Aid.CRUTCHES and a.selected for a in offer.aids),
        "weight_bearing": str(load.default if load and load.limb == Limb.LEG else LegLoad.FULL),
        "body_part": "",
        "note": "",
    }


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
    rest = snapshot.get("rest_guidance") or rest_guidance_of(plan_offer_of(snapshot))
    content["rest_guidance"] = rest
    if "plan" in snapshot and not _implied_by(plan_offer_of(snapshot), rest, snapshot):
        content["plan"] = snapshot["plan"]
    for part in PARTS:
        if not part.printed:
            continue
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


def _implied_by(offer: PlanOffer, rest: Mapping[str, Any], snapshot: Mapping[str, Any]) -> bool:
    """Whether a format-1 snapshot's rest guidance said all the offer says, so the plan, a key
    added later, is left out of the fingerprint like any part added later while empty. A site
    offer is not counted: it only adds a choice, and a handout that chose no site (as every
    handout issued before did) reads the same with or without it."""
    implied = offer_from_rest_guidance(dict(rest), bool(snapshot.get("therapies")))
    return dataclasses.replace(offer, site=None) == implied


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
