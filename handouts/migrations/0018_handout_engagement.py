"""What reached each handout's patient, one stored row per handout (HandoutEngagement), filled
from the events already recorded so the engagement reports count the same as before."""

import django.db.models.deletion
from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from handouts.models import HandoutEngagementQuerySet


def fill_from_events(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Every handout's row, stated from its events by the rule record_event keeps them by,
    run on the historical models."""
    Handout = apps.get_model("handouts", "Handout")
    HandoutEngagement = apps.get_model("handouts", "HandoutEngagement")
    handouts = Handout.objects.order_by("pk").values_list("pk", flat=True)
    HandoutEngagementQuerySet(model=HandoutEngagement).refresh(handouts.iterator())


class Migration(migrations.Migration):
    dependencies = [
        ("handouts", "0017_indexes_for_engagement_reports"),
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
            ],
        ),
        migrations.RunPython(fill_from_events, migrations.RunPython.noop, elidable=False),
    ]
