"""Migration handouts 0017 makes each handout the record of a visit and moves what was per
article into its first condition (HandoutCondition), on data made by the schema before it:
handouts keep their PDFs, links, codes, events, fingerprints and "changed" status, and
updating one still carries the clinician's choices over."""

import datetime
import hashlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from education.plan_blocks import choices_from_rest_columns
from education.snapshot import build_snapshot, content_fingerprint
from education.workflow import publish, start_draft, submit_for_review
from handouts.models import Handout, HandoutCondition, HandoutEvent, ShareLink
from handouts.pdf.render import handout_html

BEFORE = [("handouts", "0016_plan_choices")]
AFTER = [("handouts", "0018_visit_conditions")]
VISIT = datetime.date(2027, 2, 2)
OLD_PDF = b"%PDF-1.7 issued before visit packets"


def migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def old_handout(apps, article, clinician, **columns: object):
    """A handout, its PDF, a patient link and two events, as the schema before 0017 held
    them."""
    snapshot = build_snapshot(article)
    therapy = snapshot["therapies"][0]
    handout = apps.get_model("handouts", "Handout").objects.create(
        article_id=article.pk,
        language="en",
        snapshot=snapshot,
        content_fingerprint=content_fingerprint(snapshot),
        patient_name="Zoë Núñez-O'Brien",
        visit_date=VISIT,
        plan=choices_from_rest_columns(3, "partial", True, True, VISIT).to_json(),
        therapy_plan=[{"key": therapy["key"], "times_per_week": 5, "weeks": 2}],
        prevention_tip_keys=[snapshot["prevention_tips"][1]["key"]],
        background_section_keys=[snapshot["sections"][1]["key"]],
        follow_up_date=datetime.date(2027, 3, 16),
        clinician_note="Ice it.",
        paper_size="a4",
        issued_by_id=clinician.pk,
        issued_by_name="Dr Who",
        issued_at=timezone.now(),
        pdf_sha256=hashlib.sha256(OLD_PDF).hexdigest(),
        **columns,
    )
    apps.get_model("handouts", "HandoutPdf").objects.create(handout=handout, pdf=OLD_PDF)
    link = apps.get_model("handouts", "ShareLink").objects.create(
        handout=handout,
        token_hash=hashlib.sha256(f"token-{handout.pk}".encode()).hexdigest(),
        code_hash="pbkdf2_sha256$1$salt$hash",
        created_by_id=clinician.pk,
        created_at=timezone.now(),
        expires_at=timezone.now() + datetime.timedelta(days=30),
    )
    events = apps.get_model("handouts", "HandoutEvent").objects
    events.create(handout=handout, kind="issued", staff_id=clinician.pk)
    events.create(handout=handout, kind="link_created", staff_id=clinician.pk, share_link=link)
    return handout


def columns_of(handout) -> dict:
    return {
        name: getattr(handout, name)
        for name in [
            "article_id",
            "snapshot",
            "content_fingerprint",
            "plan",
            "therapy_plan",
            "prevention_tip_keys",
            "background_section_keys",
            "follow_up_date",
        ]
    }


@pytest.mark.django_db(transaction=True)
def test_each_handout_becomes_a_visit_with_one_condition_and_nothing_else_changes(
    sample_article, clinician, clinic, editor, administrator, client
) -> None:
    apps = migrate(BEFORE).loader.project_state(BEFORE).apps
    try:
        changed = old_handout(apps, sample_article, clinician)
        # A newer version that reads differently: the first handout is from changed content.
        draft = start_draft(sample_article, editor)
        draft.therapies.filter(name="Magnet treatment").update(times_per_week=2)
        submit_for_review(draft, editor)
        live = publish(draft, administrator)
        current = old_handout(apps, live, clinician)
        old = {h.pk: columns_of(h) for h in (changed, current)}
        links = {
            link.pk: (link.handout_id, link.token_hash, link.code_hash)
            for link in apps.get_model("handouts", "ShareLink").objects.all()
        }
        events = list(
            apps.get_model("handouts", "HandoutEvent").objects.values_list(
                "pk", "handout_id", "kind", "at", "share_link_id"
            )
        )

        migrate(AFTER)

        for pk, columns in old.items():
            handout = Handout.objects.get(pk=pk)
            (condition,) = handout.conditions.all()
            assert condition.position == 0
            assert columns_of(condition) == columns
            # The stored fingerprint is kept, and still is the snapshot's.
            assert condition.content_fingerprint == content_fingerprint(condition.snapshot)
            assert handout.verified_pdf() == OLD_PDF
            assert (handout.patient_name, handout.clinician_note) == (
                "Zoë Núñez-O'Brien",
                "Ice it.",
            )
        assert {
            link.pk: (link.handout_id, link.token_hash, link.code_hash)
            for link in ShareLink.objects.all()
        } == links
        assert (
            list(
                HandoutEvent.objects.values_list("pk", "handout_id", "kind", "at", "share_link_id")
            )
            == events
        )
        assert list(Handout.objects.from_changed_content()) == [Handout.objects.get(pk=changed.pk)]
        migrated = Handout.objects.get(pk=changed.pk)
        assert migrated.title == sample_article.title
        assert migrated.pdf_filename() == "handout-bone-marrow-edema-2027-02-02.pdf"
        assert "Zoë Núñez-O&#x27;Brien" in handout_html(migrated, clinic)

        # Updating it carries the clinician's choices over to the new version.
        client.force_login(clinician)
        url = reverse("handouts:new", args=["bone-marrow-edema", "en"])
        initial = client.get(url, {"from": changed.public_id}).context["form"].initial
        magnet = str(live.therapies.get(name="Magnet treatment").lineage)
        assert initial[f"{magnet}-include"] is True
        assert (initial[f"{magnet}-times_per_week"], initial[f"{magnet}-weeks"]) == (5, 2)
        assert initial["prevention_tips"] == old[changed.pk]["prevention_tip_keys"]
        assert initial["background_sections"] == old[changed.pk]["background_section_keys"]
        assert initial["follow_up_date"] == datetime.date(2027, 3, 16)
        assert (initial["activity"], initial["rest_weeks"], initial["load"]) == (
            "rest",
            3,
            "partial",
        )

        # Reversing copies the first condition back.
        apps = migrate(BEFORE).loader.project_state(BEFORE).apps
        for pk, columns in old.items():
            restored = apps.get_model("handouts", "Handout").objects.get(pk=pk)
            assert columns_of(restored) == columns
        assert HandoutCondition._meta.db_table not in connection.introspection.table_names()
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
