"""The sender's SMTP envelope in one round trip (RFC 2920 PIPELINING) when the server offers it, against a
real aiosmtpd server that advertises PIPELINING; and the same SMS batches recorded while the next is on the
wire (the gateway call runs in its own thread)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from sotong.campaigns import actions
from sotong.campaigns.models import RecipientStatus, State, Suppression, SuppressionReason
from sotong.campaigns.sender import CampaignSender
from sotong.campaigns.transports import SmtpTransport, StagedEmail, _Connection, _dot_stuffed
from sotong.messaging.tests.fixtures import SmtpServer, _Handler, free_port


class _PipeliningHandler(_Handler):
    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        return [*responses[:-1], "250-PIPELINING", responses[-1]]


@pytest.fixture
def pipelining_smtp_server(settings: Any) -> Iterator[SmtpServer]:
    server = SmtpServer("127.0.0.1", free_port())
    controller = Controller(_PipeliningHandler(server), hostname=server.host, port=server.port)
    controller.start()
    settings.SOTONG_EMAIL_BACKEND = "smtp"
    settings.EMAIL_HOST, settings.EMAIL_PORT = server.host, server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield server
    finally:
        controller.stop()


class _Counting(_Connection):
    pipelined = 0

    def _envelope_pipelined(self, smtp: Any, item: StagedEmail) -> Any:
        _Counting.pipelined += 1
        return super()._envelope_pipelined(smtp, item)


def _counting_transport(concurrency: int) -> SmtpTransport:
    transport = SmtpTransport(concurrency)
    for connection in transport.connections:
        connection.__class__ = _Counting
    _Counting.pipelined = 0
    return transport


def test_pipelined_envelope_delivers_each_reader_once_and_refusals_still_suppress(
    programme_manager, newsletter, email_template, make_subscriber, make_list, pipelining_smtp_server
) -> None:
    # given six readers, two of whom the server refuses at RCPT TO
    readers = [make_subscriber(newsletter) for _ in range(6)]
    refused = readers[1::3]
    pipelining_smtp_server.refuse.update(reader.email for reader in refused)
    campaign = actions.create_campaign(
        programme_manager,
        name="파이프라인",
        template=email_template,
        lists=[make_list(readers)],
        concurrency=2,
    )
    actions.start_campaign(programme_manager, campaign)

    # when the sender runs over two connections to a server that offers PIPELINING
    transport = _counting_transport(2)
    assert CampaignSender(campaign.pk, email=transport).run() == State.FINISHED

    # then every envelope went in one write, the accepted readers got one message each, and the refused
    # ones are failed and suppressed (the connection went on after the RSET)
    assert _Counting.pipelined == 6
    accepted = [reader for reader in readers if reader not in refused]
    received = Counter(rcpt for mail in pipelining_smtp_server.received for rcpt in mail.rcpt_tos)
    assert received == Counter({reader.email: 1 for reader in accepted})
    campaign.refresh_from_db()
    assert (campaign.sent, campaign.failed) == (4, 2)
    assert campaign.recipients.filter(status=RecipientStatus.FAILED).count() == 2
    assert Suppression.objects.filter(reason=SuppressionReason.HARD_BOUNCE).count() == 2
    subjects = {mail.message["Subject"] for mail in pipelining_smtp_server.received}
    assert all(subject.endswith("11월 성동 소식") for subject in subjects)


def test_without_pipelining_the_envelope_waits_for_each_answer(
    programme_manager, newsletter, email_template, make_subscriber, make_list, smtp_server
) -> None:
    readers = [make_subscriber(newsletter) for _ in range(3)]
    campaign = actions.create_campaign(
        programme_manager, name="순차", template=email_template, lists=[make_list(readers)], concurrency=1
    )
    actions.start_campaign(programme_manager, campaign)

    transport = _counting_transport(1)
    assert CampaignSender(campaign.pk, email=transport).run() == State.FINISHED

    assert _Counting.pipelined == 0
    received = Counter(rcpt for mail in smtp_server.received for rcpt in mail.rcpt_tos)
    assert received == Counter({reader.email: 1 for reader in readers})


def test_messages_are_dot_stuffed_only_when_they_need_it() -> None:
    clean = b"Subject: x\r\n\r\nbody\r\n"
    assert _dot_stuffed(clean) is clean
    assert _dot_stuffed(b"Subject: x\r\n\r\nbody") == b"Subject: x\r\n\r\nbody\r\n"
    assert _dot_stuffed(b"Subject: x\r\n\r\n.hidden\r\n") == b"Subject: x\r\n\r\n..hidden\r\n"
    assert _dot_stuffed(b"Subject: x\n\nbare\n") == b"Subject: x\r\n\r\nbare\r\n"


def test_sms_batches_on_the_wire_are_recorded_in_order_with_none_left_sending(
    settings, programme_manager, newsletter, sms_template, make_subscriber, make_list, sms_gateway
) -> None:
    # given eleven readers in batches of three and a gateway that answers slowly
    settings.SOTONG_CAMPAIGN_BATCH_SIZE = 3
    sms_gateway.delay = 0.05
    readers = [make_subscriber(newsletter) for _ in range(11)]
    campaign = actions.create_campaign(
        programme_manager, name="문자 겹침", template=sms_template, lists=[make_list(readers)]
    )
    actions.start_campaign(programme_manager, campaign)

    # when the sender runs
    assert CampaignSender(campaign.pk).run() == State.FINISHED

    # then four gateway calls under four different keys carried each reader once, and every row is sent
    assert len(sms_gateway.requests) == 4
    assert len({request["idempotencyKey"] for request in sms_gateway.requests}) == 4
    numbers = Counter(item["to"] for item in sms_gateway.messages)
    assert numbers == Counter({reader.mobile.replace("-", ""): 1 for reader in readers})
    campaign.refresh_from_db()
    assert (campaign.sent, campaign.failed, campaign.skipped) == (11, 0, 0)
    assert set(campaign.recipients.values_list("status", flat=True)) == {RecipientStatus.SENT}
    assert campaign.hourly.get().sent == 11
