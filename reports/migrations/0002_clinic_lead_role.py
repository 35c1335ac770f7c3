from django.db import migrations

from portal.roles import CLINIC_LEAD, sync_roles


def forwards(apps, schema_editor):
    """The Clinic lead role: reads the reports and the library (portal.roles)."""
    sync_roles(apps)


def backwards(apps, schema_editor):
    # Its members keep their accounts; only the group (and so the role) goes.
    apps.get_model("auth", "Group").objects.filter(name=CLINIC_LEAD).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("portal", "0014_audit_api_client_revoked"),
        ("education", "0013_check_questions_and_pack_keys"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
