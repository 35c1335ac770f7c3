"""The clinician's plan choices move from three columns (weeks of rest, weight bearing,
crutches: the only plan there was) into `Handout.plan`, typed by education.plan_blocks.
Each handout's choices are read as its printed plan stated them (choices_from_rest_columns), so
what a handout says, its stored PDF and its content fingerprint do not change. Reversible: the
columns are filled back from the plan.
"""

from django.db import migrations, models

from portal.migration_operations import in_batches

OLD_COLUMNS = ["rest_weeks", "crutches", "weight_bearing"]


def columns_to_plan(apps, schema_editor):
    from education.plan_blocks import choices_from_rest_columns  # pure functions of the data

    Handout = apps.get_model("handouts", "Handout")
    fields = ["pk", "snapshot", "visit_date", *OLD_COLUMNS]
    for batch in in_batches(Handout.objects.only(*fields)):
        for handout in batch:
            handout.plan = choices_from_rest_columns(
                handout.rest_weeks,
                handout.weight_bearing,
                handout.crutches,
                bool(handout.snapshot.get("therapies")),
                handout.visit_date,
            ).to_json()
        Handout.objects.bulk_update(batch, ["plan"])


def plan_to_columns(apps, schema_editor):
    """Back to columns: a plan outside what they could say (an arm, a sling) keeps its rest
    weeks and reads as full weight without crutches."""
    from education.plan_blocks import Aid, LegLoad, PlanChoices

    Handout = apps.get_model("handouts", "Handout")
    for batch in in_batches(Handout.objects.only("pk", "plan")):
        for handout in batch:
            choices = PlanChoices.from_json(handout.plan)
            handout.rest_weeks = choices.rest_weeks
            handout.weight_bearing = str(
                choices.load if isinstance(choices.load, LegLoad) else LegLoad.FULL
            )
            handout.crutches = any(aid.kind == Aid.CRUTCHES for aid in choices.aids)
        Handout.objects.bulk_update(batch, OLD_COLUMNS)


class Migration(migrations.Migration):
    dependencies = [("handouts", "0015_snapshots_keyed_by_lineage")]

    operations = [
        migrations.AddField(model_name="handout", name="plan", field=models.JSONField(default=dict)),
        migrations.RunPython(columns_to_plan, plan_to_columns),
        # Defaults first, so that reversing adds the columns back to a table with rows.
        migrations.AlterField(
            model_name="handout",
            name="rest_weeks",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AlterField(
            model_name="handout", name="crutches", field=models.BooleanField(default=False)
        ),
        migrations.AlterField(
            model_name="handout",
            name="weight_bearing",
            field=models.CharField(default="full", max_length=20),
        ),
        migrations.RemoveField(model_name="handout", name="rest_weeks"),
        migrations.RemoveField(model_name="handout", name="crutches"),
        migrations.RemoveField(model_name="handout", name="weight_bearing"),
    ]
