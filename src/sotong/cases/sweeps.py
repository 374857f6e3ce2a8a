"""Case sweeps run by the scheduler; each is idempotent (outbox idempotency keys, state checks).

cases.deadline_reminders   처리기한 임박: cases due within 24 working hours → the officer, or the
                           handling department's handlers, by e-mail; once per case per deadline
cases.overdue_escalation   지연민원 독촉: overdue cases → the coordinators, by e-mail; once per case per day
cases.monthly_report_check 미보고 marking, and the next monthly report requested for open proposals
                           that have none pending (월별 진행사항 보고 여부 확인)
cases.progress_notices     처리진행상황 통지 (령 §23): a case not finished 30 days after receipt → the
                           citizen, with the expected date, the unit, officer and contact; every 30 days
cases.routing_alerts       배정 지연 (법 §16, 령 §13): a case that has not reached its handling department
                           by its due moment → the intake department's intake officers and the
                           coordinators, by e-mail; once per case until it is routed (`route_alerted_at`)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sotong.accounts.models import Role, RoleGrant, User
from sotong.cases.actions.reports import (
    PENDING_REPORT_STATUSES,
    mark_missed_reports,
    progress_notice_due_at,
    request_next_report,
    send_progress_notice,
)
from sotong.cases.actions.routing import route_due
from sotong.cases.actions.verification import purge_phone_verifications
from sotong.cases.drafts import purge_stale_drafts
from sotong.cases.models import OPEN_STATUSES, Case, CaseKind, ProgressReport
from sotong.cases.route_limits import late_to_route
from sotong.cases.workflow import PROGRESS_NOTICE_DAYS
from sotong.core.business_calendar import SEOUL, business_calendar
from sotong.core.events import record_event
from sotong.core.scheduler import sweep
from sotong.messaging.actions import queue_email
from sotong.messaging.models import Message

REMINDER_WORKING_HOURS = 24
SCHEDULER = "scheduler"


def _case_url(case: Case) -> str:
    return settings.SITE_URL + reverse("cases_office:detail", args=[case.receipt_no])


def _new_keys(keys: Iterable[str]) -> set[str]:
    """The idempotency keys not yet used in the outbox (one query)."""
    wanted = set(keys)
    used = set(Message.objects.filter(idempotency_key__in=wanted).values_list("idempotency_key", flat=True))
    return wanted - used


def _handlers_by_department() -> list[tuple[str, User]]:
    """(department path, user) of every active handler grant, for matching a department and its parents."""
    grants = (
        RoleGrant.objects.active()
        .filter(role=Role.HANDLER, user__is_active=True)
        .select_related("user", "department")
        .order_by("department__path", "user_id")
    )
    return [(grant.department.path, grant.user) for grant in grants]


def _recipients_for(case: Case, handlers: list[tuple[str, User]]) -> list[User]:
    """The officer when there is one with an e-mail address, else the handling department's handlers."""
    if case.officer is not None and case.officer.is_active and case.officer.email:
        return [case.officer]
    if case.handling_department is None:
        return []
    path = case.handling_department.path
    seen: dict[int, User] = {}
    for grant_path, user in handlers:
        if path.startswith(grant_path) and user.email:
            seen.setdefault(user.pk, user)
    return list(seen.values())


def _local(moment: datetime) -> str:
    return timezone.localtime(moment, SEOUL).strftime("%Y-%m-%d %H:%M")


