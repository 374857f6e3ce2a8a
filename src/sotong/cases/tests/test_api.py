"""The cases API at /api/v1/cases/: scoping, the main actions, and 403/404/409/422 with Korean JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sotong.cases.models import Case, CaseKind, CaseStatus, ProgressReport, ReportStatus
from sotong.core.models import Event

API = "/api/v1/cases/"
CAST = [
    "coordinator",
    "intake_officer",
    "handler",
    "other_dept_handler",
    "sns_officer",
    "programme_manager",
    "sysadmin",
]


def post(client: Any, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def case_state(case: Case) -> tuple[Any, ...]:
    fresh = Case.objects.get(pk=case.pk)
    return (
        fresh.status,
        fresh.handling_department_id,
        fresh.officer_id,
        fresh.answers.count(),
        Event.objects.count(),
    )


LIST = dict(zip(CAST, [1, 1, 1, 0, 0, None, 1], strict=True))


@pytest.mark.parametrize("role", CAST)
def test_list_shows_the_visible_cases(request, verified_client, assigned_case, role):
    response = verified_client(request.getfixturevalue(role)).get(API)
    if LIST[role] is None:
        assert response.status_code == 403
        assert response.json()["error"] == "forbidden"
        return
    assert response.status_code == 200
    assert response.json()["count"] == LIST[role]


DETAIL = dict(zip(CAST, [200, 200, 200, 404, 404, 403, 200], strict=True))


@pytest.mark.parametrize("role", CAST)
def test_detail_is_scoped_and_masked(request, verified_client, assigned_case, role):
    response = verified_client(request.getfixturevalue(role)).get(f"{API}{assigned_case.receipt_no}")
    assert response.status_code == DETAIL[role]
    if response.status_code == 200:
        body = response.json()
        assert body["citizen_phone"] == "010-****-5678"
        assert body["status"] == CaseStatus.ASSIGNED


def test_anonymous_gets_401(client, assigned_case):
    assert client.get(API).status_code == 401


def test_list_by_queue_and_search(verified_client, coordinator, make_case):
    make_case(title="가로등 고장")
    make_case(title="불법 주차")
    client = verified_client(coordinator)
    assert client.get(API, {"queue": "new"}).json()["count"] == 2
    assert client.get(API, {"q": "가로등"}).json()["count"] == 1
    unknown = client.get(API, {"queue": "nothing"})
    assert unknown.status_code == 422


def test_the_main_flow_through_the_api(verified_client, intake_officer, handler, org, make_case):
    case = make_case(kind=CaseKind.PROPOSAL)
    intake, worker = verified_client(intake_officer), verified_client(handler)
    assigned = post(intake, f"{API}{case.receipt_no}/assign", {"department": "D151", "officer": "handler"})
    assert assigned.status_code == 200, assigned.content
    assert assigned.json()["handling_department"] == "청소행정과"
    report = ProgressReport.objects.get(case=case)
    submitted = post(worker, f"{API}{case.receipt_no}/reports/{report.pk}/submit", {"body": "현장 조사"})
    assert submitted.status_code == 200
    approved = post(intake, f"{API}{case.receipt_no}/reports/{report.pk}/decide", {"approve": True})
    assert approved.status_code == 200
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    assert post(worker, f"{API}{case.receipt_no}/start").status_code == 200
    answered = post(worker, f"{API}{case.receipt_no}/answer", {"body": "설치하겠습니다."})
    assert answered.json()["status"] == CaseStatus.ANSWERED
    closed = post(worker, f"{API}{case.receipt_no}/close", {"note": "완료"})
    assert closed.json()["status"] == CaseStatus.CLOSED


def test_transfer_through_the_api(verified_client, handler, assigned_case):
    response = post(
        verified_client(handler),
        f"{API}{assigned_case.receipt_no}/transfer",
        {"kind": "misfiled", "to_department": "D141", "reason": "교통 소관"},
    )
    assert response.status_code == 200
    assert response.json()["handling_department"] == "교통행정과"


def test_illegal_transition_is_409_and_changes_nothing(verified_client, handler, assigned_case):
    client = verified_client(handler)
    before = case_state(assigned_case)
    response = post(client, f"{API}{assigned_case.receipt_no}/close")
    assert response.status_code == 409
    assert response.json()["message"] == "답변한 민원만 종결할 수 있습니다."
    assert case_state(assigned_case) == before


def test_refused_input_is_422_with_the_field(verified_client, handler, in_progress_case):
    client = verified_client(handler)
    before = case_state(in_progress_case)
    response = post(
        client, f"{API}{in_progress_case.receipt_no}/answer", {"body": "불가", "is_rejection": True}
    )
    assert response.status_code == 422
    assert response.json()["field"] == "rejection_reasons"
    assert case_state(in_progress_case) == before


def test_unknown_department_is_422(verified_client, intake_officer, make_case):
    case = make_case()
    response = post(verified_client(intake_officer), f"{API}{case.receipt_no}/assign", {"department": "NOPE"})
    assert response.status_code == 422
    assert response.json()["field"] == "department"


def test_forbidden_step_is_403_and_changes_nothing(verified_client, intake_officer, assigned_case):
    client = verified_client(intake_officer)
    before = case_state(assigned_case)
    response = post(client, f"{API}{assigned_case.receipt_no}/answer", {"body": "답변"})
    assert response.status_code == 403
    assert case_state(assigned_case) == before


@pytest.mark.parametrize("action", ["assign", "transfer", "answer", "close"])
def test_another_departments_case_is_404(verified_client, other_dept_handler, assigned_case, action):
    client = verified_client(other_dept_handler)
    before = case_state(assigned_case)
    data = {"department": "D141", "kind": "misfiled", "reason": "x", "to_department": "D141", "body": "x"}
    response = post(client, f"{API}{assigned_case.receipt_no}/{action}", data)
    assert response.status_code == 404
    assert case_state(assigned_case) == before


@pytest.mark.parametrize("role", ["programme_manager", "sns_officer"])
def test_roles_without_case_work_cannot_act(request, verified_client, assigned_case, role):
    client = verified_client(request.getfixturevalue(role))
    before = case_state(assigned_case)
    response = post(client, f"{API}{assigned_case.receipt_no}/answer", {"body": "x"})
    assert response.status_code in (403, 404)
    assert case_state(assigned_case) == before


def test_sysadmin_may_read_but_not_act(verified_client, sysadmin, assigned_case):
    client = verified_client(sysadmin)
    before = case_state(assigned_case)
    assert post(client, f"{API}{assigned_case.receipt_no}/answer", {"body": "x"}).status_code == 403
    assert case_state(assigned_case) == before
