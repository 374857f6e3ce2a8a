"""고충민원 현지조사 (on-site investigation): start, extend once, end.

A grievance (kind 고충민원, or a case flagged 고충민원) may be investigated on site for up to 14 days,
extendable once by at most 7 days; those days are not counted in the processing period
(KOREAN-RULES.md). One investigation per case.

Counting: the investigation's days are counted like the processing period they are taken out of
(법 §19: periods of 6 days or more in days, the first day included, Saturdays, Sundays and public
holidays left out), so "14 days" are 14 working days and "not counted" gives back the working days the
investigation used: a Saturday spent investigating was never part of the period to begin with.

- start: the deadline moves out, provisionally, by the planned working days (so the case does not fall
  overdue while investigated); the citizen hears the expected end and the deadline.
- extend: once, 1 to 7 working days more; the deadline moves with it.
- end: the deadline becomes the deadline before the investigation moved out by the working days actually
  used, from the start day to the end day both included, at most the planned days (days beyond the
  plan are not the investigation's: they count); the citizen hears the deadline.

A case that finishes while investigated (answered, withdrawn, merged...) ends its investigation the same
way, without a separate notice (`end_open_investigation`, from `_finish.finish_case_work`). While an
investigation is open the deadline is not extended otherwise (`extend_deadline` refuses).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sotong.accounts.models import User
from sotong.cases import notifications
from sotong.cases.actions._common import _event, _handles, _lock, _require, _snapshot, _text
from sotong.cases.errors import CasesError, CaseTransitionError
from sotong.cases.models import Case, CaseKind, CaseStatus, OnsiteInvestigation
from sotong.cases.workflow import NoticeStep
from sotong.core.business_calendar import SEOUL, BusinessCalendar, Period, business_calendar

__all__ = [
    "ONSITE_EXTENSION_MAX_DAYS",
    "ONSITE_MAX_DAYS",
    "end_onsite_investigation",
    "extend_onsite_investigation",
    "is_grievance",
    "open_investigation",
    "start_onsite_investigation",
]

ONSITE_MAX_DAYS = 14
ONSITE_EXTENSION_MAX_DAYS = 7
WORKING_STATUSES = (CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS)


def is_grievance(case: Case) -> bool:
    return case.kind == CaseKind.GRIEVANCE or case.is_grievance


def open_investigation(case: Case, *, lock: bool = False) -> OnsiteInvestigation | None:
    rows = OnsiteInvestigation.objects.filter(case_id=case.pk, ended_at__isnull=True)
    if lock:
        rows = rows.select_for_update()
    return rows.first()


def _days(value: Any, field: str, maximum: int, message: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= maximum:
        raise CasesError(message, field=field)
    return value


def _planned_days(investigation: OnsiteInvestigation, calendar: BusinessCalendar) -> int:
    start = timezone.localtime(investigation.started_at, SEOUL).date()
    end = timezone.localtime(investigation.planned_end_at, SEOUL).date()
    return calendar.working_days_between(start, end)


def _moved(deadline: datetime, days: int, calendar: BusinessCalendar) -> datetime:
    return calendar.extend(deadline, Period(days=days)) if days > 0 else deadline


@transaction.atomic
def start_onsite_investigation(
    case: Case, *, actor: User, reason: str, days: int = ONSITE_MAX_DAYS
) -> OnsiteInvestigation:
    """현지조사 개시: the handling department starts an on-site investigation of a grievance for `days`
    working days (at most 14); the deadline moves out by them and the citizen is told."""
    case = _lock(case)
    _require(_handles(actor, case), case)
    if not is_grievance(case):
        raise CasesError(_("현지조사는 고충민원에만 할 수 있습니다."), field="reason")
    if case.status not in WORKING_STATUSES or case.deadline_at is None:
        raise CaseTransitionError(_("처리부서가 처리 중인 고충민원만 현지조사를 할 수 있습니다."))
    if OnsiteInvestigation.objects.filter(case=case).exists():
        raise CaseTransitionError(_("이 민원은 이미 현지조사를 했거나 하고 있습니다."))
    reason = _text(reason, "reason", _("현지조사 사유를 입력해 주세요."))
    days = _days(
        days,
        "days",
        ONSITE_MAX_DAYS,
        _("현지조사 기간은 1일에서 %(n)d일 사이입니다.") % {"n": ONSITE_MAX_DAYS},
    )
    calendar, now = business_calendar(), timezone.now()
    before = _snapshot(case)
    investigation = OnsiteInvestigation.objects.create(
        case=case,
        reason=reason,
        started_by=actor,
        started_at=now,
        planned_end_at=calendar.deadline(now, Period(days=days)),
        deadline_before=case.deadline_at,
    )
    case.deadline_at = _moved(case.deadline_at, days, calendar)
    case.save(update_fields=["deadline_at", "updated_at"])
    _event(
        actor,
        "cases.onsite_started",
        case,
        before,
        note=reason,
        investigation=investigation.pk,
        planned_end_at=investigation.planned_end_at,
    )
    notifications.notify_citizen(
        case,
        NoticeStep.ONSITE_START,
        actor=actor,
        until=investigation.planned_end_at,
        new_deadline=case.deadline_at,
    )
    return investigation


@transaction.atomic
def extend_onsite_investigation(case: Case, *, actor: User, days: int, reason: str) -> OnsiteInvestigation:
    """현지조사 연장: once, by at most 7 working days, with the reason; the citizen is told."""
    case = _lock(case)
    _require(_handles(actor, case), case)
    investigation = open_investigation(case, lock=True)
    if investigation is None or case.status not in WORKING_STATUSES:
        raise CaseTransitionError(_("진행 중인 현지조사가 없습니다."))
    if investigation.extension_days:
        raise CaseTransitionError(_("현지조사는 한 번만 연장할 수 있습니다."))
    days = _days(
        days,
        "days",
        ONSITE_EXTENSION_MAX_DAYS,
        _("현지조사 연장은 1일에서 %(n)d일 사이입니다.") % {"n": ONSITE_EXTENSION_MAX_DAYS},
    )
    reason = _text(reason, "reason", _("연장 사유를 입력해 주세요."))
    calendar, now = business_calendar(), timezone.now()
    before = _snapshot(case)
    investigation.planned_end_at = calendar.extend(investigation.planned_end_at, Period(days=days))
    investigation.extension_days = days
    investigation.extension_reason = reason
    investigation.extended_by, investigation.extended_at = actor, now
    investigation.save(
        update_fields=["planned_end_at", "extension_days", "extension_reason", "extended_by", "extended_at"]
    )
    case.deadline_at = _moved(investigation.deadline_before, _planned_days(investigation, calendar), calendar)
    case.save(update_fields=["deadline_at", "updated_at"])
    _event(
        actor,
        "cases.onsite_extended",
        case,
        before,
        note=reason,
        investigation=investigation.pk,
        planned_end_at=investigation.planned_end_at,
    )
    notifications.notify_citizen(
        case,
        NoticeStep.ONSITE_EXTENSION,
        actor=actor,
        until=investigation.planned_end_at,
        new_deadline=case.deadline_at,
        reason=reason,
    )
    return investigation


def _close(
    case: Case, investigation: OnsiteInvestigation, *, actor: Any, now: datetime, note: str
) -> dict[str, Any]:
    """End `investigation` now: the days used, the deadline they move; returns the case's snapshot before."""
    calendar = business_calendar()
    start = timezone.localtime(investigation.started_at, SEOUL).date()
    end = timezone.localtime(now, SEOUL).date()
    used = min(calendar.working_days_between(start, end), _planned_days(investigation, calendar))
    before = _snapshot(case)
    investigation.ended_at, investigation.ended_by = now, actor if isinstance(actor, User) else None
    investigation.end_note, investigation.days_used = note, used
    investigation.save(update_fields=["ended_at", "ended_by", "end_note", "days_used"])
    case.deadline_at = _moved(investigation.deadline_before, used, calendar)
    Case.objects.filter(pk=case.pk).update(deadline_at=case.deadline_at)
    return before


