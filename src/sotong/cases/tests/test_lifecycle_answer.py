"""Extension, answer (and rejection), close, reopen, satisfaction and additional answer, duplicates and
repeats, flags, attachments and meetings."""

from __future__ import annotations

from datetime import date

import pytest

from sotong.cases import actions
from sotong.cases.errors import CasesError, CaseTransitionError, NotPermitted
from sotong.cases.models import Case, CaseKind, CaseStatus, Channel
from sotong.cases.tests.helpers import JPEG, PDF, state, upload
from sotong.core.business_calendar import SEOUL, business_calendar
from sotong.core.models import Event
from sotong.messaging.models import Message


@pytest.fixture
def another_assigned(make_case, org, intake_officer):
    """An assigned case apart from `assigned_case` (which `answered_case` builds on)."""
    return actions.assign_case(make_case(title="다른 민원"), actor=intake_officer, department=org.sanitation)


# Extension (령 §21) -------------------------------------------------------------------------------


def test_first_extension_moves_the_deadline_and_tells_the_citizen(assigned_case, handler):
    old = assigned_case.deadline_at
    case = actions.extend_deadline(assigned_case, actor=handler, days=10, reason="현장 조사 필요")
    assert case.extension_count == 1
    assert case.deadline_at > old
    local = case.deadline_at.astimezone(SEOUL)
    assert business_calendar().is_working_day(local.date())
    assert case.original_deadline_at == old
    extension = case.extensions.get()
    assert (extension.number, extension.old_deadline_at, extension.new_deadline_at) == (
        1,
        old,
        case.deadline_at,
    )
    [notice] = Message.objects.about(case).filter(purpose="cases.extension")
    assert "현장 조사 필요" in notice.body_text
    assert f"{local:%m.%d.}" in notice.body_text


def test_first_extension_is_at_most_the_original_period(assigned_case, handler):
    before = state(assigned_case)
    with pytest.raises(CasesError) as error:
        actions.extend_deadline(assigned_case, actor=handler, days=15, reason="길게")
    assert error.value.field == "days"
    assert state(assigned_case) == before


def test_second_extension_needs_the_citizens_recorded_consent(assigned_case, handler):
    case = actions.extend_deadline(assigned_case, actor=handler, days=5, reason="현장 조사")
    before = state(case)
    with pytest.raises(CasesError) as error:
        actions.extend_deadline(case, actor=handler, days=5, reason="예산 확인")
    assert error.value.field == "citizen_consent"
    assert state(case) == before
    case = actions.extend_deadline(
        case, actor=handler, days=20, reason="예산 확인", citizen_consent="11.20. 전화로 동의 (홍길동)"
    )
    assert case.extension_count == 2
    assert Message.objects.about(case).filter(purpose="cases.extension").count() == 2


def test_extension_needs_a_reason_and_an_open_case(answered_case, another_assigned, handler):
    with pytest.raises(CasesError):
        actions.extend_deadline(another_assigned, actor=handler, days=3, reason="")
    with pytest.raises(CaseTransitionError):
        actions.extend_deadline(answered_case, actor=handler, days=3, reason="늦음")


def test_proposals_have_no_deadline_to_extend(make_case, org, intake_officer, handler):
    case = actions.assign_case(
        make_case(kind=CaseKind.PROPOSAL), actor=intake_officer, department=org.sanitation
    )
    with pytest.raises(CasesError):
        actions.extend_deadline(case, actor=handler, days=3, reason="검토")


def test_immediate_cases_cannot_be_extended_by_whole_days(make_case, org, intake_officer, handler):
    case = actions.assign_case(
        make_case(kind=CaseKind.OTHER), actor=intake_officer, department=org.sanitation
    )
    with pytest.raises(CasesError):
        actions.extend_deadline(case, actor=handler, days=1, reason="검토")


