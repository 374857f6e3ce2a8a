"""The destruction log refuses UPDATE and DELETE in the database itself, and test flushes still empty it."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from sotong.people.models import DestructionLog


def _log() -> DestructionLog:
    return DestructionLog.objects.create(
        person_id_ref=1, actor_label="system", reason="retention", fields="name"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql", ["UPDATE people_destructionlog SET note = 'changed'", "DELETE FROM people_destructionlog"]
)
def test_the_database_refuses_changes_to_the_destruction_log(sql):
    log = _log()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert DestructionLog.objects.get(pk=log.pk).note == ""


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_destruction_log_and_leaves_it_append_only():
    _log()
    call_command("flush", "--noinput", verbosity=0)
    assert DestructionLog.objects.count() == 0
    log = _log()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM people_destructionlog")
    assert DestructionLog.objects.filter(pk=log.pk).exists()
