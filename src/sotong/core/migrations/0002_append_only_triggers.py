"""Database triggers that refuse UPDATE and DELETE on the append-only logs, on SQLite and PostgreSQL."""

from django.db import migrations

from sotong.core import append_only

# Frozen here: tables of later apps get their triggers from their own migrations.
CORE_TABLES = ["core_event", "core_personaldataaccesslog"]


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(append_only.POSTGRES_FUNCTION, params=None)
    for table in CORE_TABLES:
        statements = {"sqlite": append_only.sqlite_create, "postgresql": append_only.postgres_create}.get(
            vendor
        )
        for sql in statements(table) if statements else []:
            schema_editor.execute(sql, params=None)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in CORE_TABLES:
        statements = {"sqlite": append_only.sqlite_drop, "postgresql": append_only.postgres_drop}.get(vendor)
        for sql in statements(table) if statements else []:
            schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(create_triggers, drop_triggers)]