@sweep("cases.deadline_reminders", every=timedelta(minutes=30))
def send_deadline_reminders(now: datetime) -> str:
    """처리기한 임박 알림: cases due within 24 working hours, once per case and deadline, to the department."""
    horizon = business_calendar().add_working_hours(now, REMINDER_WORKING_HOURS)
    cases = list(
        Case.objects.open()
        .filter(deadline_at__gt=now, deadline_at__lte=horizon, handling_department__isnull=False)
        .select_related("handling_department", "officer")
        .order_by("deadline_at", "id")
    )
    if not cases:
        return "reminded 0 cases"
    handlers = _handlers_by_department()
    plan: list[tuple[Case, User, str]] = []
    for case in cases:
        assert case.deadline_at is not None
        for user in _recipients_for(case, handlers):
            key = f"cases.deadline_reminder:{case.pk}:{case.deadline_at.isoformat()}:{user.pk}"
            plan.append((case, user, key))
    fresh = _new_keys(key for _c, _u, key in plan)
    reminded: set[int] = set()
    for case, user, key in plan:
        if key not in fresh:
            continue
        assert case.deadline_at is not None
        queue_email(
            user.email,
            _("[처리기한 임박] %(receipt)s %(title)s")
            % {"receipt": case.receipt_no, "title": case.title[:80]},
            _(
                "%(name)s님, 담당 민원의 처리기한이 다가왔습니다.\n\n"
                "접수번호: %(receipt)s\n제목: %(title)s\n처리부서: %(department)s\n처리기한: %(deadline)s\n\n%(url)s\n"
            )
            % {
                "name": user.get_full_name(),
                "receipt": case.receipt_no,
                "title": case.title,
                "department": case.handling_department,
                "deadline": _local(case.deadline_at),
                "url": _case_url(case),
            },
            purpose="case.deadline_reminder",
            about=case,
            idempotency_key=key,
            actor=SCHEDULER,
        )
        if case.pk not in reminded:
            reminded.add(case.pk)
            record_event(SCHEDULER, "cases.deadline_reminded", case, after={"deadline_at": case.deadline_at})
    return f"reminded {len(reminded)} cases"


