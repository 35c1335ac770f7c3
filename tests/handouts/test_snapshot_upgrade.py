"""Handouts issued with format-1 snapshots (choice keys holding database ids) are upgraded by
migration handouts 0015 to format 2 (parts keyed by lineage): they keep their PDFs, their
fingerprints and whether they are made from changed content, and updating one still carries
the clinician's choices over."""

import datetime
import importlib
import re
import uuid
from typing import cast

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils import translation

from education.models import Article, Therapy, condition_terms
from education.snapshot import Snapshot, content_fingerprint, rest_guidance_of
from education.workflow import publish, start_draft, submit_for_review
from handouts.issuing import issue_handout
from handouts.models import Handout, HandoutCondition
from handouts.pdf.render import handout_html
from portal.models import ClinicProfile
from tests.helpers import default_choices

pytestmark = pytest.mark.django_db

migration = importlib.import_module("handouts.migrations.0015_snapshots_keyed_by_lineage")


def _iso(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def format_1_snapshot(article: Article) -> dict:
    """The snapshot as the portal made it before this change (education/snapshot.py, format 1),
    copied here unchanged so the upgrade is tested on what older handouts hold."""
    with translation.override(article.language):
        sections = [
            {
                "key": f"section-{s.pk}",
                "kind": s.kind,
                "heading": s.display_heading,
                "body_html": s.body_html,
                "printed_by_default": s.printed_by_default,
            }
            for s in article.sections.all()
        ]
    content = {
        "format": 1,
        "condition": {
            "slug": article.condition.slug,
            "name": article.condition.name,
            "icd10_codes": condition_terms(article).icd10_codes,
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
        # As the article's rest guidance held it, before its plan offer replaced it.
        "rest_guidance": dict(rest_guidance_of(article.plan_offer())),
        "therapies": [
            {
                "key": f"therapy-{t.pk}",
                "name": t.name,
                "instructions": t.instructions,
                "times_per_week": t.times_per_week,
                "weeks": t.weeks,
            }
            for t in article.therapies.all()
        ],
        "prevention_tips": [
            {
                "key": f"tip-{t.pk}",
                "text": t.text,
                "selected_by_default": t.selected_by_default,
            }
            for t in article.prevention_tips.all()
        ],
        "warning_signs": [
            {"text": w.text, "urgency": w.urgency} for w in article.warning_signs.all()
        ],
    }
    return {**content, "version": "format1-test"}


def issue_format_1(article: Article, clinician: User, clinic: ClinicProfile) -> Handout:
    """A handout as the portal issued it before this change: a format-1 snapshot, choices
    naming parts by database id, and the PDF rendered from them."""
    therapies = list(article.therapies.all())
    tips = list(article.prevention_tips.all())
    sections = list(article.sections.all())
    choices = default_choices(
        article,
        therapy_plan=[
            {"key": f"therapy-{therapies[0].pk}", "times_per_week": 5, "weeks": 2},
            {"key": f"therapy-{therapies[2].pk}", "times_per_week": 2, "weeks": 6},
        ],
        prevention_tip_keys=[f"tip-{tips[0].pk}", f"tip-{tips[3].pk}"],
        background_section_keys=[f"section-{s.pk}" for s in sections[1:3]],
    )
    handout, _created = issue_handout(
        article,
        choices,
        issued_by=clinician,
        issue_token=uuid.uuid4(),
        clinic=clinic,
        # Stored as older portals stored it: not the Snapshot type of today.
        snapshot=cast(Snapshot, format_1_snapshot(article)),
    )
    return handout


def new_version(
    sample_article: Article, editor: User, administrator: User, changed: bool
) -> Article:
    draft = start_draft(sample_article, editor)
    if changed:
        draft.therapies.filter(name="Magnet treatment").update(times_per_week=2)
    submit_for_review(draft, editor)
    return publish(draft, administrator)


class ConditionsAsHandouts:
    """The app registry as migration 0015 read it: since handouts 0017 the snapshot and the
    choices naming its parts are each condition's, so its Handout is today's
    HandoutCondition."""

    def get_model(self, app_label: str, name: str) -> type[Model]:
        if (app_label, name) == ("handouts", "Handout"):
            return HandoutCondition
        return apps.get_model(app_label, name)


def upgrade() -> None:
    migration.upgrade(ConditionsAsHandouts(), None)


def page_of(handout: Handout, clinic: ClinicProfile) -> str:
    """The handout's HTML with its sections' anchors (named by their keys, which the upgrade
    renames; the "Check yourself" box links to them) made alike: no reader sees them."""
    return re.sub(r'"#?section-[^"]*"', '"section"', handout_html(handout, clinic))


def test_upgraded_handouts_keep_their_pdfs_fingerprints_and_changed_status(
    sample_article: Article,
    clinician: User,
    clinic: ClinicProfile,
    editor: User,
    administrator: User,
) -> None:
    # Made from content that changed since, and from content re-approved unchanged since.
    old = issue_format_1(sample_article, clinician, clinic)
    middle = new_version(sample_article, editor, administrator, changed=True)
    issue_format_1(middle, clinician, clinic)
    new_version(middle, editor, administrator, changed=False)
    handouts_before = {h.pk: h for h in Handout.objects.all()}
    pdfs = {pk: bytes(h.stored_pdf.pdf) for pk, h in handouts_before.items()}
    html = {pk: page_of(h, clinic) for pk, h in handouts_before.items()}
    changed_before = set(Handout.objects.from_changed_content())
    assert changed_before == {old}
    before = {h.pk: h.condition_list[0] for h in handouts_before.values()}
    chosen_before = {pk: h.chosen_therapies() for pk, h in before.items()}

    upgrade()

    for visit in Handout.objects.all():
        handout = visit.condition_list[0]
        snapshot = handout.snapshot
        assert snapshot["format"] == 2
        assert handout.content_fingerprint == before[visit.pk].content_fingerprint
        assert content_fingerprint(snapshot) == handout.content_fingerprint
        assert visit.verified_pdf() == pdfs[visit.pk]
        # Rendered again from the upgraded snapshot: the same page the patient has. (Compared
        # as HTML: WeasyPrint's bytes vary between renders where HarfBuzz-Subset is missing.)
        assert page_of(visit, clinic) == html[visit.pk]
        article = handout.article
        lineage = {str(t.lineage): t for t in article.therapies.all()}
        assert [plan["key"] for plan in handout.therapy_plan] == [
            str(Therapy.objects.get(pk=plan["key"].split("-")[1]).lineage)
            for plan in before[visit.pk].therapy_plan
        ]
        assert all(plan["key"] in lineage for plan in handout.therapy_plan)
        assert handout.chosen_therapies() == [
            {**therapy, "key": plan["key"]}
            for therapy, plan in zip(chosen_before[visit.pk], handout.therapy_plan, strict=True)
        ]
        assert len(handout.chosen_prevention_tips()) == 2
        assert [s["heading"] for s in handout.background_sections()] == [
            s["heading"] for s in before[visit.pk].background_sections()
        ]
        assert [w["key"] for w in snapshot["warning_signs"]] == [
            str(w.lineage) for w in article.warning_signs.all()
        ]
    assert set(Handout.objects.from_changed_content()) == changed_before


def test_updating_an_upgraded_handout_carries_the_clinicians_choices_over(
    client: Client,
    sample_article: Article,
    clinician: User,
    clinic: ClinicProfile,
    editor: User,
    administrator: User,
) -> None:
    old = issue_format_1(sample_article, clinician, clinic)
    live = new_version(sample_article, editor, administrator, changed=True)
    upgrade()

    client.force_login(clinician)
    url = reverse("handouts:new", args=["bone-marrow-edema", "en"])
    initial = client.get(url, {"from": str(old.public_id)}).context["form"].initial
    magnet = str(live.therapies.get(name="Magnet treatment").lineage)
    assert initial[f"{magnet}-include"] is True
    assert (initial[f"{magnet}-times_per_week"], initial[f"{magnet}-weeks"]) == (5, 2)
    tips = list(live.prevention_tips.all())
    assert initial["prevention_tips"] == [str(tips[0].lineage), str(tips[3].lineage)]
    sections = list(live.sections.all())
    assert initial["background_sections"] == [str(s.lineage) for s in sections[1:3]]


def test_upgrading_twice_changes_nothing_and_downgrading_restores_format_1(
    sample_article: Article, clinician: User, clinic: ClinicProfile
) -> None:
    handout = issue_format_1(sample_article, clinician, clinic)
    original = HandoutCondition.objects.get(handout=handout)
    upgrade()
    upgraded = HandoutCondition.objects.get(handout=handout)
    upgrade()
    assert HandoutCondition.objects.get(handout=handout).snapshot == upgraded.snapshot

    migration.downgrade(ConditionsAsHandouts(), None)
    restored = HandoutCondition.objects.get(handout=handout)
    for field in migration.CHOICE_FIELDS:
        assert getattr(restored, field) == getattr(original, field), field
