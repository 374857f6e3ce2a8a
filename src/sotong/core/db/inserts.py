"""One-row INSERTs whose SQL is compiled once per model and database, for the hot paths.

    insert_row(case)                       # like case.save(force_insert=True), without the compiler
    insert_row(message, on_conflict="idempotency_key")   # False when a row with that key exists

Django's `save()` builds the INSERT anew for every row: it walks the fields, compiles the query and
checks every value for expressions. A citizen's submission writes four or five rows (the case, its
events, the outbox message, the delivery task), so that work was most of the request's cost. Here the
statement is built once and only the values are prepared per row, with the same `pre_save` and
`get_db_prep_save` that `save()` calls, so defaults, `auto_now_add`, encryption and JSON behave alike.

`pre_save` and `post_save` are sent as `save()` sends them, only when the model has receivers (the
task worker's result model has one, which fills in `run_after`). It does not run `full_clean` or save
parents of multi-table inheritance (it refuses such a model).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import connections, models, router
from django.db.models.signals import post_save, pre_save


@dataclass(frozen=True)
class _Statement:
    sql: str
    fields: tuple[models.Field[Any, Any], ...]
    returns_pk: bool


@cache
def _statement(model: type[models.Model], alias: str, on_conflict: str | None) -> _Statement:
    opts = model._meta
    if opts.parents:
        raise TypeError(f"{opts.label} inherits from another concrete model; use save()")
    pk = opts.pk
    auto_pk = isinstance(pk, models.AutoField | models.BigAutoField | models.SmallAutoField)
    fields = tuple(
        field
        for field in opts.local_concrete_fields
        if not getattr(field, "generated", False) and not (auto_pk and field.primary_key)
    )
    connection = connections[alias]
    quote = connection.ops.quote_name
    # Table and column names come from the model's own metadata, never from input.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(opts.db_table),
        ", ".join(quote(str(field.column)) for field in fields),
        ", ".join(["%s"] * len(fields)),
    )
    if on_conflict:
        unique = opts.get_field(on_conflict)
        assert isinstance(unique, models.Field)  # a concrete field, not a reverse relation
        sql += f" ON CONFLICT ({quote(str(unique.column))}) DO NOTHING"
    if auto_pk:
        sql += f" RETURNING {quote(str(pk.column))}"
    return _Statement(sql=sql, fields=fields, returns_pk=auto_pk)


def insert_row(obj: models.Model, *, on_conflict: str | None = None, using: str | None = None) -> bool:
    """INSERT `obj` as a new row; whether it was written (always, unless `on_conflict` names a unique
    field whose value is taken, in which case nothing is written). Joins the caller's transaction."""
    model = type(obj)
    alias = using or router.db_for_write(model, instance=obj)
    if pre_save.has_listeners(model):
        pre_save.send(sender=model, instance=obj, raw=False, using=alias, update_fields=None)
    statement = _statement(model, alias, on_conflict)
    connection = connections[alias]
    params = [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in statement.fields]
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, params)
        if statement.returns_pk:
            row = cursor.fetchone()
            if row is None:
                return False
            obj.pk = row[0]
        elif on_conflict and cursor.rowcount != 1:
            return False
    obj._state.adding = False
    obj._state.db = alias
    if post_save.has_listeners(model):
        post_save.send(sender=model, instance=obj, created=True, update_fields=None, raw=False, using=alias)
    return True
