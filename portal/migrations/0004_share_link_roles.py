from django.db import migrations

from portal.roles import sync_roles


def forwards(apps, schema_editor):
    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_default_clinic_profile_and_handout_roles"),
        ("handouts", "0002_share_links_events_purge"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
