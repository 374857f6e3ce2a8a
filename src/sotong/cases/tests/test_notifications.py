"""Citizen notices: one message per channel per step, Korean, within SMS bytes, naming unit, officer and
contact (령 §31), no personal data in SMS, delivered by the real worker."""

from __future__ import annotations

import pytest
from django.core import mail

from sotong.cases import actions, notifications
from sotong.cases.models import Case, CaseKind, TransferKind
from sotong.cases.workflow import NoticeStep
from sotong.messaging.models import Message
from sotong.messaging.text import SMS_MAX_BYTES, euc_kr_length


@pytest.fixture
def phones(org, handler):
    org.audit.phone = "02-2286-5114"
    org.audit.save()
    org.sanitation.phone = "02-2286-5678"
    org.sanitation.save()
    handler.office_phone = "02-2286-5679"
    handler.save()


def sms_of(case: Case, purpose: str) -> Message:
    return Message.objects.about(case).get(purpose=purpose, channel__in=["sms", "lms"])


def test_receipt_sms_fits_one_sms_and_names_unit_and_contact(phones, make_case):
    case = make_case(notify_email=True)
    sms = sms_of(case, "cases.receipt")
    assert sms.channel == "sms"
    assert euc_kr_length(sms.body_text) <= SMS_MAX_BYTES
    assert case.receipt_no in sms.body_text
    assert "감사담당관" in sms.body_text
    assert "02-2286-5114" in sms.body_text
    assert "접수" in sms.body_text
    # Nothing personal or from the complaint itself.
    for private in ("홍길동", "01012345678", "010-1234-5678", "쓰레기", "hong@example.com"):
        assert private not in sms.body_text
    email = Message.objects.about(case).get(purpose="cases.receipt", channel="email")
    assert case.receipt_no in email.subject
    assert "담당 부서: 감사담당관" in email.body_text
    assert "연락처: 02-2286-5114" in email.body_text


def test_no_channel_chosen_means_no_message(make_case):
    case = make_case(notify_sms=False)
    assert not Message.objects.about(case).exists()


def test_answer_notice_names_handling_unit_officer_and_contact(phones, in_progress_case, handler):
    actions.answer_case(
        in_progress_case,
        actor=handler,
        body="설치 불가",
        is_rejection=True,
        rejection_reasons="사유지",
        remedies="행정심판 청구 (90일 이내)",
    )
    case = Case.objects.get(pk=in_progress_case.pk)
    sms = sms_of(case, "cases.answer")
    assert euc_kr_length(sms.body_text) <= SMS_MAX_BYTES
    assert "청소행정과" in sms.body_text
    assert "박처리" in sms.body_text
    assert "02-2286-5679" in sms.body_text
    assert "설치 불가" not in sms.body_text


def test_answer_email_carries_rejection_reasons_and_remedies(phones, make_case, org, intake_officer, handler):
    case = actions.assign_case(make_case(notify_email=True), actor=intake_officer, department=org.sanitation)
    actions.answer_case(
        case,
        actor=handler,
        body="설치 불가",
        is_rejection=True,
        rejection_reasons="사유지",
        remedies="행정심판",
    )
    email = Message.objects.about(case).get(purpose="cases.answer", channel="email")
    for text in ("설치 불가", "사유지", "행정심판", "청소행정과", "박처리"):
        assert text in email.body_text


def test_extension_notice_carries_reason_and_new_date_as_lms_when_long(phones, assigned_case, handler):
    reason = "현장 조사와 관계 부서 협의가 필요하여 처리기한을 연장합니다"
    case = actions.extend_deadline(assigned_case, actor=handler, days=7, reason=reason)
    sms = sms_of(case, "cases.extension")
    assert reason in sms.body_text
    assert notifications.format_when(case.deadline_at) in sms.body_text
    assert sms.channel == "lms"
    assert sms.subject
    assert euc_kr_length(sms.subject) <= 40


def test_agency_transfer_notice_names_the_agency(phones, assigned_case, handler):
    case = actions.transfer_case(
        assigned_case, actor=handler, to_agency="서울특별시", kind=TransferKind.AGENCY, reason="시 소관"
    )
    sms = sms_of(case, "cases.agency_transfer")
    assert "서울특별시" in sms.body_text
    assert "청소행정과" in sms.body_text


def test_long_unit_names_fall_back_to_a_terse_sms(make_case, org):
    org.audit.name = "감사담당관 민원조사팀"
    org.audit.save()
    case = make_case()
    sms = sms_of(case, "cases.receipt")
    assert sms.channel == "sms"
    assert euc_kr_length(sms.body_text) <= SMS_MAX_BYTES
    assert org.audit.name in sms.body_text


def test_a_unit_name_too_long_for_any_sms_goes_as_lms(make_case, org):
    org.audit.name = "행정국 감사담당관 민원조사팀 현장민원처리반"
    org.audit.save()
    sms = sms_of(make_case(), "cases.receipt")
    assert sms.channel == "lms"
    assert org.audit.name in sms.body_text


def test_characters_sms_cannot_carry_are_replaced(make_case, org):
    org.audit.name = "똠방각하과😀"
    org.audit.save()
    case = make_case()
    sms = sms_of(case, "cases.receipt")
    assert "??방각하과" in sms.body_text or "?방각하과?" in sms.body_text


def test_the_same_step_never_gives_a_second_message(make_case):
    case = make_case(notify_email=True)
    again = notifications.notify_citizen(case, NoticeStep.RECEIPT)
    assert len(again) == 2
    assert Message.objects.about(case).count() == 2


@pytest.mark.parametrize(
    "kind", [CaseKind.PROPOSAL, CaseKind.OTHER, CaseKind.SUGGESTION, CaseKind.GRIEVANCE, CaseKind.INQUIRY_LAW]
)
def test_every_kind_gets_a_korean_receipt_within_sms_bytes(make_case, kind):
    case = make_case(kind=kind)
    sms = sms_of(case, "cases.receipt")
    assert euc_kr_length(sms.body_text) <= SMS_MAX_BYTES
    assert any("\uac00" <= char <= "\ud7a3" for char in sms.body_text)


@pytest.mark.django_db(transaction=True)
def test_notices_are_delivered_by_the_real_worker(
    phones, org, make_case, intake_officer, handler, run_worker, sms_outbox
):
    case = make_case(notify_email=True)
    case = actions.assign_case(case, actor=intake_officer, department=org.sanitation, officer=handler)
    case = actions.extend_deadline(case, actor=handler, days=3, reason="현장 확인")
    actions.answer_case(case, actor=handler, body="처리했습니다.")
    run_worker()
    texts = [item["text"] for item in sms_outbox]
    assert len(texts) == 3
    assert all(case.receipt_no in text for text in texts)
    assert all(item["to"] == "01012345678" for item in sms_outbox)
    assert len(mail.outbox) == 3
    assert {m.to[0] for m in mail.outbox} == {"hong@example.com"}
    assert set(Message.objects.about(case).values_list("status", flat=True)) == {"sent"}
