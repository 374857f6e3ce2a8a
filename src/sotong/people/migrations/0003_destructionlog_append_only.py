"""The destruction log (개인정보 파기 대장) is append-only in the database, like the Event and access logs."""

from django.db import migrations

from sotong.core import append_only

TABLES = ["people_destructionlog"]


def create(apps, schema_editor):
    append_only.create_triggers(schema_editor, TABLES)


def drop(apps, schema_editor):
    append_only.drop_triggers(schema_editor, TABLES)


class Migration(migrations.Migration):
    dependencies = [("people", "0002_consent_purposes")]
    operations = [migrations.RunPython(create, drop)]
