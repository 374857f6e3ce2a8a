import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction

from sotong.core.events import record_event
from sotong.core.models import AppendOnlyError, Code, CodeGroup, Event

pytestmark = pytest.mark.django_db


def test_event_records_actor_verb_target_and_before_after():
    actor = get_user_model().objects.create_user("actor", "a@example.com", "long-password-12", name="담당자")
    group = CodeGroup.objects.create(key="channel", name="접수 경로")

    event = record_event(actor, "code.renamed", group, before={"name": "경로"}, after={"name": "접수 경로"})

    stored = Event.objects.get(pk=event.pk)
    assert stored.actor == actor
    assert stored.actor_label == "actor"
    assert stored.verb == "code.renamed"
    assert stored.target_id == str(group.pk)
    assert stored.before == {"name": "경로"}
    assert stored.after == {"name": "접수 경로"}
    assert list(Event.objects.for_target(group)) == [stored]


def test_system_and_labelled_actors_are_recorded_without_a_user():
    group = CodeGroup.objects.create(key="g", name="g")

    assert record_event(None, "sweep.ran", group).actor_label == "system"
    assert record_event("citizen", "case.submitted", group).actor_label == "citizen"


def test_model_values_in_before_after_are_stored_as_keys():
    group = CodeGroup.objects.create(key="g", name="g")
    code = Code.objects.create(group=group, code="a", name="A")

    event = record_event(None, "code.moved", code, after={"group": group, "codes": [code]})

    assert event.after == {"group": group.pk, "codes": [code.pk]}


def test_events_are_append_only():
    event = record_event(None, "x.y")

    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_event")
    assert Event.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_logs_and_leaves_them_append_only():
    from django.core.management import call_command

    record_event(None, "x.before_flush")

    call_command("flush", "--noinput", verbosity=0)

    assert Event.objects.count() == 0
    event = record_event(None, "x.after_flush")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_event SET verb = 'changed'")
    assert Event.objects.get(pk=event.pk).verb == "x.after_flush"
