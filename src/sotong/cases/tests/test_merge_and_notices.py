"""Merge at receipt (령 §6), and the citizen notices of the ends that are not an answer: merge, repeated
closure (naming the earlier answers), withdrawal; each names unit, officer and contact within SMS bytes."""

from __future__ import annotations

import pytest

from sotong.cases import actions
from sotong.cases.errors import CasesError, CaseTransitionError, NotPermitted
from sotong.cases.models import Case, CaseStatus
from sotong.cases.tests.helpers import state
from sotong.core.models import Event
from sotong.messaging.models import Message
from sotong.messaging.text import SMS_MAX_BYTES, euc_kr_length

pytestmark = pytest.mark.django_db


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


def assert_fits_or_lms(message: Message) -> None:
    if message.channel == "sms":
        assert euc_kr_length(message.body_text) <= SMS_MAX_BYTES
    else:
        assert euc_kr_length(message.body_text) > SMS_MAX_BYTES
        assert message.subject


def same_intent(make_case, n: int) -> list[Case]:
    return [
        make_case(citizen_name=f"주민{i}", citizen_phone=f"010-2000-{i:04d}", notify_email=True)
        for i in range(n)
    ]


# --- merge at receipt ----------------------------------------------------------------------------------


def test_five_complaints_of_the_same_intent_are_merged_at_receipt(phones, make_case, intake_officer):
    # given five complaints of the same intent, just received
    representative, *others = same_intent(make_case, 5)

    # when the intake officer merges them at receipt
    result = actions.merge_at_receipt(representative, others, actor=intake_officer, reason="같은 취지")

    # then the representative carries them all and is marked 다수인관련민원
    assert result.is_multi_party
    assert result.status == CaseStatus.RECEIVED
    for other in others:
        other.refresh_from_db()
        assert other.status == CaseStatus.MERGED
        assert other.merged_into == representative
        # every merged citizen hears which receipt number now carries the complaint, once per channel
        sms = sms_of(other, "cases.merged")
        assert representative.receipt_no in sms.body_text
        assert other.receipt_no in sms.body_text
        assert "감사담당관" in sms.body_text
        assert_fits_or_lms(sms)
        email = Message.objects.about(other).get(purpose="cases.merged", channel="email")
        assert representative.receipt_no in email.body_text
        assert "담당자:" in email.body_text
    assert not Message.objects.about(representative).filter(purpose="cases.merged").exists()
    assert Event.objects.for_target(representative).filter(verb="cases.merged_at_receipt").count() == 1
    assert set(representative.related.values_list("pk", flat=True)) == {other.pk for other in others}


def test_merge_at_receipt_refuses_fewer_than_five(make_case, intake_officer):
    representative, *others = same_intent(make_case, 4)
    before = [state(case) for case in [representative, *others]]

    with pytest.raises(CasesError) as refused:
        actions.merge_at_receipt(representative, others, actor=intake_officer, reason="같은 취지")

    assert "5건 이상" in refused.value.message
    assert refused.value.field == "duplicates"
    assert [state(case) for case in [representative, *others]] == before


def test_merge_at_receipt_refuses_an_answered_complaint_and_writes_nothing(
    make_case, intake_officer, handler, org
):
    representative, *others = same_intent(make_case, 5)
    answered = actions.assign_case(others[0], actor=intake_officer, department=org.sanitation)
    actions.answer_case(answered, actor=handler, body="답변")
    reopened = actions.reopen_case(answered, actor=intake_officer, reason="보완")
    assert reopened.is_open
    before = [state(case) for case in [representative, *others]]

    with pytest.raises(CaseTransitionError) as refused:
        actions.merge_at_receipt(representative, others, actor=intake_officer, reason="같은 취지")

    assert answered.receipt_no in refused.value.message
    assert [state(case) for case in [representative, *others]] == before


def test_merge_at_receipt_needs_the_right_to_manage_every_case(make_case, other_dept_handler):
    representative, *others = same_intent(make_case, 5)
    before = state(representative)

    with pytest.raises(NotPermitted):
        actions.merge_at_receipt(representative, others, actor=other_dept_handler, reason="같은 취지")

    assert state(representative) == before


# --- notices of merge, repeated closure and withdrawal -------------------------------------------------


def test_merged_citizen_is_told_the_target_and_its_unit(phones, make_case, assigned_case, intake_officer):
    duplicate = make_case(citizen_phone="010-3333-4444")

    actions.merge_cases(assigned_case, [duplicate], actor=intake_officer, reason="중복")

    sms = sms_of(duplicate, "cases.merged")
    assert assigned_case.receipt_no in sms.body_text
    # the unit and contact of the case that now carries the complaint
    assert "청소행정과" in sms.body_text
    assert "02-2286-5679" in sms.body_text
    assert_fits_or_lms(sms)


def test_repeated_closure_notice_names_the_two_earlier_answers(
    phones, make_case, intake_officer, handler, org
):
    earlier = []
    for _ in range(2):
        case = actions.assign_case(make_case(), actor=intake_officer, department=org.sanitation)
        actions.answer_case(case, actor=handler, body="답변드렸습니다.")
        earlier.append(case)
    third = actions.assign_case(make_case(notify_email=True), actor=intake_officer, department=org.sanitation)

    actions.close_as_repeated(third, actor=handler, earlier_cases=earlier)

    sms = sms_of(third, "cases.repeated_closure")
    email = Message.objects.about(third).get(purpose="cases.repeated_closure", channel="email")
    for other in earlier:
        assert other.receipt_no in sms.body_text
        assert other.receipt_no in email.body_text
    assert "청소행정과" in sms.body_text
    assert_fits_or_lms(sms)
    assert "제23조" in email.body_text


def test_a_second_repeated_closure_after_reopening_is_a_second_notice(
    make_case, intake_officer, handler, org
):
    earlier = []
    for _ in range(2):
        case = actions.assign_case(make_case(), actor=intake_officer, department=org.sanitation)
        actions.answer_case(case, actor=handler, body="답변")
        earlier.append(case)
    third = actions.assign_case(make_case(), actor=intake_officer, department=org.sanitation)
    actions.close_as_repeated(third, actor=handler, earlier_cases=earlier)
    third = actions.reopen_case(third, actor=intake_officer, reason="새 사실")
    actions.close_as_repeated(third, actor=handler, earlier_cases=earlier)

    assert Message.objects.about(third).filter(purpose="cases.repeated_closure").count() == 2


@pytest.mark.parametrize("by", ["citizen", "intake_officer"])
def test_withdrawal_is_confirmed_to_the_citizen(request, phones, make_case, by):
    case = make_case(notify_email=True)
    actor = "citizen" if by == "citizen" else request.getfixturevalue(by)

    actions.withdraw_case(case, actor=actor, reason="해결됨")

    sms = sms_of(case, "cases.withdrawal")
    assert case.receipt_no in sms.body_text
    assert "취하" in sms.body_text
    assert "감사담당관" in sms.body_text
    assert_fits_or_lms(sms)
    assert Message.objects.about(case).filter(purpose="cases.withdrawal").count() == 2
    for private in ("홍길동", "010-1234-5678", "쓰레기"):
        assert private not in sms.body_text
