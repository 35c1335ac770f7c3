"""What reached each handout's patient, one stored row per handout (HandoutEngagement) with
the facts of its issue the reports group by, filled from the handouts and the events already
recorded, so the engagement reports count the same as before. The reports group by condition
through the visit's conditions, by an index of their handouts' articles."""

import django.db.models.deletion
from django.apps.registry import Apps
from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from handouts.models import HandoutEngagementQuerySet


def fill_from_events(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Every handout's row, stated from it and its events by the rule record_event keeps
    them by, run on the historical models."""
    Handout = apps.get_model("handouts", "Handout")
    HandoutEngagement = apps.get_model("handouts", "HandoutEngagement")
    handouts = Handout.objects.order_by("pk").values_list("pk", flat=True)
    HandoutEngagementQuerySet(model=HandoutEngagement).refresh(handouts.iterator())


class Migration(migrations.Migration):
    dependencies = [
        ("handouts", "0018_visit_conditions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HandoutEngagement",
            fields=[
                (
                    "handout",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="engagement",
                        serialize=False,
                        to="handouts.handout",
                    ),
                ),
                ("issued_at", models.DateTimeField()),
                ("language", models.CharField(max_length=10)),
                (
                    "delivery",
                    models.CharField(
                        choices=[
                            ("print", "Print only"),
                            ("link", "Patient link"),
                            ("email", "Link by email"),
                        ],
                        default="print",
                        max_length=10,
                    ),
                ),
                ("link_created", models.BooleanField(default=False)),
                ("downloaded", models.BooleanField(default=False)),
                ("first_opened_at", models.DateTimeField(blank=True, null=True)),
                (
                    "issued_by",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=[
                            "issued_at",
                            "issued_by",
                            "language",
                            "delivery",
                            "link_created",
                            "downloaded",
                            "first_opened_at",
                        ],
                        name="engagement_issued_covering",
                    )
                ],
            },
        ),
        # A column seen from another model: nothing in the database (the schema editors would
        # look for its constraint when removing it).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="handoutcondition",
                    name="engagement",
                    field=models.ForeignObject(
                        from_fields=["handout"],
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="conditions",
                        to="handouts.handoutengagement",
                        to_fields=["handout"],
                    ),
                ),
            ]
        ),
        migrations.AddIndex(
            model_name="handoutcondition",
            index=models.Index(fields=["handout", "article"], name="handout_condition_article"),
        ),
        migrations.RunPython(fill_from_events, migrations.RunPython.noop, elidable=False),
    ]
