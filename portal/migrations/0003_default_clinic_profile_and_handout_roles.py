from django.db import migrations

from portal.roles import sync_roles


def forwards(apps, schema_editor):
    # Handouts work before anyone fills in the clinic profile.
    ClinicProfile = apps.get_model("portal", "ClinicProfile")
    ClinicProfile.objects.get_or_create(pk=1)
    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0002_clinic_profile"),
        ("handouts", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
