"""Every office URL of the cases app across the demo roles: who may open or change what.

A handler sees and changes only their departments' cases; a refusal is a 403 or 404 and changes nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from sotong.cases.models import Case, CaseNote
from sotong.core.models import Event, PersonalDataAccessLog
from sotong.messaging.models import Message

CAST = [
    "coordinator",
    "intake_officer",
    "handler",
    "other_dept_handler",
    "sns_officer",
    "programme_manager",
    "sysadmin",
]


def snapshot(case: Case) -> dict[str, Any]:
    fresh = Case.objects.get(pk=case.pk)
    row = {field.attname: getattr(fresh, field.attname) for field in Case._meta.concrete_fields}
    row.pop("updated_at")
    return {
        "row": row,
        "events": Event.objects.count(),
        "notes": CaseNote.objects.count(),
        "assignments": fresh.assignments.count(),
        "reports": fresh.reports.count(),
        "messages": Message.objects.count(),
        "access_log": PersonalDataAccessLog.objects.count(),
    }


# The case is assigned to 청소행정과 (handler) and was taken in by 감사담당관 (intake_officer).
PAGES = {
    #                      coord intake handler other sns  programme sysadmin
    "queues": dict(zip(CAST, [200, 200, 200, 200, 200, 403, 200], strict=True)),
    "new": dict(zip(CAST, [200, 200, 200, 200, 200, 403, 403], strict=True)),
    "import": dict(zip(CAST, [200, 200, 403, 403, 403, 403, 403], strict=True)),
    "import_template": dict(zip(CAST, [200, 200, 403, 403, 403, 403, 403], strict=True)),
    "detail": dict(zip(CAST, [200, 200, 200, 404, 404, 403, 200], strict=True)),
}


@pytest.mark.parametrize("role", CAST)
@pytest.mark.parametrize("page", list(PAGES))
def test_who_may_open_each_page(request, verified_client, assigned_case, role, page):
    user = request.getfixturevalue(role)
    args = [assigned_case.receipt_no] if page == "detail" else []
    response = verified_client(user).get(reverse(f"cases_office:{page}", args=args))
    assert response.status_code == PAGES[page][role]


def test_anonymous_visitors_are_sent_to_log_in(client, assigned_case):
    for name, args in [("queues", []), ("detail", [assigned_case.receipt_no]), ("new", []), ("import", [])]:
        response = client.get(reverse(f"cases_office:{name}", args=args))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


NOTE = dict(zip(CAST, [302, 302, 302, 404, 404, 403, 403], strict=True))


@pytest.mark.parametrize("role", CAST)
def test_who_may_act_on_the_case(request, verified_client, assigned_case, role):
    client = verified_client(request.getfixturevalue(role))
    before = snapshot(assigned_case)
    response = client.post(
        reverse("cases_office:action", args=[assigned_case.receipt_no, "note"]),
        {"note-visibility": "internal", "note-body": "확인"},
    )
    assert response.status_code == NOTE[role]
    if NOTE[role] != 302:
        assert snapshot(assigned_case) == before


UNMASK = dict(zip(CAST, [200, 200, 200, 404, 404, 403, 403], strict=True))


@pytest.mark.parametrize("role", CAST)
def test_who_may_unmask_the_contact(request, verified_client, assigned_case, role):
    client = verified_client(request.getfixturevalue(role))
    before = snapshot(assigned_case)
    response = client.post(reverse("cases_office:unmask_contact", args=[assigned_case.receipt_no]))
    assert response.status_code == UNMASK[role]
    if UNMASK[role] != 200:
        assert snapshot(assigned_case) == before
        assert "010-1234-5678" not in response.content.decode()


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("start", {}),
        ("answer", {"answer-body": "답변"}),
        ("extend", {"extend-days": 3, "extend-reason": "사유"}),
        ("transfer", {"transfer-kind": "misfiled", "transfer-reason": "사유"}),
        ("close", {}),
        ("flags", {"flags-is_urgent_safety": "on"}),
        ("report_request", {}),
        ("avoid_request", {"avoid_request-reason": "사유"}),
    ],
)
def test_other_department_changes_nothing(verified_client, other_dept_handler, assigned_case, action, data):
    before = snapshot(assigned_case)
    response = verified_client(other_dept_handler).post(
        reverse("cases_office:action", args=[assigned_case.receipt_no, action]), data
    )
    assert response.status_code == 404
    assert snapshot(assigned_case) == before


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("assign", {"assign-department": "1"}),
        ("designate", {"designate-department": "1", "designate-reason": "사유"}),
        ("report_request", {}),
    ],
)
def test_handler_cannot_take_intake_or_coordinator_steps(
    verified_client, handler, org, assigned_case, action, data
):
    data = {key: (org.transport.pk if value == "1" else value) for key, value in data.items()}
    before = snapshot(assigned_case)
    response = verified_client(handler).post(
        reverse("cases_office:action", args=[assigned_case.receipt_no, action]), data
    )
    assert response.status_code == 403
    assert snapshot(assigned_case) == before


def test_intake_officer_cannot_answer(verified_client, intake_officer, assigned_case):
    before = snapshot(assigned_case)
    response = verified_client(intake_officer).post(
        reverse("cases_office:action", args=[assigned_case.receipt_no, "answer"]), {"answer-body": "답변"}
    )
    assert response.status_code == 403
    assert snapshot(assigned_case) == before


@pytest.mark.parametrize("role", ["sns_officer", "programme_manager", "sysadmin"])
def test_bulk_actions_are_for_case_workers(request, verified_client, assigned_case, org, role):
    client = verified_client(request.getfixturevalue(role))
    before = snapshot(assigned_case)
    response = client.post(
        reverse("cases_office:bulk"),
        {"operation": "reassign", "cases": [assigned_case.pk], "department": org.transport.pk, "reason": "x"},
    )
    assert response.status_code == 403
    assert snapshot(assigned_case) == before


def test_bulk_action_on_another_departments_case_changes_nothing(
    verified_client, other_dept_handler, assigned_case, org
):
    before = snapshot(assigned_case)
    response = verified_client(other_dept_handler).post(
        reverse("cases_office:bulk"),
        {"operation": "reassign", "cases": [assigned_case.pk], "department": org.transport.pk, "reason": "x"},
    )
    assert response.status_code == 302
    assert snapshot(assigned_case) == before


def test_bulk_redirect_stays_on_this_site(verified_client, handler):
    response = verified_client(handler).post(
        reverse("cases_office:bulk"), {"operation": "extend", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("cases_office:queues")


def test_intake_into_another_department_is_refused(verified_client, handler, org):
    response = verified_client(handler).post(
        reverse("cases_office:new"),
        {
            "kind": "suggestion",
            "channel": "phone",
            "intake_department": org.audit.pk,
            "title": "제목",
            "body": "내용",
            "citizen_name": "홍길동",
            "citizen_phone": "010-1111-2222",
        },
    )
    assert response.status_code == 400  # 감사담당관 is not among the handler's departments
    assert Case.objects.count() == 0


def test_menu_offers_the_case_pages_by_role(verified_client, handler, programme_manager):
    html = verified_client(handler).get(reverse("office:home")).content.decode()
    assert reverse("cases_office:queues") in html
    assert reverse("cases_office:import") not in html
    other = verified_client(programme_manager).get(reverse("office:home")).content.decode()
    assert reverse("cases_office:queues") not in other


# --- attachment download, on-site investigation, merge at receipt -----------------------------------------


@pytest.fixture
def files(assigned_case, handler):
    """A photo the citizen sent and a PDF the department added, on the assigned case."""
    from sotong.cases.actions import add_attachment
    from sotong.cases.tests.helpers import PDF, upload

    citizen = add_attachment(assigned_case, uploaded_file=upload(), actor=None, from_citizen=True)
    staff = add_attachment(
        assigned_case,
        uploaded_file=upload("result.pdf", PDF, "application/pdf"),
        actor=handler,
        from_citizen=False,
    )
    return {"citizen": citizen, "staff": staff}


# A citizen's file is personal data: only the departments working on the case download it (sysadmin 403).
DOWNLOAD = {
    "citizen": dict(zip(CAST, [200, 200, 200, 404, 404, 403, 403], strict=True)),
    "staff": dict(zip(CAST, [200, 200, 200, 404, 404, 403, 200], strict=True)),
}


@pytest.mark.parametrize("role", CAST)
@pytest.mark.parametrize("which", list(DOWNLOAD))
def test_who_may_download_an_attachment(request, verified_client, assigned_case, files, role, which):
    client = verified_client(request.getfixturevalue(role))
    attachment = files[which]
    before = snapshot(assigned_case)

    response = client.post(
        reverse("cases_office:attachment", args=[assigned_case.receipt_no, attachment.pk]),
        {"download-reason": "민원 검토"},
    )

    assert response.status_code == DOWNLOAD[which][role]
    after = snapshot(assigned_case)
    if response.status_code == 200:
        assert b"".join(response.streaming_content).startswith(b"\x89PNG" if which == "citizen" else b"%PDF")
        logged = after.pop("access_log") - before.pop("access_log")
        assert logged == (1 if which == "citizen" else 0)
        assert after == before
    else:
        assert after == before


def test_citizen_file_download_writes_the_access_log_with_its_reason(
    verified_client, handler, assigned_case, files
):
    from sotong.core.models import PersonalDataAccessLog

    url = reverse("cases_office:attachment", args=[assigned_case.receipt_no, files["citizen"].pk])
    client = verified_client(handler)

    refused = client.post(url, {"download-reason": " "})
    assert refused.status_code == 302
    assert not PersonalDataAccessLog.objects.exists()

    response = client.post(url, {"download-reason": "현장 사진 확인"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    row = PersonalDataAccessLog.objects.get()
    assert row.action == "download"
    assert row.reason == "현장 사진 확인"
    assert row.account == handler
    assert row.subject_id == str(assigned_case.pk)


def test_attachment_of_another_case_is_a_404(verified_client, coordinator, make_case, files):
    other = make_case()
    response = verified_client(coordinator).post(
        reverse("cases_office:attachment", args=[other.receipt_no, files["staff"].pk])
    )
    assert response.status_code == 404


def test_attachment_download_is_post_only(verified_client, handler, assigned_case, files):
    response = verified_client(handler).get(
        reverse("cases_office:attachment", args=[assigned_case.receipt_no, files["staff"].pk])
    )
    assert response.status_code == 405


@pytest.fixture
def grievance_case(make_case, intake_officer, handler, org):
    from sotong.cases.actions import assign_case

    case = make_case(kind="grievance")
    return assign_case(case, actor=intake_officer, department=org.sanitation, officer=handler)


ONSITE = dict(zip(CAST, [302, 403, 302, 404, 404, 403, 403], strict=True))


@pytest.mark.parametrize("role", CAST)
def test_who_may_start_an_onsite_investigation(request, verified_client, grievance_case, role):
    from sotong.cases.models import OnsiteInvestigation

    client = verified_client(request.getfixturevalue(role))
    before = snapshot(grievance_case)

    response = client.post(
        reverse("cases_office:action", args=[grievance_case.receipt_no, "onsite_start"]),
        {"onsite_start-days": 10, "onsite_start-reason": "현장 확인"},
    )

    assert response.status_code == ONSITE[role]
    if ONSITE[role] == 302:
        assert OnsiteInvestigation.objects.filter(case=grievance_case).count() == 1
    else:
        assert snapshot(grievance_case) == before
        assert not OnsiteInvestigation.objects.exists()


@pytest.mark.parametrize("role", CAST)
@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("onsite_extend", {"onsite_extend-days": 3, "onsite_extend-reason": "추가 측량"}),
        ("onsite_end", {"onsite_end-note": "보수 필요"}),
    ],
)
def test_who_may_extend_or_end_an_onsite_investigation(
    request, verified_client, grievance_case, handler, role, action, data
):
    from sotong.cases.actions import start_onsite_investigation

    start_onsite_investigation(grievance_case, actor=handler, reason="현장")
    client = verified_client(request.getfixturevalue(role))
    before = snapshot(grievance_case)

    response = client.post(reverse("cases_office:action", args=[grievance_case.receipt_no, action]), data)

    assert response.status_code == ONSITE[role]
    if ONSITE[role] != 302:
        assert snapshot(grievance_case) == before


def test_case_page_offers_the_investigation_forms_to_the_handler_only(
    verified_client, grievance_case, handler, intake_officer
):
    url = reverse("cases_office:detail", args=[grievance_case.receipt_no])
    assert 'id="action-onsite_start"' in verified_client(handler).get(url).content.decode()
    assert 'id="action-onsite_start"' not in verified_client(intake_officer).get(url).content.decode()


def test_refused_investigation_shows_the_korean_message(verified_client, grievance_case, handler):
    response = verified_client(handler).post(
        reverse("cases_office:action", args=[grievance_case.receipt_no, "onsite_extend"]),
        {"onsite_extend-days": 3, "onsite_extend-reason": "추가"},
    )
    assert response.status_code == 409
    assert "진행 중인 현지조사가 없습니다." in response.content.decode()


MERGE = dict(zip(CAST, [200, 200, 302, 302, 403, 403, 403], strict=True))


@pytest.mark.parametrize("role", CAST)
def test_who_may_merge_at_receipt_from_the_queue(request, verified_client, make_case, role):
    cases = [make_case(citizen_phone=f"010-2000-{i:04d}") for i in range(5)]
    client = verified_client(request.getfixturevalue(role))
    before = [snapshot(case) for case in cases]

    response = client.post(
        reverse("cases_office:bulk"),
        {
            "operation": "merge_receipt",
            "cases": [case.pk for case in cases],
            "representative": cases[0].receipt_no,
            "reason": "같은 취지",
        },
    )

    assert response.status_code == MERGE[role]
    merged = Case.objects.filter(pk__in=[c.pk for c in cases[1:]], status="merged").count()
    if role in ("coordinator", "intake_officer"):
        assert merged == 4
        assert Case.objects.get(pk=cases[0].pk).is_multi_party
    else:
        # the handler sees the cases of 청소행정과 only: these were taken in by 감사담당관 and never assigned
        assert merged == 0
        assert [snapshot(case) for case in cases] == before
