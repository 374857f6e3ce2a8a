"""Many-row INSERTs and IN (...) look-ups of a few fixed shapes, for the import's batches.

    insert_rows(consents)                 # like bulk_create, without per-value compilation
    insert_rows(people, returning=True)   # the new ids set on the objects (multi-row INSERT … RETURNING)
    for chunk in fixed_chunks(ids): ...   # IN lists of one length, the last one padded

Two reasons, both measured on 100,000 rows. `bulk_create` compiles every value of every row (about half of
the commit's time went to Django's compiler, not to the database). And each batch produced SQL of a new
length (its own number of rows, IN lists as long as its contacts): SQLite keeps each prepared statement in
the connection's statement cache (128 of them), some of them hundreds of parameters long, so the
process's memory grew with the number of batches until that cache was full (+11.7 MiB at 100,000 rows
against +4.8 MiB at 10,000, none of it Python objects: tracemalloc stayed flat). Here a model's rows go
in statements of whole chunks of one size and a remainder split into powers of two, and IN lists are cut
into chunks of one length, so a whole import uses a handful of statements.

The values are prepared as `save()` prepares them (`pre_save`, `get_db_prep_save`: defaults, encryption
and JSON alike). Models with `pre_save`/`post_save` receivers go through `bulk_create` instead, and so
does PostgreSQL: there Django 5.2 sends many rows as one `UNNEST` of arrays, a statement of one shape with
a parameter per column, while a long VALUES list is parsed by psycopg on every call (it caches only
statements of 50 parameters or fewer: 4 s of the commit's 10 at 10,000 rows).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any, TypeVar

from django.db import connections, models, router
from django.db.models.signals import post_save, pre_save

T = TypeVar("T")
M = TypeVar("M", bound=models.Model)
IN_CHUNK = 500
_MAX_ROWS = 512  # rows in one INSERT (a power of two), fewer when the model has many columns


def fixed_chunks(values: Sequence[T], size: int = IN_CHUNK) -> Iterator[list[T]]:
    """`values` in lists of exactly `size` (the last one padded with its own last value, harmless in an
    IN list), so that every look-up of a run is the same statement."""
    for start in range(0, len(values), size):
        chunk = list(values[start : start + size])
        yield chunk + [chunk[-1]] * (size - len(chunk))


def _fields(model: type[models.Model]) -> tuple[models.Field[Any, Any], ...]:
    opts = model._meta
    return tuple(
        field
        for field in opts.local_concrete_fields
        if not getattr(field, "generated", False)
        and not (field.primary_key and isinstance(field, models.AutoField))
    )


@cache
def _sql(model: type[models.Model], alias: str, rows: int, returning: bool) -> str:
    opts = model._meta
    quote = connections[alias].ops.quote_name
    fields = _fields(model)
    row = "({})".format(", ".join(["%s"] * len(fields)))
    # Table and column names come from the model's own metadata, never from input.
    sql = "INSERT INTO {} ({}) VALUES {}".format(  # noqa: S608
        quote(opts.db_table), ", ".join(quote(str(field.column)) for field in fields), ", ".join([row] * rows)
    )
    if returning:
        sql += f" RETURNING {quote(str(opts.pk.column))}"
    return sql


def _sizes(count: int, largest: int) -> Iterator[int]:
    while count >= largest:
        yield largest
        count -= largest
    size = largest
    while count:
        size //= 2
        if count >= size:
            yield size
            count -= size


def insert_rows(objs: Sequence[M], *, returning: bool = False) -> None:
    """INSERT `objs` (new, all of one model) in the caller's transaction; with `returning`, their new
    primary keys are set on them."""
    if not objs:
        return
    model = type(objs[0])
    alias = router.db_for_write(model)
    connection = connections[alias]
    if (
        # PostgreSQL: Django inserts many rows as one UNNEST of arrays (a few parameters, which psycopg
        # parses once); a VALUES list of hundreds of parameters is parsed again on every call.
        connection.vendor == "postgresql"
        or pre_save.has_listeners(model)
        or post_save.has_listeners(model)
        or model._meta.parents
        or (returning and not connection.features.can_return_rows_from_bulk_insert)
    ):
        model._default_manager.bulk_create(objs)  # type: ignore[arg-type]
        return
    fields = _fields(model)
    max_params = connection.features.max_query_params or 65535
    largest = _MAX_ROWS
    while largest > 1 and largest * len(fields) > max_params:
        largest //= 2
    start = 0
    with connection.cursor() as cursor:
        for size in _sizes(len(objs), largest):
            chunk = objs[start : start + size]
            start += size
            params = [
                field.get_db_prep_save(field.pre_save(obj, True), connection)
                for obj in chunk
                for field in fields
            ]
            cursor.execute(_sql(model, alias, size, returning), params)
            if returning:
                for obj, (pk,) in zip(chunk, cursor.fetchall(), strict=True):
                    obj.pk = pk
    for obj in objs:
        obj._state.adding = False
        obj._state.db = alias
