"""Korean full-text search over cases (민원 검색): trigram indexes on SQLite and PostgreSQL.

Korean glues particles to words (가로등이, 가로등을) and writes compounds without spaces (가로등고장), so
word tokens miss what a person types; a substring match does not. Both databases index substrings of
three characters (trigrams) of title, body and receipt number:

    PostgreSQL  the `pg_trgm` extension and one GIN index (`gin_trgm_ops`) on the expression
                ``title || E'\\n' || body || E'\\n' || receipt_no``, queried with ILIKE '%term%' on that same
                expression (the planner uses the index only when the expression matches it exactly).
    SQLite      an FTS5 table `cases_case_fts` with ``tokenize='trigram'`` over the same columns, external
                content (the text stays in cases_case only), kept in step by insert, update and delete
                triggers; queried with ``id IN (SELECT rowid ... MATCH '"term1" "term2"')``.

Every term must match (AND), in any of the three columns. A term in double quotes is a phrase ("가로등
고장" matches those words next to each other). A term of 1 or 2 characters (주차, 소음, 불) holds no
trigram, so no index can find it: it becomes a plain case-insensitive LIKE on title, body and receipt
number, which the database applies to the rows the longer terms already narrowed through the index; when
every term is that short the search is a LIKE scan of the cases in scope. A term that reads as a receipt
number (2611-004271-3, 26110042713, 2611 004271 3) also matches that receipt number exactly.

SQLite loses a table's triggers when Django rebuilds the table (`_remake_table`: AlterField, AddField of
a NOT NULL column, ...). A later migration that alters `Case` on SQLite must end with
``migrations.RunPython(install_search_index, migrations.RunPython.noop)``, which puts back what
is missing and rebuilds the index if a trigger was gone; a test checks the triggers after all migrations.
Nothing here widens a QuerySet: `search_cases` only adds conditions to the scope it is given.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, Expression, F, Q, QuerySet
from django.db.models.expressions import RawSQL

from sotong.cases.models import Case
from sotong.cases.receipt import RECEIPT_NO, normalize_receipt_no

__all__ = [
    "MAX_TERMS",
    "ensure_search_index",
    "install_search_index",
    "parse_terms",
    "search_cases",
    "uninstall_search_index",
]

MAX_TERMS = 8
TRIGRAM = 3  # characters: shorter terms cannot use a trigram index
FTS_TABLE = "cases_case_fts"
TRIGRAM_INDEX = "cases_case_text_trgm"
# The expression indexed on PostgreSQL; `_TrigramContains` writes the same one (qualified) in queries.
_PG_TEXT = "{title} || E'\\n' || {body} || E'\\n' || {receipt_no}"

_TOKENS = re.compile(r'"([^"]*)"|(\S+)')
_RECEIPT_TYPED = re.compile(r"[\d\s-]+")


def parse_terms(text: str) -> list[str]:
    """The terms of a search box: words split on white space, "quoted phrases" kept whole (≤ 8 terms)."""
    terms = []
    for phrase, word in _TOKENS.findall(text or ""):
        term = " ".join(phrase.split()) if phrase else word.replace('"', "")
        if term:
            terms.append(term)
    return terms[:MAX_TERMS]


def search_cases(cases: QuerySet[Case], text: str) -> QuerySet[Case]:
    """The cases of `cases` whose title, body or receipt number contain every term of `text`."""
    terms = parse_terms(text)
    if not terms:
        return cases
    vendor = connections[cases.db].vendor
    indexed = [term for term in terms if len(term) >= TRIGRAM and _receipt_no(term) is None]
    if indexed and vendor == "sqlite":
        cases = cases.filter(pk__in=_fts_ids(indexed))
    elif indexed and vendor == "postgresql":
        for term in indexed:
            cases = cases.filter(_TrigramContains(term))
    else:
        for term in indexed:
            cases = cases.filter(_like(term))
    for term in terms:
        if term in indexed:
            continue
        receipt_no = _receipt_no(term)
        condition = _like(term) if len(term) < TRIGRAM else _text_condition(term, vendor)
        if receipt_no is not None:
            condition |= Q(receipt_no=receipt_no)
        cases = cases.filter(condition)
    return cases


def _receipt_no(term: str) -> str | None:
    """The canonical receipt number that `term` spells, with or without hyphens, or None."""
    if not _RECEIPT_TYPED.fullmatch(term):
        return None
    normalized = normalize_receipt_no(term)
    return normalized if RECEIPT_NO.match(normalized) else None


def _like(term: str) -> Q:
    """Unindexed substring match (short terms; other databases)."""
    return Q(title__icontains=term) | Q(body__icontains=term) | Q(receipt_no__icontains=term)


def _text_condition(term: str, vendor: str) -> Q:
    if vendor == "sqlite":
        return Q(pk__in=_fts_ids([term]))
    if vendor == "postgresql":
        return Q(_TrigramContains(term))
    return _like(term)


def _fts_ids(terms: list[str]) -> RawSQL:
    """Row ids whose indexed text contains every term (each a quoted FTS5 string: a substring match)."""
    query = " ".join('"' + term.replace('"', '""') + '"' for term in terms)
    # Constant SQL; the user's text goes as a parameter.
    return RawSQL("SELECT rowid FROM cases_case_fts WHERE cases_case_fts MATCH %s", [query])  # noqa: S611


class _TrigramContains(Expression):
    """``title || E'\\n' || body || E'\\n' || receipt_no ILIKE '%term%'``: what the pg_trgm index answers."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, term: str) -> None:
        super().__init__()
        self.term = term
        self.columns = [F("title"), F("body"), F("receipt_no")]

    def get_source_expressions(self) -> list[Any]:
        return self.columns

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        self.columns = list(exprs)

    def as_sql(self, compiler: Any, connection: BaseDatabaseWrapper) -> tuple[str, tuple[str, ...]]:
        title, body, receipt_no = (compiler.compile(column)[0] for column in self.columns)
        text = _PG_TEXT.format(title=title, body=body, receipt_no=receipt_no)
        pattern = f"%{connection.ops.prep_for_like_query(self.term)}%"
        return f"({text}) ILIKE %s", (pattern,)


