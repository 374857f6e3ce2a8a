"""The personal-data access-log page: system administrators only, filters, pagination, and the monthly
review mark (once per ended month, with a note, an Event), refusals changing nothing."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sotong.accounts.models import User
from sotong.core.models import AccessLogReview, Event, PersonalDataAccessLog, PersonalDataAction
from sotong.office.views.access_log import month_start, review_table

pytestmark = pytest.mark.django_db

URL = "/office/access-log/"
REVIEW = "/office/access-log/review/"
CAST = ["sysadmin", "coordinator", "intake_officer", "handler", "sns_officer", "programme_manager"]


def this_month() -> date:
    return month_start(timezone.localdate())


def last_month() -> date:
    return month_start(this_month() - timedelta(days=1))


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def log_row(account: User | None, day: date, **values: Any) -> PersonalDataAccessLog:
    values.setdefault("subject_type", "people.Person")
    values.setdefault("subject_id", "1")
    values.setdefault("subject_label", "#1 홍*동")
    values.setdefault("action", PersonalDataAction.VIEW)
    return PersonalDataAccessLog.objects.create(
        account=account,
        account_label=account.username if account else "system",
        accessed_at=at(day, values.pop("hour", 10)),
        ip_address="203.0.113.9",
        **values,
    )


@pytest.fixture
def logged(programme_manager: User, handler: User) -> dict[str, PersonalDataAccessLog]:
    """Rows of two staff, two subject types, four actions, spread over this month and the last."""
    old = last_month() + timedelta(days=3)
    new = this_month()
    return {
        "view": log_row(programme_manager, old, fields="연락처"),
        "download": log_row(
            programme_manager, old, action=PersonalDataAction.DOWNLOAD, reason="주민참여예산 설명회 안내 발송"
        ),
        "case": log_row(
            handler, new, subject_type="cases.Case", subject_id="7", subject_label="2026-000007", hour=0
        ),
        "print": log_row(handler, new, action=PersonalDataAction.PRINT, reason="현장 조사 출력", hour=23),
    }


@pytest.mark.parametrize("role", CAST)
def test_only_system_administrators_open_the_log(
    request: Any, verified_client: Any, logged: dict[str, Any], role: str
) -> None:
    client = verified_client(request.getfixturevalue(role))

    response = client.get(URL)

    assert response.status_code == (200 if role == "sysadmin" else 403)
    if role != "sysadmin":
        assert "현장 조사 출력" not in response.content.decode()


@pytest.mark.parametrize("role", CAST[1:])
def test_only_system_administrators_mark_a_month(request: Any, verified_client: Any, role: str) -> None:
    client = verified_client(request.getfixturevalue(role))
    events = Event.objects.count()

    response = client.post(REVIEW, {"month": f"{last_month():%Y-%m}", "note": "이상 없음"})

    assert response.status_code == 403
    assert not AccessLogReview.objects.exists()
    assert Event.objects.count() == events


def test_anonymous_visitors_are_sent_to_the_login_page(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert client.post(REVIEW, {"month": f"{last_month():%Y-%m}", "note": "x"}).status_code == 302
    assert not AccessLogReview.objects.exists()


def test_the_log_lists_rows_newest_first_and_is_not_itself_logged(
    verified_client: Any, sysadmin: User, logged: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    client = verified_client(sysadmin)
    before = PersonalDataAccessLog.objects.count()

    with django_assert_max_num_queries(20):
        response = client.get(URL)

    rows = list(response.context["page"])
    assert rows == [logged["print"], logged["case"], logged["download"], logged["view"]]
    html = response.content.decode()
    assert "주민참여예산 설명회 안내 발송" in html
    assert "#1 홍*동" in html
    assert PersonalDataAccessLog.objects.count() == before


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"start": "{last}", "end": "{last_end}"}, ["download", "view"]),
        ({"start": "{this}", "end": "{this}"}, ["print", "case"]),
        ({"account": "programme"}, ["download", "view"]),
        ({"account": "HANDLER"}, ["print", "case"]),
        ({"action": "download"}, ["download"]),
        ({"subject_type": "cases.Case"}, ["case"]),
        ({"reason": "설명회 발송"}, ["download"]),
        ({"reason": "현장", "account": "handler", "action": "print"}, ["print"]),
        ({"reason": "없는 사유"}, []),
    ],
)
def test_filters(
    verified_client: Any, sysadmin: User, logged: dict[str, Any], query: dict[str, str], expected: list[str]
) -> None:
    days = {
        "last": f"{last_month():%Y-%m-%d}",
        "last_end": f"{this_month() - timedelta(days=1):%Y-%m-%d}",
        "this": f"{this_month():%Y-%m-%d}",
    }
    params = {key: value.format(**days) for key, value in query.items()}

    response = verified_client(sysadmin).get(URL, params)

    assert response.status_code == 200
    assert list(response.context["page"]) == [logged[name] for name in expected]


def test_a_reversed_period_is_refused_with_a_korean_message(
    verified_client: Any, sysadmin: User, logged: dict[str, Any]
) -> None:
    response = verified_client(sysadmin).get(URL, {"start": "2026-03-02", "end": "2026-03-01"})

    assert response.status_code == 200
    assert "종료일이 시작일보다 빠릅니다." in response.content.decode()
    assert response.context["page"].paginator.count == len(logged)


def test_subject_types_are_offered_by_their_names(
    verified_client: Any, sysadmin: User, logged: dict[str, Any]
) -> None:
    form = verified_client(sysadmin).get(URL).context["form"]
    assert dict(form.fields["subject_type"].choices) == {
        "": "전체",
        "cases.Case": "민원·제안",
        "people.Person": "정책고객",
    }


def test_pages_of_fifty(verified_client: Any, sysadmin: User, handler: User) -> None:
    for i in range(55):
        log_row(handler, this_month(), subject_id=str(i))
    client = verified_client(sysadmin)

    first = client.get(URL, {"action": "view"})
    second = client.get(URL, {"action": "view", "page": 2})

    assert len(first.context["page"]) == 50
    assert len(second.context["page"]) == 5
    assert 'href="?action=view&amp;page=2"' in first.content.decode()


def test_review_table_shows_reviewed_and_unreviewed_months(
    verified_client: Any, sysadmin: User, logged: dict[str, Any]
) -> None:
    table = review_table(timezone.localdate())

    assert [row.month for row in table[:2]] == [this_month(), last_month()]
    assert len(table) == 12
    current, previous = table[0], table[1]
    assert (current.rows, current.ended, current.review) == (2, False, None)
    assert (previous.rows, previous.downloads, previous.ended, previous.review) == (2, 1, True, None)
    response = verified_client(sysadmin).get(URL)
    assert response.context["unreviewed"] == 11
    assert [label for value, label in response.context["review_form"].fields["month"].choices][0] == (
        f"{last_month():%Y-%m}"
    )


def test_a_sysadmin_marks_last_month_reviewed_with_a_note(
    verified_client: Any, sysadmin: User, logged: dict[str, Any]
) -> None:
    client = verified_client(sysadmin)

    response = client.post(REVIEW, {"month": f"{last_month():%Y-%m}", "note": "  사유 없는 다운로드 없음  "})

    assert response.status_code == 302
    review = AccessLogReview.objects.get()
    assert (review.month, review.reviewer, review.note) == (last_month(), sysadmin, "사유 없는 다운로드 없음")
    event = Event.objects.for_target(review).get(verb="core.access_log_reviewed")
    assert event.after == {"month": f"{last_month():%Y-%m}", "rows": 2, "note": "사유 없는 다운로드 없음"}
    page = client.get(URL)
    row = next(row for row in page.context["months"] if row.month == last_month())
    assert row.review == review
    assert page.context["unreviewed"] == 10
    html = page.content.decode()
    assert "점검 완료" in html
    assert "사유 없는 다운로드 없음" in html
    assert f"{last_month():%Y-%m} 접근기록을 점검 완료로 표시했습니다." in html


@pytest.mark.parametrize(
    ("month", "note", "message"),
    [
        ("{this}", "이상 없음", "올바르게 선택해 주세요"),
        ("{last}", "   ", "필수 항목입니다"),
        ("2019-01", "이상 없음", "올바르게 선택해 주세요"),
        ("{last}", "가" * 2001, "2000"),
    ],
)
def test_refused_marks_change_nothing(
    verified_client: Any, sysadmin: User, month: str, note: str, message: str
) -> None:
    client = verified_client(sysadmin)
    events = Event.objects.count()
    month = month.format(this=f"{this_month():%Y-%m}", last=f"{last_month():%Y-%m}")

    response = client.post(REVIEW, {"month": month, "note": note})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AccessLogReview.objects.exists()
    assert Event.objects.count() == events


def test_a_month_is_marked_once(verified_client: Any, sysadmin: User, coordinator: User) -> None:
    from sotong.core.errors import DomainError
    from sotong.office.views.access_log import mark_month_reviewed

    mark_month_reviewed(sysadmin, last_month(), "이상 없음")

    with pytest.raises(DomainError) as again:
        mark_month_reviewed(sysadmin, last_month(), "다시")
    assert again.value.code == "already_reviewed"
    with pytest.raises(DomainError, match="끝나지 않은 달"):
        mark_month_reviewed(sysadmin, this_month(), "이상 없음")
    response = verified_client(sysadmin).post(REVIEW, {"month": f"{last_month():%Y-%m}", "note": "다시"})
    assert response.status_code == 400
    assert AccessLogReview.objects.get().note == "이상 없음"
