"""고충민원 현지조사: up to 14 working days, extended once by at most 7; the working days used are not
counted in the processing period; reason, Event and citizen notice at each step."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from sotong.cases import actions
from sotong.cases.errors import CasesError, CaseTransitionError, NotPermitted
from sotong.cases.models import Case, CaseKind, OnsiteInvestigation
from sotong.cases.tests.helpers import state
from sotong.core.business_calendar import SEOUL, Period, business_calendar
from sotong.core.models import Event
from sotong.messaging.models import Message
from sotong.messaging.text import SMS_MAX_BYTES, euc_kr_length

pytestmark = pytest.mark.django_db


@pytest.fixture
def grievance(make_case, intake_officer, handler, org) -> Case:
    case = make_case(kind=CaseKind.GRIEVANCE, notify_email=True)
    case = actions.assign_case(case, actor=intake_officer, department=org.sanitation, officer=handler)
    return actions.start_processing(case, actor=handler)


def notices(case: Case, step: str):
    return Message.objects.about(case).filter(purpose=f"cases.{step}")


def test_starting_moves_the_deadline_out_by_the_planned_working_days(grievance, handler):
    before = grievance.deadline_at
    calendar = business_calendar()

    investigation = actions.start_onsite_investigation(grievance, actor=handler, reason="현장 확인 필요")

    case = Case.objects.get(pk=grievance.pk)
    assert investigation.deadline_before == before
    assert investigation.planned_end_at == calendar.deadline(investigation.started_at, Period(days=14))
    assert case.deadline_at == calendar.extend(before, Period(days=14))
    assert calendar.is_working_day(case.deadline_at.astimezone(SEOUL).date())
    assert Event.objects.for_target(case).filter(verb="cases.onsite_started", note="현장 확인 필요").exists()
    sms = notices(case, "onsite_start").get(channel__in=["sms", "lms"])
    assert case.receipt_no in sms.body_text
    assert "현지조사" in sms.body_text
    assert sms.channel == "lms" or euc_kr_length(sms.body_text) <= SMS_MAX_BYTES
    email = notices(case, "onsite_start").get(channel="email")
    assert "처리기간에 넣지 않습니다" in email.body_text
    assert "담당자: 박처리" in email.body_text


def test_only_a_grievance_may_be_investigated(make_case, intake_officer, handler, org):
    case = actions.assign_case(make_case(), actor=intake_officer, department=org.sanitation)
    before = state(case)

    with pytest.raises(CasesError):
        actions.start_onsite_investigation(case, actor=handler, reason="현장")
    assert state(case) == before

    # a case flagged 고충민원 may be
    actions.set_flags(case, actor=handler, is_grievance=True)
    assert actions.start_onsite_investigation(case, actor=handler, reason="현장").is_open


@pytest.mark.parametrize("who", ["intake_officer", "other_dept_handler", "sysadmin"])
def test_only_the_handling_department_or_coordinator_starts_one(request, grievance, who):
    actor = request.getfixturevalue(who)
    before = state(grievance)

    with pytest.raises(NotPermitted):
        actions.start_onsite_investigation(grievance, actor=actor, reason="현장")

    assert state(grievance) == before
    assert not OnsiteInvestigation.objects.exists()


@pytest.mark.parametrize(("days", "field"), [(0, "days"), (15, "days")])
def test_investigation_is_at_most_14_days(grievance, handler, days, field):
    with pytest.raises(CasesError) as refused:
        actions.start_onsite_investigation(grievance, actor=handler, reason="현장", days=days)
    assert refused.value.field == field


def test_extension_once_by_at_most_7_days(grievance, handler):
    investigation = actions.start_onsite_investigation(grievance, actor=handler, reason="현장", days=10)
    calendar = business_calendar()

    with pytest.raises(CasesError):
        actions.extend_onsite_investigation(grievance, actor=handler, days=8, reason="추가")
    with pytest.raises(CasesError):
        actions.extend_onsite_investigation(grievance, actor=handler, days=3, reason="")
    extended = actions.extend_onsite_investigation(grievance, actor=handler, days=7, reason="추가 측량")

    case = Case.objects.get(pk=grievance.pk)
    assert extended.extension_days == 7
    assert extended.planned_end_at == calendar.extend(investigation.planned_end_at, Period(days=7))
    assert case.deadline_at == calendar.extend(investigation.deadline_before, Period(days=17))
    assert notices(case, "onsite_extension").count() == 2
    email = notices(case, "onsite_extension").get(channel="email")
    assert "추가 측량" in email.body_text
    with pytest.raises(CaseTransitionError):
        actions.extend_onsite_investigation(grievance, actor=handler, days=1, reason="또")


def test_ending_gives_back_the_working_days_used(grievance, handler):
    investigation = actions.start_onsite_investigation(grievance, actor=handler, reason="현장")
    # the investigation began a week ago (test set-up)
    started = timezone.now() - timedelta(days=7)
    OnsiteInvestigation.objects.filter(pk=investigation.pk).update(started_at=started)
    calendar = business_calendar()
    used = calendar.working_days_between(
        started.astimezone(SEOUL).date(), timezone.localtime(timezone.now(), SEOUL).date()
    )

    ended = actions.end_onsite_investigation(grievance, actor=handler, note="현장 확인 결과 보수 필요")

    case = Case.objects.get(pk=grievance.pk)
    assert ended.days_used == used
    assert used >= 1
    assert case.deadline_at == calendar.extend(investigation.deadline_before, Period(days=used))
    assert ended.ended_by == handler
    sms = notices(case, "onsite_end").get(channel__in=["sms", "lms"])
    assert "종료" in sms.body_text
    with pytest.raises(CaseTransitionError):
        actions.end_onsite_investigation(grievance, actor=handler, note="다시")
    # one investigation per case
    with pytest.raises(CaseTransitionError):
        actions.start_onsite_investigation(grievance, actor=handler, reason="또")


def test_no_deadline_extension_while_investigating(grievance, handler):
    actions.start_onsite_investigation(grievance, actor=handler, reason="현장")
    before = state(grievance)

    with pytest.raises(CasesError) as refused:
        actions.extend_deadline(grievance, actor=handler, days=3, reason="추가 검토")

    assert "현지조사" in refused.value.message
    assert state(grievance) == before


def test_answering_ends_the_investigation_without_its_own_notice(grievance, handler):
    actions.start_onsite_investigation(grievance, actor=handler, reason="현장")

    actions.answer_case(grievance, actor=handler, body="보수하겠습니다.")

    investigation = OnsiteInvestigation.objects.get()
    assert investigation.ended_at is not None
    # the day it began and ended: one working day, or none when that was a day off
    today = timezone.localtime(timezone.now(), SEOUL).date()
    assert investigation.days_used == int(business_calendar().is_working_day(today))
    case = Case.objects.get(pk=grievance.pk)
    expected = business_calendar().extend(investigation.deadline_before, Period(days=1))
    assert case.deadline_at == (expected if investigation.days_used else investigation.deadline_before)
    assert Event.objects.for_target(case).filter(verb="cases.onsite_closed").count() == 1
    assert not notices(case, "onsite_end").exists()
