"""The office case list's filters for the situation board's drill-down (handling department alone or with
its subtree, and the board's states) and the list's XLSX export (masked, scoped, logged)."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from sotong.cases.models import Case, CaseStatus
from sotong.cases.tests.fixtures_reports import *  # noqa: F403
from sotong.cases.views.office import queues as queue_views
from sotong.core.models import PersonalDataAccessLog, PersonalDataAction
from sotong.core.spreadsheets import open_table

pytestmark = pytest.mark.django_db

LIST = "/office/cases/"
EXPORT = "/office/cases/export.xlsx"


@pytest.fixture
def spread(make_case_row: Any, org: Any) -> dict[str, Case]:
    """Cases where 청소행정과 takes part in different ways, and the board's states among them."""
    past = timezone.now() - timedelta(days=1)
    return {
        "handled": make_case_row(deadline_at=past),  # 청소행정과 handles it, overdue
        "team": make_case_row(handling=org.sanitation_team, transfer_count=3),  # its team, 핑퐁
        "cooperating": make_case_row(handling=org.transport, cooperating=(org.sanitation,)),
        "received": make_case_row(handling=None, intake=org.sanitation),  # 청소행정과 took it in
        "answered": make_case_row(
            status=CaseStatus.ANSWERED, answered_at=timezone.now(), citizen_phone="010-9876-5432"
        ),
        "other": make_case_row(handling=org.transport, reports_missed=True),
    }


def listed(client: Any, **params: Any) -> set[int]:
    response = client.get(LIST, params)
    assert response.status_code == 200
    assert response.context["form"].is_valid(), response.context["form"].errors
    return {case.pk for case in response.context["page"].object_list}


def pks(spread: dict[str, Case], *names: str) -> set[int]:
    return {spread[name].pk for name in names}


def test_handling_department_filter_takes_only_the_cases_handled_there(
    spread: dict[str, Case], org: Any, coordinator: Any, verified_client: Any
) -> None:
    client = verified_client(coordinator)
    # the department filter takes every way of taking part, subtree included
    assert listed(client, department=org.sanitation.pk) == pks(
        spread, "handled", "team", "cooperating", "received", "answered"
    )
    # the handling department filter: that department alone, or with its subtree when asked
    assert listed(client, handling_department=org.sanitation.pk) == pks(spread, "handled", "answered")
    assert listed(client, handling_department=org.sanitation.pk, handling_subtree="1") == pks(
        spread, "handled", "team", "answered"
    )
    # a bureau with its subtree (the bureau board's totals)
    assert listed(client, handling_department=org.sanitation.parent_id, handling_subtree="1") == pks(
        spread, "handled", "team", "answered"
    )
    assert listed(client, handling_department=org.safety_bureau.pk, handling_subtree="1") == pks(
        spread, "cooperating", "other"
    )


def test_state_filters_match_the_board_counts(
    spread: dict[str, Case], org: Any, coordinator: Any, verified_client: Any
) -> None:
    client = verified_client(coordinator)
    assert listed(client, state="answered") == pks(spread, "answered")
    assert listed(client, state="open") == pks(spread, "handled", "team", "cooperating", "received", "other")
    assert listed(client, state="overdue") == pks(spread, "handled")
    assert listed(client, state="ping_pong") == pks(spread, "team")
    assert listed(client, state="unreported") == pks(spread, "other")
    # combined with the handling department, as the board's department rows link them
    assert listed(client, handling_department=org.transport.pk, state="unreported") == pks(spread, "other")
    assert listed(client, handling_department=org.sanitation.pk, state="ping_pong") == set()


def test_a_handler_cannot_widen_the_list_with_the_handling_filter(
    spread: dict[str, Case], org: Any, handler: Any, verified_client: Any
) -> None:
    client = verified_client(handler)  # 청소행정과
    response = client.get(LIST, {"handling_department": org.transport.pk})
    # 교통행정과 is not among the handler's departments: the form refuses it with a Korean message
    assert response.status_code == 200
    assert "handling_department" in response.context["form"].errors
    shown = {case.pk for case in response.context["page"].object_list}
    assert spread["other"].pk not in shown


def test_bad_state_shows_a_korean_message(coordinator: Any, verified_client: Any, db: Any) -> None:
    response = verified_client(coordinator).get(LIST, {"state": "nonsense"})
    assert response.status_code == 200
    assert "올바르게 선택해 주세요" in response.content.decode()


def test_list_export_is_masked_filtered_and_logged(
    spread: dict[str, Case], org: Any, coordinator: Any, verified_client: Any
) -> None:
    client = verified_client(coordinator)
    response = client.post(f"{EXPORT}?handling_department={org.sanitation.pk}", {"reason": "월간 점검 자료"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    table = open_table(io.BytesIO(response.content), "cases.xlsx")
    records = [record for _number, record in table.records()]
    assert {record["접수번호"] for record in records} == {
        spread["handled"].receipt_no,
        spread["answered"].receipt_no,
    }
    assert {record["신청인(마스킹)"] for record in records} == {"홍*동"}
    assert all("010" not in " ".join(record.values()) for record in records)
    assert {record["처리부서"] for record in records} == {"청소행정과"}
    log = PersonalDataAccessLog.objects.get()
    assert log.action == PersonalDataAction.DOWNLOAD
    assert log.reason == "월간 점검 자료"
    assert log.record_count == 2
    assert log.account == coordinator


def test_list_export_needs_a_reason_and_a_narrow_enough_list(
    spread: dict[str, Case], coordinator: Any, verified_client: Any, monkeypatch: Any
) -> None:
    client = verified_client(coordinator)
    response = client.post(EXPORT, {"reason": "  "}, follow=True)
    assert "목록을 내려받으려면 사유를 입력해 주세요." in response.content.decode()
    monkeypatch.setattr(queue_views, "EXPORT_MAX_ROWS", 2)
    response = client.post(EXPORT, {"reason": "점검"}, follow=True)
    assert "조건을 좁혀 주세요" in response.content.decode()
    assert not PersonalDataAccessLog.objects.exists()


def test_list_export_holds_only_the_cases_the_user_may_see(
    spread: dict[str, Case], handler: Any, verified_client: Any
) -> None:
    response = verified_client(handler).post(EXPORT, {"reason": "부서 점검"})
    table = open_table(io.BytesIO(response.content), "cases.xlsx")
    numbers = {record["접수번호"] for _number, record in table.records()}
    assert numbers == {case.receipt_no for name, case in spread.items() if name != "other"}
    assert PersonalDataAccessLog.objects.get().record_count == len(numbers)


def test_programme_manager_cannot_export(programme_manager: Any, verified_client: Any, db: Any) -> None:
    response = verified_client(programme_manager).post(EXPORT, {"reason": "궁금해서"})
    assert response.status_code == 403
    assert not PersonalDataAccessLog.objects.exists()
