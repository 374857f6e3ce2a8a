"""Each case carries the state of its open progress reports, kept by database triggers.

The report queues (보고요청, 보고확인 대기, 미보고) were `case IN (cases with such a report)`: at a million
cases a coordinator's count matched 8,000 reports against 130,000 open cases, twice. Three flags on the
case row make them plain indexed conditions:

    reports_pending    a report is requested or was sent back (보고요청, 반려)
    reports_submitted  a report waits for approval (보고확인)
    reports_missed     a report is overdue (미보고)

Triggers on `cases_progressreport` recompute the three flags of the case concerned after every insert,
status change and delete, whatever wrote the row (an action, `bulk_create`, a raw UPDATE, a fixture), so
the flags cannot drift from the reports. `create_triggers` is called by the migration that added them.
"""

from __future__ import annotations

from typing import Any

from sotong.cases.models import ReportStatus

PENDING = (ReportStatus.REQUESTED, ReportStatus.RETURNED)
SUBMITTED = (ReportStatus.SUBMITTED,)
MISSED = (ReportStatus.MISSED,)


def _exists(case_ref: str, statuses: tuple[str, ...]) -> str:
    listed = ", ".join(f"'{status}'" for status in statuses)  # fixed codes of ReportStatus, not input
    query = "SELECT 1 FROM cases_progressreport r WHERE r.case_id = {} AND r.status IN ({})"
    return f"EXISTS ({query.format(case_ref, listed)})"


def refresh_sql(case_ref: str) -> str:
    """The UPDATE that sets the three flags of the case whose id is the SQL expression `case_ref`."""
    return (
        "UPDATE cases_case SET "  # noqa: S608 - table, column and status names are fixed here
        f"reports_pending = {_exists(case_ref, PENDING)}, "
        f"reports_submitted = {_exists(case_ref, SUBMITTED)}, "
        f"reports_missed = {_exists(case_ref, MISSED)} "
        f"WHERE id = {case_ref}"
    )


_SQLITE = {
    "cases_report_flags_insert": (
        "CREATE TRIGGER cases_report_flags_insert AFTER INSERT ON cases_progressreport "
        f"BEGIN {refresh_sql('NEW.case_id')}; END"
    ),
    "cases_report_flags_update": (
        "CREATE TRIGGER cases_report_flags_update AFTER UPDATE OF status, case_id ON cases_progressreport "
        f"BEGIN {refresh_sql('NEW.case_id')}; {refresh_sql('OLD.case_id')}; END"
    ),
    "cases_report_flags_delete": (
        "CREATE TRIGGER cases_report_flags_delete AFTER DELETE ON cases_progressreport "
        f"BEGIN {refresh_sql('OLD.case_id')}; END"
    ),
}

_POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION cases_refresh_report_flags() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        {refresh_sql("NEW.case_id")};
    END IF;
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.case_id <> NEW.case_id) THEN
        {refresh_sql("OLD.case_id")};
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""

_POSTGRES = [
    _POSTGRES_FUNCTION,
    "CREATE TRIGGER cases_report_flags AFTER INSERT OR DELETE OR UPDATE OF status, case_id "
    "ON cases_progressreport FOR EACH ROW EXECUTE FUNCTION cases_refresh_report_flags()",
]


def create_triggers(schema_editor: Any) -> None:
    """Install the triggers and set the flags of every case that has reports (a migration step)."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = list(_POSTGRES)
    elif vendor == "sqlite":
        statements = list(_SQLITE.values())
    else:  # pragma: no cover - the two supported databases
        raise NotImplementedError(vendor)
    statements.append(_refresh_all())
    for sql in statements:
        schema_editor.execute(sql)


def ensure_triggers(connection: Any) -> None:
    """SQLite drops a table's triggers when a migration rebuilds it: put them back, and the flags right,
    if one is gone (after every migrate; a no-op when all is in place). PostgreSQL keeps them."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        existing = {row[0] for row in cursor.fetchall()}
        if "cases_progressreport" not in connection.introspection.table_names(cursor):
            return
        missing = [create for name, create in _SQLITE.items() if name not in existing]
        if not missing:
            return
        for create in missing:
            cursor.execute(create)
        cursor.execute(_refresh_all())


def _refresh_all() -> str:
    return refresh_sql("cases_case.id").replace(
        "WHERE id = cases_case.id", "WHERE id IN (SELECT DISTINCT case_id FROM cases_progressreport)"
    )


def drop_triggers(schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS cases_report_flags ON cases_progressreport")
        schema_editor.execute("DROP FUNCTION IF EXISTS cases_refresh_report_flags()")
    else:
        for name in _SQLITE:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
