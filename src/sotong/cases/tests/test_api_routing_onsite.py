"""API for merge at receipt, the on-site investigation and the coordinator's late-routing count."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sotong.cases.models import Case, CaseStatus, OnsiteInvestigation

pytestmark = pytest.mark.django_db
API = "/api/v1/cases"


def post(client: Any, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json")


def test_onsite_investigation_through_the_api(verified_client, make_case, intake_officer, handler, org):
    from sotong.cases.actions import assign_case

    case = assign_case(make_case(kind="grievance"), actor=intake_officer, department=org.sanitation)
    client = verified_client(handler)

    started = post(client, f"{API}/{case.receipt_no}/onsite/start", {"reason": "현장 확인", "days": 5})
    assert started.status_code == 200
    too_long = post(client, f"{API}/{case.receipt_no}/onsite/extend", {"days": 8, "reason": "추가"})
    assert too_long.status_code == 422
    assert (
        post(client, f"{API}/{case.receipt_no}/onsite/extend", {"days": 2, "reason": "추가"}).status_code
        == 200
    )
    assert post(client, f"{API}/{case.receipt_no}/onsite/end", {"note": "완료"}).status_code == 200
    assert OnsiteInvestigation.objects.get(case=case).days_used is not None


def test_onsite_start_is_refused_for_the_intake_department(verified_client, make_case, intake_officer, org):
    from sotong.cases.actions import assign_case

    case = assign_case(make_case(kind="grievance"), actor=intake_officer, department=org.sanitation)

    response = post(verified_client(intake_officer), f"{API}/{case.receipt_no}/onsite/start", {"reason": "x"})

    assert response.status_code == 403
    assert not OnsiteInvestigation.objects.exists()


def test_merge_at_receipt_through_the_api(verified_client, make_case, intake_officer):
    cases = [make_case(citizen_phone=f"010-2000-{i:04d}") for i in range(5)]
    client = verified_client(intake_officer)
    url = f"{API}/{cases[0].receipt_no}/merge-at-receipt"

    few = post(client, url, {"receipt_nos": [c.receipt_no for c in cases[1:3]], "reason": "같은 취지"})
    assert few.status_code == 422
    assert "5건 이상" in json.dumps(few.json(), ensure_ascii=False)

    done = post(client, url, {"receipt_nos": [c.receipt_no for c in cases[1:]], "reason": "같은 취지"})
    assert done.status_code == 200
    assert Case.objects.filter(status=CaseStatus.MERGED).count() == 4


@pytest.mark.parametrize(("role", "status"), [("coordinator", 200), ("handler", 403), ("sysadmin", 403)])
def test_late_routing_count_is_for_the_coordinator(request, verified_client, make_case, role, status):
    make_case()
    response = verified_client(request.getfixturevalue(role)).get(f"{API}/routing/late")
    assert response.status_code == status
    if status == 200:
        assert response.json() == {"waiting": 0, "late_assignments": 0, "late_transfers": 0}
