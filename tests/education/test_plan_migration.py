"""Migration 0010 gives every article version, and its history, the plan offer its rest
guidance made, on data made by the schema before it; a rest note moves into a section."""

import dataclasses
import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Model
from django.utils import timezone

from education.models import Article, Section
from education.plan_blocks import Site, SiteOffer, offer_from_rest_guidance
from education.snapshot import build_snapshot, content_fingerprint

BEFORE = [("education", "0010_article_plan_conflict_reason")]
AFTER = [("education", "0011_article_plan_from_rest_guidance")]


def migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def rest(weeks: int, weight_bearing: str, crutches: bool) -> dict[str, object]:
    return {
        "default_weeks": weeks,
        "weight_bearing": weight_bearing,
        "crutches_advised": crutches,
    }


@pytest.mark.django_db(transaction=True)
def test_every_version_offers_what_its_rest_guidance_made_and_no_printed_note_is_lost() -> None:
    apps = migrate(BEFORE).loader.project_state(BEFORE).apps
    condition = apps.get_model("education", "Condition").objects.create(slug="bme", name="BME")
    OldArticle = apps.get_model("education", "Article")
    OldRest = apps.get_model("education", "RestGuidance")

    def version(language: str, state: str, number: int | None) -> Model:
        return OldArticle.objects.create(
            condition=condition,
            language=language,
            title="T",
            summary="S",
            state=state,
            version=number,
        )

    published = version("en", "published", 2)
    archived = version("en", "archived", 1)
    draft = version("en", "draft", None)
    bare = version("es", "published", 1)
    OldRest.objects.create(
        article=published,
        default_weeks=4,
        weight_bearing="partial",
        crutches_advised=True,
        body_part="your knee",
        note="Rest means no sport.\n\nWalk a little each day.",
    )
    OldRest.objects.create(
        article=archived, default_weeks=6, weight_bearing="none", crutches_advised=True
    )
    OldRest.objects.create(
        article=draft, default_weeks=0, weight_bearing="full", body_part="your leg"
    )
    apps.get_model("education", "Section").objects.create(
        article=published, kind="overview", body="Hello", body_html="<p>Hello</p>", position=3
    )
    apps.get_model("education", "Therapy").objects.create(
        article=published, name="Magnets", instructions="Sit still.", position=0
    )
    apps.get_model("education", "HistoricalArticle").objects.create(
        id=archived.pk,
        condition_id=condition.pk,
        language="en",
        title="T",
        summary="S",
        state="draft",
        history_date=timezone.now() - datetime.timedelta(days=9),
        history_type="+",
        created_at=timezone.now(),
        updated_at=timezone.now(),
    )

    migrate(AFTER)
    migrate_to_latest()

    live = Article.objects.get(pk=published.pk)
    knee = SiteOffer((Site.KNEE,), Site.KNEE, sided=False)  # "your knee", as it printed
    expected = offer_from_rest_guidance(rest(4, "partial", True), has_therapies=True)
    assert live.plan_offer() == dataclasses.replace(expected, site=knee)
    assert Article.objects.get(pk=archived.pk).plan_offer() == offer_from_rest_guidance(
        rest(6, "none", True), has_therapies=False
    )
    # "your leg" names no site of the vocabulary: the plan says its neutral phrase.
    assert Article.objects.get(pk=draft.pk).plan_offer() == offer_from_rest_guidance(
        rest(0, "full", False), has_therapies=False
    )
    # No rest guidance: read as its snapshot held it, so its handouts print what they did.
    assert Article.objects.get(pk=bare.pk).plan_offer() == offer_from_rest_guidance(
        rest(0, "full", False), has_therapies=False
    )
    # A handout made from a migrated version reads as one made before: same fingerprint.
    old = Article.objects.get(pk=archived.pk)
    made_before = {k: v for k, v in build_snapshot(old).items() if k != "plan"}
    made_before["rest_guidance"] = {
        **rest(6, "none", True),
        "body_part": "",
        "note": "",
    }
    assert content_fingerprint(build_snapshot(old)) == content_fingerprint(made_before)
    assert Article.history.get(id=archived.pk).plan == Article.objects.get(pk=archived.pk).plan

    note = Section.objects.filter(article=live).last()
    assert note is not None
    assert (note.kind, note.heading, note.position, note.printed_by_default) == (
        "treatment",
        "Rest",
        4,
        True,
    )
    assert note.body_html == "<p>Rest means no sport.</p>\n<p>Walk a little each day.</p>"
    assert Section.objects.count() == 2

    # And back: the plans go, and so do the sections the notes became.
    apps = migrate(BEFORE).loader.project_state(BEFORE).apps
    assert apps.get_model("education", "Section").objects.count() == 1
    assert (
        apps.get_model("education", "RestGuidance")
        .objects.get(article_id=published.pk)
        .note.startswith("Rest means")
    )
    migrate_to_latest()
