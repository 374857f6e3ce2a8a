"""The scheduler: due sweeps run once, failures are recorded, concurrent schedulers do not double-run."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from sotong.core import scheduler
from sotong.core.models import SweepRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def counting_sweep():
    calls = []

    @scheduler.sweep("test.counting", every=timedelta(minutes=10), description="counts")
    def count(now):
        calls.append(now)
        return f"run {len(calls)}"

    yield calls
    scheduler._registry.pop("test.counting")


@pytest.fixture
def failing_sweep():
    @scheduler.sweep("test.failing", every=timedelta(minutes=1))
    def fail(now):
        from sotong.core.models import CodeGroup

        CodeGroup.objects.create(key="half", name="half-written")
        raise RuntimeError("boom")

    yield
    scheduler._registry.pop("test.failing")


def test_due_sweep_runs_once_until_its_interval_passes(counting_sweep):
    now = timezone.now()

    first = scheduler.run_due(now, only=["test.counting"])
    again = scheduler.run_due(now + timedelta(minutes=5), only=["test.counting"])
    later = scheduler.run_due(now + timedelta(minutes=11), only=["test.counting"])

    assert first == {"test.counting": "run 1"}
    assert again == {}
    assert later == {"test.counting": "run 2"}
    assert SweepRun.objects.get(name="test.counting").runs == 2


def test_a_claimed_run_cannot_be_claimed_by_a_second_scheduler(counting_sweep):
    now = timezone.now()
    item = scheduler.registered_sweeps()["test.counting"]

    assert scheduler.claim(item, now) is True
    assert scheduler.claim(item, now) is False


def test_a_failing_sweep_is_rolled_back_and_its_error_recorded(failing_sweep):
    from sotong.core.models import CodeGroup

    result = scheduler.run_due(timezone.now(), only=["test.failing"])

    assert result["test.failing"].startswith("error: RuntimeError: boom")
    assert "RuntimeError" in SweepRun.objects.get(name="test.failing").last_error
    assert not CodeGroup.objects.filter(key="half").exists()


def test_command_lists_and_runs_named_sweeps(counting_sweep):
    out = io.StringIO()
    call_command("scheduler", "--list", stdout=out)
    assert "test.counting" in out.getvalue()
    assert "core.worker_heartbeat" in out.getvalue()

    call_command("scheduler", "--run", "test.counting", stdout=out)
    call_command("scheduler", "--run", "test.counting", stdout=out)
    assert len(counting_sweep) == 2

    with pytest.raises(CommandError, match="unknown sweep"):
        call_command("scheduler", "--run", "nope", stdout=out)


def test_scheduler_once_records_its_heartbeat():
    from sotong.core.models import Heartbeat

    call_command("scheduler", "--once", stdout=io.StringIO())

    assert timezone.now() - Heartbeat.objects.get(name="scheduler").beat_at < timedelta(seconds=5)
