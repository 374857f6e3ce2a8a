"""Staff case pages: queues, case page and its actions, contact unmasking, intake."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from sotong.cases.actions import request_avoidance, submit_report, transfer_case
from sotong.cases.models import (
    Case,
    CaseKind,
    CaseNote,
    CaseStatus,
    Channel,
    Meeting,
    NoteVisibility,
    ProgressReport,
    ReportStatus,
    TransferKind,
)
from sotong.core.models import Event, PersonalDataAccessLog


def detail_url(case: Case) -> str:
    return reverse("cases_office:detail", args=[case.receipt_no])


def action_url(case: Case, name: str) -> str:
    return reverse("cases_office:action", args=[case.receipt_no, name])


# Queues -------------------------------------------------------------------------------------------------


def test_queue_page_shows_counts_and_the_departments_cases(
    verified_client, handler, assigned_case, make_case
):
    # given a case assigned to the handler's department and one still with intake
    other = make_case(title="다른 부서 민원")
    # when the handler opens the queues
    response = verified_client(handler).get(reverse("cases_office:queues"))
    # then only their department's case is listed, with the queue tabs
    assert response.status_code == 200
    html = response.content.decode()
    assert assigned_case.receipt_no in html
    assert other.receipt_no not in html
    assert 'data-queue="overdue"' in html
    assert "처리기한 임박" in html


def test_new_queue_lists_unassigned_cases_for_intake(
    verified_client, intake_officer, make_case, assigned_case
):
    new = make_case(title="새 민원")
    response = verified_client(intake_officer).get(reverse("cases_office:queues"), {"queue": "new"})
    html = response.content.decode()
    assert new.receipt_no in html
    assert assigned_case.receipt_no not in html


def test_queue_filters_and_search(verified_client, coordinator, make_case):
    wanted = make_case(title="가로등 고장 신고", dong="왕십리2동")
    unwanted = make_case(title="불법 주차 단속", dong="행당1동")
    client = verified_client(coordinator)
    by_text = client.get(reverse("cases_office:queues"), {"q": "가로등"}).content.decode()
    assert wanted.receipt_no in by_text
    assert unwanted.receipt_no not in by_text
    by_dong = client.get(reverse("cases_office:queues"), {"dong": "행당1동"}).content.decode()
    assert unwanted.receipt_no in by_dong
    assert wanted.receipt_no not in by_dong


def test_queue_page_query_count_does_not_grow_with_cases(
    verified_client, coordinator, make_case, django_assert_max_num_queries
):
    for i in range(30):
        make_case(title=f"민원 {i}")
    client = verified_client(coordinator)
    client.get(reverse("cases_office:queues"))  # warm the session and caches
    with django_assert_max_num_queries(15):
        response = client.get(reverse("cases_office:queues"))
    assert response.status_code == 200


def test_department_picker_narrows_the_counts(verified_client, coordinator, org, assigned_case, make_case):
    make_case()
    client = verified_client(coordinator)
    response = client.get(reverse("cases_office:queues"), {"dept": org.transport.pk})
    assert assigned_case.receipt_no not in response.content.decode()


def test_bulk_reassign_shows_a_result_per_case(verified_client, intake_officer, org, make_case):
    first, second = make_case(), make_case()
    response = verified_client(intake_officer).post(
        reverse("cases_office:bulk"),
        {
            "operation": "reassign",
            "cases": [first.pk, second.pk],
            "department": org.sanitation.pk,
            "reason": "일괄",
        },
    )
    assert response.status_code == 200
    assert Case.objects.filter(handling_department=org.sanitation).count() == 2
    assert "성공 2건" in response.content.decode()


def test_bulk_extend_reports_refused_cases(verified_client, handler, assigned_case, make_case):
    proposal = make_case(kind=CaseKind.PROPOSAL)
    response = verified_client(handler).post(
        reverse("cases_office:bulk"),
        {"operation": "extend", "cases": [assigned_case.pk], "days": 3, "reason": "현장 확인"},
    )
    assert response.status_code == 200
    assert Case.objects.get(pk=assigned_case.pk).extension_count == 1
    # a case the handler may not see is not even a choice
    refused = verified_client(handler).post(
        reverse("cases_office:bulk"),
        {"operation": "extend", "cases": [proposal.pk], "days": 3, "reason": "x"},
    )
    assert refused.status_code == 302
    assert Case.objects.get(pk=proposal.pk).extension_count == 0


def test_bulk_approve_reports(verified_client, coordinator, intake_officer, handler, org, make_case):
    case = make_case(kind=CaseKind.PROPOSAL)
    client = verified_client(intake_officer)
    client.post(action_url(case, "assign"), {"assign-department": org.sanitation.pk})
    report = ProgressReport.objects.get(case=case)
    submit_report(report, actor=handler, body="현장 조사 중")
    response = client.post(reverse("cases_office:bulk"), {"operation": "approve", "cases": [case.pk]})
    assert response.status_code == 200
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED


# The case page -------------------------------------------------------------------------------------------


def test_case_page_shows_masked_contact_and_timeline(verified_client, handler, assigned_case):
    response = verified_client(handler).get(detail_url(assigned_case))
    html = response.content.decode()
    assert response.status_code == 200
    assert "010-****-5678" in html
    assert "010-1234-5678" not in html
    assert "홍*동" in html
    assert "연락처 보기" in html
    assert "접수" in html
    assert "배정" in html
    assert "h**g@example.com" in html or "hong" not in html.split("case-contact")[1][:400]


def test_unmasking_the_contact_writes_an_access_log_row(verified_client, handler, assigned_case):
    client = verified_client(handler)
    before = PersonalDataAccessLog.objects.count()
    response = client.post(
        reverse("cases_office:unmask_contact", args=[assigned_case.receipt_no]),
        {"unmask-reason": "회신 전화"},
    )
    assert response.status_code == 200
    assert "010-1234-5678" in response.content.decode()
    log = PersonalDataAccessLog.objects.order_by("-pk").first()
    assert PersonalDataAccessLog.objects.count() == before + 1
    assert log.subject_id == str(assigned_case.pk)
    assert log.account == handler
    assert log.reason == "회신 전화"


def test_unmasking_needs_post(verified_client, handler, assigned_case):
    response = verified_client(handler).get(
        reverse("cases_office:unmask_contact", args=[assigned_case.receipt_no])
    )
    assert response.status_code == 405


def test_other_department_cannot_unmask(verified_client, other_dept_handler, assigned_case):
    before = PersonalDataAccessLog.objects.count()
    response = verified_client(other_dept_handler).post(
        reverse("cases_office:unmask_contact", args=[assigned_case.receipt_no])
    )
    assert response.status_code == 404
    assert PersonalDataAccessLog.objects.count() == before


def test_action_forms_follow_the_users_powers(verified_client, handler, intake_officer, assigned_case):
    handler_html = verified_client(handler).get(detail_url(assigned_case)).content.decode()
    assert 'id="action-start"' in handler_html
    assert 'id="action-answer"' in handler_html
    assert 'id="action-assign"' not in handler_html
    assert 'id="action-designate"' not in handler_html
    intake_html = verified_client(intake_officer).get(detail_url(assigned_case)).content.decode()
    assert 'id="action-assign"' in intake_html
    assert 'id="action-answer"' not in intake_html


def test_assign_from_the_case_page(verified_client, intake_officer, handler, org, make_case):
    case = make_case()
    response = verified_client(intake_officer).post(
        action_url(case, "assign"),
        {
            "assign-department": org.sanitation.pk,
            "assign-officer": handler.pk,
            "assign-cooperating": [org.transport.pk],
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSIGNED
    assert case.handling_department == org.sanitation
    assert case.officer == handler
    assert case.assignments.filter(department=org.transport, ended_at__isnull=True).exists()


def test_assigning_a_proposal_requests_its_first_report(verified_client, intake_officer, org, make_case):
    case = make_case(kind=CaseKind.PROPOSAL)
    verified_client(intake_officer).post(action_url(case, "assign"), {"assign-department": org.sanitation.pk})
    report = ProgressReport.objects.get(case=case)
    assert report.is_first
    assert report.status == ReportStatus.REQUESTED


def test_refused_action_shows_the_korean_message_and_writes_nothing(
    verified_client, handler, in_progress_case
):
    events = Event.objects.count()
    response = verified_client(handler).post(
        action_url(in_progress_case, "answer"), {"answer-body": "불가합니다.", "answer-is_rejection": "on"}
    )
    assert response.status_code == 422
    assert "거부(불수용) 답변에는 거부 사유를 적어야 합니다." in response.content.decode()
    in_progress_case.refresh_from_db()
    assert in_progress_case.status == CaseStatus.IN_PROGRESS
    assert Event.objects.count() == events


def test_illegal_transition_answers_409_on_the_page(verified_client, handler, assigned_case):
    response = verified_client(handler).post(action_url(assigned_case, "close"), {})
    assert response.status_code == 409
    assert "답변한 민원만 종결할 수 있습니다." in response.content.decode()
    assert Case.objects.get(pk=assigned_case.pk).status == CaseStatus.ASSIGNED


def test_handler_starts_answers_and_closes(verified_client, handler, assigned_case):
    client = verified_client(handler)
    assert client.post(action_url(assigned_case, "start"), {}).status_code == 302
    response = client.post(
        action_url(assigned_case, "answer"), {"answer-body": "설치하겠습니다."}, follow=True
    )
    assert "답변을 등록했습니다." in response.content.decode()
    assigned_case.refresh_from_db()
    assert assigned_case.status == CaseStatus.ANSWERED
    client.post(action_url(assigned_case, "close"), {"close-note": "완료"})
    assigned_case.refresh_from_db()
    assert assigned_case.status == CaseStatus.CLOSED
    client.post(action_url(assigned_case, "reopen"), {"reopen-reason": "추가 확인"})
    assigned_case.refresh_from_db()
    assert assigned_case.status == CaseStatus.IN_PROGRESS


def test_rejection_with_reasons_and_remedies(verified_client, handler, in_progress_case):
    verified_client(handler).post(
        action_url(in_progress_case, "answer"),
        {
            "answer-body": "수용하기 어렵습니다.",
            "answer-is_rejection": "on",
            "answer-rejection_reasons": "예산 부족",
            "answer-remedies": "행정심판 청구 (90일 이내)",
        },
    )
    answer = in_progress_case.answers.get()
    assert answer.is_rejection
    assert answer.remedies


def test_notes_are_marked_internal_or_public(verified_client, handler, assigned_case):
    client = verified_client(handler)
    client.post(action_url(assigned_case, "note"), {"note-visibility": "internal", "note-body": "내부 검토"})
    client.post(
        action_url(assigned_case, "note"), {"note-visibility": "public", "note-body": "현장 방문 예정"}
    )
    assert CaseNote.objects.filter(case=assigned_case, visibility=NoteVisibility.INTERNAL).count() == 1
    html = client.get(detail_url(assigned_case)).content.decode()
    assert "내부 메모 (신청인 비공개)" in html
    assert "신청인에게 공개" in html


def test_transfer_extend_and_flags(verified_client, handler, org, assigned_case):
    client = verified_client(handler)
    client.post(action_url(assigned_case, "extend"), {"extend-days": 5, "extend-reason": "현장 조사"})
    assigned_case.refresh_from_db()
    assert assigned_case.extension_count == 1
    # the second extension needs the citizen's consent
    response = client.post(
        action_url(assigned_case, "extend"), {"extend-days": 5, "extend-reason": "추가 조사"}
    )
    assert response.status_code == 422
    assert "동의" in response.content.decode()
    client.post(action_url(assigned_case, "flags"), {"flags-is_urgent_safety": "on"})
    assigned_case.refresh_from_db()
    assert assigned_case.is_urgent_safety
    client.post(
        action_url(assigned_case, "transfer"),
        {
            "transfer-kind": TransferKind.MISFILED,
            "transfer-to_department": org.transport.pk,
            "transfer-reason": "교통 소관",
        },
    )
    assigned_case.refresh_from_db()
    assert assigned_case.handling_department == org.transport


def test_transfer_to_another_agency(verified_client, handler, assigned_case):
    verified_client(handler).post(
        action_url(assigned_case, "transfer"),
        {
            "transfer-kind": TransferKind.AGENCY,
            "transfer-to_agency": "서울특별시",
            "transfer-reason": "시 소관",
        },
    )
    assigned_case.refresh_from_db()
    assert assigned_case.status == CaseStatus.TRANSFERRED_OUT


def test_ping_pong_is_designated_by_the_coordinator(
    verified_client, coordinator, intake_officer, handler, other_dept_handler, org, assigned_case
):
    case = transfer_case(
        assigned_case, actor=handler, to_department=org.transport, kind=TransferKind.MISFILED, reason="1"
    )
    case = transfer_case(
        case, actor=other_dept_handler, to_department=org.sanitation, kind=TransferKind.MISFILED, reason="2"
    )
    case = transfer_case(
        case, actor=handler, to_department=org.transport, kind=TransferKind.MISFILED, reason="3"
    )
    assert case.is_ping_pong
    html = verified_client(other_dept_handler).get(detail_url(case)).content.decode()
    assert "핑퐁민원" in html
    assert 'id="action-transfer"' not in html
    response = verified_client(coordinator).post(
        action_url(case, "designate"),
        {"designate-department": org.sanitation.pk, "designate-reason": "청소 소관"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.handling_department == org.sanitation
    assert not case.is_ping_pong


def test_avoidance_request_and_decision(verified_client, coordinator, handler, org, assigned_case):
    verified_client(handler).post(
        action_url(assigned_case, "avoid_request"),
        {"avoid_request-reason": "교통 소관입니다", "avoid_request-suggested_department": org.transport.pk},
    )
    request = assigned_case.avoidance_requests.get()
    verified_client(coordinator).post(
        action_url(assigned_case, "avoid_decide"), {"avoid_decide-decision": "approve"}
    )
    request.refresh_from_db()
    assert request.status == "approved"
    assert Case.objects.get(pk=assigned_case.pk).handling_department == org.transport


def test_avoidance_rejection_needs_a_reason(verified_client, coordinator, handler, assigned_case):
    request_avoidance(assigned_case, actor=handler, reason="소관 아님")
    response = verified_client(coordinator).post(
        action_url(assigned_case, "avoid_decide"), {"avoid_decide-decision": "reject"}
    )
    assert response.status_code == 422
    assert "반려 사유를 입력해 주세요." in response.content.decode()


def test_merge_and_link_by_receipt_number(verified_client, intake_officer, make_case):
    target, duplicate, related = make_case(), make_case(), make_case()
    client = verified_client(intake_officer)
    client.post(
        action_url(target, "merge"), {"merge-receipt_nos": duplicate.receipt_no, "merge-reason": "같은 내용"}
    )
    duplicate.refresh_from_db()
    assert duplicate.status == CaseStatus.MERGED
    client.post(action_url(target, "link"), {"link-receipt_nos": related.receipt_no})
    assert target.related.filter(pk=related.pk).exists()
    missing = client.post(action_url(target, "link"), {"link-receipt_nos": "2099-9999999"})
    assert missing.status_code == 422
    assert "찾을 수 없는 접수번호" in missing.content.decode()


def test_report_request_submit_return_and_approve(verified_client, intake_officer, handler, assigned_case):
    intake = verified_client(intake_officer)
    intake.post(action_url(assigned_case, "report_request"), {"report_request-note": "진행 상황 보고"})
    report = ProgressReport.objects.get(case=assigned_case)
    handler_client = verified_client(handler)
    handler_client.post(
        action_url(assigned_case, "report_submit"),
        {"report_submit-report": report.pk, "report_submit-body": "조사 중"},
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    # the handler cannot approve their own department's report
    refused = handler_client.post(
        action_url(assigned_case, "report_decide"),
        {"report_decide-report": report.pk, "report_decide-decision": "approve"},
    )
    assert refused.status_code == 403
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    intake.post(
        action_url(assigned_case, "report_decide"),
        {"report_decide-report": report.pk, "report_decide-decision": "return", "report_decide-note": "보완"},
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    handler_client.post(
        action_url(assigned_case, "report_submit"),
        {"report_submit-report": report.pk, "report_submit-body": "보완함"},
    )
    intake.post(
        action_url(assigned_case, "report_decide"),
        {"report_decide-report": report.pk, "report_decide-decision": "approve"},
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED


def test_unknown_action_is_404(verified_client, handler, assigned_case):
    assert verified_client(handler).post(action_url(assigned_case, "explode"), {}).status_code == 404


# Intake --------------------------------------------------------------------------------------------------


def intake_data(org: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "kind": CaseKind.PROPOSAL,
        "channel": Channel.MAYOR_DIALOGUE,
        "intake_department": org.audit.pk,
        "title": "행당시장 앞 횡단보도 설치",
        "body": "어르신들이 무단횡단을 합니다.",
        "citizen_name": "김제안",
        "citizen_phone": "010 2222 3333",
        "notify_sms": "on",
        "proposer_details": "행당1동 주민자치회",
        "meeting_title": "2026년 구청장과의 대화 (행당1동)",
        "meeting_held_on": "2026-03-05",
        "meeting_place": "행당1동 주민센터",
        "meeting_attendees": "김제안 (주민자치회장)\n이통장 (통장)",
    }
    data.update(overrides)
    return data


def test_intake_registers_a_meeting_proposal_with_its_meeting(verified_client, intake_officer, org):
    response = verified_client(intake_officer).post(
        reverse("cases_office:new"), intake_data(org), follow=True
    )
    case = Case.objects.get()
    assert case.meeting is not None
    assert case.meeting.attendee_list() == [
        "김제안 (주민자치회장)",
        "이통장 (통장)",
    ]
    assert case.meeting.held_on == date(2026, 3, 5)
    assert case.proposer_details == "행당1동 주민자치회"
    html = response.content.decode()
    assert case.receipt_no in html
    assert "처리기한" in html
    assert "이통장 (통장)" in html


def test_intake_with_an_existing_meeting(verified_client, intake_officer, org):
    meeting = Meeting.objects.create(
        channel=Channel.OPEN_MEETING, title="열린만남", held_on=date(2026, 2, 1), intake_department=org.audit
    )
    verified_client(intake_officer).post(
        reverse("cases_office:new"),
        intake_data(
            org, channel=Channel.OPEN_MEETING, meeting=meeting.pk, meeting_title="", meeting_held_on=""
        ),
    )
    assert Case.objects.get().meeting == meeting
    assert Meeting.objects.count() == 1


def test_intake_meeting_channel_needs_a_meeting(verified_client, intake_officer, org):
    response = verified_client(intake_officer).post(
        reverse("cases_office:new"), intake_data(org, meeting_title="", meeting_held_on="")
    )
    assert response.status_code == 400
    assert Case.objects.count() == 0


def test_intake_phone_complaint_gets_its_statutory_deadline(verified_client, intake_officer, org):
    verified_client(intake_officer).post(
        reverse("cases_office:new"),
        intake_data(
            org, kind=CaseKind.INQUIRY_PROCEDURE, channel=Channel.PHONE, meeting_title="", meeting_held_on=""
        ),
    )
    case = Case.objects.get()
    assert case.meeting is None
    assert case.period_days == 7
    assert case.deadline_at is not None


def test_intake_refusal_from_the_action_is_shown(verified_client, intake_officer, org):
    response = verified_client(intake_officer).post(
        reverse("cases_office:new"), intake_data(org, citizen_phone="", notify_sms="")
    )
    assert response.status_code == 422
    assert "연락처" in response.content.decode()
    assert Case.objects.count() == 0
    assert Meeting.objects.count() == 0


@pytest.mark.parametrize("name", ["queues", "new", "import"])
def test_menu_pages_render_for_the_coordinator(verified_client, coordinator, name):
    assert verified_client(coordinator).get(reverse(f"cases_office:{name}")).status_code == 200


def test_case_page_in_english(verified_client, handler, assigned_case):
    client = verified_client(handler)
    client.cookies["django_language"] = "en"
    html = client.get(detail_url(assigned_case)).content.decode()
    assert "Show contact details" in html
    assert "Timeline" in html


def test_case_page_query_count_does_not_grow_with_its_history(
    verified_client, handler, assigned_case, django_assert_max_num_queries
):
    from sotong.cases.actions import add_note

    for i in range(10):
        add_note(assigned_case, actor=handler, body=f"메모 {i}", visibility=NoteVisibility.INTERNAL)
    client = verified_client(handler)
    client.get(detail_url(assigned_case))
    with django_assert_max_num_queries(30):
        assert client.get(detail_url(assigned_case)).status_code == 200