@sweep("cases.overdue_escalation", every=timedelta(hours=1))
def escalate_overdue_cases(now: datetime) -> str:
    """지연민원 독촉: every overdue case goes to the coordinators, once per case per day (Seoul date)."""
    coordinators = list(
        User.objects.filter(
            is_active=True,
            role_grants__role=Role.COORDINATOR,
            role_grants__revoked_at__isnull=True,
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )
    if not coordinators:
        return "escalated 0 cases (no coordinator with an e-mail address)"
    today = timezone.localtime(now, SEOUL).date().isoformat()
    cases = list(
        Case.objects.overdue(now)
        .select_related("handling_department", "intake_department", "officer")
        .order_by("deadline_at", "id")
    )
    plan = [
        (case, user, f"cases.overdue:{case.pk}:{today}:{user.pk}") for case in cases for user in coordinators
    ]
    fresh = _new_keys(key for _c, _u, key in plan)
    escalated: set[int] = set()
    for case, user, key in plan:
        if key not in fresh:
            continue
        assert case.deadline_at is not None
        department = case.handling_department or case.intake_department
        queue_email(
            user.email,
            _("[지연민원 독촉] %(receipt)s %(title)s")
            % {"receipt": case.receipt_no, "title": case.title[:80]},
            _(
                "처리기한이 지난 민원입니다.\n\n접수번호: %(receipt)s\n제목: %(title)s\n처리부서: %(department)s\n"
                "담당자: %(officer)s\n처리기한: %(deadline)s (%(days)d일 경과)\n\n%(url)s\n"
            )
            % {
                "receipt": case.receipt_no,
                "title": case.title,
                "department": department,
                "officer": case.officer.get_full_name() if case.officer else _("미지정"),
                "deadline": _local(case.deadline_at),
                "days": (now - case.deadline_at).days,
                "url": _case_url(case),
            },
            purpose="case.overdue_escalation",
            about=case,
            idempotency_key=key,
            actor=SCHEDULER,
        )
        if case.pk not in escalated:
            escalated.add(case.pk)
            record_event(
                SCHEDULER,
                "cases.overdue_escalated",
                case,
                after={"deadline_at": case.deadline_at, "day": today},
            )
    return f"escalated {len(escalated)} cases"


def _intake_officers_and_coordinators() -> list[tuple[str, User]]:
    """(department path, user) of every active intake grant, and ("", user) for every coordinator."""
    grants = (
        RoleGrant.objects.active()
        .filter(role__in=(Role.INTAKE, Role.COORDINATOR), user__is_active=True)
        .exclude(user__email="")
        .select_related("user", "department")
        .order_by("user_id")
    )
    return [("" if grant.role == Role.COORDINATOR else grant.department.path, grant.user) for grant in grants]


@sweep("cases.routing_alerts", every=timedelta(minutes=10))
def alert_late_routing(now: datetime) -> str:
    """배정 지연 알림: every open case past its routing due moment, once, to its intake department's
    intake officers and the coordinators."""
    calendar = business_calendar()
    cases = late_to_route(Case.objects.filter(route_alerted_at__isnull=True), now, calendar)
    if not cases:
        return "alerted 0 cases"
    people = _intake_officers_and_coordinators()
    alerted = 0
    for case in cases:
        due = route_due(case, calendar)
        assert due is not None
        path = case.intake_department.path
        recipients = {user.pk: user for grant_path, user in people if path.startswith(grant_path)}
        keys = {pk: f"cases.route_late:{case.pk}:{due.isoformat()}:{pk}" for pk in recipients}
        fresh = _new_keys(keys.values())
        for pk, user in recipients.items():
            if keys[pk] not in fresh:
                continue
            queue_email(
                user.email,
                _("[배정 지연] %(receipt)s %(title)s")
                % {"receipt": case.receipt_no, "title": case.title[:80]},
                _(
                    "처리부서 배정·이송 기한이 지난 민원입니다 (민원 처리에 관한 법률 제16조).\n\n"
                    "접수번호: %(receipt)s\n제목: %(title)s\n주관부서: %(intake)s\n현재 부서: %(department)s\n"
                    "배정·이송 기한: %(due)s\n\n%(url)s\n"
                )
                % {
                    "receipt": case.receipt_no,
                    "title": case.title,
                    "intake": case.intake_department,
                    "department": case.handling_department or _("미배정"),
                    "due": _local(due),
                    "url": _case_url(case),
                },
                purpose="case.route_late",
                about=case,
                idempotency_key=keys[pk],
                actor=SCHEDULER,
            )
        # Once per case until it is routed, even with nobody to e-mail (the queue shows it too).
        if Case.objects.filter(pk=case.pk, route_alerted_at__isnull=True).update(route_alerted_at=now):
            record_event(
                SCHEDULER,
                "cases.route_late",
                case,
                after={"route_due_at": due, "recipients": len(recipients)},
            )
            alerted += 1
    return f"alerted {alerted} cases"


@sweep("cases.monthly_report_check", every=timedelta(hours=1))
def check_monthly_reports(now: datetime) -> str:
    """월별 보고 점검: mark late reports 미보고, then request the next report of every open proposal that
    has a handling department and nothing pending from it (the first one when it never had any)."""
    missed = mark_missed_reports(now)
    pending = ProgressReport.objects.filter(
        case=OuterRef("pk"),
        department=OuterRef("handling_department"),
        status__in=PENDING_REPORT_STATUSES,
    )
    cases = (
        Case.objects.filter(
            kind=CaseKind.PROPOSAL, status__in=OPEN_STATUSES, handling_department__isnull=False
        )
        .filter(~Exists(pending))
        .order_by("id")
    )
    requested = sum(request_next_report(case, now=now) is not None for case in cases)
    return f"missed {missed}, requested {requested}"


@sweep("cases.progress_notices", every=timedelta(hours=1))
def send_progress_notices(now: datetime) -> str:
    """처리진행상황 통지 (령 §23): every 30 days after receipt, to the citizen by the channels they chose."""
    cutoff = now - timedelta(days=PROGRESS_NOTICE_DAYS)
    cases = (
        Case.objects.open()
        .filter(received_at__lte=cutoff)
        .filter(Q(last_progress_notice_at__isnull=True) | Q(last_progress_notice_at__lte=cutoff))
        .order_by("received_at", "id")
    )
    noticed = 0
    for case in cases:
        if progress_notice_due_at(case) <= now:
            send_progress_notice(case, now=now)
            noticed += 1
    return f"noticed {noticed} cases"


@sweep("cases.purge_verifications", every=timedelta(hours=6))
def purge_verification_codes(now: datetime) -> str:
    """Delete SMS verification codes older than a day (the rate limits look back one hour)."""
    return f"deleted {purge_phone_verifications()} codes"


@sweep("cases.purge_drafts", every=timedelta(hours=6))
def purge_abandoned_drafts(now: datetime) -> str:
    """Delete files that abandoned portal wizards left in the draft folder (older than a day)."""
    return f"deleted {purge_stale_drafts()} draft files"
