from django.db import migrations

from portal.roles import ADMINISTRATOR, GRANTED_ROLES, sync_roles


def forwards(apps, schema_editor):
    """Take back every permission held outside the roles that no role grants: those an
    Administrator could give before only superusers could (adding or changing another
    person's two-factor device among them). Raw permissions a role grants too, the members of
    every group and superusers' own rows stay as they are."""
    # The roles as the code defines them, whatever was edited by hand since the last migrate.
    sync_roles(apps)
    Group = apps.get_model("auth", "Group")
    User = apps.get_model("auth", "User")
    roles = Group.objects.filter(name__in=[*GRANTED_ROLES, ADMINISTRATOR])
    granted = Group.permissions.through.objects.filter(group__in=roles).values("permission")
    User.user_permissions.through.objects.filter(user__is_superuser=False).exclude(
        permission__in=granted
    ).delete()
    Group.permissions.through.objects.exclude(group__in=roles).exclude(
        permission__in=granted
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("portal", "0012_audit_refused_attempts")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
