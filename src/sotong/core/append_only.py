"""Database triggers that refuse UPDATE and DELETE on the append-only logs (Event, access log).

Used by the core migration and by the SQLite backend's flush (tests empty tables with DELETE there).
"""

from __future__ import annotations

TABLES = ["core_event", "core_personaldataaccesslog"]


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