@transaction.atomic
def end_onsite_investigation(case: Case, *, actor: User, note: str) -> OnsiteInvestigation:
    """현지조사 종료: the deadline becomes the one before the investigation moved out by the working days
    used (at most the planned days); the result note is required and the citizen is told."""
    case = _lock(case)
    _require(_handles(actor, case), case)
    investigation = open_investigation(case, lock=True)
    if investigation is None or case.status not in WORKING_STATUSES:
        raise CaseTransitionError(_("진행 중인 현지조사가 없습니다."))
    note = _text(note, "note", _("현지조사 결과를 입력해 주세요."))
    before = _close(case, investigation, actor=actor, now=timezone.now(), note=note)
    assert case.deadline_at is not None
    assert investigation.days_used is not None
    _event(
        actor,
        "cases.onsite_ended",
        case,
        before,
        note=note,
        investigation=investigation.pk,
        days_used=investigation.days_used,
    )
    notifications.notify_citizen(
        case,
        NoticeStep.ONSITE_END,
        actor=actor,
        new_deadline=case.deadline_at,
        days_used=investigation.days_used,
    )
    return investigation


def end_open_investigation(case: Case, *, actor: Any, now: datetime, note: str) -> OnsiteInvestigation | None:
    """End the case's open investigation because the case finished (no notice: the finishing step has
    its own). Call inside the finishing action's transaction, on the locked case."""
    investigation = open_investigation(case, lock=True)
    if investigation is None:
        return None
    before = _close(case, investigation, actor=actor, now=now, note=note)
    _event(
        actor,
        "cases.onsite_closed",
        case,
        before,
        note=note,
        investigation=investigation.pk,
        days_used=investigation.days_used,
    )
    return investigation
