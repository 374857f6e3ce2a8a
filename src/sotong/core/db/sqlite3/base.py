"""Django's SQLite backend, with a `flush` that lifts the append-only triggers while it empties tables.

Only `flush` (the management command, and the test runner between transactional tests) empties every
table with DELETE on SQLite, which the triggers would refuse; everything else is Django's own backend.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.sqlite3 import base, operations

from sotong.core import append_only


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(
        self, style: Any, tables: Any, *, reset_sequences: bool = False, allow_cascade: bool = False
    ) -> list[str]:
        statements = super().sql_flush(
            style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        guarded = [table for table in append_only.TABLES if table in tables]
        if not statements or not guarded:
            return statements
        drop = [sql for table in guarded for sql in append_only.sqlite_drop(table)]
        create = [sql for table in guarded for sql in append_only.sqlite_create(table)]
        return [*drop, *statements, *create]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