def test_bulk_extend_reports_each_case(assigned_case, make_case, handler):
    unassigned = make_case()
    results = actions.bulk_extend([assigned_case, unassigned], actor=handler, days=3, reason="일괄 연장")
    assert [r.ok for r in results] == [True, False]
    assert "권한" in results[1].message
    assert Case.objects.get(pk=unassigned.pk).extension_count == 0


# Answer, close, reopen -------------------------------------------------------------------------------


def test_answer_records_it_and_notifies(in_progress_case, handler):
    answer = actions.answer_case(in_progress_case, actor=handler, body="다음 달 단속 카메라를 설치합니다.")
    case = Case.objects.get(pk=in_progress_case.pk)
    assert case.status == CaseStatus.ANSWERED
    assert case.answered_at == answer.answered_at
    assert not answer.is_additional
    assert Message.objects.about(case).filter(purpose="cases.answer").count() == 1


def test_rejection_needs_reasons_and_remedies(in_progress_case, handler):
    before = state(in_progress_case)
    with pytest.raises(CasesError) as error:
        actions.answer_case(
            in_progress_case, actor=handler, body="불가합니다.", is_rejection=True, remedies="행정심판"
        )
    assert error.value.field == "rejection_reasons"
    with pytest.raises(CasesError) as error:
        actions.answer_case(
            in_progress_case, actor=handler, body="불가합니다.", is_rejection=True, rejection_reasons="사유"
        )
    assert error.value.field == "remedies"
    assert state(in_progress_case) == before
    answer = actions.answer_case(
        in_progress_case,
        actor=handler,
        body="불가합니다.",
        is_rejection=True,
        rejection_reasons="사유지입니다.",
        remedies="90일 이내 행정심판 청구",
    )
    assert answer.is_rejection


def test_answer_needs_a_body_and_an_assigned_case(make_case, in_progress_case, coordinator, handler):
    with pytest.raises(CasesError):
        actions.answer_case(in_progress_case, actor=handler, body="  ")
    with pytest.raises(CaseTransitionError):
        actions.answer_case(make_case(), actor=coordinator, body="답변")


def test_close_only_after_an_answer_then_reopen(answered_case, another_assigned, handler, intake_officer):
    with pytest.raises(CaseTransitionError):
        actions.close_case(another_assigned, actor=handler)
    case = actions.close_case(answered_case, actor=handler)
    assert case.status == CaseStatus.CLOSED
    assert case.closed_at is not None
    case = actions.reopen_case(case, actor=intake_officer, reason="답변 보완")
    assert case.status == CaseStatus.IN_PROGRESS
    assert case.closed_at is None
    assert business_calendar().is_working_day(case.deadline_at.astimezone(SEOUL).date())
    verbs = list(Event.objects.for_target(case).order_by("id").values_list("verb", flat=True))
    assert verbs[-2:] == ["cases.closed", "cases.reopened"]


def test_withdrawn_case_ends_every_assignment(assigned_case):
    case = actions.withdraw_case(assigned_case, actor="citizen", reason="해결됨")
    assert case.status == CaseStatus.WITHDRAWN
    assert not case.assignments.filter(ended_at__isnull=True).exists()


# Satisfaction and additional answer ------------------------------------------------------------------


def test_rating_only_after_an_answer_and_once_per_answer(another_assigned, answered_case):
    with pytest.raises(CaseTransitionError):
        actions.rate_case(another_assigned, score=5)
    with pytest.raises(CasesError):
        actions.rate_case(answered_case, score=6)
    survey = actions.rate_case(answered_case, score=4, comment="빨랐어요")
    assert survey.answer == answered_case.answers.get()
    with pytest.raises(CasesError):
        actions.rate_case(answered_case, score=5)
    assert (
        Event.objects.for_target(answered_case).filter(verb="cases.rated", actor_label="citizen").count() == 1
    )


