from django.db import migrations

from portal.migration_operations import trigram_extension

# The patient-name search (HandoutQuerySet.search_patient) is LIKE '%word%' on the normalized
# name. On PostgreSQL a trigram index serves it; SQLite has no such index and scans the
# normalized column, which is the same search without the index.
CREATE = (
    "CREATE INDEX IF NOT EXISTS handout_name_search_trgm "
    "ON handouts_handout USING gin (patient_name_search gin_trgm_ops)"
)
DROP = "DROP INDEX IF EXISTS handout_name_search_trgm"


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("handouts", "0013_drop_pdf_column_and_add_list_indexes"),
    ]

    operations = [
        trigram_extension(),
        migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP)),
    ]
