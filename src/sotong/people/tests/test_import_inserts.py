"""The import's INSERTs and look-ups of fixed shapes: the same rows as `bulk_create`, few distinct SQL texts."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from sotong.core.crypto import decrypt
from sotong.people.cleaning import phone_index_for
from sotong.people.import_inserts import fixed_chunks, insert_rows
from sotong.people.models import Membership, Person


def test_fixed_chunks_are_all_one_length_and_lose_nothing():
    chunks = list(fixed_chunks(list(range(1203)), size=500))
    assert [len(c) for c in chunks] == [500, 500, 500]
    assert sorted(set().union(*chunks)) == list(range(1203))
    assert list(fixed_chunks([])) == []


def test_insert_rows_writes_what_bulk_create_writes_with_ids_and_few_statement_shapes(db):
    people = [
        Person(name=f"홍길{n}", mobile=f"0105000{n:04d}", mobile_index=phone_index_for(f"0105000{n:04d}"))
        for n in range(1, 301)
    ]

    with CaptureQueriesContext(connection) as queries:
        insert_rows(people, returning=True)

    assert all(p.pk is not None and not p._state.adding for p in people)
    stored = {p.pk: p for p in Person.objects.all()}
    assert [stored[p.pk].name for p in people] == [p.name for p in people]
    assert stored[people[-1].pk].mobile == "01050000300"
    with connection.cursor() as cursor:  # encrypted at rest, as save() stores it
        cursor.execute("SELECT mobile FROM people_person WHERE id = %s", [people[0].pk])
        raw = cursor.fetchone()[0]
    assert raw != "01050000001"
    assert decrypt(raw) == "01050000001"
    if connection.vendor == "postgresql":  # Django's one UNNEST of arrays: one statement, one shape
        assert len(queries.captured_queries) == 1
        assert "UNNEST" in queries.captured_queries[0]["sql"]
    else:  # 300 rows: whole chunks of one size, then powers of two: a few shapes, never one per row
        shapes = [q["sql"].count("), (") + 1 for q in queries.captured_queries]
        assert sum(shapes) == 300
        assert len(shapes) <= 300 // 16
        assert all(size & (size - 1) == 0 for size in shapes)
        assert len(set(shapes)) <= 4

    memberships = [Membership(person=p, kind="subscriber") for p in people[:5]]
    insert_rows(memberships)
    assert Membership.objects.filter(kind="subscriber").count() == 5
    assert all(m.created_at is not None for m in Membership.objects.all())
