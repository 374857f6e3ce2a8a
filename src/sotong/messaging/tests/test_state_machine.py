"""The outbox as a state machine: any sequence of actions keeps the invariants of the status table."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from sotong.messaging.actions import (
    cancel_message,
    claim_message,
    queue_sms,
    record_delivery,
    recover_stalled_messages,
    retry_message,
    stuck_after,
)
from sotong.messaging.backends.base import SendResult
from sotong.messaging.exceptions import IllegalTransition
from sotong.messaging.models import TRANSITIONS, DeliveryAttempt, Message, Status

RESULTS = st.sampled_from(
    [SendResult.sent("p-1"), SendResult.retry("HTTP 503"), SendResult.failed("HTTP 400")]
)


class Outbox(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.seen: dict[str, str] = {}
        # A clock of its own that jumps past every backoff and stuck limit between steps.
        self.clock = timezone.now()

    def _tick(self) -> None:
        self.clock += timedelta(hours=7)

    def _pick(self, data: st.DataObject) -> Message | None:
        if not self.ids:
            return None
        return Message.objects.get(pk=data.draw(st.sampled_from(self.ids)))

    @rule()
    def queue(self) -> None:
        message = queue_sms("010-1234-5678", "상태 기계 안내")
        self.ids.append(str(message.pk))

    @rule(data=st.data(), result=RESULTS)
    def deliver(self, data: st.DataObject, result: SendResult) -> None:
        message = self._pick(data)
        if message is None:
            return
        self._tick()
        claimed = claim_message(str(message.pk), now=self.clock)
        if claimed is None:
            assert message.status not in {Status.QUEUED, Status.RETRYING}
            return
        record_delivery(claimed, result)

    @rule(data=st.data())
    def claim_and_lose_the_worker(self, data: st.DataObject) -> None:
        message = self._pick(data)
        if message is not None:
            self._tick()
            claim_message(str(message.pk), now=self.clock)

    @rule()
    def sweep(self) -> None:
        self._tick()
        assert stuck_after() < timedelta(hours=7)
        recover_stalled_messages(self.clock)

    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        message = self._pick(data)
        if message is None:
            return
        try:
            cancel_message(message, actor="tester")
        except IllegalTransition:
            assert Status.CANCELLED not in TRANSITIONS[message.status]

    @rule(data=st.data())
    def retry(self, data: st.DataObject) -> None:
        message = self._pick(data)
        if message is None:
            return
        try:
            retry_message(message, actor="tester")
        except IllegalTransition:
            assert message.status != Status.DEAD

    @invariant()
    def every_change_follows_the_table_and_counts_hold(self) -> None:
        for message in Message.objects.filter(pk__in=self.ids):
            key = str(message.pk)
            previous = self.seen.get(key, Status.QUEUED)
            # A step may pass through several statuses (claim then outcome); each visible one is reachable.
            assert message.status == previous or _reachable(previous, message.status)
            self.seen[key] = message.status
            assert message.attempts <= message.max_attempts
            assert (message.sent_at is not None) == (message.status == Status.SENT)
            attempts_logged = DeliveryAttempt.objects.filter(message=message).count()
            in_flight = 1 if message.status == Status.SENDING else 0
            assert attempts_logged == message.attempts - in_flight


def _reachable(start: str, goal: str) -> bool:
    seen, frontier = {start}, [start]
    while frontier:
        for nxt in TRANSITIONS[frontier.pop()]:
            if nxt == goal:
                return True
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return False


@pytest.mark.django_db
def test_any_sequence_of_outbox_actions_keeps_the_invariants(sms_outbox):
    run_state_machine_as_test(
        Outbox,
        settings=settings(
            max_examples=20,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
