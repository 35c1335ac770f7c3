import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The PDF's own table and the searchable name, empty; 0012 fills them."""

    dependencies = [
        ("handouts", "0010_link_email"),
    ]

    operations = [
        migrations.CreateModel(
            name="HandoutPdf",
            fields=[
                (
                    "handout",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="stored_pdf",
                        serialize=False,
                        to="handouts.handout",
                    ),
                ),
                ("pdf", models.BinaryField()),
            ],
        ),
        migrations.AddField(
            model_name="handout",
            name="patient_name_search",
            field=models.TextField(default="", editable=False),
        ),
    ]
