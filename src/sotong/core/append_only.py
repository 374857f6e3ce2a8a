"""Database triggers that refuse UPDATE and DELETE on the append-only logs (Event, access log, the people
registry's destruction log).

Used by the migrations that create them (each app's own, see `create_triggers`) and by the SQLite backend's
flush, which lifts them while tests empty tables with DELETE.
"""

from __future__ import annotations

TABLES = ["core_event", "core_personaldataaccesslog", "people_destructionlog"]


def sqlite_create(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;"
        for op in ("UPDATE", "DELETE")
    ]


def sqlite_drop(table: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {table}_no_{op}" for op in ("update", "delete")]


POSTGRES_FUNCTION = (
    "CREATE OR REPLACE FUNCTION sotong_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql;"
)


def postgres_create(table: str) -> list[str]:
    # Row triggers: TRUNCATE (what `flush` uses on PostgreSQL) is not refused, UPDATE and DELETE are.
    return [
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION sotong_append_only();"
    ]


def postgres_drop(table: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}"]


def create_triggers(schema_editor, tables: list[str]) -> None:
    """Migration helper: refuse UPDATE and DELETE on `tables` (SQLite and PostgreSQL; others untouched)."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION, params=None)
        statements = postgres_create
    elif vendor == "sqlite":
        statements = sqlite_create
    else:
        return
    for table in tables:
        for sql in statements(table):
            schema_editor.execute(sql, params=None)


def drop_triggers(schema_editor, tables: list[str]) -> None:
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": sqlite_drop, "postgresql": postgres_drop}.get(vendor)
    for table in tables:
        for sql in statements(table) if statements else []:
            schema_editor.execute(sql, params=None)
