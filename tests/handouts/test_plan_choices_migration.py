"""Migration handouts 0016 moves the plan's three columns (rest weeks, weight bearing,
crutches) into `Handout.plan`, on data made by the schema before it: handouts keep their
stored PDFs, fingerprints and "changed" status, and their plans read as they printed."""

import datetime
import hashlib
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.state import StateApps
from django.utils import timezone, translation

from education.models import Article
from education.plan_blocks import choices_from_rest_columns
from education.snapshot import build_snapshot, content_fingerprint
from handouts.models import Handout
from handouts.plan import personal_plan

BEFORE = [("handouts", "0015_snapshots_keyed_by_lineage")]
AFTER = [("handouts", "0016_plan_choices")]
VISIT = datetime.date(2027, 2, 2)
OLD_PDF = b"%PDF-1.7 issued before plan blocks"


def migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


# A handout of the migration's state: its model is made at run time, its fields unknown to mypy.
def old_handout(apps: StateApps, article: Article, clinician: User, **columns: object) -> Any:
    snapshot = build_snapshot(article)
    therapy = snapshot["therapies"][0]
    handout = apps.get_model("handouts", "Handout").objects.create(
        article_id=article.pk,
        language="en",
        snapshot=snapshot,
        content_fingerprint=content_fingerprint(snapshot),
        patient_name="Zoë Núñez-O'Brien",
        visit_date=VISIT,
        therapy_plan=[{"key": therapy["key"], "times_per_week": 3, "weeks": 4}],
        paper_size="a4",
        issued_by_id=clinician.pk,
        issued_by_name="Dr Who",
        issued_at=timezone.now(),
        pdf_sha256=hashlib.sha256(OLD_PDF).hexdigest(),
        **columns,
    )
    apps.get_model("handouts", "HandoutPdf").objects.create(handout=handout, pdf=OLD_PDF)
    return handout


@pytest.mark.django_db(transaction=True)
def test_old_handouts_keep_their_pdfs_and_fingerprints_and_their_plan_reads_as_printed(
    sample_article: Article, clinician: User
) -> None:
    apps = migrate(BEFORE).loader.project_state(BEFORE).apps
    try:
        rested = old_handout(
            apps, sample_article, clinician, rest_weeks=3, crutches=True, weight_bearing="none"
        )
        unrested = old_handout(
            apps, sample_article, clinician, rest_weeks=0, crutches=False, weight_bearing="full"
        )
        fingerprints = {h.pk: h.content_fingerprint for h in (rested, unrested)}
        migrate(AFTER)
        # Read through today's models: the plan has since moved to the handout's condition
        # (handouts 0017).
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
        changed_after = set(Handout.objects.from_changed_content())

        for old in (rested, unrested):
            handout = Handout.objects.get(pk=old.pk)
            assert handout.condition_list[0].plan == (
                choices_from_rest_columns(
                    old.rest_weeks, old.weight_bearing, old.crutches, True, VISIT
                ).to_json()
            )
            assert handout.verified_pdf() == OLD_PDF
            assert handout.condition_list[0].content_fingerprint == fingerprints[old.pk]
        assert changed_after == set()
        with translation.override("en"):
            plan = {
                item.label: item.sentences
                for item in personal_plan(Handout.objects.get(pk=rested.pk).condition_list[0])
            }
        assert plan["Rest"] == [
            "Rest the injured part for 3 weeks, until Monday 22 February 2027: no sport, "
            "running or heavy lifting.",
            "Until Monday 22 February 2027, do not put any weight on the injured part.",
        ]
        assert plan["Crutches"] == [
            "Use crutches every time you walk, so that no weight goes on the injured part, "
            "until Monday 22 February 2027."
        ]
        assert plan["Physiotherapy"] == ["Sessions start on Tuesday 23 February 2027."]

        # Reversing fills the columns back from the plan.
        apps = migrate(BEFORE).loader.project_state(BEFORE).apps
        restored = apps.get_model("handouts", "Handout").objects.get(pk=rested.pk)
        assert (restored.rest_weeks, restored.crutches, restored.weight_bearing) == (
            3,
            True,
            "none",
        )
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
