"""A frozen copy of an article's content, taken when a handout is issued.

Handouts render only from their snapshot, so editing or unpublishing the article later never
changes a handout that was already given to a patient.
"""

import hashlib
import json

from education.models import Article

SNAPSHOT_FORMAT = 1


def build_snapshot(article: Article) -> dict:
    rest = getattr(article, "rest_guidance", None)
    content = {
        "format": SNAPSHOT_FORMAT,
        "condition": {
            "slug": article.condition.slug,
            "name": article.condition.name,
            "icd10_codes": article.condition.icd10_code_list,
        },
        "article": {
            "id": article.pk,
            "language": article.language,
            "title": article.title,
            "summary": article.summary,
            "needs_clinical_review": article.needs_clinical_review,
            "reviewed_by": article.reviewed_by,
            "last_reviewed_on": _iso(article.last_reviewed_on),
            "next_review_due": _iso(article.next_review_due),
        },
        "sections": [
            {"kind": s.kind, "heading": s.display_heading, "body_html": s.body_html}
            for s in article.sections.all()
        ],
        "sources": [
            {"citation": s.citation, "url": s.url, "accessed_on": _iso(s.accessed_on)}
            for s in article.sources.all()
        ],
        "rest_guidance": {
            "default_weeks": rest.default_weeks if rest else 0,
            "crutches_advised": rest.crutches_advised if rest else False,
            "weight_bearing": rest.weight_bearing if rest else "full",
            "note": rest.note if rest else "",
        },
        "therapies": [
            {"key": f"therapy-{t.pk}", "name": t.name, "instructions": t.instructions,
             "times_per_week": t.times_per_week, "weeks": t.weeks}
            for t in article.therapies.all()
        ],
        "prevention_tips": [
            {"key": f"tip-{t.pk}", "text": t.text, "selected_by_default": t.selected_by_default}
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


def _iso(value) -> str | None:
    return value.isoformat() if value else None
