import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """Separate from 0012: PostgreSQL refuses to alter a table in the transaction that wrote
    rows referencing it."""

    dependencies = [
        ("education", "0005_translatable_labels"),
        ("handouts", "0012_move_pdfs_and_normalize_patient_names"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # A default first, so that reversing the removal can add the column back to rows
        # that already exist (0012 then moves the bytes back into it).
        migrations.AlterField(
            model_name="handout",
            name="pdf",
            field=models.BinaryField(default=b"", editable=False),
        ),
        migrations.RemoveField(
            model_name="handout",
            name="pdf",
        ),
        migrations.AlterField(
            model_name="handout",
            name="article",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="handouts",
                to="education.article",
            ),
        ),
        migrations.AlterField(
            model_name="handout",
            name="issued_by",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="issued_handouts",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddIndex(
            model_name="handout",
            index=models.Index(fields=["issued_at"], name="handout_issued_at"),
        ),
        migrations.AddIndex(
            model_name="handout",
            index=models.Index(fields=["article", "issued_at"], name="handout_article_issued_at"),
        ),
        migrations.AddIndex(
            model_name="handout",
            index=models.Index(fields=["issued_by", "issued_at"], name="handout_issuer_issued_at"),
        ),
    ]
