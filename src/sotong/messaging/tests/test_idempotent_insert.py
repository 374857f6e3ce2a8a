"""The one-statement idempotent insert of the outbox: one message per key, even under concurrency."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from sotong.core.models import Event
from sotong.messaging.actions import queue_sms
from sotong.messaging.exceptions import OutboxError
from sotong.messaging.models import Message


@pytest.mark.django_db
def test_a_fresh_key_costs_one_insert_and_no_look_up():
    queue_sms("010-1234-5678", "먼저 보낸 문자")  # warms the content-type cache the Event uses
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        queue_sms("010-1234-5678", "접수 안내", idempotency_key="case:1:received:0:sms")

    statements = [query["sql"].split()[0].upper() for query in captured.captured_queries]
    assert statements == ["INSERT", "INSERT", "INSERT"]  # message, event, delivery task
    assert not any("SAVEPOINT" in query["sql"] for query in captured.captured_queries)


@pytest.mark.django_db
def test_a_refused_duplicate_leaves_the_callers_transaction_usable():
    with transaction.atomic():
        first = queue_sms("010-1234-5678", "접수 안내", idempotency_key="k")
        with pytest.raises(OutboxError):
            queue_sms("010-9999-8888", "접수 안내", idempotency_key="k")
        again = queue_sms("010-1234-5678", "접수 안내", idempotency_key="k")
        assert Message.objects.count() == 1  # the transaction still runs queries

    assert again.pk == first.pk
    assert Event.objects.filter(verb="messaging.queued").count() == 1
    assert DBTaskResult.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_queues_with_one_key_write_one_message():
    results: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)
    lock = threading.Lock()

    def queue() -> None:
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                message = queue_sms("010-1234-5678", "접수 안내", idempotency_key="case:9:received")
            with lock:
                results.append(str(message.pk))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=queue) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert len(results) == 4
    assert len(set(results)) == 1
    assert Message.objects.count() == 1
    assert DBTaskResult.objects.count() == 1
    assert Event.objects.filter(verb="messaging.queued").count() == 1
