"""Demo cases: made through the real actions, spread over a year, and every staff queue has something."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from sotong.accounts import demo as accounts_demo
from sotong.accounts.models import User
from sotong.cases import demo
from sotong.cases.models import MEETING_CHANNELS, Case, CaseStatus, ProgressReport
from sotong.cases.queues import Queue, queue_counts
from sotong.core import demo as core_demo
from sotong.core.models import Event

pytestmark = pytest.mark.django_db


def test_demo_year_of_cases_through_the_actions_fills_every_queue():
    # given the demo district and codes
    core_demo.load()
    accounts_demo.load()

    # when the cases demo loads (loading is slow: one test holds every check)
    summary = demo.load(count=60)

    # then every queue of the coordinator has something
    assert summary.startswith("60 cases")
    counts = queue_counts(User.objects.get(username="coordinator"))
    assert all(counts[name] > 0 for name in Queue), counts

    # every case came through submit_case (its Event), with Korean text and a category
    cases = list(Case.objects.all())
    assert len(cases) >= 60
    submitted = set(Event.objects.filter(verb="cases.submitted").values_list("target_id", flat=True))
    assert {str(case.pk) for case in cases} <= submitted
    assert all(any("가" <= ch <= "힣" for ch in case.title) for case in cases)
    assert all(case.category for case in cases)

    # spread over the year, across channels and states, with meetings and reports
    now = timezone.now()
    received = [case.received_at for case in cases]
    assert min(received) < now - timedelta(days=60)
    assert max(received) > now - timedelta(days=30)
    assert len({case.channel for case in cases}) >= 4
    assert {CaseStatus.RECEIVED, CaseStatus.CLOSED} <= {case.status for case in cases}
    assert any(case.channel in MEETING_CHANNELS for case in cases)
    assert ProgressReport.objects.exists()

    # answers are dated between receipt and now
    for case in cases:
        if case.answered_at is not None:
            assert case.received_at <= case.answered_at <= now
