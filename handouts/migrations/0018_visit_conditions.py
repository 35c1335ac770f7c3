"""A handout becomes the record of one visit, holding one or more conditions: what was per
article (the article, its snapshot and fingerprint, the plan, therapies, tips, background
sections and follow-up) moves to a new table, HandoutCondition. Every existing handout gets
one condition, at position 0, with its values copied as they are: its stored PDF, links,
codes, events, fingerprint and "changed" status do not change. Reversible: the first
condition's values are copied back (a packet's other conditions cannot be, and are lost).
"""

import django.db.models.deletion
from django.db import migrations, models

from portal.migration_operations import in_batches

MOVED = [
    "snapshot",
    "content_fingerprint",
    "plan",
    "therapy_plan",
    "prevention_tip_keys",
    "background_section_keys",
    "follow_up_date",
]


def handouts_to_conditions(apps, schema_editor):
    Handout = apps.get_model("handouts", "Handout")
    HandoutCondition = apps.get_model("handouts", "HandoutCondition")
    for batch in in_batches(Handout.objects.only("pk", "article_id", *MOVED)):
        HandoutCondition.objects.bulk_create(
            HandoutCondition(
                handout_id=handout.pk,
                position=0,
                article_id=handout.article_id,
                **{name: getattr(handout, name) for name in MOVED},
            )
            for handout in batch
        )


def conditions_to_handouts(apps, schema_editor):
    Handout = apps.get_model("handouts", "Handout")
    HandoutCondition = apps.get_model("handouts", "HandoutCondition")
    for batch in in_batches(HandoutCondition.objects.filter(position=0)):
        handouts = [
            Handout(
                pk=condition.handout_id,
                article_id=condition.article_id,
                **{name: getattr(condition, name) for name in MOVED},
            )
            for condition in batch
        ]
        Handout.objects.bulk_update(handouts, ["article", *MOVED])


class Migration(migrations.Migration):
    dependencies = [
        ("education", "0013_check_questions_and_pack_keys"),
        ("handouts", "0017_indexes_for_engagement_reports"),
    ]

    operations = [
        migrations.CreateModel(
            name="HandoutCondition",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0)),
                (
                    "snapshot",
                    models.JSONField(help_text="The article content as it was when issued."),
                ),
                (
                    "content_fingerprint",
                    models.CharField(default="", editable=False, max_length=12),
                ),
                ("plan", models.JSONField(default=dict)),
                (
                    "therapy_plan",
                    models.JSONField(
                        default=list, help_text='[{"key": ..., "times_per_week": n, "weeks": n}]'
                    ),
                ),
                ("prevention_tip_keys", models.JSONField(default=list)),
                ("background_section_keys", models.JSONField(blank=True, null=True)),
                ("follow_up_date", models.DateField(blank=True, null=True)),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="handout_conditions",
                        to="education.article",
                    ),
                ),
                (
                    "handout",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="conditions",
                        to="handouts.handout",
                    ),
                ),
            ],
            options={"ordering": ["position"]},
        ),
        migrations.AddConstraint(
            model_name="handoutcondition",
            constraint=models.UniqueConstraint(
                fields=("handout", "position"), name="one_condition_per_handout_position"
            ),
        ),
        # Nullable first, so that reversing adds the columns back to a table with rows; the
        # copy back fills them before they are required again.
        migrations.AlterField(
            model_name="handout",
            name="article",
            field=models.ForeignKey(
                null=True,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="handouts",
                to="education.article",
            ),
        ),
        migrations.AlterField(
            model_name="handout",
            name="snapshot",
            field=models.JSONField(
                null=True, help_text="The article content as it was when issued."
            ),
        ),
        migrations.RunPython(handouts_to_conditions, conditions_to_handouts),
        migrations.RemoveIndex(model_name="handout", name="handout_article_issued_at"),
        *(
            migrations.RemoveField(model_name="handout", name=name)
            for name in ["article", *MOVED]
        ),
    ]
