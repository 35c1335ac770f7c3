"""Migrations handouts 0019 (teach-back answers) and portal 0016 (the clinic's days before a call)
on data made by the code before them: handouts keep their PDFs, events and fingerprints, the
clinic profile gets the default, and a handout issued before teach-back is asked its questions
(its snapshot does not tie questions to sections: they are found by the section's kind)."""

import datetime
import hashlib

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from education.models import Article
from education.snapshot import build_snapshot, content_fingerprint
from handouts.models import Handout
from handouts.teach_back import handout_questions
from portal.models import ClinicProfile

BEFORE = [("handouts", "0019_handout_engagement"), ("portal", "0015_audit_fhir_read")]
AFTER = [
    ("handouts", "0020_teach_back_answers"),
    ("portal", "0016_clinic_teach_back_call_after_days"),
]
OLD_PDF = b"%PDF-1.7 issued before teach-back"


def migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


@pytest.mark.django_db(transaction=True)
def test_handouts_issued_before_teach_back_keep_everything_and_are_asked_their_questions(
    sample_article: Article, clinician: User
) -> None:
    apps = migrate(BEFORE).loader.project_state(BEFORE).apps
    try:
        snapshot = build_snapshot(sample_article)
        for question in snapshot["check_questions"]:
            question.pop("section_key", None)  # as snapshots were made before teach-back
        old = apps.get_model("handouts", "Handout").objects.create(
            language="en",
            patient_name="Zoë Núñez-O'Brien",
            visit_date=datetime.date(2027, 2, 2),
            paper_size="a4",
            issued_by_id=clinician.pk,
            issued_by_name="Dr Who",
            issued_at=timezone.now(),
            pdf_sha256=hashlib.sha256(OLD_PDF).hexdigest(),
        )
        apps.get_model("handouts", "HandoutCondition").objects.create(
            handout=old,
            article_id=sample_article.pk,
            snapshot=snapshot,
            content_fingerprint=content_fingerprint(snapshot),
            plan={"format": 1, "activity": "rest", "rest_weeks": 3},
        )
        apps.get_model("handouts", "HandoutPdf").objects.create(handout=old, pdf=OLD_PDF)
        event = apps.get_model("handouts", "HandoutEvent")
        event.objects.create(handout=old, kind="issued", staff_id=clinician.pk)
        event.objects.create(handout=old, kind="patient_viewed", device="phone")
        apps.get_model("portal", "ClinicProfile").objects.update_or_create(
            pk=1, defaults={"name": "Riverside Sports Clinic", "phone": "+1 555 0100"}
        )

        migrate(AFTER)

        handout = Handout.objects.get(pk=old.pk)
        assert handout.verified_pdf() == OLD_PDF
        assert handout.condition_list[0].content_fingerprint == content_fingerprint(snapshot)
        assert list(handout.events.values_list("kind", "device")) == [
            ("issued", ""),
            ("patient_viewed", "phone"),
        ]
        clinic = ClinicProfile.load()
        assert (clinic.name, clinic.teach_back_call_after_days) == ("Riverside Sports Clinic", 7)
        questions = handout_questions(handout, clinic)
        assert questions[0].key == "plan-rest"
        assert any(q.anchor.startswith("section-") for q in questions)
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