def test_dissatisfied_citizen_may_ask_once_for_an_additional_answer(answered_case, handler):
    actions.rate_case(answered_case, score=2, comment="답변이 부족합니다")
    case = actions.request_additional_answer(answered_case, reason="구체적인 일정이 없습니다")
    assert case.status == CaseStatus.IN_PROGRESS
    assert case.additional_answer_requested_at is not None
    answer = actions.answer_case(case, actor=handler, body="12월 3일 설치합니다.")
    assert answer.is_additional
    actions.rate_case(case, score=1)
    with pytest.raises(CasesError):
        actions.request_additional_answer(case, reason="또")


def test_satisfied_citizen_cannot_ask_for_an_additional_answer(answered_case):
    with pytest.raises(CasesError):
        actions.request_additional_answer(answered_case, reason="아직 평가 안 함")
    actions.rate_case(answered_case, score=3)
    before = state(answered_case)
    with pytest.raises(CasesError):
        actions.request_additional_answer(answered_case, reason="그냥")
    assert state(answered_case) == before


# Duplicates and repeats -------------------------------------------------------------------------------


def test_merge_ends_duplicates_into_the_target(assigned_case, make_case, intake_officer):
    duplicates = [make_case(), make_case()]
    target = actions.merge_cases(
        assigned_case, duplicates, actor=intake_officer, reason="같은 골목 같은 내용"
    )
    for duplicate in duplicates:
        fresh = Case.objects.get(pk=duplicate.pk)
        assert fresh.status == CaseStatus.MERGED
        assert fresh.merged_into == target
    assert set(target.related.values_list("pk", flat=True)) == {d.pk for d in duplicates}
    with pytest.raises(CasesError):
        actions.merge_cases(target, [target], actor=intake_officer, reason="자기 자신")


def test_merge_is_all_or_nothing(another_assigned, make_case, intake_officer, answered_case):
    fresh = make_case()
    before = state(fresh)
    with pytest.raises(CaseTransitionError):
        actions.merge_cases(another_assigned, [fresh, answered_case], actor=intake_officer, reason="중복")
    assert state(fresh) == before


def test_link_cases_both_ways(assigned_case, make_case, intake_officer):
    other = make_case()
    actions.link_cases(assigned_case, [other], actor=intake_officer)
    assert other.related.filter(pk=assigned_case.pk).exists()


def _answered(make_case, org, intake_officer, handler, **overrides):
    case = actions.assign_case(make_case(**overrides), actor=intake_officer, department=org.sanitation)
    actions.answer_case(case, actor=handler, body="같은 답변")
    return Case.objects.get(pk=case.pk)


def test_repeated_complaint_closes_with_two_earlier_answers(make_case, org, intake_officer, handler):
    first = _answered(make_case, org, intake_officer, handler)
    second = _answered(make_case, org, intake_officer, handler)
    third = make_case()
    with pytest.raises(CasesError):
        actions.close_as_repeated(third, actor=intake_officer, earlier_cases=[first])
    case = actions.close_as_repeated(third, actor=intake_officer, earlier_cases=[first, second])
    assert case.status == CaseStatus.CLOSED
    assert case.closed_as_repeated
    assert set(case.repeated_answers.values_list("pk", flat=True)) == {first.pk, second.pk}


def test_repeated_closure_needs_the_same_citizen_and_answered_cases(make_case, org, intake_officer, handler):
    first = _answered(make_case, org, intake_officer, handler)
    stranger = _answered(
        make_case,
        org,
        intake_officer,
        handler,
        citizen_phone="010-9999-8888",
        citizen_email="other@example.com",
    )
    unanswered = make_case()
    third = make_case()
    before = state(third)
    with pytest.raises(CasesError):
        actions.close_as_repeated(third, actor=intake_officer, earlier_cases=[first, stranger])
    with pytest.raises(CasesError):
        actions.close_as_repeated(third, actor=intake_officer, earlier_cases=[first, unanswered])
    assert state(third) == before


