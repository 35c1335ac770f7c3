"""A condition's names and codes move into its articles, where they are reviewed with the text.

Every version of every article (draft, published or archived) gets the condition's name and
synonyms as they were, and a row for each of its codes: nothing that staff could find before is
lost, and each version keeps what it was published with. The names were written in one
language; an editor translates them in a new draft of each other language's article.

Codes are split as editors typed them (commas, semicolons, white space) and normalized as the
model does (upper case, ICD-10-CM with its dot). A code that does not look like one of its
system is kept as it is, in the system it was typed for: it is still found by search, and the
admin names it as invalid when an editor next changes that draft, so nobody loses it silently.
"""

import re

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

ICD10_CM, SNOMED_CT = "icd10cm", "snomedct"


def split_codes(value):
    return [code.upper() for code in re.split(r"[,;\s]+", value or "") if code]


ICD10_CM_CODE = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")


def normalize_icd10_cm(code):
    # As education.models.normalize_code does; copied, as a migration must not change with it.
    dotted = f"{code[:3]}.{code[3:]}"
    return dotted if "." not in code and ICD10_CM_CODE.match(dotted) else code


def move_names_and_codes_into_articles(apps, schema_editor):
    Condition = apps.get_model("education", "Condition")
    Article = apps.get_model("education", "Article")
    ConditionName = apps.get_model("education", "ConditionName")
    ConditionCode = apps.get_model("education", "ConditionCode")
    for condition in Condition.objects.iterator():
        codes = dict.fromkeys(
            [(ICD10_CM, normalize_icd10_cm(code)) for code in split_codes(condition.icd10_codes)]
            + [(SNOMED_CT, code) for code in split_codes(condition.snomed_codes)]
        )
        articles = list(Article.objects.filter(condition=condition).values_list("pk", flat=True))
        ConditionName.objects.bulk_create(
            ConditionName(article_id=pk, name=condition.name, synonyms=condition.synonyms)
            for pk in articles
        )
        ConditionCode.objects.bulk_create(
            ConditionCode(article_id=pk, system=system, code=code)
            for pk in articles
            for system, code in codes
        )


def move_them_back(apps, schema_editor):
    """The codes and synonyms of each condition's articles, back on the condition."""
    Condition = apps.get_model("education", "Condition")
    ConditionName = apps.get_model("education", "ConditionName")
    ConditionCode = apps.get_model("education", "ConditionCode")
    for condition in Condition.objects.iterator():
        names = ConditionName.objects.filter(article__condition=condition)
        synonyms = dict.fromkeys(
            line.strip()
            for naming in names
            for line in [naming.name, *naming.synonyms.splitlines()]
            if line.strip() and line.strip() != condition.name
        )
        codes = ConditionCode.objects.filter(article__condition=condition).order_by("code")
        icd10 = dict.fromkeys(codes.filter(system=ICD10_CM).values_list("code", flat=True))
        snomed = dict.fromkeys(codes.filter(system=SNOMED_CT).values_list("code", flat=True))
        condition.synonyms = "\n".join(synonyms)
        condition.icd10_codes = ", ".join(icd10)[:500]
        condition.snomed_codes = ", ".join(snomed)[:500]
        condition.save(update_fields=["synonyms", "icd10_codes", "snomed_codes"])


class Migration(migrations.Migration):

    dependencies = [
        ('education', '0007_library_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='condition',
            name='name',
            field=models.CharField(help_text="Used in lists until an article is published; from then on, the name in the published article in the portal's language, which changes through review.", max_length=200, verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='historicalcondition',
            name='name',
            field=models.CharField(help_text="Used in lists until an article is published; from then on, the name in the published article in the portal's language, which changes through review.", max_length=200, verbose_name='name'),
        ),
        migrations.CreateModel(
            name='ConditionName',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=200, verbose_name='name')),
                ('synonyms', models.TextField(blank=True, help_text='Other names patients or staff use in this language, one per line.', verbose_name='synonyms')),
                ('article', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='condition_name', to='education.article', verbose_name='article')),
            ],
            options={
                'verbose_name': 'condition name',
                'verbose_name_plural': 'condition names',
            },
        ),
        migrations.CreateModel(
            name='HistoricalConditionCode',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('system', models.CharField(choices=[('icd10cm', 'ICD-10-CM'), ('snomedct', 'SNOMED CT')], max_length=10, verbose_name='code system')),
                ('code', models.CharField(help_text='E.g. M89.8X6 (ICD-10-CM).', max_length=20, verbose_name='code')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('article', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='education.article', verbose_name='article')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical code',
                'verbose_name_plural': 'historical codes',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalConditionName',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('name', models.CharField(max_length=200, verbose_name='name')),
                ('synonyms', models.TextField(blank=True, help_text='Other names patients or staff use in this language, one per line.', verbose_name='synonyms')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('article', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='education.article', verbose_name='article')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical condition name',
                'verbose_name_plural': 'historical condition names',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='ConditionCode',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('system', models.CharField(choices=[('icd10cm', 'ICD-10-CM'), ('snomedct', 'SNOMED CT')], max_length=10, verbose_name='code system')),
                ('code', models.CharField(help_text='E.g. M89.8X6 (ICD-10-CM).', max_length=20, verbose_name='code')),
                ('article', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='codes', to='education.article', verbose_name='article')),
            ],
            options={
                'verbose_name': 'code',
                'verbose_name_plural': 'codes',
                'ordering': ['system', 'code'],
                'indexes': [models.Index(fields=['system', 'code'], name='condition_code_lookup')],
                'constraints': [models.UniqueConstraint(fields=('article', 'system', 'code'), name='one_code_once_per_article', violation_error_message='This article already lists this code.')],
            },
        ),
        migrations.RunPython(move_names_and_codes_into_articles, move_them_back),
        migrations.RemoveField(
            model_name='condition',
            name='icd10_codes',
        ),
        migrations.RemoveField(
            model_name='condition',
            name='snomed_codes',
        ),
        migrations.RemoveField(
            model_name='condition',
            name='synonyms',
        ),
        migrations.RemoveField(
            model_name='historicalcondition',
            name='icd10_codes',
        ),
        migrations.RemoveField(
            model_name='historicalcondition',
            name='snomed_codes',
        ),
        migrations.RemoveField(
            model_name='historicalcondition',
            name='synonyms',
        ),
    ]
