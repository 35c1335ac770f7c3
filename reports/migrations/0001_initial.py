from django.db import migrations


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Reports",
            fields=[],
            options={
                "verbose_name": "reports",
                "verbose_name_plural": "reports",
                "permissions": [("view_reports", "Can view the engagement reports")],
                "managed": False,
                "default_permissions": (),
            },
        ),
    ]
