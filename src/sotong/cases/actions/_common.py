"""The life of a case: intake, assignment, transfer, avoidance, extension, notes, answer, close, reopen,
merge, link, repeated closure, flags, attachments, satisfaction.

Every action runs in one transaction on a freshly locked copy of the case (the instance passed in is
never changed: use the one returned), checks the actor's department scope (`NotPermitted`), the
workflow table (`CaseTransitionError`) and its input (`CasesError`, Korean, with the field), writes an
Event with the values before and after, and queues the citizen's notice in the same transaction.

Who may act (a role granted in a department covers its subtree):

    coordinator (총괄)                 everything; alone designates the department of a 핑퐁민원
                                        and decides 기피신청
    SNS officer (소통담당)              register SNS posts as cases for any intake department
    intake (주관) of the intake dept    register, assign, transfer, reopen, merge, link, flags, close
    handler (처리) of the handling dept officer, start, answer, transfer, extend, avoidance request,
                                        notes, close, merge, link, flags
    cooperating departments' handlers   notes, attachments
    the citizen (actor "citizen")      submit on the portal, attachments, rating, additional answer,
                                        withdrawal

System administrators keep the system, not cases: they may not act on one.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, TypeGuard

from django.utils.translation import gettext as _

from sotong.accounts.models import Department, Role, User
from sotong.cases.errors import CasesError, NotPermitted
from sotong.cases.models import (
    Case,
    Channel,
)
from sotong.cases.workflow import (
    PROPOSAL_FIRST_REPORT,
)
from sotong.core.business_calendar import Period
from sotong.core.events import record_event
from sotong.core.files import DOCUMENT_TYPES

CITIZEN = "citizen"
FLAG_FIELDS = ("is_urgent_safety", "is_serious_civic_disaster", "is_grievance", "is_multi_party")
CITIZEN_CHANNELS = frozenset({Channel.WEB, Channel.MOBILE})
ATTACHMENT_TYPES = DOCUMENT_TYPES
_PHONE = re.compile(r"^0\d{8,10}$")


# Permission helpers --------------------------------------------------------------------------------


def _is_staff(actor: Any) -> TypeGuard[User]:
    return isinstance(actor, User) and actor.is_active


def _oversees(actor: Any) -> bool:
    return _is_staff(actor) and actor.has_role(Role.COORDINATOR)


def _holds(actor: Any, department: Department | None, *roles: str) -> bool:
    return department is not None and _is_staff(actor) and actor.has_role_in(department, *roles)


def _handles(actor: Any, case: Case) -> bool:
    return _oversees(actor) or _holds(actor, case.handling_department, Role.HANDLER)


def _takes_in(actor: Any, case: Case) -> bool:
    return _oversees(actor) or _holds(actor, case.intake_department, Role.INTAKE)


def _manages(actor: Any, case: Case) -> bool:
    return _handles(actor, case) or _takes_in(actor, case)


def _cooperates(actor: Any, case: Case) -> bool:
    return any(
        _holds(actor, assignment.department, Role.HANDLER)
        for assignment in case.assignments.filter(ended_at__isnull=True).select_related("department")
    )


def _require(allowed: bool, case: Case | None = None) -> None:
    if not allowed:
        label = f"{case.receipt_no}: " if case is not None else ""
        raise NotPermitted(label + _("이 민원에 대한 권한이 없습니다."), code="not_permitted")


def _text(value: str, field: str, message: str, *, max_length: int | None = None) -> str:
    value = (value or "").strip()
    if not value:
        raise CasesError(message, field=field)
    if max_length is not None and len(value) > max_length:
        raise CasesError(_("%(max)d자 이내로 입력해 주세요.") % {"max": max_length}, field=field)
    return value


def _lock(case: Case) -> Case:
    """The case as it is now, locked for the rest of the transaction."""
    return (
        # `of`: PostgreSQL cannot lock the nullable side of the outer joins select_related makes.
        Case.objects.select_for_update(of=("self",))
        .select_related("intake_department", "handling_department", "officer")
        .get(pk=case.pk)
    )


def _snapshot(case: Case) -> dict[str, Any]:
    """What the timeline keeps of a case: no personal data."""
    return {
        "status": case.status,
        "handling_department": case.handling_department_id,
        "officer": case.officer_id,
        "deadline_at": case.deadline_at,
        "extension_count": case.extension_count,
        "transfer_count": case.transfer_count,
        "is_ping_pong": case.is_ping_pong,
        **{flag: getattr(case, flag) for flag in FLAG_FIELDS},
    }


def _event(actor: Any, verb: str, case: Case, before: dict[str, Any], note: str = "", **extra: Any) -> None:
    record_event(actor, verb, case, before=before, after={**_snapshot(case), **extra}, note=note)


def _end_assignments(case: Case, now: datetime, *, role: str | None = None) -> None:
    open_ = case.assignments.filter(ended_at__isnull=True)
    if role is not None:
        open_ = open_.filter(role=role)
    open_.update(ended_at=now)


def _check_officer(officer: User | None, department: Department) -> None:
    if officer is not None and not (officer.is_active and officer.has_role_in(department, Role.HANDLER)):
        raise CasesError(
            _("%(name)s 님은 %(dept)s의 처리 담당자가 아닙니다.") % {"name": officer, "dept": department},
            field="officer",
        )


def _period_of(case: Case) -> Period:
    if case.period_days:
        return Period(days=case.period_days)
    if case.period_hours:
        return Period(hours=case.period_hours)
    return PROPOSAL_FIRST_REPORT
