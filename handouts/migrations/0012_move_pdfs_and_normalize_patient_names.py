from django.db import migrations

# Handouts read per batch: a clinic's 100,000 PDFs are never in memory at once.
from portal.migration_operations import in_batches as batches


def move_pdfs_to_their_table(apps, schema_editor):
    Handout = apps.get_model("handouts", "Handout")
    HandoutPdf = apps.get_model("handouts", "HandoutPdf")
    # Purged handouts hold no PDF (empty bytes and hash): they get no row.
    kept = Handout.objects.exclude(pdf_sha256="").only("pk", "pdf")
    for batch in batches(kept):
        HandoutPdf.objects.bulk_create(
            HandoutPdf(handout_id=handout.pk, pdf=bytes(handout.pdf)) for handout in batch
        )


def move_pdfs_back(apps, schema_editor):
    Handout = apps.get_model("handouts", "Handout")
    HandoutPdf = apps.get_model("handouts", "HandoutPdf")
    for batch in batches(HandoutPdf.objects.all()):
        for stored in batch:
            Handout.objects.filter(pk=stored.pk).update(pdf=stored.pdf)
    HandoutPdf.objects.all().delete()


def normalize_patient_names(apps, schema_editor):
    from education.search import normalize_for_search  # a pure function of the text

    Handout = apps.get_model("handouts", "Handout")
    for batch in batches(Handout.objects.only("pk", "patient_name")):
        for handout in batch:
            handout.patient_name_search = normalize_for_search(handout.patient_name)
        Handout.objects.bulk_update(batch, ["patient_name_search"])


class Migration(migrations.Migration):
    dependencies = [
        ("handouts", "0011_pdf_table_and_patient_name_search"),
    ]

    operations = [
        migrations.RunPython(move_pdfs_to_their_table, move_pdfs_back),
        migrations.RunPython(normalize_patient_names, migrations.RunPython.noop),
    ]
