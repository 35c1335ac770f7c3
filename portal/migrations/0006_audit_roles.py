from django.db import migrations

from portal.roles import sync_roles


def forwards(apps, schema_editor):
    # Administrators hold every portal permission, including viewing the audit log.
    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0005_audit_events"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
