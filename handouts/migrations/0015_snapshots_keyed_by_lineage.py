"""Snapshots of format 1 keyed their sections, therapies and tips by database id ("therapy-12");
format 2 keys every listed part by its lineage (education.snapshot). This rewrites each stored
snapshot, and the handout's choices that name its parts, with the new keys. The snapshot's
content, the handout's content fingerprint and its stored PDF do not change.
"""

from django.db import migrations

from portal.migration_operations import in_batches
CHOICE_FIELDS = ["snapshot", "therapy_plan", "prevention_tip_keys", "background_section_keys"]
# The parts a format-1 snapshot lists, by name, with their model: the article's parts as they
# were when this migration was written.
LISTED_PARTS = {
    "sections": "Section",
    "sources": "Source",
    "therapies": "Therapy",
    "prevention_tips": "PreventionTip",
    "warning_signs": "WarningSign",
}


def lineages_of(apps, article_id):
    """(database id, lineage) of the article's parts, by part, in the article's order."""
    return {
        name: list(
            apps.get_model("education", model)
            .objects.filter(article_id=article_id)
            .order_by("position", "id")
            .values_list("pk", "lineage")
        )
        for name, model in LISTED_PARTS.items()
    }


def upgrade(apps, schema_editor):
    from education.snapshot import upgrade_format_1  # a pure function of the data given

    Handout = apps.get_model("handouts", "Handout")
    lineages = {}
    for batch in in_batches(Handout.objects.only("pk", "article_id", *CHOICE_FIELDS)):
        changed = []
        for handout in batch:
            if handout.snapshot.get("format", 1) != 1:
                continue
            if handout.article_id not in lineages:
                lineages[handout.article_id] = lineages_of(apps, handout.article_id)
            handout.snapshot, new_keys = upgrade_format_1(
                handout.snapshot, lineages[handout.article_id]
            )
            rename_choices(handout, lambda key: new_keys.get(key, key))
            changed.append(handout)
        Handout.objects.bulk_update(changed, CHOICE_FIELDS)


def downgrade(apps, schema_editor):
    """Back to format 1: the keys of sections, therapies and tips name their database ids
    again; sources and warning signs had none."""
    Handout = apps.get_model("handouts", "Handout")
    prefixes = {"sections": "section", "therapies": "therapy", "prevention_tips": "tip"}
    for batch in in_batches(Handout.objects.only("pk", "article_id", *CHOICE_FIELDS)):
        changed = []
        for handout in batch:
            if handout.snapshot.get("format") != 2:
                continue
            old_keys = {
                str(lineage): f"{prefixes[name]}-{pk}"
                for name, rows in lineages_of(apps, handout.article_id).items()
                if name in prefixes
                for pk, lineage in rows
            }
            snapshot = dict(handout.snapshot, format=1)
            for name in LISTED_PARTS:
                snapshot[name] = [
                    {k: v for k, v in item.items() if k != "key"}
                    | ({"key": old_keys.get(item["key"], item["key"])} if name in prefixes else {})
                    for item in snapshot.get(name, [])
                ]
            handout.snapshot = snapshot
            rename_choices(handout, lambda key: old_keys.get(key, key))
            changed.append(handout)
        Handout.objects.bulk_update(changed, CHOICE_FIELDS)


def rename_choices(handout, rename):
    handout.therapy_plan = [{**plan, "key": rename(plan["key"])} for plan in handout.therapy_plan]
    handout.prevention_tip_keys = [rename(key) for key in handout.prevention_tip_keys]
    if handout.background_section_keys is not None:
        handout.background_section_keys = [rename(k) for k in handout.background_section_keys]


class Migration(migrations.Migration):
    dependencies = [
        ("education", "0007_library_indexes"),
        ("handouts", "0014_patient_name_trigram_index"),
    ]

    operations = [migrations.RunPython(upgrade, downgrade)]
