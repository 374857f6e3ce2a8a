"""A worker killed mid-campaign (SIGKILL, a real db_worker process), then a new one: every remaining
message goes out once, none twice, none skipped — for e-mail over SMTP and for SMS gateway batches."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from sotong.campaigns import actions
from sotong.campaigns.models import Campaign, Recipient, RecipientStatus, State

ROOT = Path(__file__).resolve().parents[4]
LEASE = 2


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(extra: dict[str, str], *, batch: bool = False) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DEBUG": "0",
        "SOTONG_DEMO": "1",
        "SOTONG_CAMPAIGN_LEASE_SECONDS": str(LEASE),
        "SOTONG_CAMPAIGN_BATCH_SIZE": "5",
        "PYTHONPATH": str(ROOT / "src"),
        "DJANGO_SETTINGS_MODULE": "sotong.settings",
        **extra,
    }
    command = [
        sys.executable,
        "manage.py",
        "db_worker",
        "--queue-name",
        "*",
        "--no-startup-delay",
        "--no-reload",
    ]
    return subprocess.Popen(
        [*command, "--batch"] if batch else command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_for(condition: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


def kill_then_restart(campaign: Campaign, env: dict[str, str], killed_when: Callable[[], bool]) -> int:
    """Run a worker, SIGKILL it when `killed_when()`, run the resume sweep after the lease, then a second
    worker to the end. Returns how many recipients were still unsent at the kill."""
    worker = start_worker(env)
    try:
        wait_for(killed_when)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    unsent = Recipient.objects.filter(campaign=campaign).exclude(status=RecipientStatus.SENT).count()
    assert Campaign.objects.get(pk=campaign.pk).state == State.RUNNING
    time.sleep(LEASE + 0.5)
    assert actions.resume_stalled_campaigns(timezone.now()) == 1
    second = start_worker(env, batch=True)
    output = second.communicate(timeout=120)[0].decode(errors="replace")
    assert second.returncode == 0, output
    return unsent


@pytest.mark.django_db(transaction=True)
def test_killed_worker_email_campaign_resumes_without_duplicates_or_gaps(
    programme_manager, newsletter, email_template, make_subscriber, make_list, smtp_server
) -> None:
    readers = [make_subscriber(newsletter) for _ in range(40)]
    campaign = actions.create_campaign(
        programme_manager,
        name="중단",
        template=email_template,
        lists=[make_list(readers)],
        rate_per_second=15,
        concurrency=2,
    )
    actions.start_campaign(programme_manager, campaign)
    env = {
        "SOTONG_EMAIL_BACKEND": "smtp",
        "EMAIL_HOST": smtp_server.host,
        "EMAIL_PORT": str(smtp_server.port),
    }

    # killed after the 15th: the first 15 go in the rate limit's first second, the next batch is claimed
    # (five rows "sending") and waits for the window to slide
    unsent = kill_then_restart(campaign, env, lambda: len(smtp_server.received) >= 15)

    assert 0 < unsent < 40  # the kill really came in the middle
    received = Counter(rcpt for mail in smtp_server.received for rcpt in mail.rcpt_tos)
    assert received == Counter({reader.email: 1 for reader in readers})
    campaign.refresh_from_db()
    assert (campaign.state, campaign.sent) == (State.FINISHED, 40)
    assert campaign.recipients.filter(status=RecipientStatus.SENT).count() == 40


@pytest.mark.django_db(transaction=True)
def test_killed_worker_sms_batch_in_flight_is_answered_by_its_key_not_sent_twice(
    programme_manager, newsletter, sms_template, make_subscriber, make_list, sms_gateway
) -> None:
    readers = [make_subscriber(newsletter) for _ in range(20)]
    campaign = actions.create_campaign(
        programme_manager,
        name="중단",
        template=sms_template,
        lists=[make_list(readers)],
        rate_per_second=1000,
    )
    actions.start_campaign(programme_manager, campaign)
    sms_gateway.delay = 1.0  # the second batch is in flight (recorded by the gateway, unanswered) at the kill
    env: dict[str, Any] = {
        "SOTONG_SMS_BACKEND": "http",
        "SOTONG_SMS_GATEWAY_URL": sms_gateway.url,
        "SOTONG_SMS_API_KEY": sms_gateway.api_key,
        "SOTONG_SMS_API_SECRET": sms_gateway.api_secret,
    }

    unsent = kill_then_restart(campaign, env, lambda: len(sms_gateway.requests) >= 2)

    assert unsent >= 5
    assert sms_gateway.replayed, "the batch in flight was asked again under its key"
    numbers = Counter(item["to"] for item in sms_gateway.messages)
    assert numbers == Counter({reader.mobile.replace("-", ""): 1 for reader in readers})
    campaign.refresh_from_db()
    assert (campaign.state, campaign.sent) == (State.FINISHED, 20)


def test_lease_keeps_a_second_run_out(
    programme_manager, newsletter, email_template, make_subscriber, make_list
) -> None:
    from sotong.campaigns.sender import take_lease

    campaign = actions.create_campaign(
        programme_manager,
        name="임대",
        template=email_template,
        lists=[make_list([make_subscriber(newsletter)])],
    )
    actions.start_campaign(programme_manager, campaign)
    now = timezone.now()
    assert take_lease(campaign.pk, now) is not None
    assert take_lease(campaign.pk, now + timedelta(seconds=1)) is None
    assert take_lease(campaign.pk, now + timedelta(seconds=600)) is not None


def test_an_unterminated_data_is_discarded_by_the_server(smtp_server, settings) -> None:
    """What the e-mail recovery relies on: a message staged but never ended with "." is not delivered."""
    from sotong.campaigns.transports import SmtpTransport, StagedEmail

    transport = SmtpTransport(1)
    transport.open()
    item = StagedEmail("c1r1", "news@sd.example.kr", "reader@example.com", b"Subject: x\r\n\r\nbody\r\n")
    assert transport.stage_many([item])[0].ok
    transport.connections[0].drop()  # the worker dies here
    transport.close()
    time.sleep(0.3)
    assert smtp_server.received == []
    transport = SmtpTransport(1)
    transport.open()
    assert transport.stage_many([item])[0].ok
    assert transport.finish_many([item])[0].ok
    transport.close()
    assert [mail.rcpt_tos for mail in smtp_server.received] == [["reader@example.com"]]
