"""Record the reading grade of every version published before publishing recorded it, so lists
show the stored grade and never measure articles again."""

from django.db import migrations

from education.readability import measure, whole_text

BATCH_SIZE = 500


def record_published_grades(apps, schema_editor):
    Article = apps.get_model("education", "Article")
    unmeasured = (
        Article.objects.filter(version__isnull=False, published_grade__isnull=True)
        .order_by("pk")
        .prefetch_related("sections")
    )
    for article in unmeasured.iterator(chunk_size=BATCH_SIZE):
        text = whole_text(article.summary, [s.body_html for s in article.sections.all()])
        # update(), not save(): a historical model has no workflow guard, and the text a
        # reviewer approved does not change; only the measurement of it is written down.
        Article.objects.filter(pk=article.pk).update(
            published_grade=measure(text, article.language).grade
        )


class Migration(migrations.Migration):
    dependencies = [
        ("education", "0005_translatable_labels"),
    ]

    # Backwards: the grades stay; they describe the text and are harmless to the old code.
    operations = [
        migrations.RunPython(record_published_grades, migrations.RunPython.noop),
    ]
