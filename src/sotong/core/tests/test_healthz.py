from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from sotong.core.models import Heartbeat

pytestmark = pytest.mark.django_db


def test_healthz_fails_before_worker_and_scheduler_have_run(client):
    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["worker"] == {"ok": False, "last_beat": None}


def test_healthz_is_ok_once_scheduler_ran_and_worker_took_its_heartbeat_task(client, run_worker):
    # given: the scheduler runs its due sweeps, which put a heartbeat task on the queue
    call_command("scheduler", "--once", stdout=__import__("io").StringIO())
    assert client.get("/healthz").json()["checks"]["worker"]["ok"] is False

    # when: the real worker drains the queue
    run_worker()

    # then
    response = client.get("/healthz")
    assert response.status_code == 200
    checks = response.json()["checks"]
    assert checks["worker"]["ok"] is True
    assert checks["scheduler"]["ok"] is True


def test_healthz_fails_when_worker_heartbeat_is_stale(client, settings):
    now = timezone.now()
    Heartbeat.objects.create(name="scheduler", beat_at=now)
    Heartbeat.objects.create(
        name="worker", beat_at=now - timedelta(seconds=settings.SOTONG_HEARTBEAT_MAX_AGE + 5)
    )

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["worker"]["ok"] is False
    assert response.json()["checks"]["scheduler"]["ok"] is True