def test_flags_change_with_an_event_and_unknown_ones_are_refused(assigned_case, handler):
    case = actions.set_flags(assigned_case, actor=handler, is_urgent_safety=True, is_multi_party=True)
    assert case.is_urgent_safety
    assert case.is_multi_party
    event = Event.objects.for_target(case).get(verb="cases.flags_set")
    assert event.before["is_urgent_safety"] is False
    assert event.after["is_urgent_safety"] is True
    with pytest.raises(CasesError):
        actions.set_flags(case, actor=handler, is_vip=True)


# Attachments -------------------------------------------------------------------------------------------


def test_citizen_attaches_images_and_pdf(make_case):
    case = make_case()
    for item in [
        upload(),
        upload("scan.pdf", PDF, "application/pdf"),
        upload("사진.JPG", JPEG, "image/jpeg"),
    ]:
        attachment = actions.add_attachment(case, uploaded_file=item, actor="citizen")
        assert attachment.from_citizen
        assert attachment.file.read()[:2] in (b"\x89P", b"%P", b"\xff\xd8")
    assert set(case.attachments.values_list("content_type", flat=True)) == {
        "image/png",
        "application/pdf",
        "image/jpeg",
    }


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("virus.png", b"MZ\x90\x00" + b"\x00" * 64),  # an executable named as an image
        ("photo.exe", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),  # an image named as an executable
        ("page.html", b"<html><script>alert(1)</script>"),
        ("empty.png", b""),
    ],
)
def test_attachments_are_checked_by_content(make_case, name, content):
    case = make_case()
    with pytest.raises(CasesError) as error:
        actions.add_attachment(case, uploaded_file=upload(name, content), actor="citizen")
    assert error.value.field == "attachments"
    assert not case.attachments.exists()


def test_attachment_size_and_count_limits(make_case, settings):
    settings.SOTONG_CASES_ATTACHMENT_MAX_BYTES = 100
    case = make_case()
    with pytest.raises(CasesError):
        actions.add_attachment(case, uploaded_file=upload(content=b"\x89PNG\r\n\x1a\n" + b"0" * 200))
    for _ in range(5):
        actions.add_attachment(case, uploaded_file=upload())
    with pytest.raises(CasesError) as error:
        actions.add_attachment(case, uploaded_file=upload())
    assert "5개" in error.value.message
    assert case.attachments.count() == 5


# Meetings -------------------------------------------------------------------------------------------


def test_meeting_proposals_keep_the_meeting_and_proposer(org, intake_officer, make_case):
    meeting = actions.register_meeting(
        actor=intake_officer,
        channel=Channel.MAYOR_DIALOGUE,
        title="구청장과의 대화 (행당동)",
        held_on=date(2026, 11, 12),
        intake_department=org.audit,
        attendees="김주민, 행당동 주민자치위원\n이상인, 상인회",
    )
    assert meeting.attendee_list() == ["김주민, 행당동 주민자치위원", "이상인, 상인회"]
    case = make_case(
        actor=intake_officer,
        channel=Channel.MAYOR_DIALOGUE,
        kind=CaseKind.PROPOSAL,
        meeting=meeting,
        proposer_details="행당동 주민자치위원",
        consents=[],
    )
    assert case.meeting == meeting
    assert case.is_meeting_channel
    with pytest.raises(CasesError):
        make_case(actor=intake_officer, channel=Channel.OPEN_MEETING, meeting=meeting, consents=[])


def test_only_intake_registers_meetings(org, handler):
    with pytest.raises(NotPermitted):
        actions.register_meeting(
            actor=handler,
            channel=Channel.OPEN_MEETING,
            title="열린만남",
            held_on=date(2026, 11, 1),
            intake_department=org.audit,
        )


def test_start_processing_does_not_reopen_an_answered_case(answered_case, handler):
    from sotong.cases import actions
    from sotong.cases.errors import CaseTransitionError
    from sotong.cases.models import Case, CaseStatus

    with pytest.raises(CaseTransitionError):
        actions.start_processing(answered_case, actor=handler)

    assert Case.objects.get(pk=answered_case.pk).status == CaseStatus.ANSWERED
