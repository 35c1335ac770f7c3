"""Each version records why it was published although its text contradicts a plan choice it
offers; earlier versions were published before the check and keep an empty reason."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('education', '0009_rest_guidance_body_part_help_names_the_printed_default'),
    ]

    operations = [
        migrations.AddField(
            model_name='article',
            name='plan_conflict_reason',
            field=models.TextField(blank=True, editable=False, help_text='Why this version was published although its text contradicts a plan choice it offers (education.plan_rules).', verbose_name='plan conflict reason'),
        ),
        migrations.AddField(
            model_name='historicalarticle',
            name='plan_conflict_reason',
            field=models.TextField(blank=True, editable=False, help_text='Why this version was published although its text contradicts a plan choice it offers (education.plan_rules).', verbose_name='plan conflict reason'),
        ),
    ]
