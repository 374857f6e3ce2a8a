"""Surges (급증): found on a planted series and not on a normal day, weekday-aware, idempotent per day,
one notice per surge and coordinator through the outbox, the sweep and the real worker, the page."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail

from sotong.accounts.models import User
from sotong.cases.actions import submit_case
from sotong.cases.tests.conftest import case_values
from sotong.core.business_calendar import SEOUL
from sotong.core.models import Event
from sotong.core.scheduler import run_due
from sotong.insights.alerts import surges
from sotong.insights.board import rollup
from sotong.insights.models import DailyCaseRollup
from sotong.insights.models_alerts import Surge, SurgeDimension, SurgeScan
from sotong.messaging.models import Message

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 18)  # a Wednesday


def plant(day: date, category: str, dong: str, received: int) -> None:
    DailyCaseRollup.objects.create(
        day=day, channel="web", kind="suggestion", category=category, dong=dong, received=received
    )


def normal_weeks(last: date, days: int = 56) -> None:
    """Eight weeks of an ordinary district: roads 3 a working day and 1 a weekend day or public holiday
    (추석 and 한글날 fall in these weeks), parks 2 and 1."""
    for n in range(days):
        day = last - timedelta(days=n)
        weekend = surges.day_type(day) >= 5
        plant(day, "roads", "행당1동", 1 if weekend else 3)
        plant(day, "parks", "마장동", 1 if weekend else 2)


@pytest.fixture
def coordinator_with_mail(coordinator: User) -> User:
    User.objects.filter(pk=coordinator.pk).update(email="chief@example.go.kr")
    coordinator.refresh_from_db()
    return coordinator


def found(day: date) -> set[tuple[str, str]]:
    return {(surge.dimension, surge.key) for surge in surges.find_surges(day)}


def test_a_planted_surge_is_found_and_an_ordinary_day_is_not() -> None:
    # given eight ordinary weeks, then a day with 12 extra road cases reported from 마장동
    normal_weeks(DAY - timedelta(days=1))
    plant(DAY, "roads", "행당1동", 3)
    plant(DAY, "parks", "마장동", 2)
    plant(DAY, "roads", "마장동", 12)

    # then roads (15 against about 3) and 마장동 (14 against about 2) surge; 행당1동 and parks do not
    assert found(DAY) == {(SurgeDimension.CATEGORY, "roads"), (SurgeDimension.DONG, "마장동")}
    roads = next(s for s in surges.find_surges(DAY) if s.key == "roads")
    assert 2.5 <= roads.expected <= 3.5
    assert roads.observed == 15
    assert roads.upper <= 15
    assert roads.score > 3  # less than one chance in a thousand
    # and an ordinary Wednesday a week earlier (same counts as always) has none
    ordinary = DAY - timedelta(days=7)
    DailyCaseRollup.objects.filter(day__gte=ordinary).delete()
    normal_weeks(ordinary - timedelta(days=1))
    DailyCaseRollup.objects.filter(day=ordinary).delete()
    plant(ordinary, "roads", "행당1동", 4)
    plant(ordinary, "parks", "마장동", 3)
    assert found(ordinary) == set()


def test_the_expected_level_follows_the_weekday() -> None:
    normal_weeks(DAY - timedelta(days=1))
    first, last = DAY - timedelta(days=56), DAY - timedelta(days=1)
    totals = surges._district_totals(first, last)
    factors = surges.weekday_factors(totals, first, last)
    history = {
        d: n
        for d, per_key in surges._rollup_counts("category", first, last).items()
        for k, n in per_key.items()
        if k == "roads"
    }
    sunday = date(2026, 11, 22)
    weekday = surges.expectation(history, first, last, DAY, factors, observed=8)
    weekend = surges.expectation(history, first, last, sunday, factors, observed=8)

    assert weekday.expected == pytest.approx(3.0, abs=0.1)
    # (the weekday factors are the district's: weekends carry 2/5 of a weekday, roads alone 1/3)
    assert weekend.expected == pytest.approx(1.2, abs=0.1)
    # eight road cases on a Wednesday are within bounds; on a Sunday they are a surge
    assert weekday.upper > 8 >= weekend.upper


def test_a_day_without_history_finds_nothing() -> None:
    plant(DAY, "roads", "행당1동", 40)
    assert found(DAY) == set()


def test_detecting_a_day_twice_keeps_one_row_and_one_notice_per_surge(coordinator_with_mail: User) -> None:
    normal_weeks(DAY - timedelta(days=1))
    plant(DAY, "roads", "마장동", 15)

    first = surges.detect_day(DAY)
    second = surges.detect_day(DAY)

    assert (first.surges, first.notices) == (2, 2)
    assert (second.surges, second.notices) == (2, 0)
    assert Surge.objects.count() == 2
    assert all(surge.notified_at is not None for surge in Surge.objects.all())
    notices = Message.objects.filter(purpose="insights.surge")
    assert notices.count() == 2
    assert set(notices.values_list("recipient", flat=True)) == {"chief@example.go.kr"}
    subjects = sorted(notices.values_list("subject", flat=True))
    assert any("마장동" in subject and "15건" in subject for subject in subjects)
    assert Event.objects.filter(verb="insights.surge_detected").count() == 2
    assert SurgeScan.objects.get(day=DAY).found == 2


def test_a_new_coordinator_is_not_told_of_an_old_surge_again(
    coordinator_with_mail: User, make_staff: Any, org: Any
) -> None:
    normal_weeks(DAY - timedelta(days=1))
    plant(DAY, "roads", "마장동", 15)
    surges.detect_day(DAY)
    later = make_staff("chief2", org.grievance, "coordinator", email="second@example.go.kr")

    surges.detect_day(DAY)

    assert not Message.objects.filter(recipient=later.email).exists()
    assert Message.objects.filter(purpose="insights.surge").count() == 2


def received_at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), SEOUL)


def test_sweep_and_worker_detect_yesterday_from_real_cases(
    org: Any, coordinator_with_mail: User, run_worker: Any
) -> None:
    # given a quiet dong (one case a day for eight weeks) and a busy yesterday there
    yesterday = rollup.seoul_today() - timedelta(days=1)
    number = 0
    for n in range(1, 57):
        day = yesterday - timedelta(days=n)
        number += 1
        submit_case(
            **case_values(
                org, dong="사근동", received_at=received_at(day), citizen_phone=f"010-3333-{number:04d}"
            )
        )
    for hour in range(8):
        number += 1
        submit_case(
            **case_values(
                org,
                dong="사근동",
                received_at=received_at(yesterday, 9 + hour),
                citizen_phone=f"010-3333-{number:04d}",
            )
        )
    rollup.recompute_range(yesterday - timedelta(days=56), yesterday)

    # when the hourly sweep runs and the worker takes its task
    assert run_due(only=["insights.surges"], force=True) == {"insights.surges": "enqueued"}
    run_worker()

    # then yesterday's surge in 사근동 is stored and the coordinator has one e-mail about it
    surge = Surge.objects.get(dimension=SurgeDimension.DONG, key="사근동")
    assert surge.day == yesterday
    assert surge.observed == 8
    assert surge.expected == pytest.approx(1.0, abs=0.3)
    assert Message.objects.filter(purpose="insights.surge", recipient="chief@example.go.kr").count() >= 1
    # delivered by the same worker run, with the link to the day's cases of that dong
    delivered = [m for m in mail.outbox if "사근동" in m.subject]
    assert [m.to for m in delivered] == [["chief@example.go.kr"]]
    assert "dong=%EC%82%AC%EA%B7%BC%EB%8F%99" in delivered[0].body
    # and the week is scanned, so the sweep has nothing more to do
    assert SurgeScan.objects.filter(day=yesterday).exists()
    assert run_due(only=["insights.surges"], force=True) == {"insights.surges": "up to date"}


def test_surge_page_lists_surges_with_links_to_their_cases(
    verified_client: Any, coordinator: User, handler: User, django_assert_max_num_queries: Any
) -> None:
    normal_weeks(DAY - timedelta(days=1))
    plant(DAY, "roads", "마장동", 15)
    surges.detect_day(DAY)
    url = f"/office/insights/surges/?received_from={DAY - timedelta(days=3)}&received_to={DAY}"
    client = verified_client(coordinator)

    with django_assert_max_num_queries(10):
        response = client.get(url)

    assert response.status_code == 200
    page = response.content.decode()
    assert "마장동" in page
    links = [part.split('"')[0] for part in page.split('href="')[1:] if "received_from" in part.split('"')[0]]
    dong_link = next(link for link in links if "dong=" in link)
    query = parse_qs(urlsplit(dong_link.replace("&amp;", "&")).query)
    assert query == {"received_from": [DAY.isoformat()], "received_to": [DAY.isoformat()], "dong": ["마장동"]}
    assert verified_client(handler).get(url).status_code == 403


def test_surge_page_rejects_a_reversed_period_with_a_korean_message(
    verified_client: Any, coordinator: User
) -> None:
    response = verified_client(coordinator).get(
        "/office/insights/surges/?received_from=2026-11-10&received_to=2026-11-01"
    )
    assert response.status_code == 200
    assert "끝나는 날이 시작하는 날보다 앞섭니다." in response.content.decode()


def test_a_topic_surge_is_found_with_the_topic_name(org: Any) -> None:
    from sotong.insights.models_clusters import Cluster, ClusterRun, Topic, TopicAssignment

    # given a named topic with one case a day for eight weeks and seven cases on DAY, and a topic nobody
    # named or pinned (not active: never tested)
    roads = Topic.objects.create(name="도로 파손", keywords=["도로", "파손"])
    unnamed = Topic.objects.create(keywords=["소음"])
    days = [DAY - timedelta(days=n) for n in range(1, 57)] + [DAY] * 7 + [DAY] * 7
    for position, day in enumerate(days):
        item = submit_case(
            **case_values(
                org,
                dong="",
                received_at=received_at(day, 9 + position % 8),
                citizen_phone=f"010-4444-{position:04d}",
            )
        )
        topic = unnamed if position >= 63 else roads
        TopicAssignment.objects.create(case=item, topic=topic, source="run", received_at=item.received_at)
    rollup.recompute_range(DAY - timedelta(days=56), DAY)

    found = {(s.dimension, s.key): s for s in surges.find_surges(DAY)}

    surge = found[(SurgeDimension.CLUSTER, str(roads.pk))]
    assert surge.label == "도로 파손"
    assert surge.observed == 7
    assert (SurgeDimension.CLUSTER, str(unnamed.pk)) not in found
    # no cluster page yet: no link; then the latest cluster of the topic
    assert surges.case_list_link(surge) == ""
    run = ClusterRun.objects.create(first_day=DAY - timedelta(days=30), last_day=DAY)
    cluster = Cluster.objects.create(run=run, number=0, size=20, members=b"", centroid=b"", topic=roads)
    assert surges.case_list_link(surge) == f"/office/insights/clusters/{cluster.pk}/"


def test_a_public_holiday_is_expected_like_a_sunday() -> None:
    hangul_day = date(2026, 10, 9)  # 한글날, a Friday
    assert surges.day_type(hangul_day) == 6
    assert surges.day_type(date(2026, 10, 8)) == 3
    factors = [1.2, 1.2, 1.2, 1.2, 1.2, 0.5, 0.5]
    history = {hangul_day - timedelta(days=n): 2 for n in range(1, 57)}
    first, last = hangul_day - timedelta(days=56), hangul_day - timedelta(days=1)

    holiday = surges.expectation(history, first, last, hangul_day, factors, observed=2)
    thursday = surges.expectation(history, first, last, date(2026, 10, 8), factors, observed=2)

    assert holiday.expected < thursday.expected / 2
