"""Cases as a state machine: random sequences of actions by random members of the cast keep the invariants.

- at most one open handling assignment per case (exactly one while assigned or in progress, none once ended);
- the deadline never falls on a weekend or public holiday;
- every successful action writes an Event on the case; a refused one changes nothing at all;
- every citizen-facing step (receipt, transfer to another agency, extension, answer, merge, repeated
  closure, withdrawal, on-site investigation start, extension and end) has exactly one outbox message per
  channel the citizen chose;
- a finished case owes no report (none requested or returned), is under no on-site investigation and
  waits for no routing; a case has at most one investigation, extended at most once by 7 days.
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from sotong.accounts.models import Role
from sotong.cases import actions
from sotong.cases.errors import CasesError, CaseTransitionError, NotPermitted
from sotong.cases.models import (
    OPEN_STATUSES,
    AssignmentRole,
    AvoidanceRequest,
    Case,
    CaseKind,
    CaseStatus,
    DecisionStatus,
    OnsiteInvestigation,
    ProgressReport,
    ReportStatus,
    TransferKind,
)
from sotong.cases.tests.conftest import case_values
from sotong.cases.tests.helpers import state
from sotong.cases.workflow import END_STATUSES
from sotong.core.business_calendar import SEOUL, business_calendar
from sotong.core.models import Event
from sotong.messaging.models import Message

REFUSALS = (CasesError, CaseTransitionError, NotPermitted)
# The ones who may act come up more often, so sequences reach deep into the workflow.
STAFF = ["coordinator", "intake_officer", "handler", "other_dept_handler", "sns_officer", "sysadmin"]
ACTORS = st.sampled_from(STAFF[:4] * 3 + STAFF[4:])
# Statuses that some step of some example left a case in.
VISITED: set[str] = set()
KINDS = [kind for kind in CaseKind.values if kind != CaseKind.STATUTORY]


class CaseMachine(RuleBasedStateMachine):
    world: SimpleNamespace

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[int] = []
        self.calendar = business_calendar()

    # Helpers ---------------------------------------------------------------------------------------

    def _case(self, data: st.DataObject) -> Case:
        return Case.objects.get(pk=data.draw(st.sampled_from(self.ids), label="case"))

    def _actor(self, data: st.DataObject) -> Any:
        return getattr(self.world, data.draw(ACTORS, label="actor"))

    def _department(self, data: st.DataObject) -> Any:
        return data.draw(st.sampled_from([self.world.org.sanitation, self.world.org.transport]), label="dept")

    def _attempt(self, case: Case, call: Any) -> bool:
        """Run `call`; when refused nothing may change, when done the case must have a new Event."""
        before = state(case)
        events_before = Event.objects.for_target(case).count()
        try:
            call()
        except REFUSALS:
            assert state(case) == before
            return False
        assert Event.objects.for_target(case).count() > events_before
        VISITED.add(Case.objects.values_list("status", flat=True).get(pk=case.pk))
        return True

    # Rules -----------------------------------------------------------------------------------------

    @rule(
        kind=st.sampled_from(KINDS),
        sms=st.booleans(),
        email=st.booleans(),
        hours_ago=st.integers(min_value=0, max_value=24 * 60),
    )
    def submit(self, kind: str, sms: bool, email: bool, hours_ago: int) -> None:
        received = timezone.now() - timedelta(hours=hours_ago)
        case = actions.submit_case(
            **case_values(self.world.org, kind=kind, notify_sms=sms, notify_email=email, received_at=received)
        )
        assert Event.objects.for_target(case).filter(verb="cases.submitted").count() == 1
        self.ids.append(case.pk)

    @precondition(lambda self: self.ids)
    @rule(data=st.data())
    def assign(self, data: st.DataObject) -> None:
        case, actor, department = self._case(data), self._actor(data), self._department(data)
        self._attempt(case, lambda: actions.assign_case(case, actor=actor, department=department))

    @precondition(lambda self: self.ids)
    @rule(data=st.data())
    def work_through(self, data: st.DataObject) -> None:
        """The usual path by the right people (assign, take up, answer), each step refused or done."""
        case = self._case(data)
        world = self.world
        self._attempt(
            case,
            lambda: actions.assign_case(case, actor=world.intake_officer, department=world.org.sanitation),
        )
        case.refresh_from_db()
        self._attempt(case, lambda: actions.start_processing(case, actor=world.handler))
        case.refresh_from_db()
        self._attempt(case, lambda: actions.answer_case(case, actor=world.handler, body="처리했습니다."))
        case.refresh_from_db()
        VISITED.add(case.status)

    @precondition(lambda self: self.ids)
    @rule(data=st.data())
    def start(self, data: st.DataObject) -> None:
        case, actor = self._case(data), self._actor(data)
        self._attempt(case, lambda: actions.start_processing(case, actor=actor))

    @precondition(lambda self: self.ids)
    @rule(data=st.data(), rejection=st.booleans(), reasons=st.sampled_from(["", "사유지입니다."]))
    def answer(self, data: st.DataObject, rejection: bool, reasons: str) -> None:
        case, actor = self._case(data), self._actor(data)
        self._attempt(
            case,
            lambda: actions.answer_case(
                case,
                actor=actor,
                body="답변",
                is_rejection=rejection,
                rejection_reasons=reasons,
                remedies=reasons,
            ),
        )

    @precondition(lambda self: self.ids)
    @rule(data=st.data())
    def close(self, data: st.DataObject) -> None:
        case, actor = self._case(data), self._actor(data)
        self._attempt(case, lambda: actions.close_case(case, actor=actor))

    @precondition(lambda self: self.ids)
    @rule(data=st.data())
    def reopen(self, data: st.DataObject) -> None:
        case, actor = self._case(data), self._actor(data)
        self._attempt(case, lambda: actions.reopen_case(case, actor=actor, reason="보완"))

    @precondition(lambda self: self.ids)
    @rule(
        data=st.data(),
        kind=st.sampled_from([TransferKind.MISFILED, TransferKind.REASSIGN, TransferKind.AGENCY]),
    )
    def transfer(self, data: st.DataObject, kind: str) -> None:
        case, actor, department = self._case(data), self._actor(data), self._department(data)
        self._attempt(
            case,
            lambda: actions.transfer_case(
                case,
                actor=actor,
                to_department=department,
                to_agency="서울특별시",
                kind=kind,
                reason="소관 아님",
            ),
        )

    @precondition(lambda self: self.ids)
    @rule(data=st.data())
    def designate(self, data: st.DataObject) -> None:
        case, actor, department = self._case(data), self._actor(data), self._department(data)
        self._attempt(
            case,
            lambda: actions.designate_department(case, actor=actor, department=department, reason="지정"),
        )

    @precondition(lambda self: self.ids)
    @rule(
        data=st.data(),
        days=st.integers(min_value=1, max_value=20),
        consent=st.sampled_from(["", "전화 동의"]),
    )
    def extend(self, data: st.DataObject, days: int, consent: str) -> None:
        case, actor = self._case(data), self._actor(data)
        self._attempt(
            case,
            lambda: actions.extend_deadline(
                case, actor=actor, days=days, reason="조사", citizen_consent=consent
            ),
        )

    @precondition(lambda self: self.ids)
    @rule(data=st.data())
    def avoid(self, data: st.DataObject) -> None:
        case, actor = self._case(data), self._actor(data)
        self._attempt(
            case,
            lambda: actions.request_avoidance(
                case, actor=actor, reason="소관 아님", suggested_department=self.world.org.transport
            ),
        )

    @precondition(lambda self: self.ids)
    @rule(data=st.data(), approve=st.booleans())
    def decide(self, data: st.DataObject, approve: bool) -> None:
        case, actor = self._case(data), self._actor(data)
        pending = AvoidanceRequest.objects.filter(case=case, status=DecisionStatus.PENDING).first()
        if pending is not None:
            self._attempt(
                case, lambda: actions.decide_avoidance(pending, actor=actor, approve=approve, note="검토")
            )

    @precondition(lambda self: self.ids)
    @rule(data=st.data(), score=st.integers(min_value=1, max_value=5))
    def rate(self, data: st.DataObject, score: int) -> None:
        case = self._case(data)
        self._attempt(case, lambda: actions.rate_case(case, score=score))

    @precondition(lambda self: self.ids)
    @rule(data=st.data())
    def ask_again(self, data: st.DataObject) -> None:
        case = self._case(data)
        self._attempt(case, lambda: actions.request_additional_answer(case, reason="부족합니다"))

    @precondition(lambda self: self.ids)
    @rule(data=st.data())
    def withdraw(self, data: st.DataObject) -> None:
        case = self._case(data)
        self._attempt(case, lambda: actions.withdraw_case(case, actor="citizen"))

    @precondition(lambda self: len(self.ids) >= 2)
    @rule(data=st.data())
    def merge(self, data: st.DataObject) -> None:
        target, duplicate, actor = self._case(data), self._case(data), self._actor(data)
        self._attempt(duplicate, lambda: actions.merge_cases(target, [duplicate], actor=actor, reason="중복"))

    @precondition(lambda self: len(self.ids) >= 3)
    @rule(data=st.data())
    def repeat(self, data: st.DataObject) -> None:
        case, actor = self._case(data), self._actor(data)
        earlier = [self._case(data), self._case(data)]
        self._attempt(case, lambda: actions.close_as_repeated(case, actor=actor, earlier_cases=earlier))

    @precondition(lambda self: len(self.ids) >= 5)
    @rule(data=st.data())
    def merge_at_receipt(self, data: st.DataObject) -> None:
        count = data.draw(st.integers(min_value=3, max_value=min(6, len(self.ids))), label="count")
        ids = data.draw(st.lists(st.sampled_from(self.ids), min_size=count, max_size=count, unique=True))
        representative, *others = [Case.objects.get(pk=pk) for pk in ids]
        actor = self._actor(data)
        self._attempt(
            representative,
            lambda: actions.merge_at_receipt(representative, others, actor=actor, reason="같은 취지"),
        )

    @precondition(lambda self: self.ids)
    @rule(data=st.data(), days=st.integers(min_value=0, max_value=15))
    def onsite_start(self, data: st.DataObject, days: int) -> None:
        case, actor = self._case(data), self._actor(data)
        self._attempt(
            case, lambda: actions.start_onsite_investigation(case, actor=actor, reason="현장 확인", days=days)
        )

    @precondition(lambda self: self.ids)
    @rule(data=st.data(), days=st.integers(min_value=0, max_value=8))
    def onsite_extend(self, data: st.DataObject, days: int) -> None:
        case, actor = self._case(data), self._actor(data)
        self._attempt(
            case,
            lambda: actions.extend_onsite_investigation(case, actor=actor, days=days, reason="추가 조사"),
        )

    @precondition(lambda self: self.ids)
    @rule(data=st.data())
    def onsite_end(self, data: st.DataObject) -> None:
        case, actor = self._case(data), self._actor(data)
        self._attempt(case, lambda: actions.end_onsite_investigation(case, actor=actor, note="조사 완료"))

    @precondition(lambda self: self.ids)
    @rule(data=st.data())
    def request_report(self, data: st.DataObject) -> None:
        case, actor = self._case(data), self._actor(data)
        self._attempt(case, lambda: actions.request_report(case, actor=actor))

    # Invariants ------------------------------------------------------------------------------------

    @invariant()
    def invariants_hold(self) -> None:
        for case in Case.objects.filter(pk__in=self.ids).prefetch_related("assignments"):
            handling = [
                a for a in case.assignments.all() if a.role == AssignmentRole.HANDLING and a.ended_at is None
            ]
            assert len(handling) <= 1
            if case.status in (CaseStatus.ASSIGNED,) or (
                case.status in OPEN_STATUSES and case.handling_department_id is not None
            ):
                assert len(handling) == 1
                assert handling[0].department_id == case.handling_department_id
            if case.status in END_STATUSES:
                assert not [a for a in case.assignments.all() if a.ended_at is None]
            if case.deadline_at is not None:
                assert self.calendar.is_working_day(case.deadline_at.astimezone(SEOUL).date())
            channels = int(case.notify_sms) + int(case.notify_email)
            messages = Message.objects.about(case)
            assert messages.filter(purpose="cases.receipt").count() == channels
            assert messages.filter(purpose="cases.answer").count() == channels * case.answers.count()
            assert messages.filter(purpose="cases.extension").count() == channels * case.extensions.count()
            agency = case.transfers.filter(kind=TransferKind.AGENCY).count()
            assert messages.filter(purpose="cases.agency_transfer").count() == channels * agency
            ended = {
                CaseStatus.MERGED: "cases.merged",
                CaseStatus.WITHDRAWN: "cases.withdrawal",
            }
            for status, purpose in ended.items():
                expected = channels if case.status == status else 0
                assert messages.filter(purpose=purpose).count() == expected
            events = Event.objects.for_target(case)
            repeated = events.filter(verb="cases.closed_as_repeated").count()
            assert messages.filter(purpose="cases.repeated_closure").count() == channels * repeated
            investigations = list(OnsiteInvestigation.objects.filter(case=case))
            assert len(investigations) <= 1
            extended = [i for i in investigations if i.extension_days]
            assert all(i.extension_days <= actions.ONSITE_EXTENSION_MAX_DAYS for i in investigations)
            assert messages.filter(purpose="cases.onsite_start").count() == channels * len(investigations)
            assert messages.filter(purpose="cases.onsite_extension").count() == channels * len(extended)
            ended_here = events.filter(verb="cases.onsite_ended").count()
            assert messages.filter(purpose="cases.onsite_end").count() == channels * ended_here
            # the report flags the queues read agree with the reports themselves
            report_states = set(ProgressReport.objects.filter(case=case).values_list("status", flat=True))
            assert case.reports_pending == bool(
                report_states & {ReportStatus.REQUESTED, ReportStatus.RETURNED}
            )
            assert case.reports_submitted == (ReportStatus.SUBMITTED in report_states)
            assert case.reports_missed == (ReportStatus.MISSED in report_states)
            if case.status not in OPEN_STATUSES:
                assert not [i for i in investigations if i.ended_at is None]
                assert not ProgressReport.objects.filter(
                    case=case, status__in=(ReportStatus.REQUESTED, ReportStatus.RETURNED)
                ).exists()
                assert case.route_due_at is None


@pytest.mark.django_db
def test_any_sequence_of_case_actions_keeps_the_invariants(
    org, coordinator, intake_officer, handler, other_dept_handler, sns_officer, sysadmin, make_staff
):
    make_staff("transport_intake", org.audit, Role.INTAKE)
    world = SimpleNamespace(
        org=org,
        coordinator=coordinator,
        intake_officer=intake_officer,
        handler=handler,
        other_dept_handler=other_dept_handler,
        sns_officer=sns_officer,
        sysadmin=sysadmin,
    )

    class Machine(CaseMachine):
        pass

    Machine.world = world
    VISITED.clear()
    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=15,
            stateful_step_count=30,
            derandomize=True,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
    # The run went deep into the workflow, not only intake.
    assert {CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS, CaseStatus.ANSWERED} <= VISITED, VISITED
