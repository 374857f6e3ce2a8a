"""The case workflow in one place: which status may follow which, statutory periods, citizen notices.

    received ─► assigned ─► in_progress ─► answered ─► closed
        │           ▲  │         │  ▲          │  ▲       │
        │           └──┘ (이송)   │  └──────────┴──┼───────┘ (재개·추가답변)
        └──────┴─────────────────┴─► transferred_out, merged, withdrawn (ends); closed (반복민원)

Deadlines (법 §19, 령 §21):

- Complaints get `deadline_at` = the business calendar's deadline of the kind's statutory period from
  `received_at` (statutory applications: the period of their `statutory_type` code).
- A proposal (제안) has no answer deadline. Its `deadline_at` is the due moment of the next progress
  report: at receipt, the first report within 7 days (`PROPOSAL_FIRST_REPORT`); `period_days` and
  `period_hours` stay 0 so it never enters the speed index. The reports module may move `deadline_at` on
  to the next monthly report once a report is in.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from sotong.cases.errors import CasesError, CaseTransitionError
from sotong.cases.models import CaseKind, CaseStatus
from sotong.core.business_calendar import Period

if TYPE_CHECKING:
    from sotong.cases.models import Case

S = CaseStatus

# Every allowed (from → to). Being here is necessary; an action may add its own condition
# (closing an open case is only for 반복민원 closure, for instance).
TRANSITIONS: dict[str, frozenset[str]] = {
    S.RECEIVED: frozenset({S.ASSIGNED, S.TRANSFERRED_OUT, S.MERGED, S.WITHDRAWN, S.CLOSED}),
    # assigned → assigned is a transfer or reassignment to another department.
    S.ASSIGNED: frozenset(
        {S.ASSIGNED, S.IN_PROGRESS, S.ANSWERED, S.TRANSFERRED_OUT, S.MERGED, S.WITHDRAWN, S.CLOSED}
    ),
    S.IN_PROGRESS: frozenset({S.ASSIGNED, S.ANSWERED, S.TRANSFERRED_OUT, S.MERGED, S.WITHDRAWN, S.CLOSED}),
    S.ANSWERED: frozenset({S.CLOSED, S.IN_PROGRESS}),
    S.CLOSED: frozenset({S.IN_PROGRESS}),
    S.TRANSFERRED_OUT: frozenset(),
    S.MERGED: frozenset(),
    S.WITHDRAWN: frozenset(),
}

END_STATUSES = frozenset(status for status, targets in TRANSITIONS.items() if not targets)


def can_transition(status: str, to: str) -> bool:
    return to in TRANSITIONS.get(status, frozenset())


def check_transition(case: Case, to: str) -> None:
    """Refuse a status change the table does not allow, with a Korean message (API 409)."""
    if not can_transition(case.status, to):
        raise CaseTransitionError(
            _("%(receipt_no)s: '%(from)s' 상태에서 '%(to)s'(으)로 바꿀 수 없습니다.")
            % {"receipt_no": case.receipt_no, "from": S(case.status).label, "to": S(to).label}
        )


# Statutory periods (KOREAN-RULES.md; 민원 처리에 관한 법률 시행령 and the 민원처리기준표) -----------

KIND_PERIODS: dict[str, Period] = {
    CaseKind.INQUIRY_LAW: Period(days=14),
    CaseKind.INQUIRY_PROCEDURE: Period(days=7),
    CaseKind.SUGGESTION: Period(days=14),
    CaseKind.OTHER: Period(hours=3),  # 즉시 = 3 working hours
    CaseKind.GRIEVANCE: Period(days=7),
}
PROPOSAL_FIRST_REPORT = Period(days=7)
STATUTORY_TYPE_GROUP = "statutory_type"


def statutory_period(kind: str, statutory_type: str = "") -> Period:
    """처리기간 of a kind; for 법정민원 the period of its `statutory_type` code ({"days"} or {"hours"}).

    For a proposal it is the first-report period (7 days), which sets its `deadline_at` at receipt.
    Raises `CasesError` (field statutory_type) when a statutory type is missing or has no period.
    """
    if kind == CaseKind.PROPOSAL:
        return PROPOSAL_FIRST_REPORT
    if kind == CaseKind.STATUTORY:
        from sotong.core.models import Code

        if not statutory_type:
            raise CasesError(_("법정민원은 민원 유형을 선택해 주세요."), field="statutory_type")
        code = Code.objects.active().in_group(STATUTORY_TYPE_GROUP).filter(code=statutory_type).first()
        attributes = code.attributes if code is not None else {}
        days, hours = int(attributes.get("days") or 0), int(attributes.get("hours") or 0)
        if code is None or (days > 0) == (hours > 0):
            raise CasesError(
                _("법정민원 유형 '%(type)s'의 처리기간이 민원처리기준표에 없습니다.")
                % {"type": statutory_type},
                field="statutory_type",
            )
        return Period(days=days) if days else Period(hours=hours)
    try:
        return KIND_PERIODS[kind]
    except KeyError:
        raise CasesError(_("민원 종류를 선택해 주세요."), field="kind") from None


# 법 §16, 령 §13: how soon a case must reach the department that handles it, in working hours.
# A new case reaches its handling department within 1 working hour of receipt. A case at the wrong
# department (오배정 이송, 재지정, and the coordinator's designation that ends a 핑퐁 or an approved
# 기피신청) moves on within 3 working hours of arriving there; one for another agency within 8 working
# hours of arriving where it is (receipt, for a case never assigned).
NEW_CASE_ROUTE_HOURS = 1
TRANSFER_WITHIN_HOURS = {
    "reassign": 3,
    "designated": 3,
    "misfiled": 3,
    "agency": 8,
}


def transfer_due_at(arrived_at: datetime, kind: str) -> datetime:
    """By when a transfer of `kind` must be done for a case that arrived where it is at `arrived_at`."""
    from sotong.core.business_calendar import business_calendar

    return business_calendar().add_working_hours(arrived_at, TRANSFER_WITHIN_HOURS[kind])


def counts_for_speed_index(case: Case) -> bool:
    """스피드지수 counts cases with a statutory period of 1 day or more (proposals have none)."""
    return case.period_days >= 1 or case.period_hours >= 8


# Steps the citizen hears of (KOREAN-RULES.md: receipt, transfer to another agency, extension,
# progress notice every 30 days, answer; and the ends that are not an answer: merge, repeated closure,
# withdrawal; and a grievance's on-site investigation, whose days are not counted) ---------------------


class NoticeStep(StrEnum):
    RECEIPT = "receipt"
    AGENCY_TRANSFER = "agency_transfer"
    EXTENSION = "extension"
    PROGRESS = "progress"
    ANSWER = "answer"
    MERGED = "merged"
    REPEATED_CLOSURE = "repeated_closure"
    WITHDRAWAL = "withdrawal"
    ONSITE_START = "onsite_start"
    ONSITE_EXTENSION = "onsite_extension"
    ONSITE_END = "onsite_end"


CITIZEN_NOTICE_STEPS = frozenset(NoticeStep)
PROGRESS_NOTICE_DAYS = 30
