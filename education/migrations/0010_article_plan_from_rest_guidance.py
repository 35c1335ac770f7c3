"""Each article version declares the blocks of the patient's plan it offers (Article.plan).

Every version (draft, in review, published, archived) and every history row gets the offer its
rest guidance made, exactly as education.plan_blocks.offer_from_rest_guidance reads it from a
handout's snapshot: so a handout made from a version after this prints what one made before
did, and keeps its content fingerprint. A version without rest guidance is read as its snapshot
held it (no set rest, full weight, no crutches), for the same reason.

What rest guidance held beyond that:
- its note was printed in the handout's background ("About rest"): it moves into a section of
  the article (kind treatment, heading "Rest", printed by default, placed last), so nothing
  printed is lost;
- its body part ("your leg") has no place in the plan's vocabulary: where it names one leg site
  of that vocabulary and nothing else ("your knee", "la rodilla"), the version offers that
  site, without a side, as it printed it; anything else is dropped, and the plan says the
  neutral phrase it says for an article that named none.

Reversible: the plan column goes, and the sections made from notes are deleted again.
"""

import re

from django.db import migrations, models

from education.markup import render_markdown

# What a snapshot held for a version without rest guidance (education.parts, when written).
REST_WHEN_MISSING = {"default_weeks": 0, "crutches_advised": False, "weight_bearing": "full"}
MAX_REST_WEEKS = 52

# The leg sites of the plan's vocabulary, as a patient names them in English and Spanish: the
# rest guidance offer is for a leg, and a site must fit its limb.
LEG_SITE_WORDS = {
    "foot": "foot",
    "pie": "foot",
    "heel": "heel",
    "talón": "heel",
    "ankle": "ankle",
    "tobillo": "ankle",
    "achilles tendon": "achilles_tendon",
    "tendón de aquiles": "achilles_tendon",
    "shin": "shin",
    "espinilla": "shin",
    "knee": "knee",
    "rodilla": "knee",
    "thigh": "thigh",
    "muslo": "thigh",
    "hip": "hip",
    "cadera": "hip",
}
ARTICLES = re.compile(r"^(your|the|tu|su|el|la)\s+")

NOTE_HEADINGS = {"en": "Rest", "es": "Reposo"}


def site_of(body_part):
    """The one leg site `body_part` names, or None."""
    words = " ".join((body_part or "").lower().split())
    return LEG_SITE_WORDS.get(ARTICLES.sub("", words))


def offer_json(rest, has_therapies):
    """PlanOffer.to_json() of offer_from_rest_guidance(rest, has_therapies) as it reads on the
    day of this migration (copied: a migration must not change with the code), plus the site
    the body part names."""
    rest = rest or REST_WHEN_MISSING
    weeks = min(int(rest["default_weeks"]), MAX_REST_WEEKS)
    offer = {"format": 1}
    site = site_of(rest.get("body_part"))
    if site:
        offer["site"] = {"sites": [site], "default": site, "sided": False}
    offer["activity"] = {
        "offered": ["rest", "relative"],
        "default": "rest" if weeks else "relative",
        "rest_weeks": weeks,
    }
    offer["load"] = {"limb": "leg", "default": rest["weight_bearing"]}
    offer["aids"] = [
        {"kind": "crutches", "weeks": max(weeks, 1), "selected": bool(rest["crutches_advised"])}
    ]
    if has_therapies:
        offer["physiotherapy"] = {"start": "after_rest"}
    return offer


def rest_of(row):
    return {
        "default_weeks": row.default_weeks,
        "crutches_advised": row.crutches_advised,
        "weight_bearing": row.weight_bearing,
        "body_part": row.body_part,
    }


def fill_plans(apps, schema_editor):
    Article = apps.get_model("education", "Article")
    HistoricalArticle = apps.get_model("education", "HistoricalArticle")
    RestGuidance = apps.get_model("education", "RestGuidance")
    HistoricalRestGuidance = apps.get_model("education", "HistoricalRestGuidance")
    Therapy = apps.get_model("education", "Therapy")
    HistoricalTherapy = apps.get_model("education", "HistoricalTherapy")
    Section = apps.get_model("education", "Section")

    rests = {rest.article_id: rest for rest in RestGuidance.objects.iterator()}
    with_therapies = set(Therapy.objects.values_list("article_id", flat=True))
    plans = {}
    for article in Article.objects.only("pk", "language").iterator():
        rest = rests.get(article.pk)
        plans[article.pk] = offer_json(
            rest_of(rest) if rest else None, article.pk in with_therapies
        )
        Article.objects.filter(pk=article.pk).update(plan=plans[article.pk])
        if rest and rest.note.strip():
            last = Section.objects.filter(article_id=article.pk).aggregate(m=models.Max("position"))
            Section.objects.create(
                article_id=article.pk,
                kind="treatment",
                heading=NOTE_HEADINGS.get(article.language, NOTE_HEADINGS["en"]),
                body=rest.note,
                body_html=render_markdown(rest.note),
                printed_by_default=True,
                position=(last["m"] + 1) if last["m"] is not None else 0,
            )

    # History rows: the version's plan; a version deleted since (a draft) gets what its rest
    # guidance's history last held.
    for article_id in HistoricalArticle.objects.values_list("id", flat=True).distinct():
        plan = plans.get(article_id)
        if plan is None:
            rest = (
                HistoricalRestGuidance.objects.filter(article_id=article_id)
                .order_by("-history_date", "-history_id")
                .first()
            )
            therapies = HistoricalTherapy.objects.filter(article_id=article_id).exists()
            plan = offer_json(rest_of(rest) if rest else None, therapies)
        HistoricalArticle.objects.filter(id=article_id).update(plan=plan)


def delete_note_sections(apps, schema_editor):
    RestGuidance = apps.get_model("education", "RestGuidance")
    Section = apps.get_model("education", "Section")
    for rest in RestGuidance.objects.exclude(note="").iterator():
        Section.objects.filter(
            article_id=rest.article_id,
            kind="treatment",
            heading__in=NOTE_HEADINGS.values(),
            body=rest.note,
        ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("education", "0009_rest_guidance_body_part_help_names_the_printed_default"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="plan",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="The blocks of the patient's plan this article offers, with their defaults.",
                verbose_name="patient's plan",
            ),
        ),
        migrations.AddField(
            model_name="historicalarticle",
            name="plan",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="The blocks of the patient's plan this article offers, with their defaults.",
                verbose_name="patient's plan",
            ),
        ),
        migrations.RunPython(fill_plans, delete_note_sections),
    ]
