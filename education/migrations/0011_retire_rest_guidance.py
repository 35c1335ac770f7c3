"""Rest guidance retires: each article version's plan (migration 0010) says all it said, and
its notes are sections. Its own history goes with it; the articles' history keeps the plan.

Reversible: going back rebuilds each version's rest guidance from its plan (rest weeks, leg
load, crutches) and its note from the section migration 0010 made of it.
"""

from django.db import migrations

NOTE_HEADINGS = ("Rest", "Reposo")  # as migration 0010 made them


def rebuild_rest_guidance(apps, schema_editor):
    Article = apps.get_model("education", "Article")
    RestGuidance = apps.get_model("education", "RestGuidance")
    Section = apps.get_model("education", "Section")
    for article in Article.objects.only("pk", "plan", "language").iterator():
        plan = article.plan or {}
        activity, load = plan.get("activity"), plan.get("load")
        if not activity or not load or load.get("limb") != "leg":
            continue  # not an offer rest guidance could make
        note = (
            Section.objects.filter(
                article_id=article.pk, kind="treatment", heading__in=NOTE_HEADINGS
            )
            .order_by("-position")
            .values_list("body", flat=True)
            .first()
        )
        # A site named in English only: other languages' words were not kept.
        site = (plan.get("site") or {}).get("default") if article.language == "en" else None
        RestGuidance.objects.create(
            article_id=article.pk,
            default_weeks=activity.get("rest_weeks", 0) if activity["default"] == "rest" else 0,
            weight_bearing=load["default"],
            crutches_advised=any(
                aid["kind"] == "crutches" and aid.get("selected") for aid in plan.get("aids", [])
            ),
            body_part=f"your {site.replace('_', ' ')}" if site else "",
            note=note or "",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("education", "0010_article_plan_from_rest_guidance"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, rebuild_rest_guidance),
        migrations.RemoveField(
            model_name="restguidance",
            name="article",
        ),
        migrations.DeleteModel(
            name="HistoricalRestGuidance",
        ),
        migrations.DeleteModel(
            name="RestGuidance",
        ),
    ]