# --- the indexes (created by migration 0003; `ensure_search_index` is safe to run again) -----------------

_PG_INDEX = (
    "CREATE INDEX cases_case_text_trgm ON cases_case "
    "USING gin ((title || E'\\n' || body || E'\\n' || receipt_no) gin_trgm_ops)"
)
_FTS_CREATE = (
    "CREATE VIRTUAL TABLE cases_case_fts USING fts5(title, body, receipt_no, "
    "content='cases_case', content_rowid='id', tokenize='trigram')"
)
_FTS_REBUILD = "INSERT INTO cases_case_fts(cases_case_fts) VALUES ('rebuild')"
_FTS_TRIGGERS = {
    "cases_case_fts_insert": (
        "CREATE TRIGGER IF NOT EXISTS cases_case_fts_insert AFTER INSERT ON cases_case BEGIN "
        "INSERT INTO cases_case_fts(rowid, title, body, receipt_no) "
        "VALUES (new.id, new.title, new.body, new.receipt_no); END"
    ),
    "cases_case_fts_delete": (
        "CREATE TRIGGER IF NOT EXISTS cases_case_fts_delete AFTER DELETE ON cases_case BEGIN "
        "INSERT INTO cases_case_fts(cases_case_fts, rowid, title, body, receipt_no) "
        "VALUES ('delete', old.id, old.title, old.body, old.receipt_no); END"
    ),
    # Only when the text changes: status changes and other saves leave the index alone.
    "cases_case_fts_update": (
        "CREATE TRIGGER IF NOT EXISTS cases_case_fts_update "
        "AFTER UPDATE OF id, title, body, receipt_no ON cases_case "
        "WHEN old.id IS NOT new.id OR old.title IS NOT new.title OR old.body IS NOT new.body "
        "OR old.receipt_no IS NOT new.receipt_no BEGIN "
        "INSERT INTO cases_case_fts(cases_case_fts, rowid, title, body, receipt_no) "
        "VALUES ('delete', old.id, old.title, old.body, old.receipt_no); "
        "INSERT INTO cases_case_fts(rowid, title, body, receipt_no) "
        "VALUES (new.id, new.title, new.body, new.receipt_no); END"
    ),
}


def install_search_index(apps: Any, schema_editor: Any) -> None:
    """Migration step (RunPython): create what is missing of the search index; safe to run again."""
    ensure_search_index(schema_editor.connection)


def uninstall_search_index(apps: Any, schema_editor: Any) -> None:
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "sqlite":
            for name in _FTS_TRIGGERS:
                cursor.execute("DROP TRIGGER IF EXISTS " + name)
            cursor.execute("DROP TABLE IF EXISTS cases_case_fts")
        elif schema_editor.connection.vendor == "postgresql":
            cursor.execute("DROP INDEX IF EXISTS cases_case_text_trgm")


def ensure_search_index(connection: BaseDatabaseWrapper) -> None:
    """Create the search index where it is missing (SQLite: and rebuild it if a trigger was gone)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The pg_trgm extension comes from the migration's TrigramExtension operation. (CREATE INDEX
            # IF NOT EXISTS would still be refused in a transaction with pending trigger events.)
            cursor.execute("SELECT to_regclass(%s)", [TRIGRAM_INDEX])
            if cursor.fetchone()[0] is None:
                cursor.execute(_PG_INDEX)
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
            existing = {row[0] for row in cursor.fetchall()}
            if FTS_TABLE not in existing:
                cursor.execute(_FTS_CREATE)
            for create in _FTS_TRIGGERS.values():
                cursor.execute(create)
            if FTS_TABLE not in existing or any(name not in existing for name in _FTS_TRIGGERS):
                # Rows written while a trigger was missing (or before the table existed) are indexed anew.
                cursor.execute(_FTS_REBUILD)
