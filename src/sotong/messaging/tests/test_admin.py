"""The admin lists messages and lets staff with the permission re-send dead ones."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from sotong.core.models import Event
from sotong.messaging.actions import queue_sms
from sotong.messaging.models import Message, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def outbox_staff(django_user_model):
    def make(*codenames: str):
        user = django_user_model.objects.create_user(
            f"outbox-{len(codenames)}", "o@example.kr", "pw-long-enough-123", name="발송 담당", is_staff=True
        )
        user.user_permissions.set(
            Permission.objects.filter(content_type__app_label="messaging", codename__in=codenames)
        )
        return user

    return make


@pytest.fixture
def dead_message(sms_gateway, run_worker):
    sms_gateway.answers = [(400, {"errorCode": "ValidationError"})]
    message = queue_sms("010-1234-5678", "실패한 안내")
    run_worker()
    message.refresh_from_db()
    assert message.status == Status.DEAD
    return message


def test_message_list_filters_by_status_without_showing_full_numbers(client, outbox_staff, dead_message):
    client.force_login(outbox_staff("view_message"))

    response = client.get(reverse("admin:messaging_message_changelist"), {"status__exact": "dead"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "010-****-5678" in page
    assert "01012345678" not in page


def test_retry_action_requeues_dead_messages_and_they_are_delivered(
    client, outbox_staff, dead_message, sms_gateway, run_worker
):
    # given staff allowed to change messages
    staff = outbox_staff("view_message", "change_message")
    client.force_login(staff)

    # when
    response = client.post(
        reverse("admin:messaging_message_changelist"),
        {"action": "retry_dead_messages", "_selected_action": [str(dead_message.pk)]},
        follow=True,
    )
    run_worker()

    # then
    assert response.status_code == 200
    dead_message.refresh_from_db()
    assert dead_message.status == Status.SENT
    assert Event.objects.for_target(dead_message).filter(verb="messaging.requeued", actor=staff).exists()


def test_retry_action_is_not_offered_to_staff_who_may_only_look(client, outbox_staff, dead_message):
    client.force_login(outbox_staff("view_message"))

    response = client.post(
        reverse("admin:messaging_message_changelist"),
        {"action": "retry_dead_messages", "_selected_action": [str(dead_message.pk)]},
    )

    assert response.status_code in {200, 302}
    assert Message.objects.get(pk=dead_message.pk).status == Status.DEAD
    assert not Event.objects.filter(verb="messaging.requeued").exists()
