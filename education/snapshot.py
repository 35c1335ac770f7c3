"""A frozen copy of an article's content: what a handout is made from, and what versions of
an article are compared by.

Handouts render only from their snapshot, so publishing a new version later never changes a
handout that was already given to a patient.
"""

import datetime
import hashlib
import json

from django.utils import translation

from education.models import Article, condition_terms

SNAPSHOT_FORMAT = 1
# What a snapshot's choice keys ("therapy-12") start with, by part.
CHOICE_KEY_PREFIXES = {"sections": "section", "therapies": "therapy", "prevention_tips": "tip"}


def choice_key(part: str, pk: int) -> str:
    """The key a handout's choices name one of a version's parts by."""
    return f"{CHOICE_KEY_PREFIXES[part]}-{pk}"


def build_snapshot(article: Article) -> dict:
    rest = getattr(article, "rest_guidance", None)
    # A section without a heading is printed under its kind's name. That name is in the
    # article's language, not the language of whoever builds the snapshot: the handout reads
    # in one language, and the same content always gives the same fingerprint.
    with translation.override(article.language):
        sections = [
            {
                "key": choice_key("sections", s.pk),
                "kind": s.kind,
                "heading": s.display_heading,
                "body_html": s.body_html,
                "printed_by_default": s.printed_by_default,
            }
            for s in article.sections.all()
        ]
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
            "last_reviewed_on": _iso(article.last_reviewed_on),
            "next_review_due": _iso(article.next_review_due),
        },
        "sections": sections,
        "sources": [
            {"citation": s.citation, "url": s.url, "accessed_on": _iso(s.accessed_on)}
            for s in article.sources.all()
        ],
        "rest_guidance": {
            "default_weeks": rest.default_weeks if rest else 0,
            "crutches_advised": rest.crutches_advised if rest else False,
            "weight_bearing": rest.weight_bearing if rest else "full",
            "body_part": rest.body_part if rest else "",
            "note": rest.note if rest else "",
        },
        "therapies": [
            {
                "key": choice_key("therapies", t.pk),
                "name": t.name,
                "instructions": t.instructions,
                "times_per_week": t.times_per_week,
                "weeks": t.weeks,
            }
            for t in article.therapies.all()
        ],
        "prevention_tips": [
            {
                "key": choice_key("prevention_tips", t.pk),
                "text": t.text,
                "selected_by_default": t.selected_by_default,
            }
            for t in article.prevention_tips.all()
        ],
        "warning_signs": [
            {"text": w.text, "urgency": w.urgency} for w in article.warning_signs.all()
        ],
    }
    return {**content, "version": content_version(content)}


def content_version(content: dict) -> str:
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


def content_fingerprint(snapshot: dict) -> str:
    """A fingerprint of the advice itself: equal when two versions tell the patient the same
    thing, whoever reviewed them and whatever the database ids of their parts."""
    article = {k: v for k, v in snapshot["article"].items() if k not in REVIEW_FIELDS}
    content = {k: v for k, v in snapshot.items() if k not in {"version", "article"}}
    content["article"] = article
    content["rest_guidance"] = dict(content["rest_guidance"])
    # Choice keys hold database ids, which differ between versions with the same text.
    for part in CHOICE_KEY_PREFIXES:
        content[part] = [{k: v for k, v in item.items() if k != "key"} for item in content[part]]
    for part, defaults in LATER_FIELDS.items():
        items = content[part] if isinstance(content[part], list) else [content[part]]
        for item in items:
            for name, implied in defaults.items():
                if item.get(name, implied) == implied:
                    item.pop(name, None)
    return content_version(content)


def _iso(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None
